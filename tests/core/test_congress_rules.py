import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from events_site.congresses import services
from events_site.congresses.models import Congress
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def congress_fields(**overrides):
    fields = {
        "name": "Summit",
        "slug": "summit",
        "start_date": dt.date(2027, 3, 1),
        "end_date": dt.date(2027, 3, 4),
        "time_zone": "America/Bogota",
        "currency": "USD",
        "languages": ["en", "es"],
    }
    return {**fields, **overrides}


def test_a_congress_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationError) as caught:
        services.create_congress(
            organisation=OrganisationFactory(), **congress_fields(end_date=dt.date(2027, 2, 1))
        )
    assert "end_date" in caught.value.message_dict
    assert not Congress.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "not a known IANA time zone"),
        ("currency", "XYZ", "not an ISO 4217 currency"),
        ("languages", ["en", "tlh"], "Unknown language codes"),
    ],
)
def test_unknown_time_zone_currency_or_language_is_refused(field, value, message):
    with pytest.raises(ValidationError) as caught:
        services.create_congress(
            organisation=OrganisationFactory(), **congress_fields(**{field: value})
        )
    assert message in " ".join(caught.value.message_dict[field])


def test_creator_becomes_owner_and_creation_is_audited(alice):
    congress = services.create_congress(
        organisation=OrganisationFactory(), by=alice, **congress_fields()
    )
    assert congress.team.get().role == "owner"
    assert congress.audit_entries.filter(action="convene.congress.created", actor=alice).exists()


def test_local_day_boundaries_use_the_congress_time_zone(congress):
    # Asia/Seoul is UTC+9: the first day starts at 15:00 UTC the evening before.
    assert congress.starts_at.utcoffset() == dt.timedelta(hours=9)
    assert congress.starts_at.astimezone(dt.UTC).hour == 15
    assert len(congress.days) == 4


def test_admin_refuses_a_congress_ending_before_it_starts(admin_client, congress):
    response = admin_client.post(
        f"/admin/congresses/congress/{congress.pk}/change/",
        {
            "organisation": congress.organisation_id,
            "name": congress.name,
            "slug": congress.slug,
            "start_date": "2027-05-10",
            "end_date": "2027-05-01",
            "time_zone": "Not/AZone",
            "currency": "EUR",
            "languages": '["en"]',
            "status": "draft",
            "venues-TOTAL_FORMS": "0",
            "venues-INITIAL_FORMS": "0",
            "team-TOTAL_FORMS": "0",
            "team-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "The last day cannot be before the first day." in content
    assert "is not a known IANA time zone" in content
    congress.refresh_from_db()
    assert congress.end_date == dt.date(2027, 5, 13)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"end_date": "2027-05-01"}, "end_date"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"currency": "EURO"}, "currency"),
    ],
)
def test_api_refuses_bad_congress_data_with_a_field_message(alice, congress, payload, field):
    client = APIClient()
    client.force_authenticate(alice)
    response = client.patch(f"/api/v1/congresses/{congress.slug}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    congress.refresh_from_db()
    assert congress.time_zone == "Asia/Seoul"


def test_api_updates_a_congress_for_its_owner(alice, congress):
    client = APIClient()
    client.force_authenticate(alice)
    response = client.patch(
        f"/api/v1/congresses/{congress.slug}/", {"tagline": "Cities first"}, format="json"
    )
    assert response.status_code == 200, response.content
    congress.refresh_from_db()
    assert congress.tagline == "Cities first"
    assert congress.audit_entries.filter(action="convene.congress.updated").exists()
