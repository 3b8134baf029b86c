"""Portuguese on a 390 px phone: the programme and the registration form are in Portuguese
(language menu, headings, buttons, field labels), with no English left in the interface and no
horizontal overflow (the page's scroll width equals the viewport's). Set
``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the pictures in the docs."""

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


def _in_portuguese(page) -> None:
    expect(page.locator("#language-select option:checked")).to_have_text("Português")
    body = page.locator("body")
    expect(body).to_contain_text("Ir para o conteúdo")
    for english in ("Skip to content", "Powered by Convene", "Register"):
        expect(body).not_to_contain_text(english)


@pytest.fixture
def programme(congress, alice, make_session, small_room, ana):
    make_session(title="Planos municipais contra o calor", speakers=[(ana, "moderator")])
    make_session(
        title="Oficina de obrigações verdes",
        format=SessionFormat.WORKSHOP,
        capacity=5,
        room=small_room,
        start=(14, 0),
    )
    services.publish_schedule(congress=congress, by=alice)
    RegistrationTypeFactory(
        congress=congress, code="member", name="Cidade membro", regular_price=Decimal("400.00")
    )


def test_the_programme_and_the_registration_form_in_portuguese_on_a_phone(
    page, live_server, programme
):
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "pt", "url": live_server.url}])

    page.goto(f"{live_server.url}/wcg-2027/")
    _in_portuguese(page)
    expect(page.get_by_role("link", name="Inscrever-se").first).to_be_visible()
    fits_the_phone(page, lang="pt", where="home")

    page.goto(f"{live_server.url}/wcg-2027/schedule/?view=list")
    _in_portuguese(page)
    expect(page.get_by_role("link", name="Planos municipais contra o calor")).to_be_visible()
    expect(page.locator("body")).to_contain_text(
        "Os horários são mostrados no fuso horário do congresso (Asia/Seoul)."
    )
    fits_the_phone(page, lang="pt", where="programme")
    screenshot(page, "pt-programme-phone.png")

    page.goto(f"{live_server.url}/wcg-2027/register/")
    _in_portuguese(page)
    page.get_by_label("Cidade membro").check()
    page.fill("[name='delegates']", "3")
    page.get_by_role("button", name="Continuar").click()
    expect(page.locator("#review-registration")).to_have_text("Continuar")
    _in_portuguese(page)
    expect(page.get_by_text("Contato para este pedido")).to_be_visible()
    expect(page.get_by_label("Nome de família").first).to_be_visible()
    fits_the_phone(page, lang="pt", where="registration form")
    screenshot(page, "pt-registration-phone.png")

    # The delegation of three registers through the summary step, all in Portuguese.
    page.fill("[name='contact_name']", "Joana Ferreira")
    page.fill("[name='email']", "joana.ferreira@porto.example")
    for index, (given, family) in enumerate(
        [("Joana", "Ferreira"), ("Tiago", "Gonçalves"), ("Ngozi", "Adeyemi")]
    ):
        page.fill(f"[name='delegates-{index}-given_name']", given)
        page.fill(f"[name='delegates-{index}-family_name']", family)
        page.select_option(f"[name='delegates-{index}-country']", "PT")
    page.locator("#review-registration").click()
    expect(page.locator("#summary-delegates tbody tr")).to_have_count(3)
    _in_portuguese(page)
    fits_the_phone(page, lang="pt", where="registration summary")
    page.locator("#consent").check()
    page.locator("#confirm-registration").click()
    page.wait_for_url("**/orders/**")
    expect(page.locator(".delegate-row")).to_have_count(3)
    _in_portuguese(page)
    fits_the_phone(page, lang="pt", where="order page")
    order = Order.objects.get()
    assert sorted(order.delegates.values_list("family_name", flat=True)) == [
        "Adeyemi",
        "Ferreira",
        "Gonçalves",
    ]
