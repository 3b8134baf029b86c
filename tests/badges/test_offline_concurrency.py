"""Two syncs of the same queue at the same moment (a retry racing the lost first answer, two
tabs): each queued check-in is applied exactly once. A pair (STYLE.md): without the unique
nonce, the same queued check-in is recorded twice; with it, once. Real threads, real PostgreSQL
connections."""

import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from badges import offline, services
from badges.models import CheckIn, OfflineCheckIn
from tests.badges.conftest import make_delegate
from tests.factories import UserFactory

SYNCS = 4

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _sync_at_once(congress, items, users):
    answers, errors = [], []
    start = threading.Barrier(len(users))

    def sync(user):
        try:
            start.wait()
            answers.extend(offline.apply_queue(congress=congress, items=items, by=user))
        except Exception as exc:  # surface it in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sync, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return answers


@pytest.fixture
def queue(congress):
    delegates = [make_delegate(congress) for _ in range(3)]
    for delegate in delegates:
        services.badge_for(delegate=delegate)
    at = timezone.now().isoformat()
    return [
        {"nonce": str(uuid.uuid4()), "delegate": d.pk, "at": at, "desk": "D2"} for d in delegates
    ]


def test_without_the_nonce_check_a_replayed_queue_is_recorded_twice(congress, queue, monkeypatch):
    """The race is real: with no look-up of the nonce and no unique constraint to stop the
    insert, every sync records the same queued check-ins again."""
    monkeypatch.setattr(offline.OfflineCheckIn.objects, "filter", _never_seen(), raising=False)
    with connection.schema_editor() as editor:
        editor.execute(
            "ALTER TABLE badges_offlinecheckin DROP CONSTRAINT badges_offlinecheckin_nonce_key"
        )
    try:
        _sync_at_once(congress, queue, [UserFactory() for _ in range(SYNCS)])
        assert OfflineCheckIn.objects.all().count() > len(queue)
    finally:
        OfflineCheckIn.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.execute(
                "ALTER TABLE badges_offlinecheckin ADD CONSTRAINT "
                '"badges_offlinecheckin_nonce_key" UNIQUE (nonce)'
            )


def _never_seen():
    class Nothing:
        def select_related(self, *args):
            return self

        def first(self):
            return None

    return lambda **kwargs: Nothing()


def test_with_the_unique_nonce_each_queued_check_in_is_applied_once(congress, queue):
    answers = _sync_at_once(congress, queue, [UserFactory() for _ in range(SYNCS)])
    assert OfflineCheckIn.objects.count() == len(queue)
    assert CheckIn.objects.count() == len(queue)
    by_nonce = {}
    for answer in answers:
        by_nonce.setdefault(answer["nonce"], set()).add(answer["status"])
    assert all(statuses == {"checked_in"} for statuses in by_nonce.values())
    assert sum(not answer["replayed"] for answer in answers) == len(queue)
