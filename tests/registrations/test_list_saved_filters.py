"""The delegate list's world-region and checked-in filters, and saved filters (per person per
congress, named, optionally shared; applied by link, deleted by their owner), with hostile
input on the save form and a fixed number of queries at 20,000 delegates."""

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from badges.models import Badge
from events_site.congresses.models import AuditEntry
from registrations import regions
from registrations.errors import RegistrationError
from registrations.list_forms import DelegateListForm
from registrations.models import SavedDelegateFilter
from registrations.services.saved_filters import LIST_KEYS, delete_filter, save_filter
from tests.factories import TeamMembershipFactory, UserFactory

from .test_registrations_list import (
    bulk_delegates,
    delegate,
    list_url,
    shown,
)

pytestmark = pytest.mark.django_db

SLUG = "wcg-2027"


@pytest.fixture
def listed(client, alice):
    client.force_login(alice)
    return client


def save_url():
    return reverse("registrations:manage_filter_save", kwargs={"congress_slug": SLUG})


def delete_url(saved):
    return reverse(
        "registrations:manage_filter_delete", kwargs={"congress_slug": SLUG, "filter_id": saved.pk}
    )


# --- world regions ---------------------------------------------------------------------------


def test_regions_come_from_cldr_each_country_in_one_subregion():
    assert regions.region_of("PT") == "150" and regions.subregion_of("PT") == "039"
    assert regions.region_of("kr") == "142" and regions.subregion_of("KR") == "030"
    assert regions.region_of("BR") == "019" and regions.region_of("NG") == "002"
    assert regions.region_of("") is None and regions.region_of("ZZ") is None
    assert sorted(regions.countries_in("021")) == ["BM", "CA", "GL", "PM", "US"]
    assert regions.countries_in("150") >= {"FR", "CH", "PT", "DE", "UA"}
    assert regions.area_name("150", "fr") == "Europe"
    assert regions.area_name("019", "es") == "América"
    areas = [code for code, _name in regions.area_choices("en")]
    assert areas[:2] == ["019", "021"] and len(areas) == len(set(areas))


def test_every_country_of_the_country_field_has_a_region():
    from django_countries import countries

    assert [code for code, _name in countries if regions.region_of(code) is None] == []


@pytest.fixture
def spread(congress, regtype):
    delegate(congress, regtype, family_name="Lisbon", country="PT")
    delegate(congress, regtype, family_name="Oslo", country="NO")
    delegate(congress, regtype, family_name="Seoul", country="KR")
    delegate(congress, regtype, family_name="Lagos", country="NG")
    delegate(congress, regtype, family_name="Nowhere", country="")


@pytest.mark.parametrize(
    ("region", "expected"),
    [
        ("150", ["Lisbon", "Oslo"]),
        ("039", ["Lisbon"]),
        ("154", ["Oslo"]),
        ("142", ["Seoul"]),
        ("011", ["Lagos"]),
        ("009", []),
    ],
)
def test_the_region_filter_narrows_by_the_delegates_country(listed, spread, region, expected):
    assert sorted(shown(listed.get(list_url(), {"region": region}))) == expected


@pytest.mark.parametrize("value", ["\x00", "999", "<b>", "x" * 10_000, "EU", "001"])
def test_an_unknown_region_filters_nothing(listed, spread, value):
    """Refused whole (the site refuses a NUL anywhere in a request) or ignored."""
    response = listed.get(list_url(), {"region": value})
    if "\x00" in value:
        assert response.status_code == 400
        return
    assert response.status_code == 200
    assert len(shown(response)) == 5


def test_the_checked_in_filter_reads_the_badges(listed, congress, regtype):
    came = delegate(congress, regtype, family_name="Came")
    badged = delegate(congress, regtype, family_name="Badged")
    delegate(congress, regtype, family_name="NoBadge")
    Badge.objects.create(delegate=came, congress=congress, checked_in_at=timezone.now())
    Badge.objects.create(delegate=badged, congress=congress)
    assert shown(listed.get(list_url(), {"checked_in": "yes"})) == ["Came"]
    assert sorted(shown(listed.get(list_url(), {"checked_in": "no"}))) == ["Badged", "NoBadge"]


def test_the_list_form_and_the_saved_filters_know_the_same_keys():
    form = DelegateListForm({}, types=[])
    assert set(form.fields) == set(LIST_KEYS)


# --- saved filters: the service --------------------------------------------------------------


