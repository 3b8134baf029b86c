"""The desk page and the check-in API show a person from one view of them (``desk_person``):
the same verdict, problem, check-in time, staff member and desk."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from badges import selectors, services
from badges.enums import CheckInChannel
from registrations.enums import OrderStatus
from tests.badges.conftest import make_delegate
from tests.factories import api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def scanner(bob, congress):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(bob, congress)}")
    return client


def api_person(scanner, congress, delegate) -> dict:
    response = scanner.post(
        f"/api/v1/congresses/{congress.slug}/checkin/lookup/",
        {"delegate": delegate.pk},
        format="json",
    )
    assert response.status_code == 200
    return response.json()["person"]


def page_person(client, congress, delegate):
    url = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    response = client.get(f"{url}?{urlencode({'delegate': delegate.pk})}")
    assert response.status_code == 200
    return response.context["person"]


def test_page_and_api_read_one_view_of_a_checked_in_person(client, scanner, congress, bob):
    delegate = make_delegate(congress, given_name="Ana", organisation_name="<b>City</b>")
    badge = services.badge_for(delegate=delegate)
    services.check_in(badge=badge, by=bob, desk="Hall\u202eB", channel=CheckInChannel.DESK)
    client.force_login(bob)

    view = selectors.desk_person(selectors.desk_delegates(congress).get(pk=delegate.pk))
    page = page_person(client, congress, delegate)
    api = api_person(scanner, congress, delegate)

    assert isinstance(page, selectors.DeskPerson) and page == view
    assert (api["may_enter"], api["problem"], api["desk"]) == (True, None, view.desk)
    assert api["checked_in_by"] == view.checked_in_by.get_username() == "bob"
    assert api["checked_in_at"] == view.checked_in_at.isoformat()
    assert api["organisation"] == "<b>City</b>" and api["name"] == delegate.printed_name


def test_page_and_api_agree_on_why_someone_may_not_enter(client, scanner, congress, bob):
    unpaid = make_delegate(congress, status=OrderStatus.PENDING_PAYMENT, given_name="Unpaid")
    services.badge_for(delegate=unpaid)
    client.force_login(bob)

    page = page_person(client, congress, unpaid)
    api = api_person(scanner, congress, unpaid)

    assert not page.may_enter and api["may_enter"] is False
    assert api["problem"] == page.problem and api["problem_label"] == str(page.problem_label)
    assert api["checked_in_at"] is None and page.checked_in_at is None
