"""The automatic e-mails' wording per congress and language: the pages behind
``registrations.manage``, the placeholders (unknown ones refused beside the field, no template
language), the preview, reset, edit conflicts, and the sending code using the wording only for
its congress and language."""

import pytest
from django.core import mail
from django.urls import reverse

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.models import AuditEntry
from registrations.automatic_emails import WordingError, check_wording, fill, starter_wording
from registrations.enums import MailKey
from registrations.models import MailTemplate, WaitingListEntry
from registrations.services import mail_templates as services
from registrations.services.notifications import send_offer_email, send_order_email
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _url(congress, key="confirmation", language="fr", reset=False):
    name = "manage_email_reset" if reset else "manage_email_edit"
    return reverse(
        f"registrations:{name}",
        kwargs={"congress_slug": congress.slug, "key": key, "language": language},
    )


def _list(congress):
    return reverse("registrations:manage_emails", kwargs={"congress_slug": congress.slug})


def _member(congress, role):
    user = UserFactory(username=f"{role}-member")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    return user


def _order(congress, language):
    order = OrderFactory(congress=congress, language=language)
    DelegateFactory(order=order, registration_type=RegistrationTypeFactory(congress=congress))
    return order


def _post(client, congress, data, **kwargs):
    page = client.get(_url(congress, **kwargs))
    fingerprint = page.context["form"]["fingerprint"].value()
    return client.post(_url(congress, **kwargs), {"fingerprint": fingerprint, **data})


# --- placeholders -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "{unknown}",
        "{name.__class__}",
        "{name[0]}",
        "{0}",
        "{}",
        "{name!r}",
        "{name:>100}",
        "{{ order.secret }} {offer_link}",
    ],
)
def test_anything_but_an_offered_placeholder_in_braces_is_refused(text):
    with pytest.raises(WordingError):
        check_wording(text, MailKey.CONFIRMATION)


def test_an_unclosed_brace_is_refused():
    with pytest.raises(WordingError, match="brace"):
        check_wording("Hello {name", MailKey.CONFIRMATION)


def test_placeholders_are_filled_by_plain_substitution_and_double_braces_are_braces():
    text = "{{ order.secret }} {name}"
    check_wording(text, MailKey.CONFIRMATION)
    assert fill(text, {"name": "{congress}"}) == "{ order.secret } {congress}"


@pytest.mark.parametrize("key", MailKey.values)
@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_every_starter_wording_uses_only_its_own_placeholders(key, language):
    subject, body = starter_wording(key, language)
    check_wording(subject, key)
    check_wording(body, key)
    assert "{name}" in body


# --- the wording used when sending -------------------------------------------------------------


def test_the_wording_is_used_for_its_congress_and_language_only(
    congress, other_congress, django_capture_on_commit_callbacks
):
    services.save_wording(
        congress=congress,
        key="confirmation",
        language="fr",
        subject="Inscription {order_code} confirmée",
        body="Bonjour {name}\n{delegates}\n{total} {order_link}",
    )
    french, english = _order(congress, "fr"), _order(congress, "en")
    elsewhere = _order(other_congress, "fr")
    with django_capture_on_commit_callbacks(execute=True):
        for order in (french, english, elsewhere):
            send_order_email(order=order, template="confirmation")
    by_to = {message.to[0]: message for message in mail.outbox}
    assert by_to[french.email].subject == f"Inscription {french.code} confirmée"
    assert by_to[french.email].body.startswith("Bonjour Ana Müller\n- ")
    assert french.get_absolute_url() in by_to[french.email].body
    assert "confirmed" in by_to[english.email].subject  # the default
    assert "Inscription" not in by_to[elsewhere.email].subject  # another congress: the default
    assert by_to[elsewhere.email].subject != by_to[french.email].subject


