"""Sign-in history: every sign-in, failed sign-in of an existing account and sign-out is in the
audit log with the address and the browser, and the person (only they) reads it, escaped."""

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from events_site.congresses.sign_in_history import (
    SIGN_IN_FAILED,
    SIGNED_IN,
    SIGNED_OUT,
    browser_label,
)
from tests.accounts.conftest import CHROME, FIREFOX, PASSWORD, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ACTIVITY = "/accounts/activity/"
HOSTILE_AGENT = (
    "<script>alert(1)</script>\x1b[31m\x00\u202eمرحبا بالعالم\r\n" + "A" * 10_000 + "</td>"
)


def entries(user, action):
    return list(AuditEntry.objects.filter(actor=user, action=action))


def test_a_sign_in_is_recorded_with_address_and_a_readable_browser(client, dora):
    assert sign_in(client, "dora", address="198.51.100.23").status_code == 302
    (entry,) = entries(dora, SIGNED_IN)
    assert entry.congress is None
    assert entry.data == {"address": "198.51.100.23", "browser": "Firefox 133 on Linux"}


def test_a_wrong_password_for_an_existing_account_is_recorded_for_that_account(client, dora):
    assert sign_in(client, "dora", "wrong", agent=CHROME).status_code == 200
    (entry,) = entries(dora, SIGN_IN_FAILED)
    assert entry.data["browser"] == "Chrome 131 on Windows"
    assert entry.data["username"] == "dora"
    assert entry.data["address"] == "203.0.113.7"


def test_a_wrong_password_for_no_account_writes_nothing(client, dora):
    before = AuditEntry.objects.count()
    assert sign_in(client, "nobody-here", "wrong").status_code == 200
    assert sign_in(client, "x" * 10_000, "wrong").status_code == 200
    assert AuditEntry.objects.count() == before


def test_a_sign_out_is_recorded(client, dora):
    sign_in(client, "dora")
    client.post(reverse("logout"), HTTP_USER_AGENT=FIREFOX)
    (entry,) = entries(dora, SIGNED_OUT)
    assert entry.data["browser"] == "Firefox 133 on Linux"


def test_a_hostile_user_agent_is_stored_short_printable_and_shown_escaped(client, dora):
    sign_in(client, "dora", "wrong", agent=HOSTILE_AGENT)
    sign_in(client, "dora", agent=HOSTILE_AGENT)
    for entry in AuditEntry.objects.filter(actor=dora):
        browser = entry.data["browser"]
        assert len(browser) <= 120
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in browser)
        assert "<script>" in browser  # kept as text ...
    html = client.get(ACTIVITY).content.decode()
    assert "<script>alert(1)</script>" not in html  # ... never as markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\u202e" in html and "<bdi>" in html  # right-to-left text isolated


def test_a_hostile_username_of_an_existing_account_is_shown_escaped(client):
    name = "<b>مرحبا</b>\x1b\u202e"
    user = UserFactory(username=name)
    user.set_password(PASSWORD)
    user.save()
    sign_in(client, name, "wrong")
    (entry,) = entries(user, SIGN_IN_FAILED)
    assert entry.data["username"] == "<b>مرحبا</b>\u202e"  # control character dropped
    client.force_login(user)
    html = client.get(ACTIVITY).content.decode()
    assert "&lt;b&gt;مرحبا&lt;/b&gt;" in html
    assert "<b>مرحبا" not in html


def test_attempts_while_locked_out_are_marked(client, dora, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(4):
        sign_in(client, "dora", f"wrong-{n}")
    assert sign_in(client, "dora").status_code == 429  # lockout still works
    failures = entries(dora, SIGN_IN_FAILED)
    assert any(entry.data.get("locked_out") for entry in failures)
    assert not entries(dora, SIGNED_IN)


def test_the_page_needs_a_sign_in(client):
    response = client.get(ACTIVITY)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_one_person_never_sees_another_persons_history(client, dora, alice):
    sign_in(client, "dora", "wrong", address="192.0.2.99", agent="DoraOnlyBrowser/7.0")
    client.force_login(alice)
    html = client.get(ACTIVITY).content.decode()
    assert "192.0.2.99" not in html
    assert "DoraOnlyBrowser" not in html


def test_the_history_lists_newest_first_and_pages_with_2000_entries_in_few_queries(
    client, dora, django_assert_max_num_queries
):
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=dora,
            action=SIGN_IN_FAILED if n % 3 else SIGNED_IN,
            data={"address": f"10.0.{n // 250}.{n % 250}", "browser": f"Browser {n}"},
        )
        for n in range(2000)
    )
    client.force_login(dora)
    client.get(ACTIVITY)  # the session's last-seen write happens at most once a minute
    with django_assert_max_num_queries(8):
        response = client.get(ACTIVITY)
    assert response.status_code == 200
    assert len(response.context["entries"]) == 50
    assert response.context["page"].paginator.count == 2001  # with the force_login sign-in
    with django_assert_max_num_queries(8):
        last = client.get(ACTIVITY, {"page": 41})
    assert len(last.context["entries"]) == 1


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (FIREFOX, "Firefox 133 on Linux"),
        (CHROME, "Chrome 131 on Windows"),
        ("", ""),
        ("curl/8.5.0", "curl 8"),
        ("\x01\x02 no rule \t knows\nthis", "no rule knows this"),
    ],
)
def test_browser_labels(agent, label):
    assert browser_label(agent) == label


def test_the_browser_rules_are_compiled_once_before_the_workers_fork():
    """The WSGI module (what gunicorn ``--preload`` imports in the master) builds the parser,
    so a worker's first sign-in finds it; it holds the browser and system rules, no device
    rule, and the labels come out as with ua-parser's full parser."""
    import ua_parser

    import events_site.wsgi  # noqa: F401 - the import is what is tested
    from events_site.congresses.sign_in_history import user_agent_parser

    assert user_agent_parser.cache_info().currsize == 1
    assert user_agent_parser() is user_agent_parser()
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
    )
    for agent in (FIREFOX, CHROME, iphone, "python-requests/2.32.3"):
        full = ua_parser.parse(agent)
        mine = user_agent_parser()(agent, ua_parser.Domain.USER_AGENT | ua_parser.Domain.OS)
        assert (mine.user_agent, mine.os) == (full.user_agent, full.os)
    assert browser_label(iphone) == "Mobile Safari 17 on iOS"
