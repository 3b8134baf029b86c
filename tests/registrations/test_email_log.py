"""The e-mail log: every message to a delegate or an order's contact is recorded where mail
leaves (``mail.send_email``), sent exactly once, marked sent or failed; the order page shows
it with the body and a resend; erasure of the person empties what the log holds about them."""

import pytest
from django.core import mail
from django.urls import reverse

from events_site.congresses.mail import deliver_email, send_composed_email
from events_site.congresses.models import AuditEntry
from registrations.enums import EmailStatus
from registrations.models import SentEmail
from registrations.services import email_log
from registrations.services.notifications import send_order_email
from registrations.services.personal_data import erase_delegate
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _member(congress, role):
    user = UserFactory(username=f"{role}-{congress.slug}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    return user


@pytest.fixture
def order(congress):
    order = OrderFactory(congress=congress, contact_name="Ana Contact", email="ana@city.example")
    rtype = RegistrationTypeFactory(congress=congress)
    DelegateFactory(order=order, registration_type=rtype, email="ana@city.example")
    DelegateFactory(
        order=order,
        registration_type=rtype,
        given_name="Bruno",
        family_name="Zweitname",
        email="bruno@city.example",
    )
    return order


def _order_url(order, name="manage_order", **kwargs):
    return reverse(
        f"registrations:{name}",
        kwargs={"congress_slug": order.congress.slug, "code": order.code, **kwargs},
    )


def test_an_automatic_email_is_logged_with_its_order_and_marked_sent(
    order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_order_email(order=order, template="confirmation")
    (email,) = SentEmail.objects.all()
    assert email.order == order and email.congress == order.congress
    assert email.kind == "confirmation"
    assert email.recipient == "ana@city.example"
    assert email.status == EmailStatus.SENT and email.sent_at is not None
    assert email.subject == mail.outbox[0].subject
    assert email.text == mail.outbox[0].body
    assert email.language == order.language


def test_a_message_without_a_log_is_not_recorded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_composed_email(to=["x@example.org"], subject="Hi", text="Body")
    assert len(mail.outbox) == 1
    assert not SentEmail.objects.exists()


def test_a_logged_message_is_sent_once_though_its_task_runs_twice(order):
    log_id = email_log.record(
        log={"congress_id": order.congress_id, "order_id": order.pk, "kind": "test"},
        to=[order.email],
        subject="Once",
        text="Only once",
        html="",
        reply_to=[],
        language="en",
    )
    for _ in range(2):
        deliver_email.enqueue(to=[order.email], subject="Once", text="Only once", log_id=log_id)
    assert len(mail.outbox) == 1
    assert SentEmail.objects.get(pk=log_id).status == EmailStatus.SENT


def test_a_failure_is_recorded_with_its_error(order, settings):
    settings.EMAIL_BACKEND = "tests.registrations.failing_mail.FailingBackend"
    log_id = email_log.record(
        log={"order_id": order.pk, "kind": "test"},
        to=[order.email],
        subject="S",
        text="T",
        html="",
        reply_to=[],
        language="",
    )
    deliver_email.enqueue(to=[order.email], subject="S", text="T", log_id=log_id)
    email = SentEmail.objects.get(pk=log_id)
    assert email.status == EmailStatus.FAILED
    assert "refused" in email.error


def test_the_order_page_shows_the_emails_sent_with_their_body(
    client, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_order_email(order=order, template="confirmation")
    client.force_login(_member(order.congress, "registration"))
    page = client.get(_order_url(order))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="emails"' in body
    email = SentEmail.objects.get()
    assert email.subject in body
    assert 'class="sent-email-body"' in body


def test_the_order_page_reads_the_log_in_a_fixed_number_of_queries(
    client, order, django_assert_max_num_queries
):
    for n in range(60):
        email_log.record(
            log={"congress_id": order.congress_id, "order_id": order.pk, "kind": "test"},
            to=[order.email],
            subject=f"Message {n}",
            text="Body",
            html="",
            reply_to=[],
            language="en",
        )
    client.force_login(_member(order.congress, "registration"))
    client.get(_order_url(order))
    with django_assert_max_num_queries(40):
        page = client.get(_order_url(order))
    assert page.content.decode().count('class="sent-email ') == 60


def test_resend_sends_the_same_words_again_to_the_current_address_and_is_audited(
    client, order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_order_email(order=order, template="confirmation")
    first = SentEmail.objects.get()
    order.email = "ana.corrected@city.example"
    order.save(update_fields=["email"])
    manager = _member(order.congress, "registration")
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_order_url(order, "manage_order_email_resend", email_id=first.pk))
    assert response.status_code == 302
    copy = SentEmail.objects.exclude(pk=first.pk).get()
    assert copy.resent_from == first and copy.sent_by == manager
    assert copy.recipient == "ana.corrected@city.example"
    assert copy.text == first.text and copy.status == EmailStatus.SENT
    assert mail.outbox[-1].to == ["ana.corrected@city.example"]
    assert AuditEntry.objects.filter(action="convene.email.resent").exists()


def test_resend_needs_the_manage_role_and_the_orders_own_email(client, order, other_congress):
    email = SentEmail.objects.get(
        pk=email_log.record(
            log={"congress_id": order.congress_id, "order_id": order.pk, "kind": "t"},
            to=[order.email],
            subject="S",
            text="T",
            html="",
            reply_to=[],
            language="",
        )
    )
    client.force_login(_member(order.congress, "finance"))
    url = _order_url(order, "manage_order_email_resend", email_id=email.pk)
    assert client.post(url).status_code == 403
    client.force_login(_member(order.congress, "registration"))
    other = OrderFactory(congress=order.congress)
    assert (
        client.post(_order_url(other, "manage_order_email_resend", email_id=email.pk)).status_code
        == 404
    )


def test_erasing_a_delegate_empties_their_emails_and_the_contacts_that_name_them(
    order, django_capture_on_commit_callbacks
):
    bruno = order.delegates.get(given_name="Bruno")
    with django_capture_on_commit_callbacks(execute=True):
        send_order_email(order=order, template="confirmation")  # lists Bruno's name
        email_log.record(
            log={"order_id": order.pk, "delegate_id": bruno.pk, "kind": "personal"},
            to=[bruno.email],
            subject="For Bruno Zweitname",
            text="Dear Bruno Zweitname",
            html="",
            reply_to=[],
            language="en",
        )
        email_log.record(
            log={"order_id": order.pk, "kind": "other"},
            to=[order.email],
            subject="Unrelated",
            text="Nothing about anyone",
            html="",
            reply_to=[],
            language="en",
        )
    result = erase_delegate(delegate=bruno)
    assert result.counts["emails"] == 2
    personal = SentEmail.objects.get(kind="personal")
    assert personal.recipient.endswith("@erased.invalid")
    assert "Zweitname" not in personal.subject + personal.text
    contact = SentEmail.objects.get(kind="confirmation")
    assert "Zweitname" not in contact.text and contact.recipient == "ana@city.example"
    assert SentEmail.objects.get(kind="other").text == "Nothing about anyone"
    assert not SentEmail.objects.filter(text__icontains="bruno@city.example").exists()


def test_erasing_the_contact_empties_every_email_of_the_order(
    order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_order_email(order=order, template="confirmation")
    ana = order.delegates.get(email="ana@city.example")
    erase_delegate(delegate=ana)
    email = SentEmail.objects.get()
    assert email.erased_at is not None
    assert "ana@city.example" not in email.recipient
    assert "Ana Contact" not in email.text and email.subject == "[erased]"


def test_an_erased_email_cannot_be_sent_again(order, client):
    email = SentEmail.objects.get(
        pk=email_log.record(
            log={"order_id": order.pk, "kind": "t", "congress_id": order.congress_id},
            to=[order.email],
            subject="S",
            text="T",
            html="",
            reply_to=[],
            language="",
        )
    )
    erase_delegate(delegate=order.delegates.get(email="ana@city.example"))
    client.force_login(_member(order.congress, "registration"))
    client.post(_order_url(order, "manage_order_email_resend", email_id=email.pk))
    assert SentEmail.objects.count() == 1
    assert not mail.outbox


def test_the_personal_data_export_lists_the_emails_sent_to_the_person(
    order, django_capture_on_commit_callbacks
):
    from registrations.services.personal_data import personal_data

    bruno = order.delegates.get(given_name="Bruno")
    email_log.record(
        log={"order_id": order.pk, "delegate_id": bruno.pk, "kind": "personal"},
        to=[bruno.email],
        subject="For Bruno",
        text="Dear Bruno",
        html="",
        reply_to=[],
        language="en",
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_order_email(order=order, template="confirmation")  # to the contact, not Bruno
    exported = personal_data(delegate=bruno)["emails"]
    assert [e["subject"] for e in exported] == ["For Bruno"]
    ana = order.delegates.get(email="ana@city.example")
    assert len(personal_data(delegate=ana)["emails"]) == 2  # the contact: the order's e-mails
