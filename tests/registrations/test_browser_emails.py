"""The automatic e-mails in Chromium: a registration manager (not a superuser) rewords the
French refund e-mail, previews it for a sample delegate, saves it, then resets it to the
default. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the picture."""

import os

import pytest
from playwright.sync_api import expect

from registrations.models import MailTemplate
from tests.browser import screenshot, signed_in
from tests.factories import TeamMembershipFactory, UserFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(congress):
    user = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    return user


def test_a_manager_rewords_previews_and_resets_an_automatic_email(
    page, live_server, congress, manager
):
    assert not manager.is_superuser
    page = signed_in(page, live_server, manager)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Automatic e-mails").first.click()
    page.locator("#email-refund").get_by_role("link", name="French").click()
    page.fill("#id_subject", "{congress} : remboursement de {order_code}")
    page.fill(
        "#id_body",
        "Bonjour {name},\n\nNous avons remboursé {amount} ({method}).\n{credit_note}\n\n"
        "Votre inscription : {order_link}\n",
    )
    page.get_by_role("button", name="Preview").click()
    preview = page.locator(".preview-body")
    preview.wait_for()
    assert "Bonjour Alex " in preview.inner_text()  # the sample delegate, in French
    assert not MailTemplate.objects.exists()
    screenshot(page, "manage-emails.png")

    page.fill("#id_body", "Bonjour {name}, {secret}")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".errorlist").first).to_contain_text("{secret}")
    page.fill("#id_body", "Bonjour {name}, {amount}")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    wording = MailTemplate.objects.get(congress=congress, key="refund", language="fr")
    assert wording.body == "Bonjour {name}, {amount}"

    page.get_by_role("button", name="Reset to default").click()
    page.locator("#email-refund").wait_for()
    assert not MailTemplate.objects.exists()
