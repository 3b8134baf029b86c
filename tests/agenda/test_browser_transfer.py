"""The first view of the demo congress's programme on a phone, measured in Chromium: everything
the browser fetched (page, styles, scripts, images) under 200 kB transferred (issue 19)."""

import io
import os

import pytest
from django.core.management import call_command
from django.urls import reverse

# The ORM is used beside Playwright's sync API in this thread (as the other browser tests do).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIMIT = 200 * 1024
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0 Mobile Safari/537.36",
}

TRANSFERRED = """() => {
  const [navigation] = performance.getEntriesByType('navigation');
  const resources = performance.getEntriesByType('resource');
  return {
    page: navigation.transferSize,
    encoded: navigation.encodedBodySize,
    decoded: navigation.decodedBodySize,
    resources: resources.map(r => [r.name, r.transferSize]),
    total: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
  };
}"""


@pytest.fixture
def demo_programme(transactional_db):
    """The demo congress as `make run` builds it, without its registrations and badges (the
    programme is what the page shows)."""
    call_command("seed_demo", delegates=0, skip=["registrations", "badges"], stdout=io.StringIO())


def test_the_first_view_of_the_programme_on_a_phone_transfers_under_200_kb(
    live_server, demo_programme, browser
):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    network: list[int] = []  # each response body as it came over the wire
    page.on("requestfinished", lambda request: network.append(request.sizes()["responseBodySize"]))
    url = live_server.url + reverse("agenda:schedule", kwargs={"congress_slug": "wcg-2027"})
    page.goto(url, wait_until="networkidle")
    measured = page.evaluate(TRANSFERRED)
    context.close()
    assert measured["resources"], "the page loaded no style or script: nothing was measured"
    assert measured["decoded"] > measured["encoded"], "the page itself came uncompressed"
    assert measured["total"] < LIMIT, measured
    # Chromium's own network log agrees: the bodies it received (compressed, as sent)
    assert network and sum(network) < LIMIT, network
