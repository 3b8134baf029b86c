"""The outbox: a message to the delegates (or order contacts) of a filter of the registrations
list, with placeholders, per-language versions, a preview rendered as sent, a review with the
count, and sending through the task queue exactly once, one logged e-mail per recipient."""

from urllib.parse import urlencode

import pytest
from django.core import mail
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from registrations.enums import EmailStatus, OutboxAudience
from registrations.lifecycle import OrderStatus
from registrations.models import OutboxMessage, SentEmail
from registrations.selectors import DelegateFilters
from registrations.services import outbox
from registrations.services.personal_data import erase_delegate
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
    VenueFactory,
)
from tests.registrations.test_registrations_list import bulk_delegates

pytestmark = pytest.mark.django_db


def _member(congress, role):
    user = UserFactory(username=f"{role}-{congress.slug}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    return user


def _url(congress, name="manage_outbox_compose", query=None, **kwargs):
    url = reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug, **kwargs})
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


@pytest.fixture
def world(congress):
    """Two types; an English order of two, a French order of one, a pending Spanish one."""
    congress.languages = ["en", "fr", "es"]
    congress.save(update_fields=["languages"])
    VenueFactory(congress=congress, name="Palais des Congrès", city="Lyon")
    member = RegistrationTypeFactory(congress=congress, code="member", name="Member")
    press = RegistrationTypeFactory(congress=congress, code="press", name="Press")
    en = OrderFactory(congress=congress, contact_name="Ana Contact", email="ana@city.example")
    DelegateFactory(
        order=en,
        registration_type=member,
        given_name="Ana",
        family_name="Alpha",
        email="ana@city.example",
        language="en",
    )
    DelegateFactory(
        order=en,
        registration_type=member,
        given_name="Bob",
        family_name="Beta",
        email="bob@city.example",
        language="en",
    )
    fr = OrderFactory(
        congress=congress,
        contact_name="Chloé Contact",
        email="chloe@ville.example",
        language="fr",
    )
    DelegateFactory(
        order=fr,
        registration_type=press,
        given_name="Chloé",
        family_name="Gamma",
        email="chloe@ville.example",
        language="fr",
    )
    es = OrderFactory(
        congress=congress,
        contact_name="Diego",
        email="diego@ciudad.example",
        language="es",
        status=OrderStatus.PENDING_PAYMENT,
    )
    DelegateFactory(
        order=es,
        registration_type=member,
        given_name="Diego",
        family_name="Delta",
        email="diego@ciudad.example",
        language="es",
    )
    return {"member": member, "press": press, "en": en, "fr": fr, "es": es}


@pytest.fixture
def manager(congress):
    return _member(congress, "registration")


_capture = None


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """Each POST runs what it queues after its commit (the immediate task backend sends)."""
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield
    _capture = None


def _post(client, url, data):
    with _capture(execute=True):
        return client.post(url, data)


def _compose(client, congress, step, query=None, **data):
    page = client.get(_url(congress, query=query))
    nonce = page.context["form"]["nonce"].value()
    payload = {
        "recipients": OutboxAudience.DELEGATES,
        "subject": "News for {name}",
        "body": "Dear {name}, see {agenda_link}. {badge_pickup}",
        "nonce": nonce,
        step: "1",
        **data,
    }
    return _post(client, _url(congress, query=query), payload)


def _audience(congress, kind=OutboxAudience.DELEGATES, **filters):
    return outbox.audience(
        congress=congress, filters=DelegateFilters(**filters), recipients_kind=kind
    )


# --- placeholders and rendering ----------------------------------------------------------------


def test_each_placeholder_is_filled_for_the_recipient(congress, world):
    wording = outbox.Wording(
        subject="{congress}: {order_code}",
        body="{name}|{order_link}|{agenda_link}|{badge_pickup}",
    )
    people = {r.address: r for r in _audience(congress).recipients}
    place = outbox.place_of(congress)
    bob = outbox.render_for(wording=wording, place=place, recipient=people["bob@city.example"])
    name, order_link, agenda_link, pickup = bob.text.split("|")
    assert name == "Bob Beta"
    assert bob.subject == f"World Congress 2027: {world['en'].code}"
    assert order_link == ""  # Bob is not the order's contact: the order is not his
    delegate = world["en"].delegates.get(given_name="Bob")
    assert agenda_link.endswith(f"/my-agenda/{delegate.secret}/")
    assert "Palais des Congrès" in pickup and world["en"].code in pickup
    ana = outbox.render_for(wording=wording, place=place, recipient=people["ana@city.example"])
    assert ana.text.split("|")[1].endswith(f"/orders/{world['en'].code}/{world['en'].secret}/")