def test_a_saved_filter_keeps_only_the_lists_keys_and_replaces_one_of_the_same_name(
    congress, alice
):
    saved = save_filter(
        congress=congress,
        by=alice,
        name="  Visa   Europe ",
        query="region=150&visa=yes&page=7&evil=1&col=city&col=visa&q=",
    )
    assert saved.name == "Visa Europe"
    assert QueryDict(saved.query) == QueryDict("region=150&visa=yes&col=city&col=visa")
    again = save_filter(congress=congress, by=alice, name="Visa Europe", query="visa=no")
    assert again.pk == saved.pk and again.query == "visa=no"
    assert AuditEntry.objects.filter(action="convene.registration.filter_saved").count() == 2


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("", "visa=yes"),
        ("   ", "visa=yes"),
        ("a\x00b", "visa=yes"),
        ("x" * 81, "visa=yes"),
        ("No filter", ""),
        ("Only a page", "page=3"),
        ("Control", "q=a%07b"),
        ("Long", "q=" + "x" * 3000),
    ],
)
def test_a_filter_without_a_good_name_or_any_filter_is_refused(congress, alice, name, query):
    with pytest.raises(RegistrationError):
        save_filter(congress=congress, by=alice, name=name, query=query)
    assert not SavedDelegateFilter.objects.exists()


def test_only_the_owner_deletes_a_filter(congress, alice, bob):
    saved = save_filter(congress=congress, by=alice, name="Mine", query="visa=yes", shared=True)
    with pytest.raises(RegistrationError):
        delete_filter(saved=saved, by=bob)
    delete_filter(saved=saved, by=alice)
    assert not SavedDelegateFilter.objects.exists()
    assert AuditEntry.objects.filter(action="convene.registration.filter_deleted").exists()


# --- saved filters: the pages ----------------------------------------------------------------


def test_save_a_filter_then_apply_it_from_the_list(listed, spread, alice):
    response = listed.post(save_url(), {"name": "Europe", "query": "region=150&page=2"})
    saved = SavedDelegateFilter.objects.get()
    assert saved.owner == alice and saved.query == "region=150"
    assert response.status_code == 302 and response["Location"].endswith("?region=150")
    page = listed.get(list_url())
    assert page.context["saved_filters"] == [saved]
    assert 'href="?region=150"' in page.text
    assert sorted(shown(listed.get(list_url() + "?" + saved.query))) == ["Lisbon", "Oslo"]


def test_shared_filters_show_to_the_team_private_ones_do_not(client, congress, alice):
    colleague = UserFactory(username="colleague")
    TeamMembershipFactory(congress=congress, user=colleague, role="registration")
    save_filter(congress=congress, by=alice, name="Shared", query="visa=yes", shared=True)
    save_filter(congress=congress, by=alice, name="Private", query="visa=no")
    client.force_login(colleague)
    page = client.get(list_url())
    assert [f.name for f in page.context["saved_filters"]] == ["Shared"]
    saved = SavedDelegateFilter.objects.get(name="Shared")
    client.post(delete_url(saved))
    assert SavedDelegateFilter.objects.filter(pk=saved.pk).exists()  # not theirs


def test_a_filter_of_another_congress_is_not_found(client, other_congress, charlie, alice):
    saved = save_filter(congress=other_congress, by=charlie, name="Theirs", query="visa=yes")
    client.force_login(alice)
    assert client.post(delete_url(saved)).status_code == 404


HOSTILE = ["\x00", "a\x07b", "<script>alert(1)</script>", "x" * 10_000, "名前 اسم"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_on_the_save_form_never_500s_nor_stores_markup_unescaped(listed, value):
    for data in ({"name": value, "query": "visa=yes"}, {"name": "ok", "query": value}):
        response = listed.post(save_url(), data, follow=True)
        assert response.status_code == (400 if "\x00" in value else 200)
        assert "<script>alert(1)</script>" not in response.text
    for saved in SavedDelegateFilter.objects.all():
        assert "\x00" not in saved.name + saved.query
        assert len(saved.name) <= 80


# --- at 20,000 delegates ---------------------------------------------------------------------


def test_the_new_filters_and_saved_filters_keep_a_fixed_number_of_queries(
    listed, congress, regtype, alice, django_assert_max_num_queries
):
    bulk_delegates(congress, regtype, 20_000)
    for n in range(30):
        save_filter(congress=congress, by=alice, name=f"F{n}", query=f"region=150&q={n}")
    queries = [
        {"region": "150"},
        {"region": "155", "checked_in": "no", "sort": "-registered", "col": ["city"]},
        {"region": "039", "checked_in": "yes", "visa": "yes", "page": "3"},
    ]
    for query in queries:
        with django_assert_max_num_queries(17):
            response = listed.get(list_url(), query)
        assert response.status_code == 200
    counts = {
        region: listed.get(list_url(), {"region": region}).context["page"].paginator.count
        for region in ("150", "155", "039", "142")
    }
    # countries cycle FR, CH, PT: all in Europe; FR and CH in Western Europe, PT in Southern
    assert counts == {
        "150": 20_000,
        "155": sum(1 for n in range(20_000) if n % 3 in (0, 1)),
        "039": sum(1 for n in range(20_000) if n % 3 == 2),
        "142": 0,
    }
