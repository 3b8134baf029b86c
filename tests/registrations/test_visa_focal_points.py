"""Visa focal points of member organisations: with the congress's rule on, a delegate's request
from a member organisation with a focal point waits for that focal point, who decides behind a
secret link (their delegation only, no passport data but the masked number); the visa officer
still sees and may decide everything."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from events_site.congresses.enums import Role
from events_site.congresses.models import AuditEntry
from registrations.enums import VisaLetterStatus
from registrations.lifecycle import OrderStatus
from registrations.models import DocumentSettings, MemberOrganisation, VisaFocalPoint
from registrations.services import visa_focal_points, visa_letters
from tests.factories import DelegateFactory, OrderFactory, TeamMembershipFactory, UserFactory
from tests.registrations.test_visa_letters import PASSPORT

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script> Ville de Dakar'


@pytest.fixture
def rules(congress):
    return DocumentSettings.objects.create(
        congress=congress, focal_points_approve=True, approve_public_bodies_when_paid=False
    )


@pytest.fixture
def dakar(congress, alice):
    organisation = MemberOrganisation.objects.create(congress=congress, name=HOSTILE, country="SN")
    visa_focal_points.set_visa_focal_point(
        organisation=organisation, by=alice, name="Awa Ndiaye", email="awa@dakar.example"
    )
    return organisation


@pytest.fixture
def accra(congress, alice):
    organisation = MemberOrganisation.objects.create(congress=congress, name="City of Accra")
    visa_focal_points.set_visa_focal_point(
        organisation=organisation, by=alice, name="Kofi Mensah", email="kofi@accra.example"
    )
    return organisation


def _delegate(congress, organisation_name: str, number: str = "20AB12345", **order):
    order = OrderFactory(congress=congress, status=order.get("status", OrderStatus.PAID))
    delegate = DelegateFactory(
        order=order, organisation_name=organisation_name, language="fr", given_name="Aya"
    )
    letter = visa_letters.request_visa_letter(
        delegate=delegate, consent=True, **(PASSPORT | {"passport_number": number})
    )
    return letter


def _page(focal: VisaFocalPoint) -> str:
    congress = focal.member_organisation.congress
    return reverse(
        "registrations:visa_focal_point",
        kwargs={"congress_slug": congress.slug, "focal_secret": focal.secret},
    )


def _officer(congress) -> Client:
    user = UserFactory(username="vera")
    TeamMembershipFactory(congress=congress, user=user, role=Role.VISA_OFFICER)
    client = Client()
    client.force_login(user)
    return client


def _queue(congress) -> str:
    return reverse("registrations:manage_visa_letters", kwargs={"congress_slug": congress.slug})


def test_with_the_rule_off_a_members_request_goes_to_the_officer_as_before(
    congress, dakar, django_capture_on_commit_callbacks
):
    DocumentSettings.objects.create(congress=congress, approve_public_bodies_when_paid=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        letter = _delegate(congress, HOSTILE)
    assert letter.focal_point_organisation is None and not letter.awaits_focal_point
    assert mail.outbox == []
    assert "awaiting focal point" not in _officer(congress).get(_queue(congress)).content.decode()


def test_with_the_rule_on_the_request_waits_for_the_focal_point_who_is_emailed(
    congress, rules, dakar, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    # Matched as the member rate is: case, accents and punctuation do not matter.
    with django_capture_on_commit_callbacks(execute=True):
        letter = _delegate(congress, "  " + HOSTILE.upper().replace("VILLE", "Ville") + " ")
    letter.refresh_from_db()
    assert letter.focal_point_organisation_id == dakar.pk and letter.awaits_focal_point
    assert [m.to for m in mail.outbox] == [["awa@dakar.example"]]
    assert dakar.visa_focal_point.secret in mail.outbox[0].body
    queue = _officer(congress).get(_queue(congress)).content.decode()
    assert "awaiting focal point" in queue
    assert "<script>alert" not in queue and "&lt;script&gt;" in queue
    # A correction does not e-mail the focal point again.
    with django_capture_on_commit_callbacks(execute=True):
        visa_letters.request_visa_letter(
            delegate=letter.delegate, consent=True, **(PASSPORT | {"birth_place": "Thiès"})
        )
    assert len(mail.outbox) == 1


def test_the_focal_points_page_lists_only_their_delegation_without_passport_data(
    congress, rules, dakar, accra, django_assert_max_num_queries
):
    ours = [_delegate(congress, HOSTILE, number=f"SN1234{n}{n}{n}") for n in range(5)]
    theirs = _delegate(congress, "City of Accra", number="GH9876543")
    with django_assert_max_num_queries(12):
        response = Client().get(_page(dakar.visa_focal_point))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="focal-point-request"') == 5
    for letter in ours:
        assert letter.passport_number not in page
        assert letter.passport_number_masked in page
    assert "GH9876543" not in page and theirs.passport_number_masked not in page
    for private in ("Bouaké", "Abidjan", "1980", "2032"):
        assert private not in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert response["Cache-Control"] == "no-store"


def test_the_focal_point_approves_once_and_a_second_post_is_told(
    congress, rules, dakar, django_capture_on_commit_callbacks
):
    letter = _delegate(congress, HOSTILE)
    client = Client()
    url = _page(dakar.visa_focal_point)
    response = client.post(url, {"ids": [letter.pk], "decision": "approved"}, follow=True)
    assert response.status_code == 200 and "1 request decided." in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.APPROVED
    entry = AuditEntry.objects.get(action="convene.visa_letter.approved")
    assert "Awa Ndiaye" in entry.actor_label and HOSTILE[:20] in entry.actor_label
    assert entry.data["organisation"] == HOSTILE and entry.data["focal_point"] == "Awa Ndiaye"
    again = client.post(url, {"ids": [letter.pk], "decision": "approved"}, follow=True)
    assert "already decided" in again.content.decode()
    assert AuditEntry.objects.filter(action="convene.visa_letter.approved").count() == 1


@pytest.mark.parametrize("bad", ["\u00b2", "\u0663", "-1", "1e3", ""])
def test_ids_that_are_not_plain_numbers_are_a_404_not_a_server_error(congress, rules, dakar, bad):
    """ "²" and Arabic-Indic digits pass ``str.isdigit`` but not ``int``."""
    letter = _delegate(congress, HOSTILE)
    response = Client().post(_page(dakar.visa_focal_point), {"ids": [bad], "decision": "approved"})
    assert response.status_code in (400, 404)
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.REQUESTED


def test_a_refusal_needs_a_reason_and_tells_the_delegate(
    congress, rules, dakar, django_capture_on_commit_callbacks
):
    letter = _delegate(congress, HOSTILE)
    url = _page(dakar.visa_focal_point)
    assert Client().post(url, {"ids": [letter.pk], "decision": "refused"}).status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(url, {"ids": [letter.pk], "decision": "refused", "reason": "Not ours."})
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.REFUSED and letter.reason == "Not ours."
    assert mail.outbox[-1].to == [letter.delegate.email]


def test_another_delegations_request_is_a_404_and_changes_nothing(congress, rules, dakar, accra):
    theirs = _delegate(congress, "City of Accra")
    response = Client().post(
        _page(dakar.visa_focal_point), {"ids": [theirs.pk], "decision": "approved"}
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == VisaLetterStatus.REQUESTED


def test_the_officer_may_decide_over_the_focal_point_who_is_then_told(congress, rules, dakar):
    letter = _delegate(congress, HOSTILE)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    # A focal point never refuses what the officer approved: only what still waits.
    response = Client().post(
        _page(dakar.visa_focal_point),
        {"ids": [letter.pk], "decision": "refused", "reason": "No."},
        follow=True,
    )
    assert "already decided" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.APPROVED


@pytest.mark.parametrize(
    "token",
    ["x" * 43, "a%00b", "%00", "a" * 500, "<script>"],
    ids=["wrong", "nul", "nul-only", "long", "markup"],
)
def test_a_bad_token_is_refused_without_a_server_error(congress, dakar, token):
    url = f"/{congress.slug}/visa-focal-point/{token}/"
    assert Client().get(url).status_code in (400, 404)
    assert Client().post(url, {"ids": ["1"], "decision": "approved"}).status_code in (400, 403, 404)


def test_the_link_of_another_congress_is_a_404(congress, dakar, other_congress):
    url = f"/{other_congress.slug}/visa-focal-point/{dakar.visa_focal_point.secret}/"
    assert Client().get(url).status_code == 404


def test_wrong_tokens_are_rate_limited(congress, dakar, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "secret_lookup": "3/h"}
    client = Client(REMOTE_ADDR="203.0.113.9")
    codes = [
        client.get(f"/{congress.slug}/visa-focal-point/{'w' * 43}/").status_code for _ in range(5)
    ]
    assert codes[0] == 404 and codes[-1] == 429
    assert client.get(_page(dakar.visa_focal_point)).status_code == 429


def test_a_new_address_gets_a_new_link_and_the_old_one_stops(congress, dakar, alice):
    old = dakar.visa_focal_point.secret
    visa_focal_points.set_visa_focal_point(
        organisation=dakar, by=alice, name="Awa Ndiaye", email="awa.ndiaye@dakar.example"
    )
    focal = VisaFocalPoint.objects.get(member_organisation=dakar)
    assert focal.secret != old
    assert Client().get(f"/{congress.slug}/visa-focal-point/{old}/").status_code == 404


def _organiser_url(congress, organisation, send: bool = False) -> str:
    name = "manage_member_focal_point_send" if send else "manage_member_focal_point"
    return reverse(
        f"registrations:{name}",
        kwargs={"congress_slug": congress.slug, "member_id": organisation.pk},
    )


def test_the_organiser_names_the_focal_point_and_sends_the_link_again(
    congress, alice, django_capture_on_commit_callbacks
):
    organisation = MemberOrganisation.objects.create(congress=congress, name="Ville de Rabat")
    client = Client()
    client.force_login(alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(
            _organiser_url(congress, organisation),
            {"name": "Salma Idrissi", "email": "salma@rabat.example", "language": "fr"},
        )
    assert saved.status_code == 302
    focal = VisaFocalPoint.objects.get(member_organisation=organisation)
    assert focal.language == "fr" and len(mail.outbox) == 1 and focal.secret in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_organiser_url(congress, organisation, send=True))
    assert len(mail.outbox) == 2 and focal.secret in mail.outbox[1].body
    assert AuditEntry.objects.filter(
        action="convene.member_organisation.focal_point_link_sent"
    ).exists()
    listing = client.get(
        reverse("registrations:manage_members", kwargs={"congress_slug": congress.slug})
    )
    assert "Salma Idrissi" in listing.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Salma", "email": ""},
        {"name": "", "email": "salma@rabat.example"},
        {"name": "Sal\x07ma", "email": "salma@rabat.example"},
        {"name": "x" * 10_000, "email": "salma@rabat.example"},
        {"name": "Salma", "email": "not an address"},
        {"name": "Salma", "email": "salma@rabat.example", "language": "xx"},
    ],
    ids=["no-email", "no-name", "control", "10kB", "bad-email", "bad-language"],
)
def test_bad_focal_point_input_is_refused(congress, alice, data):
    organisation = MemberOrganisation.objects.create(congress=congress, name="Ville de Rabat")
    client = Client()
    client.force_login(alice)
    assert client.post(_organiser_url(congress, organisation), data).status_code == 400
    assert not VisaFocalPoint.objects.exists()


def test_focal_points_are_deleted_with_the_passport_data_and_their_link_stops(
    congress, rules, dakar, other_congress, alice
):
    """Their name and e-mail are kept as long as the passport data (the congress's last day
    plus *passport data kept for*), then deleted by the retention job; other congresses'
    focal points stay until their own date."""
    elsewhere = MemberOrganisation.objects.create(congress=other_congress, name="Lima")
    other_congress.end_date = congress.end_date + dt.timedelta(days=400)
    other_congress.save(update_fields=["end_date"])
    visa_focal_points.set_visa_focal_point(
        organisation=elsewhere, by=alice, name="Rosa Quispe", email="rosa@lima.example"
    )
    secret = VisaFocalPoint.objects.get(member_organisation=dakar).secret
    waiting = _delegate(congress, HOSTILE)
    assert waiting.awaits_focal_point
    last_day = visa_letters.deletion_date(congress)
    assert visa_focal_points.erase_expired_focal_points(today=last_day) == 0
    assert VisaFocalPoint.objects.filter(member_organisation=dakar).exists()

    assert visa_focal_points.erase_expired_focal_points(today=last_day + dt.timedelta(days=1)) == 1
    assert not VisaFocalPoint.objects.filter(member_organisation=dakar).exists()
    assert VisaFocalPoint.objects.filter(member_organisation=elsewhere).exists()
    assert Client().get(f"/{congress.slug}/visa-focal-point/{secret}/").status_code == 404
    waiting.refresh_from_db()  # back with the visa officer, not awaiting a deleted focal point
    assert not waiting.awaits_focal_point and waiting.status == VisaLetterStatus.REQUESTED
    entry = AuditEntry.objects.get(
        congress=congress, action="convene.personal_data.retention_applied"
    )
    assert entry.data == {"group": "visa_focal_points", "count": 1}
    # Idempotent, and the daily command runs it.
    assert visa_focal_points.erase_expired_focal_points(today=last_day + dt.timedelta(days=1)) == 0
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "0 visa focal point(s) deleted." in out.getvalue()


def test_the_service_refuses_a_focal_points_decision_once_the_congress_no_longer_asks(
    congress, rules, dakar
):
    letter = _delegate(congress, HOSTILE)
    rules.focal_points_approve = False
    rules.save(update_fields=["focal_points_approve"])
    with pytest.raises(visa_letters.VisaLetterError, match="no longer asks"):
        visa_focal_points.decide_as_focal_point(
            focal_point=dakar.visa_focal_point, letters=[letter], to=VisaLetterStatus.APPROVED
        )
    response = Client().post(
        _page(dakar.visa_focal_point), {"ids": [letter.pk], "decision": "approved"}, follow=True
    )
    assert "no longer asks focal points" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == VisaLetterStatus.REQUESTED


def test_removing_the_focal_point_hands_its_waiting_requests_back_to_the_officer(
    congress, rules, dakar, alice
):
    letter = _delegate(congress, HOSTILE)
    assert letter.awaits_focal_point
    visa_focal_points.set_visa_focal_point(organisation=dakar, by=alice, name="", email="")
    letter.refresh_from_db()
    assert not letter.awaits_focal_point and letter.status == VisaLetterStatus.REQUESTED