def test_contacts_get_the_order_link_and_the_congress_agenda(congress, world):
    wording = outbox.Wording(subject="s", body="{name}|{order_link}|{agenda_link}")
    (contact,) = [
        r
        for r in _audience(congress, OutboxAudience.CONTACTS).recipients
        if r.address == "ana@city.example"
    ]
    text = outbox.render_for(
        wording=wording, place=outbox.place_of(congress), recipient=contact
    ).text
    name, order_link, agenda = text.split("|")
    assert name == "Ana Contact"
    assert world["en"].secret in order_link
    assert agenda.endswith("/schedule/")


@pytest.mark.parametrize("text", ["{unknown}", "{name.__class__}", "{name[0]}", "{0}", "{name!r}"])
def test_an_unknown_placeholder_is_refused_beside_its_field(client, congress, world, manager, text):
    client.force_login(manager)
    response = _compose(client, congress, "preview", body=f"Hello {text}")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "body" in errors and "subject" not in errors
    assert "{name}" in errors["body"][0]  # the message says what may be used
    assert not mail.outbox and not OutboxMessage.objects.exists()


def test_an_unknown_placeholder_in_a_language_version_is_refused_there(
    client, congress, world, manager
):
    client.force_login(manager)
    response = _compose(client, congress, "review", subject_fr="Salut", body_fr="{nom}")
    assert response.status_code == 400
    assert "body_fr" in response.context["form"].errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", "Hello\x00there"),
        ("subject", "Two\nlines"),
        ("body", "Bell \x07 and NUL \x00"),
        ("body", "x" * 10_240),
        ("subject", "s" * 201),
    ],
)
def test_hostile_text_is_refused_beside_its_field(client, congress, world, manager, field, value):
    client.force_login(manager)
    response = _compose(client, congress, "send", **{field: value})
    assert response.status_code == 400
    if "\x00" not in value:  # a NUL is refused by the site's edge before any view
        assert field in response.context["form"].errors
    assert not OutboxMessage.objects.exists() and not mail.outbox


def test_markup_and_other_scripts_are_sent_as_plain_text_and_shown_escaped(
    client, congress, world, manager
):
    client.force_login(manager)
    body = '<script>alert(1)</script> & "quotes" — مرحبا 你好 {name}'
    response = _compose(client, congress, "preview", body=body)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert response.context["preview"].text.startswith('<script>alert(1)</script> & "quotes"')


def test_the_preview_is_the_message_as_sent_for_the_chosen_recipient(
    client, congress, world, manager
):
    client.force_login(manager)
    page = client.get(_url(congress))
    choices = dict(page.context["form"].fields["preview_for"].choices)
    chloe = next(key for key, label in choices.items() if "chloe@" in label)
    response = _compose(
        client,
        congress,
        "preview",
        preview_for=chloe,
        subject_fr="Nouvelles pour {name}",
        body_fr="Bonjour {name}. {badge_pickup}",
    )
    preview = response.context["preview"]
    assert preview.subject == "Nouvelles pour Chloé Gamma"
    assert preview.language == "fr"
    assert not OutboxMessage.objects.exists() and not mail.outbox
    _compose(
        client,
        congress,
        "send",
        subject_fr="Nouvelles pour {name}",
        body_fr="Bonjour {name}. {badge_pickup}",
    )
    sent = SentEmail.objects.get(recipient="chloe@ville.example")
    assert (sent.subject, sent.text) == (preview.subject, preview.text)


# --- the audience -------------------------------------------------------------------------------


def test_the_audience_is_the_registrations_lists_filter(client, congress, world, manager):
    client.force_login(manager)
    response = client.get(_url(congress, query={"type": "press"}))
    assert [r.address for r in response.context["audience"].recipients] == ["chloe@ville.example"]
    assert "Press" in response.context["description"]
    response = client.get(_url(congress, query={"status": OrderStatus.PENDING_PAYMENT}))
    assert [r.address for r in response.context["audience"].recipients] == ["diego@ciudad.example"]


def test_a_selection_narrows_the_filter(client, congress, world, manager):
    client.force_login(manager)
    bob = world["en"].delegates.get(given_name="Bob")
    chloe = world["fr"].delegates.get()
    response = client.get(
        _url(
            congress,
            query={"type": "member", "selected": [bob.pk, chloe.pk, "x", "-1", "\u00b2", "\u0663"]},
        )
    )
    assert [r.address for r in response.context["audience"].recipients] == ["bob@city.example"]


