"""Content-Security-Policy: on every page, and no page of ours breaks under it."""

import os

import pytest
from django.urls import reverse

from events_site.csp import origin

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.mark.django_db
def test_every_response_carries_the_policy_with_the_configured_stripe_origins(client, settings):
    settings.STRIPE_JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"
    settings.STRIPE_API_BASE = ""
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self' http://127.0.0.1:8420"
    assert directives["connect-src"] == "'self' https://api.stripe.com"
    assert directives["frame-src"] == "http://127.0.0.1:8420 https://hooks.stripe.com"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in policy


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://js.stripe.com/v3/", "https://js.stripe.com"),
        ("http://127.0.0.1:8420/x", "http://127.0.0.1:8420"),
        ("", None),
        ("/relative/path", None),
    ],
)
def test_origin_of_a_url(url, expected):
    assert origin(url) == expected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_organiser_and_api_pages_run_under_the_policy(page, live_server):
    """Chromium reports every blocked script, style or frame as a console error."""
    from tests.factories import CongressFactory, RegistrationTypeFactory, UserFactory

    congress = CongressFactory(slug="wcg-2027", name="World Congress 2027")
    RegistrationTypeFactory(congress=congress, code="member", name="Member city")
    UserFactory(username="root", password="pw-Convene-1", is_staff=True, is_superuser=True)
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    pages = [
        "/",
        f"/{congress.slug}/",
        f"/{congress.slug}/register/",
        f"/{congress.slug}/register/details/?registration_type=member&delegates=2",
        f"/{congress.slug}/schedule/",
        reverse("api-docs"),
        "/admin/login/",
    ]
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status < 400, path
        assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    # The API docs really started (their start-up script is a file, allowed by the policy).
    page.goto(f"{live_server.url}{reverse('api-docs')}")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    # The delegate form's own script works: "Add another delegate" appears and adds a form.
    page.goto(
        f"{live_server.url}/{congress.slug}/register/details/?registration_type=member&delegates=1"
    )
    page.get_by_role("button", name="Add another delegate").click()
    assert page.locator("[data-delegate-form]:visible").count() == 2
    assert refused == []
