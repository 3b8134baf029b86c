"""Copying an earlier congress's set-up (events_site/congresses/setup_copy.py and the apps'
parts): everything listed is copied with its links remapped, nothing of delegates or orders,
dates move with the congress, only between congresses one manages, into a draft, all or
nothing, audited, in a bounded number of queries; and the two pages that offer it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from badges.models import BadgeLayout
from events_site.congresses import setup_copy
from events_site.congresses.enums import CongressStatus
from events_site.congresses.models import AuditEntry, Congress, Room, Venue
from events_site.congresses.setup_copy import SetupCopyRefused, SetupPart, copy_setup
from registrations.models import (
    BillingSettings,
    Delegate,
    InvoiceCounter,
    MemberOrganisation,
    Order,
    Question,
    RegistrationSettings,
    RegistrationType,
    Voucher,
)
from sessions.models import Session, Track
from tests.factories import (
    CongressFactory,
    DelegateFactory,
    RegistrationTypeFactory,
    RoomFactory,
    TeamMembershipFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db

EVERYTHING = [part.key for part in setup_copy.setup_parts()]
SEOUL = dt.timezone(dt.timedelta(hours=9))


def _set_up(congress, *, types=3, questions=4, rooms=3):
    """A full set-up in ``congress``, plus the things that must never be copied."""
    kinds = [
        RegistrationTypeFactory(
            congress=congress,
            code=f"t{n}",
            regular_price=Decimal("450.00"),
            early_bird_price=Decimal("390.00"),
            early_bird_until=dt.date(2027, 3, 31),
            sales_start=dt.datetime(2027, 1, 10, 9, 0, tzinfo=SEOUL),
            sales_end=dt.datetime(2027, 5, 9, 18, 0, tzinfo=SEOUL),
        )
        for n in range(types)
    ]
    for n in range(questions):
        question = Question.objects.create(congress=congress, label=f"Question {n}", position=n)
        question.registration_types.set(kinds[: 1 + n % 2])
    venues = [VenueFactory(congress=congress, name=f"Venue {n}") for n in range(2)]
    for n in range(rooms):
        RoomFactory(venue=venues[n % 2], name=f"Room {n}", capacity=50 + n, position=n)
    Track.objects.create(congress=congress, name="Mobility", slug="mobility", colour="#123456")
    BadgeLayout.objects.create(congress=congress, name="Typed", registration_type=kinds[0])
    BadgeLayout.objects.create(congress=congress, name="Speakers", role="speaker")
    BadgeLayout.objects.create(congress=congress, name="Default", is_default=True)
    RegistrationSettings.objects.create(
        congress=congress,
        total_capacity=900,
        cancellation_deadline=dt.datetime(2027, 4, 30, 23, 59, tzinfo=SEOUL),
    )
    BillingSettings.objects.create(
        congress=congress, seller_name="UCLG", iban="FR7630006000011234567890189", tax_rate=20
    )
    InvoiceCounter.objects.create(congress=congress, kind="invoice", next_number=42)
    MemberOrganisation.objects.create(congress=congress, name="City of Lisbon")
    Voucher.objects.create(congress=congress, code="SPEAKER")
    DelegateFactory(order__congress=congress, registration_type=kinds[0])
    Session.objects.create(
        congress=congress,
        title="Opening",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    return kinds


def make_draft(congress, owner):
    """A draft a year after ``congress`` (which starts 2027-05-10), owned by ``owner`` too."""
    target = CongressFactory(
        organisation=congress.organisation,
        slug="wcg-2028",
        start_date=dt.date(2028, 5, 8),
        end_date=dt.date(2028, 5, 11),
        status=CongressStatus.DRAFT,
    )
    TeamMembershipFactory(congress=target, user=owner, role="owner")
    return target


@pytest.fixture
def draft(congress, alice):
    return make_draft(congress, alice)


def test_every_part_is_copied_with_its_links_pointing_at_the_copies(congress, draft, alice):
    _set_up(congress)
    counts = copy_setup(source=congress, target=draft, by=alice, parts=EVERYTHING)

    assert counts["registration_types"] == {"registration_types": 3}
    assert counts["venues"] == {"venues": 2, "rooms": 3}
    assert counts["questions"] == {"questions": 4, "type_links": 6}
    new_types = set(RegistrationType.objects.filter(congress=draft))
    assert {t.code for t in new_types} == {"t0", "t1", "t2"}
    for question in Question.objects.filter(congress=draft):
        assert question.registration_types.all() and set(question.registration_types.all()) <= (
            new_types
        )
    typed = BadgeLayout.objects.get(congress=draft, name="Typed")
    assert typed.registration_type in new_types and typed.registration_type.code == "t0"
    assert BadgeLayout.objects.get(congress=draft, name="Speakers").role == "speaker"
    assert BadgeLayout.objects.get(congress=draft, name="Default").is_default
    assert {r.venue.congress_id for r in Room.objects.filter(venue__congress=draft)} == {draft.pk}
    assert Room.objects.get(venue__congress=draft, name="Room 1").venue.name == "Venue 1"
    assert Track.objects.get(congress=draft).colour == "#123456"
    assert RegistrationSettings.objects.get(congress=draft).total_capacity == 900
    billing = BillingSettings.objects.get(congress=draft)
    assert (billing.seller_name, billing.iban, billing.tax_rate) == (
        "UCLG",
        "FR7630006000011234567890189",
        Decimal("20.00"),
    )
    assert MemberOrganisation.objects.get(congress=draft).normalised_name == "city of lisbon"
    # The source is untouched.
    assert RegistrationType.objects.filter(congress=congress).count() == 3


def test_nothing_of_delegates_orders_sessions_vouchers_or_counters_is_copied(
    congress, draft, alice
):
    _set_up(congress)
    copy_setup(source=congress, target=draft, by=alice, parts=EVERYTHING)
    assert not Order.objects.filter(congress=draft).exists()
    assert not Delegate.objects.filter(order__congress=draft).exists()
    assert not Session.objects.filter(congress=draft).exists()
    assert not Voucher.objects.filter(congress=draft).exists()
    assert not InvoiceCounter.objects.filter(congress=draft).exists()


def test_dates_move_by_the_days_between_the_first_days_keeping_the_wall_clock(
    congress, draft, alice
):
    _set_up(congress)
    copy_setup(source=congress, target=draft, by=alice, parts=EVERYTHING)
    shift = draft.start_date - congress.start_date  # 364 days
    kind = RegistrationType.objects.get(congress=draft, code="t0")
    assert kind.early_bird_until == dt.date(2027, 3, 31) + shift
    sales_start = kind.sales_start.astimezone(draft.tz)
    assert sales_start.date() == dt.date(2027, 1, 10) + shift
    assert sales_start.time() == dt.time(9, 0)
    deadline = RegistrationSettings.objects.get(congress=draft).cancellation_deadline
    assert deadline.astimezone(draft.tz).date() == dt.date(2027, 4, 30) + shift
    entry = AuditEntry.objects.get(congress=draft, action=setup_copy.SETUP_COPIED)
    assert entry.data["days_shifted"] == 364


def test_one_audit_entry_on_the_target_names_the_source_and_the_counts(congress, draft, alice):
    _set_up(congress)
    copy_setup(source=congress, target=draft, by=alice, parts=["venues", "tracks"])
    entry = AuditEntry.objects.get(congress=draft, action=setup_copy.SETUP_COPIED)
    assert entry.actor == alice
    assert entry.data["source"] == congress.slug
    assert entry.data["parts"] == ["venues", "tracks"]
    assert entry.data["counts"] == {"venues": {"venues": 2, "rooms": 3}, "tracks": {"tracks": 1}}
    assert not RegistrationType.objects.filter(congress=draft).exists()  # not chosen


def test_member_organisations_are_left_out_unless_chosen(congress, draft, alice):
    _set_up(congress)
    parts = [key for key in EVERYTHING if key != "member_organisations"]
    copy_setup(source=congress, target=draft, by=alice, parts=parts)
    assert not MemberOrganisation.objects.filter(congress=draft).exists()


def test_no_copy_from_a_congress_one_does_not_manage(other_congress, draft, alice, charlie):
    _set_up(other_congress)
    with pytest.raises(SetupCopyRefused):
        copy_setup(source=other_congress, target=draft, by=alice, parts=["venues"])
    with pytest.raises(SetupCopyRefused):  # charlie owns the source, not the target
        copy_setup(source=other_congress, target=draft, by=charlie, parts=["venues"])
    assert not Venue.objects.filter(congress=draft).exists()


def test_only_a_draft_takes_a_copy(congress, draft, alice):
    _set_up(congress)
    Congress.objects.filter(pk=draft.pk).update(status=CongressStatus.PUBLISHED)
    draft.refresh_from_db()
    with pytest.raises(SetupCopyRefused) as refused:
        copy_setup(source=congress, target=draft, by=alice, parts=["venues"])
    assert refused.value.code == "not_draft"


def test_a_part_the_target_has_already_is_refused_and_nothing_is_copied(congress, draft, alice):
    _set_up(congress)
    Track.objects.create(congress=draft, name="Own", slug="own")
    with pytest.raises(SetupCopyRefused) as refused:
        copy_setup(source=congress, target=draft, by=alice, parts=["venues", "tracks"])
    assert refused.value.code == "already_set_up"
    assert not Venue.objects.filter(congress=draft).exists()


def test_questions_and_layouts_need_the_types_copied_with_them(congress, draft, alice):
    _set_up(congress)
    with pytest.raises(SetupCopyRefused) as refused:
        copy_setup(source=congress, target=draft, by=alice, parts=["questions"])
    assert refused.value.code == "needs_part"


def _explode(source, target, id_maps):
    raise RuntimeError("the disk is full")


# A part that fails after every other part has written its rows (listed last).
exploding = SetupPart(key="exploding", label="Exploding", copy=_explode, exists_in=lambda c: False)


@pytest.fixture
def failing_last(settings):
    settings.CONGRESS_SETUP_COPIERS = [
        *settings.CONGRESS_SETUP_COPIERS,
        "tests.core.test_setup_copy.exploding",
    ]


def test_a_failing_part_leaves_nothing_behind(congress, draft, alice, failing_last):
    _set_up(congress)
    with pytest.raises(RuntimeError):
        copy_setup(source=congress, target=draft, by=alice, parts=[*EVERYTHING, "exploding"])
    assert not Venue.objects.filter(congress=draft).exists()
    assert not RegistrationType.objects.filter(congress=draft).exists()
    assert not Question.objects.filter(congress=draft).exists()
    assert not BadgeLayout.objects.filter(congress=draft).exists()
    assert not AuditEntry.objects.filter(congress=draft, action=setup_copy.SETUP_COPIED).exists()


def test_a_large_set_up_is_copied_in_bulk(congress, draft, alice, django_assert_max_num_queries):
    _set_up(congress, types=20, questions=30, rooms=10)
    # Permission checks, the lock, one existence check and a read and a bulk write per part:
    # never a query per row.
    with django_assert_max_num_queries(43):
        counts = copy_setup(source=congress, target=draft, by=alice, parts=EVERYTHING)
    assert counts["registration_types"]["registration_types"] == 20
    assert counts["questions"]["questions"] == 30
    assert counts["venues"]["rooms"] == 10


def test_the_number_of_queries_does_not_grow_with_the_set_up(alice):
    def queries_for(types, questions, rooms):
        source, target = CongressFactory(), CongressFactory(status=CongressStatus.DRAFT)
        _set_up(source, types=types, questions=questions, rooms=rooms)
        with CaptureQueriesContext(connection) as captured:
            copy_setup(source=source, target=target, by=None, parts=EVERYTHING)
        return len(captured)

    assert queries_for(2, 2, 2) == queries_for(20, 30, 10)


def test_every_part_comes_after_the_parts_it_needs():
    """``CONGRESS_SETUP_COPIERS`` is in dependency order, and keys are unique."""
    seen = []
    for part in setup_copy.setup_parts():
        assert part.key not in seen
        assert set(part.needs) <= set(seen), f"{part.key} is listed before {part.needs}"
        seen.append(part.key)


# --- The pages -----------------------------------------------------------------------------


def _copy_page(congress) -> str:
    return reverse("congresses:copy_setup", kwargs={"congress_slug": congress.slug})


def test_the_page_copies_the_chosen_parts_and_shows_what_was_copied(client, congress, draft, alice):
    _set_up(congress)
    client.force_login(alice)
    page = client.get(_copy_page(draft)).content.decode()
    assert congress.name in page
    assert "shifted by the number of days" in page
    response = client.post(
        _copy_page(draft), {"source": congress.pk, "parts": ["venues", "registration_types"]}
    )
    assert response.status_code == 302
    page = client.get(_copy_page(draft)).content.decode()
    assert f"Copied from {congress.slug}" in page
    assert "Registration types: 3" in page and "Venues: 2, Rooms: 3" in page
    assert "Dates were moved by 364 days." in page
    assert RegistrationType.objects.filter(congress=draft).count() == 3


def test_the_page_never_lists_or_copies_a_congress_the_person_does_not_manage(
    client, other_congress, draft, alice
):
    _set_up(other_congress)
    client.force_login(alice)
    assert other_congress.name not in client.get(_copy_page(draft)).content.decode()
    response = client.post(_copy_page(draft), {"source": other_congress.pk, "parts": ["venues"]})
    assert response.status_code == 200
    assert "source" in response.context["form"].errors
    assert not Venue.objects.filter(congress=draft).exists()


def test_the_page_needs_congress_manage_on_the_target(client, congress, draft, charlie, bob):
    for person in (charlie, bob):
        client.force_login(person)
        assert client.get(_copy_page(draft)).status_code == 403
        assert client.post(_copy_page(draft), {"source": congress.pk}).status_code == 403


def test_the_page_offers_only_the_parts_the_congress_has_none_of(client, congress, draft, alice):
    _set_up(congress)
    Track.objects.create(congress=draft, name="Own", slug="own")
    client.force_login(alice)
    page = client.get(_copy_page(draft)).content.decode()
    assert "This congress has them already: not copied." in page
    response = client.post(_copy_page(draft), {"source": congress.pk, "parts": ["tracks"]})
    assert "parts" in response.context["form"].errors
    assert Track.objects.filter(congress=draft).count() == 1


def test_the_page_refuses_a_congress_that_is_not_a_draft(client, congress, alice, other_congress):
    target = CongressFactory(status=CongressStatus.PUBLISHED, organisation=congress.organisation)
    TeamMembershipFactory(congress=target, user=alice, role="owner")
    _set_up(congress)
    client.force_login(alice)
    assert "no longer a draft" in client.get(_copy_page(target)).content.decode()
    response = client.post(_copy_page(target), {"source": congress.pk, "parts": ["venues"]})
    assert response.status_code == 200
    assert not Venue.objects.filter(congress=target).exists()


def test_the_page_explains_a_missing_dependency_beside_the_parts(client, congress, draft, alice):
    _set_up(congress)
    client.force_login(alice)
    response = client.post(_copy_page(draft), {"source": congress.pk, "parts": ["badge_layouts"]})
    errors = response.context["form"].errors["parts"]
    assert "Badge layouts refer to Registration types: copy them too." in errors


@pytest.mark.parametrize(
    "hostile", ["\x00", "<script>alert(1)</script>", "x" * 10_000, "שלום", "会议"]
)
def test_the_page_refuses_hostile_choices_without_a_crash(client, congress, draft, alice, hostile):
    client.force_login(alice)
    response = client.post(_copy_page(draft), {"source": hostile, "parts": [hostile]})
    assert not Venue.objects.filter(congress=draft).exists()
    if hostile == "\x00":  # the site refuses NUL in any request (tests/core/test_nul_bytes.py)
        assert response.status_code == 400
        return
    assert response.status_code == 200
    form = response.context["form"]
    assert "source" in form.errors and "parts" in form.errors
    assert "<script>alert(1)</script>" not in response.content.decode()


def _new_congress(source=None, **overrides):
    data = {
        "organisation": "",
        "name": "World Congress 2028",
        "slug": "wcg-2028",
        "tagline": "",
        "description": "",
        "start_date": "2028-05-08",
        "end_date": "2028-05-11",
        "time_zone": "Asia/Seoul",
        "currency": "EUR",
        "languages": ["en"],
        "status": "draft",
        "contact_email": "",
        "website": "",
    }
    if source is not None:
        data["organisation"] = str(source.organisation_id)
        data["copy-source"] = str(source.pk)
        data["copy-parts"] = ["venues", "registration_types", "questions", "badge_layouts"]
    data.update(overrides)
    return data


def test_a_new_congress_starts_with_the_set_up_of_an_earlier_one(client, congress, alice):
    _set_up(congress)
    client.force_login(alice)
    page = client.get(reverse("congresses:congress_new")).content.decode()
    assert "Copy the set-up of" in page and congress.name in page
    response = client.post(reverse("congresses:congress_new"), _new_congress(congress))
    created = Congress.objects.get(slug="wcg-2028")
    assert response["Location"] == _copy_page(created)
    assert RegistrationType.objects.filter(congress=created).count() == 3
    assert Question.objects.filter(congress=created).count() == 4
    assert BadgeLayout.objects.filter(congress=created).count() == 3
    assert not Track.objects.filter(congress=created).exists()
    assert "Venues: 2, Rooms: 3" in client.get(response["Location"]).content.decode()


def test_a_new_congress_without_a_choice_starts_empty(client, congress, alice):
    _set_up(congress)
    client.force_login(alice)
    data = _new_congress(congress, **{"copy-source": ""})
    response = client.post(reverse("congresses:congress_new"), data)
    created = Congress.objects.get(slug="wcg-2028")
    assert response["Location"].endswith(f"/{created.slug}/manage/")
    assert not Venue.objects.filter(congress=created).exists()


def test_the_new_congress_page_refuses_another_organisations_congress(
    client, congress, other_congress, alice
):
    _set_up(other_congress)
    client.force_login(alice)
    assert (
        other_congress.name not in client.get(reverse("congresses:congress_new")).content.decode()
    )
    data = _new_congress(congress, **{"copy-source": str(other_congress.pk)})
    response = client.post(reverse("congresses:congress_new"), data)
    assert response.status_code == 200
    assert "source" in response.context["copy_form"].errors
    assert not Congress.objects.filter(slug="wcg-2028").exists()


def test_a_copied_set_up_needs_the_new_congress_to_start_as_a_draft(client, congress, alice):
    _set_up(congress)
    client.force_login(alice)
    data = _new_congress(congress, status="published")
    response = client.post(reverse("congresses:congress_new"), data)
    assert "status" in response.context["form"].errors
    assert not Congress.objects.filter(slug="wcg-2028").exists()


def test_a_failed_copy_leaves_no_new_congress(client, congress, alice, failing_last):
    _set_up(congress)
    client.force_login(alice)
    data = _new_congress(congress)
    data["copy-parts"] = ["venues", "exploding"]
    with pytest.raises(RuntimeError):
        client.post(reverse("congresses:congress_new"), data)
    assert not Congress.objects.filter(slug="wcg-2028").exists()
    assert not Venue.objects.filter(congress__slug="wcg-2028").exists()


def test_the_back_office_links_the_page_while_the_congress_is_a_draft(
    client, congress, draft, alice
):
    client.force_login(alice)
    backoffice = "congresses:backoffice"
    page = client.get(reverse(backoffice, kwargs={"congress_slug": draft.slug})).content.decode()
    assert _copy_page(draft) in page
    page = client.get(reverse(backoffice, kwargs={"congress_slug": congress.slug})).content
    assert _copy_page(congress) not in page.decode()  # registration is open there


def test_the_formats_default_durations_and_the_tags_are_copied(congress, draft, alice):
    from sessions.models import FormatSetting, Tag

    FormatSetting.objects.create(congress=congress, format="workshop", default_minutes=75)
    Tag.objects.create(congress=congress, name="Climate", slug="climate", colour="#1f5f3f")
    counts = copy_setup(source=congress, target=draft, by=alice, parts=["formats", "tags"])
    assert counts["formats"] == {"formats": 1} and counts["tags"] == {"tags": 1}
    assert FormatSetting.objects.get(congress=draft).default_minutes == 75
    assert Tag.objects.get(congress=draft).slug == "climate"
    assert Tag.objects.filter(congress=congress).count() == 1  # the source keeps its own


def _png(colour) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_document_settings_are_copied_with_images_of_their_own_but_no_signing_key(
    congress, draft, alice
):
    from django.core.files.base import ContentFile

    from registrations.models import DocumentSettings, MemberOrganisation, VisaFocalPoint

    found = DocumentSettings(
        congress=congress,
        host_country="KR",
        approve_speakers=False,
        signatory_name="Ana Müller <b>",
        signatory_title="Secretary General",
        who_pays="The host city pays 3 nights.",
        passport_data_days=45,
        focal_points_approve=True,
        min_sessions=3,
    )
    found.letterhead.save("letterhead.png", ContentFile(_png((10, 20, 200))), save=False)
    found.signature.save("signature.png", ContentFile(_png((0, 0, 0))), save=False)
    found.signing_certificate.save("keys.p12", ContentFile(b"not a real key"), save=False)
    found.signing_passphrase_sealed = "sealed-secret"
    found.save()
    member = MemberOrganisation.objects.create(congress=congress, name="Ville de Dakar")
    VisaFocalPoint.objects.create(member_organisation=member, name="Awa", email="awa@x.example")

    counts = copy_setup(source=congress, target=draft, by=alice, parts=EVERYTHING)

    assert counts["document_settings"] == {"settings": 1}
    copy = DocumentSettings.objects.get(congress=draft)
    assert (
        copy.host_country.code,
        copy.approve_speakers,
        copy.signatory_name,
        copy.who_pays,
        copy.passport_data_days,
        copy.focal_points_approve,
        copy.min_sessions,
    ) == ("KR", False, "Ana Müller <b>", "The host city pays 3 nights.", 45, True, 3)
    # images of its own, same pictures: replacing one congress's never touches the other's
    assert copy.letterhead.name != found.letterhead.name
    assert copy.letterhead.read() == found.letterhead.read()
    assert copy.signature.name != found.signature.name and copy.signature.storage.exists(
        copy.signature.name
    )
    # the private key and its passphrase are not copied; focal points (personal data) neither
    assert not copy.signing_certificate and copy.signing_passphrase_sealed == ""
    assert MemberOrganisation.objects.filter(congress=draft).count() == 1
    assert not VisaFocalPoint.objects.filter(member_organisation__congress=draft).exists()
    # a draft that already has document settings is refused the part
    other = CongressFactory(organisation=congress.organisation, status=CongressStatus.DRAFT)
    TeamMembershipFactory(congress=other, user=alice, role="owner")
    DocumentSettings.objects.create(congress=other)
    with pytest.raises(SetupCopyRefused):
        copy_setup(source=congress, target=other, by=alice, parts=["document_settings"])