def test_one_message_per_address_for_delegates_and_for_contacts(congress, world):
    DelegateFactory(
        order=world["fr"],
        registration_type=world["member"],
        given_name="Same",
        family_name="Address",
        email="BOB@city.example",
    )
    DelegateFactory(order=world["fr"], registration_type=world["member"], given_name="No", email="")
    second = OrderFactory(congress=congress, email="Ana@City.example")
    DelegateFactory(order=second, registration_type=world["member"], email="x1@city.example")
    delegates = _audience(congress)
    addresses = [r.address.casefold() for r in delegates.recipients]
    assert len(addresses) == len(set(addresses))
    assert "bob@city.example" in addresses and delegates.duplicates == 1
    assert delegates.without_address == 1
    contacts = _audience(congress, OutboxAudience.CONTACTS)
    contact_addresses = [r.address.casefold() for r in contacts.recipients]
    assert sorted(contact_addresses) == sorted(
        {"ana@city.example", "chloe@ville.example", "diego@ciudad.example"}
    )


def test_an_empty_audience_is_refused_at_review_and_send(client, congress, world, manager):
    client.force_login(manager)
    query = {"q": "nobody-by-that-name"}
    page = client.get(_url(congress, query=query))
    assert page.context["audience"].recipients == []
    for step in ("review", "send"):
        response = _compose(client, congress, step, query=query)
        assert response.status_code == 400
        assert response.context["form"].non_field_errors()
    assert not OutboxMessage.objects.exists()


# --- languages ----------------------------------------------------------------------------------


def test_each_recipient_gets_their_language_where_written_else_the_main_text(
    client, congress, world, manager
):
    client.force_login(manager)
    response = _compose(
        client,
        congress,
        "send",
        subject="Hello {name}",
        body="Main text",
        subject_fr="Bonjour {name}",
        body_fr="Texte français",
    )
    assert response.status_code == 302
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["chloe@ville.example"].subject == "Bonjour Chloé Gamma"
    assert by_address["chloe@ville.example"].body == "Texte français"
    assert by_address["diego@ciudad.example"].body == "Main text"  # no Spanish version
    assert by_address["bob@city.example"].subject == "Hello Bob Beta"
    assert SentEmail.objects.get(recipient="chloe@ville.example").language == "fr"


def test_a_version_needs_both_its_subject_and_text(client, congress, world, manager):
    client.force_login(manager)
    response = _compose(client, congress, "review", subject_es="Hola")
    assert response.status_code == 400
    assert "body_es" in response.context["form"].errors


# --- review and sending -------------------------------------------------------------------------


def test_review_states_the_number_of_recipients_and_sends_nothing(client, congress, world, manager):
    client.force_login(manager)
    response = _compose(client, congress, "review")
    assert response.status_code == 200
    assert response.templates[0].name == "registrations/manage/outbox_review.html"
    assert 'data-count="4"' in response.content.decode()
    assert not OutboxMessage.objects.exists() and not mail.outbox


def test_send_queues_one_row_per_recipient_sends_each_and_is_audited(
    client, congress, world, manager
):
    client.force_login(manager)
    response = _compose(client, congress, "send")
    message = OutboxMessage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(congress, "manage_outbox_message", message_id=message.pk)
    assert message.created_by == manager
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["ana@city.example", "bob@city.example", "chloe@ville.example", "diego@ciudad.example"]
    )
    rows = SentEmail.objects.filter(outbox_message=message)
    assert {row.status for row in rows} == {EmailStatus.SENT}
    assert {row.sent_by for row in rows} == {manager}
    entry = AuditEntry.objects.get(action="convene.outbox.sent")
    assert entry.data["recipients"] == 4


def test_a_resubmitted_send_sends_nothing_twice(client, congress, world, manager):
    client.force_login(manager)
    page = client.get(_url(congress))
    data = {
        "recipients": OutboxAudience.DELEGATES,
        "subject": "Once",
        "body": "Only once",
        "nonce": page.context["form"]["nonce"].value(),
        "send": "1",
    }
    first = _post(client, _url(congress), data)
    second = _post(client, _url(congress), data)
    assert first["Location"] == second["Location"]
    assert OutboxMessage.objects.count() == 1
    assert SentEmail.objects.count() == 4 and len(mail.outbox) == 4


def test_running_the_delivery_again_sends_nothing_twice(client, congress, world, manager):
    client.force_login(manager)
    _compose(client, congress, "send")
    message = OutboxMessage.objects.get()
    assert outbox.deliver(message_id=message.pk) == (0, 0)
    outbox.deliver_outbox_message.enqueue(message_id=message.pk)
    assert len(mail.outbox) == 4


