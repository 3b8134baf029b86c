"""Change notices: delegates hear, once per published version, that sessions they chose were
cancelled, moved or put in another room."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection

from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from sessions import services
from sessions.enums import SessionFormat
from sessions.errors import NothingToPublish
from sessions.models import ChangeNotice
from sessions.services.change_notices import ACTION, send_change_notices
from sessions.tasks import send_change_notices_task
from tests.factories import DelegateFactory, OrderFactory

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(congress, alice, make_session, small_room):
    sessions = {
        "a": make_session(title="Heat plans", start=(10, 0)),
        "b": make_session(title="Bond workshop", start=(14, 0), day=1),
        "c": make_session(title="Transit finance", start=(11, 0), room=small_room),
        "d": make_session(title="Nobody's choice", start=(16, 0)),
    }
    services.publish_schedule(congress=congress, by=alice)
    return sessions


def delegate_of(congress, **fields):
    order_status = fields.pop("order_status", OrderStatus.PAID)
    return DelegateFactory(order=OrderFactory(congress=congress, status=order_status), **fields)


def choose(delegate, *sessions):
    agenda = services.get_or_create_agenda(delegate=delegate)
    for session in sessions:
        services.mark_session(agenda=agenda, session=session)


def publish(congress, alice, capture):
    mail.outbox.clear()
    with capture(execute=True):
        return services.publish_schedule(congress=congress, by=alice)


def test_each_delegate_gets_one_email_listing_their_cancelled_and_moved_sessions(
    congress, alice, programme, hall, django_capture_on_commit_callbacks
):
    leila = delegate_of(congress, given_name="Leila", email="leila@city.example", language="en")
    omar = delegate_of(congress, given_name="Omar", email="omar@city.example", language="en")
    choose(leila, programme["a"], programme["b"])
    choose(omar, programme["c"])
    services.cancel_session(session=programme["a"], by=alice)
    moved_to = at(congress, 1, 15, 30)
    services.update_session(
        session=programme["b"],
        by=alice,
        starts_at=moved_to,
        ends_at=moved_to + dt.timedelta(minutes=60),
    )
    services.update_session(session=programme["c"], by=alice, room=hall)

    publish(congress, alice, django_capture_on_commit_callbacks)

    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["leila@city.example", "omar@city.example"]
    first = by_address["leila@city.example"]
    assert first.subject == "Changes to your agenda at World Congress 2027"
    assert "Heat plans" in first.body and "Cancelled" in first.body
    # 14:00 -> 15:30 on the second day, in Asia/Seoul (05:00 -> 06:30 UTC).
    assert "Bond workshop" in first.body
    assert "14:00–15:00 → Tuesday May 11, 2027, 15:30–16:30" in first.body
    assert "(Asia/Seoul)" in first.body
    assert leila.secret in first.body
    assert "Transit finance" not in first.body
    second = by_address["omar@city.example"]
    assert "Transit finance" in second.body and "Room 101 → Hall A" in second.body
    assert "Heat plans" not in second.body and "Bond workshop" not in second.body


def test_a_cancelled_registration_or_a_missing_address_gets_nothing(
    congress, alice, programme, django_capture_on_commit_callbacks
):
    gone = delegate_of(congress, email="gone@city.example")
    choose(gone, programme["a"])
    gone.order.status = OrderStatus.CANCELLED
    gone.order.save(update_fields=["status"])
    silent = delegate_of(congress, email="")
    choose(silent, programme["a"])
    services.cancel_session(session=programme["a"], by=alice)

    version = publish(congress, alice, django_capture_on_commit_callbacks)

    assert mail.outbox == []
    entry = AuditEntry.objects.get(action=ACTION)
    assert entry.target_id == str(version.pk)
    assert entry.data | {"delegate_ids": []} == {
        "version": 2,
        "sessions": 1,
        "notified": 0,
        "without_email": 1,
        "already_notified": 0,
        "delegate_ids": [],
    }


def test_a_seat_in_a_workshop_counts_as_chosen(
    congress, alice, make_session, django_capture_on_commit_callbacks
):
    workshop = make_session(
        title="Bond workshop", format=SessionFormat.WORKSHOP, capacity=5, expected_attendance=5
    )
    services.publish_schedule(congress=congress, by=alice)
    delegate = delegate_of(congress, email="seat@city.example")
    services.sign_up(delegate=delegate, session=workshop)
    services.get_or_create_agenda(delegate=delegate).items.all().delete()
    services.cancel_session(session=workshop, by=alice)

    publish(congress, alice, django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [["seat@city.example"]]


def test_the_first_publication_and_unchosen_changes_send_nothing(
    congress, alice, make_session, django_capture_on_commit_callbacks
):
    session = make_session(title="Heat plans")
    other = make_session(title="Nobody's choice", start=(15, 0))
    publish(congress, alice, django_capture_on_commit_callbacks)
    choose(delegate_of(congress), session)
    services.cancel_session(session=other, by=alice)

    publish(congress, alice, django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_republishing_without_a_time_or_room_change_sends_nothing(
    congress, alice, programme, django_capture_on_commit_callbacks
):
    choose(delegate_of(congress), programme["a"], programme["b"])
    services.cancel_session(session=programme["a"], by=alice)
    publish(congress, alice, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    with pytest.raises(NothingToPublish):
        publish(congress, alice, django_capture_on_commit_callbacks)
    services.update_session(session=programme["b"], by=alice, title="Bond workshop (full)")
    publish(congress, alice, django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_running_the_task_twice_emails_each_delegate_once(
    congress, alice, programme, django_capture_on_commit_callbacks
):
    choose(delegate_of(congress), programme["a"])
    services.cancel_session(session=programme["a"], by=alice)
    version = publish(congress, alice, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):
        send_change_notices_task.enqueue(version_id=version.pk)

    assert len(mail.outbox) == 1
    runs = list(AuditEntry.objects.filter(action=ACTION).order_by("id"))
    assert [(r.data["notified"], r.data["already_notified"]) for r in runs] == [(1, 0), (0, 1)]


def test_a_french_speaking_delegate_reads_french(
    congress, alice, programme, django_capture_on_commit_callbacks
):
    choose(delegate_of(congress, language="fr"), programme["a"], programme["b"])
    services.cancel_session(session=programme["a"], by=alice)
    moved_to = at(congress, 1, 9)
    services.update_session(
        session=programme["b"],
        by=alice,
        starts_at=moved_to,
        ends_at=moved_to + dt.timedelta(hours=1),
    )

    publish(congress, alice, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert message.subject == "Modifications de votre programme\xa0: World Congress 2027"
    assert "Annulée" in message.body
    assert "mardi 11 mai 2027, 14:00–15:00 → mardi 11 mai 2027, 09:00–10:00" in message.body
    assert "Quand\xa0: " in message.body and "Votre programme personnel\xa0:" in message.body


def test_markup_in_a_title_stays_text(
    congress, alice, make_session, django_capture_on_commit_callbacks
):
    session = make_session(title='<b>Heat</b> & "cold" <script>x</script>')
    services.publish_schedule(congress=congress, by=alice)
    choose(delegate_of(congress), session)
    services.cancel_session(session=session, by=alice)

    publish(congress, alice, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert '<b>Heat</b> & "cold" <script>x</script>' in message.body
    assert "&lt;" not in message.body and "&amp;" not in message.body
    # Plain text only: no HTML part that could render the title as markup.
    assert message.alternatives == []


def test_recipients_are_found_in_constant_queries(
    congress, alice, programme, small_room, django_assert_max_num_queries
):
    for n in range(30):
        choose(delegate_of(congress), programme["a"] if n % 2 else programme["c"])
    services.cancel_session(session=programme["a"], by=alice)
    services.update_session(
        session=programme["c"], by=alice, starts_at=at(congress, 0, 12), ends_at=at(congress, 0, 13)
    )
    version = services.publish_schedule(congress=congress, by=alice)
    mail.outbox.clear()

    # Lock, previous snapshot, already notified, two choice lists, delegates, the e-mail log's
    # rows (one insert), audit entry (plus the savepoint on the test's transaction).
    with django_assert_max_num_queries(10):
        run = send_change_notices(version=version)

    assert (run.notified, run.sessions) == (30, 2)


def test_a_session_withdrawn_from_the_programme_is_announced(
    congress, alice, programme, django_capture_on_commit_callbacks
):
    choose(delegate_of(congress), programme["c"])
    services.update_session(session=programme["c"], by=alice, status="draft")

    publish(congress, alice, django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert "Transit finance" in message.body
    assert "Withdrawn – Monday May 10, 2027, 11:00–12:00, Room 101" in message.body


def prune_audit_log(action: str) -> None:
    """What an operator's purge would do: entries are append-only, so only raw SQL with the
    trigger switched off (inside this test's transaction) removes them."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE congresses_auditentry DISABLE TRIGGER convene_audit_entry_append_only"
            )
        cursor.execute("DELETE FROM congresses_auditentry WHERE action = %s", [action])
        if connection.vendor == "postgresql":
            cursor.execute(
                "ALTER TABLE congresses_auditentry ENABLE TRIGGER convene_audit_entry_append_only"
            )


def test_a_rerun_skips_the_notified_even_when_the_audit_log_is_pruned(
    congress, alice, programme, django_capture_on_commit_callbacks
):
    """Who was told about a version is stored with the version, not read back from the log."""
    delegate = delegate_of(congress)
    choose(delegate, programme["a"])
    services.cancel_session(session=programme["a"], by=alice)
    version = publish(congress, alice, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert list(ChangeNotice.objects.values_list("version", "delegate")) == [
        (version.pk, delegate.pk)
    ]
    prune_audit_log(ACTION)

    with django_capture_on_commit_callbacks(execute=True):
        run = send_change_notices(version=version)

    assert len(mail.outbox) == 1
    assert (run.notified, run.already_notified) == (0, 1)