def test_the_waiting_list_offer_uses_the_wording_in_the_persons_language(
    congress, django_capture_on_commit_callbacks
):
    entry = WaitingListEntry.objects.create(
        congress=congress,
        registration_type=RegistrationTypeFactory(congress=congress),
        name="Lucía",
        email="lucia@city.example",
        language="es",
    )
    services.save_wording(
        congress=congress,
        key="waiting_list_offer",
        language="es",
        subject="Plaza libre",
        body="Hola {name}: {offer_link}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        send_offer_email(entry=entry, register_url="/offer/x/")
    (message,) = mail.outbox
    assert message.subject == "Plaza libre"
    assert message.body.startswith("Hola Lucía: http")


def test_after_a_reset_the_default_is_sent_again(
    client, alice, congress, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    assert (
        _post(client, congress, {"subject": "Own {order_code}", "body": "Own {name}"}).status_code
        == 302
    )
    response = client.post(_url(congress, reset=True), {})
    assert response.status_code == 302
    assert not MailTemplate.objects.exists()
    assert AuditEntry.objects.filter(action="convene.mail_template.reset").count() == 1
    order = _order(congress, "fr")
    with django_capture_on_commit_callbacks(execute=True):
        send_order_email(order=order, template="confirmation")
    assert not mail.outbox[0].subject.startswith("Own")


# --- the pages ----------------------------------------------------------------------------------


def test_the_list_shows_every_automatic_email_in_each_language_of_the_congress(
    client, alice, congress
):
    MailTemplate.objects.create(
        congress=congress, key="refund", language="es", subject="s", body="b"
    )
    client.force_login(alice)
    response = client.get(_list(congress))
    assert response.status_code == 200
    html = response.content.decode()
    for key in MailKey.values:
        for language in congress.languages:
            assert _url(congress, key=key, language=language) in html
    assert 'id="email-refund"' in html
    assert "Automatic e-mails" in html


def test_saving_a_wording_is_audited_and_shown_again(client, alice, congress):
    client.force_login(alice)
    response = _post(
        client, congress, {"subject": "Confirmé {order_code}", "body": "Bonjour {name}"}
    )
    assert response.status_code == 302
    wording = MailTemplate.objects.get(congress=congress, key="confirmation", language="fr")
    assert wording.updated_by == alice
    entry = AuditEntry.objects.get(action="convene.mail_template.saved")
    assert entry.data["key"] == "confirmation" and entry.data["language"] == "fr"
    page = client.get(_url(congress))
    assert page.context["form"]["body"].value() == "Bonjour {name}"


def test_the_form_starts_from_the_default_wording_with_a_preview(client, alice, congress):
    client.force_login(alice)
    response = client.get(_url(congress, key="refund", language="en"))
    assert response.status_code == 200
    assert "{amount}" in response.context["form"]["body"].value()
    assert "Alex Sample" in response.context["preview"]["body"]


def test_an_unknown_placeholder_is_refused_beside_the_field_and_nothing_is_lost(
    client, alice, congress
):
    client.force_login(alice)
    response = _post(client, congress, {"subject": "Hi {secret}", "body": "Body {name} kept"})
    assert response.status_code == 400
    assert "{secret}" in " ".join(response.context["form"].errors["subject"])
    assert response.context["form"]["body"].value() == "Body {name} kept"
    assert not MailTemplate.objects.exists()


def test_a_placeholder_of_another_email_is_refused(client, alice, congress):
    client.force_login(alice)
    response = _post(client, congress, {"subject": "s", "body": "{amount}"})
    assert response.status_code == 400
    assert "body" in response.context["form"].errors


def test_a_nul_character_is_refused(client, alice, congress):
    client.force_login(alice)
    response = _post(client, congress, {"subject": "s", "body": "a\x00b {name}"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert not MailTemplate.objects.exists()


def test_a_control_character_is_refused_beside_the_field(client, alice, congress):
    client.force_login(alice)
    response = _post(client, congress, {"subject": "s\x1b", "body": "b {name}"})
    assert response.status_code == 400
    assert "U+001B" in " ".join(response.context["form"].errors["subject"])
    assert response.context["form"]["body"].value() == "b {name}"
    assert not MailTemplate.objects.exists()


def test_a_ten_kilobyte_body_is_refused(client, alice, congress):
    client.force_login(alice)
    response = _post(client, congress, {"subject": "s", "body": "x" * 10_000})
    assert response.status_code == 400
    assert "body" in response.context["form"].errors


def test_markup_is_escaped_in_the_preview_and_kept_as_text(client, alice, congress):
    client.force_login(alice)
    response = _post(
        client,
        congress,
        {"subject": "<i>s</i>", "body": "<script>alert(1)</script> {name}", "preview": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Alex " in html  # the sample, in its language
    assert not MailTemplate.objects.exists()  # a preview saves nothing


def test_rtl_and_cjk_text_is_saved(client, alice, congress):
    client.force_login(alice)
    body = "مرحبا {name} — 欢迎 {congress}"
    assert _post(client, congress, {"subject": "تأكيد", "body": body}).status_code == 302
    assert MailTemplate.objects.get().body == body


def test_a_save_over_someone_elses_change_is_refused(client, alice, congress):
    client.force_login(alice)
    page = client.get(_url(congress))
    shown = page.context["form"]["fingerprint"].value()
    services.save_wording(
        congress=congress, key="confirmation", language="fr", subject="Theirs", body="Theirs"
    )
    response = client.post(_url(congress), {"fingerprint": shown, "subject": "Mine", "body": "x"})
    assert response.status_code == 400
    assert "Someone else changed this" in response.content.decode()
    assert MailTemplate.objects.get().subject == "Theirs"


def test_a_reset_over_someone_elses_change_is_refused(congress):
    wording = services.save_wording(
        congress=congress, key="refund", language="en", subject="a", body="a"
    )
    shown = services.wording_fingerprint(wording)
    services.save_wording(congress=congress, key="refund", language="en", subject="b", body="b")
    with pytest.raises(EditConflict):
        services.reset_wording(
            congress=congress, key="refund", language="en", shown_fingerprint=shown
        )
    assert MailTemplate.objects.exists()


@pytest.mark.parametrize("role", ["owner", "registration"])
def test_owner_and_registration_managers_may_edit(client, congress, role):
    client.force_login(_member(congress, role))
    assert client.get(_list(congress)).status_code == 200
    assert client.get(_url(congress)).status_code == 200


@pytest.mark.parametrize("role", ["finance", "checkin", "programme"])
def test_other_roles_are_refused(client, congress, role):
    client.force_login(_member(congress, role))
    assert client.get(_list(congress)).status_code == 403
    assert client.get(_url(congress)).status_code == 403
    assert client.post(_url(congress), {"subject": "s", "body": "b"}).status_code == 403
    assert client.post(_url(congress, reset=True)).status_code == 403
    assert not MailTemplate.objects.exists()


def test_an_organiser_of_another_congress_is_refused(client, charlie, congress):
    client.force_login(charlie)
    assert client.get(_url(congress)).status_code == 403


def test_an_unknown_email_or_a_language_the_congress_lacks_is_not_found(client, alice, congress):
    client.force_login(alice)
    assert client.get(_url(congress, key="cancelled")).status_code == 404
    assert client.get(_url(congress, language="ru")).status_code == 404
    assert client.post(_url(congress, language="ru", reset=True)).status_code == 404


def test_another_congresss_wording_is_never_reached(client, alice, congress, other_congress):
    theirs = MailTemplate.objects.create(
        congress=other_congress, key="confirmation", language="fr", subject="B", body="B"
    )
    client.force_login(alice)
    page = client.get(_url(congress))
    assert page.context["wording"] is None
    assert page.context["form"]["subject"].value() != "B"
    client.post(_url(congress, reset=True))
    _post(client, congress, {"subject": "A", "body": "A"})
    theirs.refresh_from_db()
    assert (theirs.subject, theirs.body) == ("B", "B")
    assert MailTemplate.objects.get(congress=congress).subject == "A"


@pytest.mark.parametrize("key", MailKey.values)
def test_every_email_opens_with_its_default_words_and_a_preview_in_each_language(
    client, alice, congress, key
):
    client.force_login(alice)
    for language in congress.languages:
        response = client.get(_url(congress, key=key, language=language))
        assert response.status_code == 200
        assert response.context["preview"]["subject"]
        assert "{" not in response.context["preview"]["body"]
