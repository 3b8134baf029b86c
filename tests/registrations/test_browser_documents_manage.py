"""The organisers' document pages in Chromium: certificates issued in bulk, filtered and one
revoked with a reason; the document settings saved with a signing certificate, the passphrase
never shown back, a wrong one refused on the page.

Set ``CONVENE_SCREENSHOTS=docs/screenshots`` to refresh the pictures in the docs."""

import os
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from registrations.enums import CertificateStatus
from registrations.lifecycle import OrderStatus
from registrations.models import Certificate, DocumentSettings
from tests.factories import DelegateFactory, OrderFactory
from tests.registrations.test_certificates import _check_in, _self_signed_pkcs12

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


def _screenshot(page, name: str) -> None:
    folder = os.environ.get("CONVENE_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def _signed_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.set_viewport_size({"width": 1300, "height": 900})
    return page


def test_organiser_issues_filters_and_revokes_certificates(page, live_server, congress, alice):
    for given, family in [("Aya", "Koffi"), ("Ana", "Silva"), ("Jun", "Park")]:
        delegate = DelegateFactory(
            order=OrderFactory(congress=congress, status=OrderStatus.PAID),
            given_name=given,
            family_name=family,
        )
        _check_in(delegate, alice)
    page = _signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{congress.slug}/manage/certificates/")
    expect(page.locator(".certificate-row")).to_have_count(0)
    expect(page.locator("table.certificates")).to_contain_text("No certificate yet.")
    page.get_by_role("button", name="Issue certificates to every eligible delegate").click()
    expect(page.locator("body")).to_contain_text("3 certificates issued.")
    expect(page.locator(".certificate-row")).to_have_count(3)

    row = page.locator(".certificate-row", has_text="Silva")
    row.get_by_label("Reason").fill("Checked in by mistake")
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("body")).to_contain_text("The certificate is revoked.")
    expect(page.locator(".certificate-row", has_text="Silva")).to_contain_text(
        "Checked in by mistake"
    )
    revoked = Certificate.objects.get(delegate__family_name="Silva")
    assert revoked.status == CertificateStatus.REVOKED

    page.get_by_label("Status").select_option(CertificateStatus.ISSUED)
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(
        f"{live_server.url}/{congress.slug}/manage/certificates/?kind=&status=issued"
    )
    expect(page.locator(".certificate-row")).to_have_count(2)
    expect(page.locator("table.certificates")).not_to_contain_text("Silva")
    page.get_by_label("Status").select_option("")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".certificate-row")).to_have_count(3)
    _screenshot(page, "certificates.png")

    page.locator(".certificate-row", has_text="Koffi").get_by_role(
        "link", name="Verification page"
    ).click()
    expect(page.locator(".verify-valid")).to_contain_text("Valid")


def test_organiser_saves_signing_settings_and_never_sees_the_passphrase(
    page, live_server, congress, alice, tmp_path
):
    p12 = tmp_path / "signer.p12"
    p12.write_bytes(_self_signed_pkcs12(b"s3cret-phrase"))
    page = _signed_in(page, live_server, alice)
    page.goto(f"{live_server.url}/{congress.slug}/manage/documents/settings/")
    expect(page.locator("body")).to_contain_text("No passphrase is stored.")
    page.get_by_label("Signed by").fill("Secretary General")
    page.get_by_label("Signing certificate (PKCS#12)").set_input_files(str(p12))
    page.get_by_label("Passphrase of the signing certificate").fill("not-the-phrase")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[role=alert]").first).to_contain_text(
        "The signing certificate cannot be read with this passphrase."
    )
    expect(page.get_by_label("Passphrase of the signing certificate")).to_have_value("")
    assert not DocumentSettings.objects.filter(congress=congress).exists()

    page.get_by_label("Signing certificate (PKCS#12)").set_input_files(str(p12))
    page.get_by_label("Passphrase of the signing certificate").fill("s3cret-phrase")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("Document settings saved.")
    expect(page.get_by_label("Passphrase of the signing certificate")).to_have_value("")
    expect(page.locator("body")).to_contain_text("A passphrase is stored (sealed).")
    expect(page.get_by_label("Forget the stored passphrase")).not_to_be_checked()
    assert "s3cret-phrase" not in page.content()
    _screenshot(page, "document-settings.png")

    page.get_by_label("Signed by").fill("Mayor of the host city")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("Document settings saved.")
    row = DocumentSettings.objects.get(congress=congress)
    assert row.signatory_name == "Mayor of the host city"
    assert row.signing_passphrase == "s3cret-phrase"
