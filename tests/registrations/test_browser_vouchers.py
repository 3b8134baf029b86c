"""Vouchers in Chromium: a registration manager (not a superuser) makes a voucher, edits it,
draws a batch and downloads its codes, and reads a voucher's redemptions.
``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import csv
import io
import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.enums import OrderStatus, VoucherKind
from registrations.models import Voucher
from registrations.services import vouchers as services
from tests.browser import screenshot, signed_in
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def manager(congress):
    user = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    return user


@pytest.fixture
def types(congress):
    return [
        RegistrationTypeFactory(congress=congress, code="speaker", name="Speaker", position=1),
        RegistrationTypeFactory(congress=congress, code="staff", name="Staff", position=2),
        RegistrationTypeFactory(congress=congress, code="member", name="Member", position=0),
    ]


def _base(live_server, congress) -> str:
    return f"{live_server.url}/{congress.slug}/manage/registrations/vouchers/"


def test_a_manager_makes_and_edits_a_voucher(page, live_server, congress, manager, types):
    assert not manager.is_superuser
    services.create_voucher(
        congress=congress, code="LOWINCOME", value=Decimal("60"), max_uses=40, comment="Grants"
    )
    services.create_voucher(
        congress=congress,
        code="SISTERCITY",
        kind=VoucherKind.FIXED,
        value=Decimal("150"),
        comment="Partner cities",
    )
    page = signed_in(page, live_server, manager)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Vouchers").first.click()
    page.get_by_role("link", name="New voucher").click()
    page.fill("#id_code", "speaker-2027")
    page.select_option("#id_kind", VoucherKind.PERCENTAGE)
    page.fill("#id_value", "100")
    page.fill("#id_max_uses", "120")
    page.get_by_label("Speaker").check()
    page.fill("#id_valid_until", "2027-05-13T18:00")
    page.fill("#id_comment", "Invited speakers — sent with the invitation letter")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    voucher = Voucher.objects.get(congress=congress, code="SPEAKER-2027")
    assert [t.code for t in voucher.registration_types.all()] == ["speaker"]

    page.get_by_role("link", name="SPEAKER-2027").click()
    page.fill("#id_max_uses", "150")
    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    voucher.refresh_from_db()
    assert voucher.max_uses == 150

    page.goto(_base(live_server, congress))
    page.get_by_role("button", name="Deactivate SISTERCITY").click()
    page.locator(".messages").wait_for()
    assert not Voucher.objects.get(code="SISTERCITY").is_active
    rows = page.locator("table.vouchers tbody tr")
    expect(rows).to_have_count(3)
    assert "Inactive" in page.locator("tr.status-inactive").inner_text()
    assert "100%" in page.locator("tr", has_text="SPEAKER-2027").inner_text()
    screenshot(page, "manage-vouchers.png")


def test_a_manager_draws_a_batch_and_downloads_its_codes(
    page, live_server, congress, manager, types
):
    page = signed_in(page, live_server, manager)
    page.goto(_base(live_server, congress))
    page.get_by_role("link", name="New batch of vouchers").click()
    page.fill("#id_count", "12")
    page.fill("#id_prefix", "staff-")
    page.select_option("#id_kind", VoucherKind.SET_PRICE)
    page.fill("#id_value", "0")
    page.fill("#id_max_uses", "1")
    page.get_by_label("Staff").check()
    page.fill("#id_comment", "Volunteers, one each")
    page.get_by_role("button", name="Create the vouchers").click()
    page.locator(".voucher-batch").wait_for()
    assert "12 vouchers in this batch" in page.locator(".voucher-batch").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this batch’s codes (CSV)").click()
    download = download_info.value
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))
    codes = {row[0] for row in rows[1:]}
    assert len(codes) == 12 and all(code.startswith("STAFF-") for code in codes)
    assert codes == set(Voucher.objects.filter(congress=congress).values_list("code", flat=True))
    screenshot(page, "manage-voucher-batch.png")


def test_a_manager_reads_who_redeemed_a_voucher(page, live_server, congress, manager, types):
    speaker = types[0]
    voucher = services.create_voucher(
        congress=congress,
        code="SPEAKER-2027",
        value=Decimal("100"),
        max_uses=10,
        registration_types=[speaker],
    )
    people = [
        ("Yuki", "Tanaka", OrderStatus.PAID),
        ("Amira", "Haddad", OrderStatus.PAID),
        ("Lars", "Eriksen", OrderStatus.CANCELLED),
    ]
    for given, family, status in people:
        order = OrderFactory(congress=congress, voucher=voucher, status=status, total=0)
        DelegateFactory(
            order=order,
            registration_type=speaker,
            voucher=voucher,
            given_name=given,
            family_name=family,
            price=Decimal("0.00"),
        )
    page = signed_in(page, live_server, manager)
    page.goto(_base(live_server, congress))
    page.get_by_role("link", name="Redemptions").first.click()
    page.locator("table.redemptions").wait_for()
    expect(page.locator("tr.redemption")).to_have_count(3)
    assert "2 uses of 10." in page.content()
    text = page.locator("table.redemptions").inner_text()
    assert "Yuki Tanaka" in text and "Lars Eriksen" in text
    expect(page.locator("table.redemptions a")).to_have_count(0)  # no finance role: no order links
    screenshot(page, "manage-voucher-redemptions.png")
