"""Project-wide fixtures: the three personas every permission test uses.

alice organises ``congress`` (owner); bob is check-in staff there (a narrower role); charlie is an
outsider who organises ``other_congress`` only.
"""

import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from tests.factories import CongressFactory, TeamMembershipFactory, UserFactory


def pytest_configure(config):
    """Passwords in tests are hashed with the cheapest hasher.

    Production keeps Django's PBKDF2 at 1,000,000 iterations (0.35 s a hash on these machines,
    deliberately); every user a test makes (``UserFactory`` hashes its password) and every sign-in
    would pay that, hundreds of times over the suite. What the tests check of passwords (right
    or wrong, changed, rate-limited) does not depend on the hasher."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def congress(db):
    return CongressFactory(slug="wcg-2027", name="World Congress 2027")


@pytest.fixture
def other_congress(db):
    return CongressFactory(slug="other-2027", name="Other Congress")


@pytest.fixture
def alice(congress):
    user = UserFactory(username="alice")
    TeamMembershipFactory(congress=congress, user=user, role="owner")
    return user


@pytest.fixture
def bob(congress):
    user = UserFactory(username="bob")
    TeamMembershipFactory(congress=congress, user=user, role="checkin")
    return user


@pytest.fixture
def charlie(other_congress):
    user = UserFactory(username="charlie")
    TeamMembershipFactory(congress=other_congress, user=user, role="owner")
    return user


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (pages and the capacity figures kept there)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _reset_language():
    """LocaleMiddleware activates a request's language for the whole thread: reset it so one
    test's Accept-Language never leaks into the next test on the same worker."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tests run tasks immediately unless a test asks for a real worker."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "emails", "batch"],
        }
    }
    yield


def _name_schemathesis_items_after_their_operation(items) -> None:
    """schemathesis makes one test item per API operation, but under pytest 9 every item's node
    id is the bare function name: xdist's ``--dist loadgroup`` (CI) keys work by node id and
    would run one operation per test. Put the operation in the id, as in the item's name."""
    for item in items:
        label = getattr(item, "operation_label", None)
        if label and item.nodeid.endswith(f"::{item.originalname}"):
            item._id = item._id.with_params(label)


def pytest_collection_modifyitems(config, items):
    """Concurrency tests need real row locks: skip them, loudly, when the suite runs on SQLite."""
    from django.conf import settings

    _name_schemathesis_items_after_their_operation(items)
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(
        reason="NEEDS POSTGRESQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/convene "
        "to run this concurrency test (CI does)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium; it never downloads a browser."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session", autouse=True)
def _patient_browser_assertions():
    """Playwright's ``expect`` gives up after 5 s by default; on a CI machine running two test
    workers beside Chromium a page can take longer than that to settle. A real failure still
    fails, 20 s later."""
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)


# --- The live server on SQLite in memory -----------------------------------------------------
# With an in-memory database the live server's request threads share the test's one connection,
# so two requests at once interleave their transactions: a desk's list download rolled back
# beside its sync and the refused scans the sync wrote were gone; a request still running when
# a test ended undid the flush, and the next test found the last one's congress. Requests take
# turns (each still in its own thread), and a test waits for the request in flight before its
# database is flushed. PostgreSQL and file databases give each thread its own connection.
_SHARED_CONNECTION = threading.Lock()


class _OneRequestAtATime(ThreadedWSGIServer):
    def set_app(self, application):
        if not self.connections_override:
            return super().set_app(application)

        def one_at_a_time(environ, start_response):
            with _SHARED_CONNECTION:
                response = application(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    if hasattr(response, "close"):
                        response.close()
            return [body]

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATime


@pytest.fixture
def server_quiet():
    """Read the database from a live-server test between requests, never beside one: on SQLite
    in memory the request threads use the test's own connection. ``with server_quiet:``"""
    return _SHARED_CONNECTION


@pytest.fixture(autouse=True)
def _live_server_requests_finish_before_the_flush(request):
    yield
    if "live_server" in request.fixturenames:
        with _SHARED_CONNECTION:
            pass
