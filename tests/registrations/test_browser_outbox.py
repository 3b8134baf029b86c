"""The outbox in Chromium: a registration manager (not a superuser) filters the registrations
list to one registration type, writes to those delegates, previews the message for one of
them, reviews the count, sends it, and finds it in the outbox history with its recipients.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os

import pytest
from django.core import mail
from playwright.sync_api import expect

from registrations.enums import EmailStatus
from registrations.models import OutboxMessage, SentEmail
from tests.browser import screenshot, signed_in
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
    VenueFactory,
)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(congress):
    user = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    return user


@pytest.fixture
def delegates(congress):
    congress.languages = ["en", "fr"]
    congress.save(update_fields=["languages"])
    VenueFactory(congress=congress, name="Palais des Congrès", city="Lyon")
    press = RegistrationTypeFactory(congress=congress, code="press", name="Press")
    member = RegistrationTypeFactory(congress=congress, code="member", name="Member")
    people = [
        ("Amélie", "Durand", "amelie@presse.example", "fr", press),
        ("Ben", "Okafor", "ben@news.example", "en", press),
        ("Chen", "Wei", "chen@news.example", "en", press),
        ("Dora", "Member", "dora@city.example", "en", member),
    ]
    for given, family, email, language, rtype in people:
        order = OrderFactory(
            congress=congress, contact_name=f"{given} {family}", email=email, language=language
        )
        DelegateFactory(
            order=order,
            registration_type=rtype,
            given_name=given,
            family_name=family,
            email=email,
            language=language,
        )


def test_a_manager_writes_to_a_filtered_list_previews_sends_and_finds_it_in_the_outbox(
    page, live_server, congress, manager, delegates
):
    assert not manager.is_superuser
    page = signed_in(page, live_server, manager)
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/")
    page.select_option("#id_type", "press")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator(".delegate-count")).to_contain_text("3 delegates")
    page.get_by_role("link", name="Write to them").click()
    expect(page.locator("body")).to_contain_text("3 recipients")

    page.fill("#id_subject", "{congress}: your press badge")
    page.fill(
        "#id_body",
        "Dear {name},\n\n{badge_pickup}\n\nYour agenda: {agenda_link}\n",
    )
    page.locator("details[data-language='fr'] summary").click()
    page.fill("#id_subject_fr", "{congress} : votre badge presse")
    page.fill("#id_body_fr", "Bonjour {name},\n\n{badge_pickup}\n")
    amelie = page.locator("#id_preview_for option", has_text="amelie@").get_attribute("value")
    page.select_option("#id_preview_for", amelie)
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview-body")).to_contain_text("Bonjour Amélie Durand")
    expect(page.locator(".preview-subject")).to_contain_text("votre badge presse")
    screenshot(page, "manage-outbox-compose.png")
    assert not OutboxMessage.objects.exists()

    page.get_by_role("button", name="Review and send").click()
    expect(page.locator(".review-count")).to_contain_text("This message goes to 3 recipients.")
    screenshot(page, "manage-outbox-review.png")
    page.get_by_role("button", name="Send to 3 recipients").click()
    expect(page.locator(".outbox-counts")).to_contain_text("3 recipients: 3 sent, 0 failed")
    screenshot(page, "manage-outbox-message.png")
    for address in ("amelie@presse.example", "ben@news.example", "chen@news.example"):
        expect(page.locator(".outbox-recipients")).to_contain_text(address)
    assert "dora@city.example" not in page.locator(".outbox-recipients").inner_text()

    page.get_by_role("link", name="← Outbox").click()
    row = page.locator(".outbox-row").first
    expect(row).to_contain_text("your press badge")
    expect(row).to_contain_text("Press")
    screenshot(page, "manage-outbox-history.png")

    # the delegate's order page shows the message in its e-mail log, with its text
    order = SentEmail.objects.get(recipient="amelie@presse.example").order
    page.goto(f"{live_server.url}/{congress.slug}/manage/registrations/orders/{order.code}/")
    emails = page.locator("#emails")
    expect(emails).to_contain_text("votre badge presse")
    emails.locator("summary").first.click()
    expect(emails.locator(".sent-email-body").first).to_contain_text("Bonjour Amélie Durand")
    emails.scroll_into_view_if_needed()
    screenshot(page, "manage-outbox-order-emails.png")

    message = OutboxMessage.objects.get()
    assert set(
        SentEmail.objects.filter(outbox_message=message).values_list("status", flat=True)
    ) == {EmailStatus.SENT}
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["amelie@presse.example"].body.startswith("Bonjour Amélie Durand")
    assert by_address["ben@news.example"].subject == "World Congress 2027: your press badge"
