"""The organisers' registration settings page: who may open it, what it saves (audited, in the
congress's zone and currency), what it refuses beside the field, edits that cross, and the
reset to defaults."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from events_site.congresses.edit_conflicts import fingerprint
from events_site.congresses.models import AuditEntry
from registrations.models import RegistrationSettings
from registrations.services.setup import SETTINGS_FIELDS, update_registration_settings
from tests.factories import TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _url(congress, name="manage_settings"):
    return reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug})


def _member(congress, role):
    user = UserFactory(username=f"member-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    return user


def _shown(client, congress) -> dict:
    """The form as the page shows it, ready to post back."""
    form = client.get(_url(congress)).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is None:
            data[name] = ""
        elif isinstance(value, dt.datetime):
            data[name] = value.strftime("%Y-%m-%dT%H:%M")
        else:
            data[name] = str(value)
        del field
    return data


@pytest.fixture
def montreal(congress):
    congress.time_zone = "America/Montreal"
    congress.currency = "CAD"
    congress.save()
    return congress


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("registration", 200)])
def test_owners_and_registration_managers_open_the_page(client, congress, role, status):
    client.force_login(_member(congress, role))
    assert client.get(_url(congress)).status_code == status
    assert client.get(_url(congress, "manage_settings_reset")).status_code == status


@pytest.mark.parametrize("role", ["finance", "checkin", "programme"])
def test_other_roles_are_refused_and_nothing_changes(client, congress, role):
    client.force_login(_member(congress, role))
    assert client.get(_url(congress)).status_code == 403
    response = client.post(_url(congress), {"total_capacity": "5"})
    assert response.status_code == 403
    response = client.post(_url(congress, "manage_settings_reset"))
    assert response.status_code == 403
    assert not RegistrationSettings.objects.exists()


def test_an_organiser_of_another_congress_gets_no_further(client, congress, charlie):
    client.force_login(charlie)
    assert client.get(_url(congress)).status_code in (403, 404)


def test_the_page_shows_the_defaults_the_zone_and_the_currency(client, alice, montreal):
    client.force_login(alice)
    response = client.get(_url(montreal))
    page = response.content.decode()
    assert "America/Montreal" in page
    assert "(CAD)" in page
    assert 'placeholder="15"' in page  # the site's SEAT_HOLD_MINUTES, shown when empty
    assert "15 minutes" in page
    for heading in ("Capacity and seat holds", "Deadlines and cancellation", "Seat hoarding"):
        assert heading in page
    assert page.count('class="helptext"') >= len(SETTINGS_FIELDS)


def test_a_save_is_stored_and_audited_with_each_change(client, alice, montreal):
    client.force_login(alice)
    data = _shown(client, montreal)
    data.update(
        total_capacity="1200",
        hold_minutes="30",
        max_delegates_per_order="8",
        cancellation_fee="25.50",
        waiting_list_offer_hours="12",
    )
    data.pop("waiting_list_enabled", None)
    response = client.post(_url(montreal), data)
    assert response.status_code == 302
    saved = RegistrationSettings.objects.get(congress=montreal)
    assert (saved.total_capacity, saved.hold_minutes, saved.max_delegates_per_order) == (
        1200,
        30,
        8,
    )
    assert saved.cancellation_fee == Decimal("25.50")
    assert saved.waiting_list_enabled is False
    entry = AuditEntry.objects.get(action="convene.registration_settings.created")
    assert entry.actor == alice
    assert entry.data["changed"]["total_capacity"] == ["", "1200"]


def test_a_deadline_typed_in_montreal_time_is_stored_in_utc_and_shown_back(client, alice, montreal):
    client.force_login(alice)
    data = _shown(client, montreal)
    data.update(edit_deadline="2027-01-15T18:00", cancellation_deadline="2027-07-15T18:00")
    assert client.post(_url(montreal), data).status_code == 302
    saved = RegistrationSettings.objects.get(congress=montreal)
    assert saved.edit_deadline == dt.datetime(2027, 1, 15, 23, 0, tzinfo=UTC)  # EST, UTC-5
    assert saved.cancellation_deadline == dt.datetime(2027, 7, 15, 22, 0, tzinfo=UTC)  # EDT
    page = client.get(_url(montreal)).content.decode()
    assert 'value="2027-01-15T18:00"' in page
    assert 'value="2027-07-15T18:00"' in page


def test_a_time_the_clocks_skip_is_refused_beside_the_field(client, alice, montreal):
    client.force_login(alice)
    data = _shown(client, montreal)
    data["edit_deadline"] = "2027-03-14T02:30"  # clocks jump from 02:00 to 03:00
    response = client.post(_url(montreal), data)
    assert response.status_code == 400
    assert "edit_deadline" in response.context["form"].errors
    assert not RegistrationSettings.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_capacity", "-1"),
        ("total_capacity", "lots"),
        ("total_capacity", "9" * 10_000),
        ("hold_minutes", "0"),
        ("hold_minutes", "999999"),
        ("max_delegates_per_order", "0"),
        ("max_delegates_per_order", ""),
        ("cancellation_fee", "-5"),
        ("cancellation_fee", "1.234"),
        ("cancellation_fee", "<script>alert(1)</script>"),
        ("edit_deadline", "tomorrow"),
        ("edit_deadline", "2027-01-15T18:00\x1b[31m"),
        ("waiting_list_offer_hours", "١٢\u202e"),
        ("reminder_after_hours", "会议"),
        ("max_unpaid_orders_per_email", "0"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(
    client, alice, congress, field, value
):
    client.force_login(alice)
    data = _shown(client, congress)
    data[field] = value
    response = client.post(_url(congress), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    page = response.content.decode()
    assert 'class="errorlist' in page
    assert "<script>alert(1)</script>" not in page
    assert not RegistrationSettings.objects.exists()


def test_a_nul_character_is_refused_by_the_middleware(client, alice, congress):
    client.force_login(alice)
    data = _shown(client, congress)
    data["total_capacity"] = "12\x00"
    assert client.post(_url(congress), data).status_code == 400
    assert not RegistrationSettings.objects.exists()


def test_a_currency_without_cents_takes_whole_fees_only(client, alice, congress):
    congress.currency = "JPY"
    congress.save()
    client.force_login(alice)
    data = _shown(client, congress)
    data["cancellation_fee"] = "500.50"
    response = client.post(_url(congress), data)
    assert "cancellation_fee" in response.context["form"].errors
    data["cancellation_fee"] = "500"
    assert client.post(_url(congress), data).status_code == 302


def test_the_later_of_two_edits_is_refused_and_the_first_kept(client, alice, congress):
    client.force_login(alice)
    data = _shown(client, congress)
    update_registration_settings(congress=congress, total_capacity=300)  # someone else's save
    data["total_capacity"] = "500"
    response = client.post(_url(congress), data)
    assert response.status_code == 400
    assert "Someone else changed this" in response.content.decode()
    assert RegistrationSettings.objects.get(congress=congress).total_capacity == 300
    assert response.context["form"]["total_capacity"].value() == "500"  # nothing typed is lost


def test_a_changed_hoarding_cap_counts_as_someone_elses_edit(client, alice, congress):
    client.force_login(alice)
    data = _shown(client, congress)
    client.post(
        reverse("registrations:manage_hold_caps", kwargs={"congress_slug": congress.slug}),
        {
            "max_unpaid_orders_per_email": "1",
            "max_unpaid_orders_per_address": "5",
            "max_unpaid_seats_per_email": "20",
            "max_unpaid_seats_per_address": "60",
            "last_seats_threshold": "10",
            "last_seats_per_address": "4",
        },
    )
    data["reminder_after_hours"] = "6"
    assert client.post(_url(congress), data).status_code == 400
    saved = RegistrationSettings.objects.get(congress=congress)
    assert (saved.max_unpaid_orders_per_email, saved.reminder_after_hours) == (1, 24)


def test_a_post_without_a_fingerprint_is_refused(client, alice, congress):
    client.force_login(alice)
    data = _shown(client, congress)
    data.pop("fingerprint")
    data["total_capacity"] = "10"
    assert client.post(_url(congress), data).status_code == 400
    assert not RegistrationSettings.objects.exists()


def test_an_unchanged_save_writes_no_audit_entry(client, alice, congress):
    update_registration_settings(congress=congress, total_capacity=50)
    client.force_login(alice)
    before = AuditEntry.objects.count()
    assert client.post(_url(congress), _shown(client, congress)).status_code == 302
    assert AuditEntry.objects.count() == before


def test_reset_restores_the_defaults_but_keeps_the_payment_methods(client, alice, congress):
    update_registration_settings(
        congress=congress, total_capacity=50, hold_minutes=90, accept_card=False
    )
    client.force_login(alice)
    assert (
        "Reset every registration setting"
        in client.get(_url(congress, "manage_settings_reset")).content.decode()
    )
    response = client.post(_url(congress, "manage_settings_reset"))
    assert response.status_code == 302
    saved = RegistrationSettings.objects.get(congress=congress)
    assert (saved.total_capacity, saved.hold_minutes, saved.accept_card) == (None, None, False)
    entry = AuditEntry.objects.get(action="convene.registration_settings.reset")
    assert entry.data["changed"]["hold_minutes"] == ["90", ""]


def test_reset_of_default_payment_methods_deletes_the_row(client, alice, congress):
    update_registration_settings(congress=congress, total_capacity=50)
    client.force_login(alice)
    client.post(_url(congress, "manage_settings_reset"))
    assert not RegistrationSettings.objects.exists()
    assert AuditEntry.objects.filter(action="convene.registration_settings.deleted").exists()


def test_the_service_refuses_a_stale_fingerprint(congress):
    from events_site.congresses.edit_conflicts import EditConflict

    current = RegistrationSettings.for_congress(congress)
    shown = fingerprint(current, SETTINGS_FIELDS)
    update_registration_settings(congress=congress, total_capacity=10)
    with pytest.raises(EditConflict):
        update_registration_settings(
            congress=congress,
            shown_fingerprint=shown,
            **{name: getattr(current, name) for name in SETTINGS_FIELDS},
        )


def test_the_nav_links_to_the_page_for_registration_managers_only(client, congress):
    link = _url(congress)
    client.force_login(_member(congress, "registration"))
    assert link in client.get(f"/{congress.slug}/manage/").content.decode()
    client.force_login(_member(congress, "checkin"))
    assert link not in client.get(f"/{congress.slug}/manage/").content.decode()


def test_the_seat_cap_per_e_mail_address_stays_at_least_the_largest_delegation(
    client, alice, congress
):
    client.force_login(alice)
    data = _shown(client, congress)
    data.update(max_delegates_per_order="25", max_unpaid_seats_per_email="20")
    response = client.post(_url(congress), data)
    assert response.status_code == 400
    assert "largest delegation per order (25)" in str(
        response.context["form"].errors["max_unpaid_seats_per_email"]
    )
    data.update(max_unpaid_seats_per_email="25", last_seats_threshold="")
    assert client.post(_url(congress), data).status_code == 302
    saved = RegistrationSettings.objects.get(congress=congress)
    assert (saved.max_unpaid_seats_per_email, saved.last_seats_threshold) == (25, None)
