"""The walk's world is built once per module (per xdist worker) inside a transaction of its own
that is rolled back at the end, the way Django's ``TestCase.setUpTestData`` works: each test
then runs in a savepoint (pytest-django's ``db``), so what one test's POST changes is undone
before the next."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test.utils import override_settings

from .world import build_world

IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "emails", "batch"],
    }
}


@pytest.fixture(scope="module")
def walk_media(tmp_path_factory):
    return tmp_path_factory.mktemp("walk-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, walk_media):
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=walk_media,
            PRIVATE_MEDIA_ROOT=walk_media / "private",
            TASKS=IMMEDIATE_TASKS,
        ),
    ):
        outer = transaction.atomic()
        outer._from_testcase = True  # durable blocks inside the tests behave as in TestCase
        outer.__enter__()
        try:
            built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _media_root(settings, walk_media):
    """The print jobs' PDFs (and a delegate's photo) were stored when the world was built: keep
    those media roots."""
    settings.MEDIA_ROOT = walk_media
    settings.PRIVATE_MEDIA_ROOT = walk_media / "private"