def test_one_failure_does_not_stop_the_others(client, congress, world, manager, settings):
    settings.EMAIL_BACKEND = "tests.registrations.failing_mail.RefuseOne"
    world["en"].delegates.filter(given_name="Bob").update(email="refuse@city.example")
    client.force_login(manager)
    _compose(client, congress, "send")
    rows = {row.recipient: row for row in SentEmail.objects.all()}
    assert rows["refuse@city.example"].status == EmailStatus.FAILED
    assert "refused" in rows["refuse@city.example"].error
    assert {rows[a].status for a in rows if a != "refuse@city.example"} == {EmailStatus.SENT}
    assert len(mail.outbox) == 3
    history = client.get(_url(congress, "manage_outbox"))
    row = history.context["page"][0]
    assert (row.total, row.sent, row.failed) == (4, 3, 1)


def test_the_history_and_the_message_page_list_what_was_sent(client, congress, world, manager):
    client.force_login(manager)
    _compose(client, congress, "send", query={"type": "member"})
    message = OutboxMessage.objects.get()
    history = client.get(_url(congress, "manage_outbox")).content.decode()
    assert "News for {name}" in history and "Member" in history
    detail = client.get(_url(congress, "manage_outbox_message", message_id=message.pk))
    body = detail.content.decode()
    for address in ("ana@city.example", "bob@city.example", "diego@ciudad.example"):
        assert address in body
    assert "chloe@ville.example" not in body


@pytest.mark.parametrize(
    ("role", "status"), [("owner", 200), ("registration", 200), ("finance", 403), ("checkin", 403)]
)
def test_the_outbox_is_for_the_registration_role_and_owners(client, congress, role, status):
    client.force_login(_member(congress, role))
    for name in ("manage_outbox", "manage_outbox_compose"):
        assert client.get(_url(congress, name)).status_code == status


def test_another_congresss_message_is_not_found(client, congress, other_congress, world, manager):
    client.force_login(manager)
    _compose(client, congress, "send")
    message = OutboxMessage.objects.get()
    owner = _member(other_congress, "owner")
    client.force_login(owner)
    url = _url(other_congress, "manage_outbox_message", message_id=message.pk)
    assert client.get(url).status_code == 404


# --- at 2,000 recipients ------------------------------------------------------------------------


def test_review_and_send_read_two_thousand_recipients_in_a_fixed_number_of_queries(
    client, congress, manager, django_assert_max_num_queries
):
    rtype = RegistrationTypeFactory(congress=congress, code="bulk")
    bulk_delegates(congress, rtype, 2_100, per_order=3)
    client.force_login(manager)
    page = client.get(_url(congress))
    nonce = page.context["form"]["nonce"].value()
    data = {
        "recipients": "delegates",
        "subject": "S {name}",
        "body": "B {agenda_link}",
        "nonce": nonce,
    }
    with django_assert_max_num_queries(25):
        review = client.post(_url(congress), {**data, "review": "1"})
    assert 'data-count="2100"' in review.content.decode()
    with django_assert_max_num_queries(25):
        client.post(_url(congress), {**data, "preview": "1"})
    with django_assert_max_num_queries(60):
        history = client.get(_url(congress, "manage_outbox"))
    assert history.status_code == 200


def test_sending_to_two_thousand_writes_each_row_once(client, congress, manager):
    rtype = RegistrationTypeFactory(congress=congress, code="bulk")
    bulk_delegates(congress, rtype, 2_001, per_order=3)
    client.force_login(manager)
    page = client.get(_url(congress))
    response = _post(
        client,
        _url(congress),
        {
            "recipients": "contacts",
            "subject": "S",
            "body": "B {order_link}",
            "nonce": page.context["form"]["nonce"].value(),
            "send": "1",
        },
    )
    assert response.status_code == 302
    assert SentEmail.objects.filter(status=EmailStatus.SENT).count() == 667
    assert len(mail.outbox) == 667


# --- erasure ------------------------------------------------------------------------------------


def test_erasure_empties_the_outbox_emails_of_the_person(client, congress, world, manager):
    client.force_login(manager)
    _compose(client, congress, "send")
    bob = world["en"].delegates.get(given_name="Bob")
    erase_delegate(delegate=bob)
    row = SentEmail.objects.get(delegate=bob)
    assert row.erased_at is not None and "bob@" not in row.recipient
    assert "Bob" not in row.subject + row.text
    detail = client.get(
        _url(congress, "manage_outbox_message", message_id=row.outbox_message_id)
    ).content.decode()
    assert "bob@city.example" not in detail
    assert bob not in [
        r.delegate_id for r in _audience(congress).recipients
    ]  # and an erased delegate is never written to again
