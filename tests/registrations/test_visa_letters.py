"""Visa invitation letters: the delegate's request, the congress's approval rules, the visa
officer's decisions (audited, e-mailed), the PDF, the verification page, who sees passport
data, the export, and erasure of passport data (retention and delegate erasure)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from events_site.congresses.enums import Role
from events_site.congresses.models import AuditEntry
from registrations.enums import DelegateRole, OrganisationType, VisaLetterStatus
from registrations.lifecycle import OrderStatus
from registrations.models import DocumentSettings, VisaLetterRequest
from registrations.services import visa_letters
from registrations.services.personal_data import erase_delegate
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

PASSPORT = {
    "passport_name": "KOFFI Aya Marie",
    "nationality": "CI",
    "passport_number": "20AB12345",
    "passport_issued_on": dt.date(2022, 3, 1),
    "passport_expires_on": dt.date(2032, 2, 28),
    "birth_date": dt.date(1980, 6, 15),
    "birth_place": "Bouaké",
    "embassy_city": "Abidjan",
}


def _form_data(**changes) -> dict:
    data = {name: str(value) for name, value in PASSPORT.items()}
    data["consent"] = "on"
    data.update(changes)
    return data


@pytest.fixture
def delegate(congress):
    VenueFactory(congress=congress, name="Daejeon Convention Centre", city="Daejeon")
    order = OrderFactory(congress=congress, status=OrderStatus.PENDING_PAYMENT)
    return DelegateFactory(
        order=order, given_name="Aya", family_name="Koffi", language="fr", country="CI"
    )


def _request(delegate, **changes):
    return visa_letters.request_visa_letter(delegate=delegate, consent=True, **(PASSPORT | changes))


def officer(congress):
    user = UserFactory(username="vera")
    TeamMembershipFactory(congress=congress, user=user, role=Role.VISA_OFFICER)
    return user


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _letter_url(delegate) -> str:
    return reverse(
        "registrations:visa_letter",
        kwargs={"congress_slug": delegate.order.congress.slug, "delegate_secret": delegate.secret},
    )


# --- the request -----------------------------------------------------------------------------


def test_request_from_the_secret_link_stores_passport_data_consent_and_deletion_date(delegate):
    response = Client().post(_letter_url(delegate), _form_data())
    assert response.status_code == 302
    letter = VisaLetterRequest.objects.get(delegate=delegate)
    assert letter.status == VisaLetterStatus.REQUESTED
    assert letter.passport_number == "20AB12345"
    assert letter.passport_number_masked == "••••••345"
    assert letter.consent_at is not None
    assert letter.delete_after == dt.date(2027, 5, 13) + dt.timedelta(days=30)
    delegate.refresh_from_db()
    assert delegate.needs_visa_letter is True
    assert AuditEntry.objects.filter(action="convene.visa_letter.requested").count() == 1
    page = Client().get(_letter_url(delegate)).content.decode()
    assert "Requested" in page or "Demandé" in page


@pytest.mark.parametrize(
    "changes, field_error",
    [
        ({"consent": ""}, "consent"),
        ({"passport_number": "AB<script>1"}, "passport_number"),
        ({"passport_number": "A" * 10_000}, "passport_number"),
        ({"passport_name": "Aya\x00Koffi"}, None),  # NUL: refused site-wide
        ({"passport_name": "Aya\x07Koffi"}, "passport_name"),
        ({"birth_place": "x" * 10_000}, "birth_place"),
        ({"passport_expires_on": "2027-05-01"}, "passport_expires_on"),  # before the end
        ({"passport_issued_on": "2033-01-01"}, "passport_issued_on"),
        ({"birth_date": "not a date"}, "birth_date"),
        ({"nationality": "XX"}, "nationality"),
    ],
)
def test_bad_input_on_the_request_form_is_refused_with_a_message_and_stores_nothing(
    delegate, changes, field_error
):
    response = Client().post(_letter_url(delegate), _form_data(**changes))
    assert response.status_code == 400
    if field_error:
        assert field_error in response.context["form"].errors
    assert not VisaLetterRequest.objects.exists()


def test_a_name_in_another_script_is_kept_as_typed(delegate):
    response = Client().post(_letter_url(delegate), _form_data(passport_name="كوفي آية"))
    assert response.status_code == 302
    assert VisaLetterRequest.objects.get().passport_name == "كوفي آية"


def test_a_decided_request_cannot_be_changed_by_the_delegate(delegate):
    letter = _request(delegate)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    response = Client().post(_letter_url(delegate), _form_data(passport_number="X9999999"))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.passport_number == "20AB12345"


# --- approval rules --------------------------------------------------------------------------


def test_speakers_and_invited_officials_are_approved_at_once(congress, delegate):
    delegate.role = DelegateRole.SPEAKER
    delegate.save()
    assert _request(delegate).status == VisaLetterStatus.APPROVED
    invited = DelegateFactory(
        order=OrderFactory(congress=congress, status=OrderStatus.PAID),
        registration_type=RegistrationTypeFactory(congress=congress, complimentary=True),
    )
    letter = _request(invited)
    assert letter.status == VisaLetterStatus.APPROVED
    entry = AuditEntry.objects.filter(action="convene.visa_letter.approved").last()
    assert entry.data["rule"] == "speaker_or_invited"
    assert entry.actor_label == "system"


def test_public_bodies_wait_until_paid_and_are_then_approved_by_the_rules(congress, delegate):
    delegate.organisation_type = OrganisationType.LOCAL_GOVERNMENT
    delegate.save()
    letter = _request(delegate)
    assert letter.status == VisaLetterStatus.REQUESTED
    delegate.order.status = OrderStatus.PAID
    delegate.order.save()
    assert visa_letters.apply_rules(congress=congress) == 1
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.APPROVED


def test_a_business_waits_for_the_visa_officer_even_once_paid(congress, delegate):
    delegate.organisation_type = OrganisationType.BUSINESS
    delegate.order.status = OrderStatus.PAID
    delegate.order.save()
    delegate.save()
    assert _request(delegate).status == VisaLetterStatus.REQUESTED


def test_rules_switched_off_leave_every_request_to_the_officer(congress, delegate):
    DocumentSettings.objects.create(
        congress=congress, approve_speakers=False, approve_public_bodies_when_paid=False
    )
    delegate.role = DelegateRole.SPEAKER
    delegate.save()
    assert _request(delegate).status == VisaLetterStatus.REQUESTED


# --- decisions -------------------------------------------------------------------------------


def test_issue_refuse_revoke_are_audited_and_the_delegate_is_told_in_their_language(
    congress, delegate, django_capture_on_commit_callbacks
):
    user = officer(congress)
    letter = _request(delegate)
    with django_capture_on_commit_callbacks(execute=True):
        visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=user)
        visa_letters.decide(letter=letter, to=VisaLetterStatus.ISSUED, by=user)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [delegate.email]
    assert "lettre" in mail.outbox[0].subject.lower() or "visa" in mail.outbox[0].subject.lower()
    assert delegate.secret in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        visa_letters.decide(letter=letter, to=VisaLetterStatus.REVOKED, by=user, reason="Fraud")
    assert "Fraud" in mail.outbox[1].body
    actions = list(
        AuditEntry.objects.filter(target_id=str(letter.pk)).values_list("action", flat=True)
    )
    assert set(actions) >= {
        "convene.visa_letter.requested",
        "convene.visa_letter.approved",
        "convene.visa_letter.issued",
        "convene.visa_letter.revoked",
    }


def test_a_letter_cannot_skip_approval_nor_be_refused_without_a_reason(delegate):
    letter = _request(delegate)
    with pytest.raises(visa_letters.VisaLetterError):
        visa_letters.decide(letter=letter, to=VisaLetterStatus.ISSUED, by=None)
    with pytest.raises(visa_letters.VisaLetterError):
        visa_letters.decide(letter=letter, to=VisaLetterStatus.REFUSED, by=None, reason=" ")
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.REQUESTED


def test_a_second_writer_of_the_same_decision_changes_nothing(delegate):
    letter = _request(delegate)
    stale = VisaLetterRequest.objects.get(pk=letter.pk)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.ISSUED, by=None)
    with pytest.raises(visa_letters.VisaLetterError):
        visa_letters.decide(letter=stale, to=VisaLetterStatus.APPROVED, by=None)
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.ISSUED


# --- the letter's PDF ------------------------------------------------------------------------


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_issued_letter_names_the_passport_dates_venue_who_pays_and_the_verification_url(
    congress, delegate
):
    DocumentSettings.objects.create(
        congress=congress, who_pays="The organisers pay two nights at the hotel."
    )
    letter = _request(delegate)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.ISSUED, by=None)
    response = Client().get(
        reverse(
            "registrations:visa_letter_pdf",
            kwargs={"congress_slug": congress.slug, "delegate_secret": delegate.secret},
        )
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    for expected in (
        "KOFFI Aya Marie",
        "20AB12345",
        "Abidjan",
        "Daejeon Convention Centre",
        "The organisers pay two nights at the hotel.",
        "2027",
        f"/v/{letter.token}/",
    ):
        assert expected in text.replace("\n", " "), expected
    assert "Lettre d’invitation" in text or "invitation" in text.lower()


def test_no_letter_before_it_is_issued(congress, delegate):
    letter = _request(delegate)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    url = reverse(
        "registrations:visa_letter_pdf",
        kwargs={"congress_slug": congress.slug, "delegate_secret": delegate.secret},
    )
    assert Client().get(url).status_code == 404


# --- verification ----------------------------------------------------------------------------


def _verify(token: str, client: Client | None = None):
    return (client or Client()).get(
        reverse("registrations:verify_document", kwargs={"token": token})
    )


def test_verification_shows_valid_name_masked_number_role_and_dates_and_nothing_else(
    congress, delegate
):
    letter = _request(delegate)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.ISSUED, by=None)
    response = _verify(letter.token)
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["valid"] is True
    assert "KOFFI Aya Marie" in page
    assert "••••••345" in page
    for secret in ("20AB12345", "Bouaké", "1980", "Abidjan", delegate.email, delegate.order.code):
        assert secret not in page, secret
    assert response["Cache-Control"] == "no-store"


def test_a_revoked_letter_shows_revoked(delegate):
    letter = _request(delegate)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.REVOKED, by=None, reason="Withdrawn")
    response = _verify(letter.token)
    assert response.context["valid"] is False
    assert "Revoked" in response.content.decode()
    assert "Withdrawn" not in response.content.decode()


def test_a_requested_letter_is_not_valid(delegate):
    letter = _request(delegate)
    assert _verify(letter.token).context["valid"] is False


@pytest.mark.parametrize("token", ["nope", "a" * 43, "x" * 500, "ab\x00cd", "%3Cscript%3E"])
def test_an_unknown_token_says_nothing_was_found(delegate, token):
    _request(delegate)
    response = _verify(token)
    assert response.status_code == (400 if "\x00" in token else 404)  # NUL: refused site-wide
    assert "KOFFI" not in response.content.decode()


def test_verification_is_rate_limited_per_address(settings, delegate):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "document_verification": "3/h"}
    letter = _request(delegate)
    client = Client()
    assert [_verify(letter.token, client).status_code for _ in range(3)] == [200] * 3
    assert _verify(letter.token, client).status_code == 429


# --- who sees passport data ------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.OWNER, Role.REGISTRATION, Role.FINANCE, Role.CHECKIN, Role.PROGRAMME]
)
def test_only_the_visa_officer_sees_passport_data(congress, delegate, role):
    letter = _request(delegate)
    user = UserFactory()
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client = _client(user)
    for name in ("manage_visa_letters", "manage_visa_letters_export"):
        url = reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug})
        assert client.get(url).status_code == 403, name
    detail = reverse(
        "registrations:manage_visa_letter",
        kwargs={"congress_slug": congress.slug, "request_id": letter.pk},
    )
    assert client.get(detail).status_code == 403
    if role in (Role.OWNER, Role.REGISTRATION, Role.FINANCE):
        pages = [
            reverse("registrations:manage_list", kwargs={"congress_slug": congress.slug}),
            reverse(
                "registrations:manage_order",
                kwargs={"congress_slug": congress.slug, "code": delegate.order.code},
            ),
            reverse(
                "registrations:manage_export", kwargs={"congress_slug": congress.slug, "fmt": "csv"}
            ),
        ]
        for url in pages:
            response = client.get(url)
            assert response.status_code == 200, url
            assert b"20AB12345" not in response.content, url


def test_the_visa_officer_sees_the_queue_filters_and_exports(congress, delegate):
    _request(delegate)
    other = DelegateFactory(order=OrderFactory(congress=congress, status=OrderStatus.PAID))
    _request(other, passport_name="SILVA Ana", nationality="BR", embassy_city="Brasília")
    client = _client(officer(congress))
    url = reverse("registrations:manage_visa_letters", kwargs={"congress_slug": congress.slug})
    page = client.get(url).content.decode()
    assert "20AB12345" in page and "SILVA Ana" in page
    filtered = client.get(url, {"nationality": "BR"}).content.decode()
    assert "SILVA Ana" in filtered and "KOFFI" not in filtered
    assert "KOFFI" in client.get(url, {"paid": "no"}).content.decode()
    assert "SILVA" not in client.get(url, {"paid": "no"}).content.decode()
    assert "SILVA" in client.get(url, {"embassy": "bras"}).content.decode()
    export = client.get(
        reverse(
            "registrations:manage_visa_letters_export", kwargs={"congress_slug": congress.slug}
        ),
        {"nationality": "CI", "format": "csv"},
    )
    body = export.content.decode("utf-8-sig")
    assert "20AB12345" in body and "SILVA" not in body
    assert AuditEntry.objects.filter(action="convene.export.downloaded").exists()
    xlsx = client.get(
        reverse(
            "registrations:manage_visa_letters_export", kwargs={"congress_slug": congress.slug}
        ),
        {"format": "xlsx"},
    )
    assert xlsx.content[:2] == b"PK"


@pytest.mark.parametrize(
    "query", [{"nationality": "ZZ"}, {"status": "bogus"}, {"q": "x\x07"}, {"embassy": "y" * 500}]
)
def test_bad_filters_are_told_and_answer_200(congress, delegate, query):
    _request(delegate)
    client = _client(officer(congress))
    url = reverse("registrations:manage_visa_letters", kwargs={"congress_slug": congress.slug})
    response = client.get(url, query)
    assert response.status_code == 200
    assert response.context["filters"].errors


def test_bulk_approve_skips_what_is_not_waiting(congress, delegate):
    first = _request(delegate)
    second = _request(DelegateFactory(order=OrderFactory(congress=congress)))
    visa_letters.decide(letter=second, to=VisaLetterStatus.REFUSED, by=None, reason="No")
    client = _client(officer(congress))
    url = reverse("registrations:manage_visa_letters_bulk", kwargs={"congress_slug": congress.slug})
    response = client.post(url, {"decision": "approved", "ids": [first.pk, second.pk]})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == VisaLetterStatus.APPROVED
    assert second.status == VisaLetterStatus.REFUSED


def test_bulk_cannot_reach_another_congress_request(congress, other_congress, delegate):
    theirs = _request(DelegateFactory(order=OrderFactory(congress=other_congress)))
    client = _client(officer(congress))
    url = reverse("registrations:manage_visa_letters_bulk", kwargs={"congress_slug": congress.slug})
    client.post(url, {"decision": "approved", "ids": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.status == VisaLetterStatus.REQUESTED


def test_the_officer_refuses_with_a_reason_from_the_detail_page(congress, delegate):
    letter = _request(delegate)
    client = _client(officer(congress))
    url = reverse(
        "registrations:manage_visa_letter",
        kwargs={"congress_slug": congress.slug, "request_id": letter.pk},
    )
    assert client.post(url, {"decision": "refused", "reason": ""}).status_code == 400
    assert client.post(url, {"decision": "refused", "reason": "Not registered"}).status_code == 302
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.REFUSED


# --- erasure ---------------------------------------------------------------------------------


def test_retention_erases_passport_data_after_the_stated_date_and_verification_still_answers(
    delegate,
):
    letter = _request(delegate)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.ISSUED, by=None)
    assert visa_letters.erase_expired_passport_data(today=letter.delete_after) == 0
    assert (
        visa_letters.erase_expired_passport_data(today=letter.delete_after + dt.timedelta(days=1))
        == 1
    )
    letter.refresh_from_db()
    assert letter.passport_number == "" and letter.passport_name == ""
    assert letter.birth_date is None and letter.passport_erased_at is not None
    assert visa_letters.erase_expired_passport_data(today=dt.date(2030, 1, 1)) == 0
    response = _verify(letter.token)
    assert response.status_code == 200
    assert "20AB12345" not in response.content.decode()


def test_delegate_erasure_erases_passport_data_and_revokes_the_letter(delegate):
    letter = _request(delegate)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    result = erase_delegate(delegate=delegate)
    assert result.counts["visa_passport_data"] == 1
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.REVOKED
    assert letter.passport_number == "" and letter.passport_number_masked == ""
    assert "KOFFI" not in _verify(letter.token).content.decode()


def test_the_queue_costs_the_same_queries_for_many_requests(
    congress, delegate, django_assert_max_num_queries
):
    for _n in range(30):
        _request(DelegateFactory(order=OrderFactory(congress=congress)))
    client = _client(officer(congress))
    url = reverse("registrations:manage_visa_letters", kwargs={"congress_slug": congress.slug})
    with django_assert_max_num_queries(15):
        response = client.get(url)
    assert len(response.context["page"]) == 30
