"""German on a 390 px phone: the home page, the programme and the registration form (details,
summary and the order page) are in German (language menu, headings, buttons, field labels), with
no English left in the interface and no horizontal overflow (the page's scroll width equals the
viewport's), although German words are long. Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to
refresh the pictures in the docs."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.models import Order
from sessions import services
from sessions.enums import SessionFormat
from tests.browser import PHONE, fits_the_phone, screenshot
from tests.factories import RegistrationTypeFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits_the_phone(page, where: str) -> None:
    fits_the_phone(page, where, lang="de")
    # No element sticks out of the viewport (a long German word in a box of fixed width).
    wider = page.evaluate(
        """() => [...document.body.querySelectorAll('*')]
            .filter(e => e.getClientRects().length)
            .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
            .filter(e => !e.closest('.visually-hidden, .skip-link'))
            .map(e => `${e.tagName}.${e.className}: ${(e.innerText || '').trim().slice(0, 40)}`)"""
    )
    assert not wider, f"{where}: {wider[:6]}"


def _in_german(page) -> None:
    expect(page.locator("#language-select option:checked")).to_have_text("Deutsch")
    body = page.locator("body")
    expect(body).to_contain_text("Zum Inhalt springen")
    expect(body).to_contain_text("Betrieben mit Convene")
    for english in ("Skip to content", "Powered by Convene", "Register", "Continue"):
        expect(body).not_to_contain_text(english)


@pytest.fixture
def programme(congress, alice, make_session, small_room, ana):
    congress.languages = ["en", "de"]
    congress.save(update_fields=["languages"])
    make_session(
        title="Kommunale Hitzeaktionspläne und Klimaanpassungsstrategien",
        speakers=[(ana, "moderator")],
    )
    make_session(
        title="Werkstatt Grüne Kommunalanleihen",
        format=SessionFormat.WORKSHOP,
        capacity=5,
        room=small_room,
        start=(14, 0),
    )
    services.publish_schedule(congress=congress, by=alice)
    RegistrationTypeFactory(
        congress=congress,
        code="member",
        name="Mitgliedskommune",
        regular_price=Decimal("400.00"),
    )


def test_the_programme_and_the_registration_in_german_on_a_phone(page, live_server, programme):
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": live_server.url}])

    page.goto(f"{live_server.url}/wcg-2027/")
    _in_german(page)
    expect(page.get_by_role("link", name="Anmelden").first).to_be_visible()
    _fits_the_phone(page, "home")

    page.goto(f"{live_server.url}/wcg-2027/schedule/?view=list")
    _in_german(page)
    expect(
        page.get_by_role("link", name="Kommunale Hitzeaktionspläne und Klimaanpassungsstrategien")
    ).to_be_visible()
    expect(page.locator("body")).to_contain_text(
        "Die Zeiten werden in der Zeitzone des Kongresses angezeigt (Asia/Seoul)."
    )
    _fits_the_phone(page, "programme")
    screenshot(page, "de-programme-phone.png")

    page.goto(f"{live_server.url}/wcg-2027/register/")
    _in_german(page)
    page.get_by_label("Mitgliedskommune").check()
    page.fill("[name='delegates']", "3")
    page.get_by_role("button", name="Weiter", exact=True).click()
    expect(page.get_by_text("Kontaktperson für diese Bestellung")).to_be_visible()
    _in_german(page)
    expect(page.get_by_label("Nachname").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("Mit * markierte Felder sind Pflichtfelder.")
    _fits_the_phone(page, "registration form")
    screenshot(page, "de-registration-phone.png")

    page.fill("[name='contact_name']", "Johanna Schmidt-Hohenstein")
    page.fill("[name='email']", "internationales@stadt-musterhausen.example")
    for index, (given, family) in enumerate(
        [("Johanna", "Schmidt-Hohenstein"), ("Özlem", "Yıldırım"), ("Maximilian", "Großkopf")]
    ):
        page.fill(f"[name='delegates-{index}-given_name']", given)
        page.fill(f"[name='delegates-{index}-family_name']", family)
        page.select_option(f"[name='delegates-{index}-country']", "DE")
    page.get_by_role("button", name="Weiter", exact=True).click()
    expect(page.get_by_role("heading", name="3. Prüfen und bestätigen")).to_be_visible()
    _in_german(page)
    _fits_the_phone(page, "summary")

    page.get_by_label("Ich habe die obigen Bedingungen gelesen").check()
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    page.wait_for_url("**/orders/**")
    expect(page.locator(".delegate-row")).to_have_count(3)
    _in_german(page)
    _fits_the_phone(page, "order page")
    order = Order.objects.get()
    assert order.delegates.count() == 3
    # German is one of this congress's languages: the e-mails start in the language read.
    assert order.language == "de"
