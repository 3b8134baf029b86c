"""The organisers' voucher pages: list, filters, one voucher, a batch, edit, (de)activation,
deletion, redemptions and the CSV export, behind ``registrations.manage``."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events_site.congresses.edit_conflicts import EditConflict, fingerprint
from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus, VoucherKind
from registrations.errors import VoucherRefused
from registrations.models import Voucher
from registrations.services import vouchers as services
from registrations.services.orders import voucher_uses
from tests.factories import (
    CongressFactory,
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def _member(congress, role):
    user = UserFactory(username=f"{role}-member")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    return user


@pytest.fixture
def speaker_type(congress):
    return RegistrationTypeFactory(congress=congress, code="speaker", name="Speaker")


@pytest.fixture
def voucher(congress, speaker_type):
    voucher = services.create_voucher(
        congress=congress,
        code="speaker-2027",
        kind=VoucherKind.PERCENTAGE,
        value=Decimal("100"),
        max_uses=3,
        comment="Invited speakers",
        registration_types=[speaker_type],
    )
    return voucher


def _used(voucher, n=1, *, status=OrderStatus.PAID, given_name="Ana", **delegate):
    order = OrderFactory(congress=voucher.congress, voucher=voucher, status=status)
    rtype = voucher.registration_types.first() or RegistrationTypeFactory(congress=voucher.congress)
    return [
        DelegateFactory(
            order=order,
            registration_type=rtype,
            voucher=voucher,
            price=Decimal("0.00"),
            given_name=given_name,
            **delegate,
        )
        for _ in range(n)
    ]


def _form(**overrides):
    data = {
        "code": "STAFF-2027",
        "kind": VoucherKind.FIXED,
        "value": "50.00",
        "max_uses": "10",
        "valid_until": "",
        "comment": "",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _batch_form(**overrides):
    data = {"count": "25", "prefix": "spk-", "kind": VoucherKind.SET_PRICE, "value": "0"}
    data |= {"max_uses": "1", "valid_until": "", "comment": ""}
    data.update(overrides)
    return data


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "registration"])
def test_owners_and_registration_managers_see_the_pages(client, congress, voucher, role):
    client.force_login(_member(congress, role))
    for name, kwargs in (
        ("manage_vouchers", {}),
        ("manage_voucher_new", {}),
        ("manage_voucher_batch", {}),
        ("manage_voucher_edit", {"voucher_id": voucher.pk}),
        ("manage_voucher_redemptions", {"voucher_id": voucher.pk}),
        ("manage_vouchers_export", {}),
    ):
        assert client.get(_url(name, congress, **kwargs)).status_code == 200, name


@pytest.mark.parametrize("role", ["finance", "checkin", "programme"])
def test_other_roles_are_refused(client, congress, voucher, role):
    client.force_login(_member(congress, role))
    assert client.get(_url("manage_vouchers", congress)).status_code == 403
    assert client.get(_url("manage_vouchers_export", congress)).status_code == 403
    response = client.post(_url("manage_voucher_deactivate", congress, voucher_id=voucher.pk))
    assert response.status_code == 403
    voucher.refresh_from_db()
    assert voucher.is_active


def test_another_congresss_voucher_is_not_found(client, alice, congress, other_congress):
    theirs = services.create_voucher(congress=other_congress, code="THEIRS", value=Decimal("10"))
    client.force_login(alice)
    for name in ("manage_voucher_edit", "manage_voucher_redemptions", "manage_voucher_delete"):
        assert client.get(_url(name, congress, voucher_id=theirs.pk)).status_code == 404
    response = client.post(_url("manage_voucher_deactivate", congress, voucher_id=theirs.pk))
    assert response.status_code == 404
    assert Voucher.objects.get(pk=theirs.pk).is_active


def test_the_nav_links_to_the_vouchers_for_the_registration_role(client, congress):
    client.force_login(_member(congress, "registration"))
    page = client.get(reverse("congresses:backoffice", kwargs={"congress_slug": congress.slug}))
    assert _url("manage_vouchers", congress) in page.content.decode()


# --- one voucher --------------------------------------------------------------------------


def test_an_organiser_creates_a_voucher_typed_in_lower_case(client, alice, congress, speaker_type):
    client.force_login(alice)
    response = client.post(
        _url("manage_voucher_new", congress),
        _form(code=" staff-2027 ", registration_types=[speaker_type.pk]),
    )
    assert response.status_code == 302
    voucher = Voucher.objects.get(congress=congress)
    assert voucher.code == "STAFF-2027"
    assert list(voucher.registration_types.all()) == [speaker_type]
    entry = AuditEntry.objects.get(action="convene.voucher.created")
    assert entry.actor == alice and entry.data["code"] == "STAFF-2027"


def test_a_blank_code_is_drawn_from_the_unambiguous_alphabet(client, alice, congress):
    client.force_login(alice)
    client.post(_url("manage_voucher_new", congress), _form(code=""))
    code = Voucher.objects.get(congress=congress).code
    assert len(code) == services.DRAWN_LENGTH
    assert set(code) <= set(services.CODE_ALPHABET)
    assert not set(code) & set("01OIL")


def test_valid_until_is_read_in_the_congress_zone(client, alice, congress):
    client.force_login(alice)
    client.post(_url("manage_voucher_new", congress), _form(valid_until="2027-05-09T23:59"))
    voucher = Voucher.objects.get(congress=congress)
    assert voucher.valid_until == dt.datetime(2027, 5, 9, 23, 59, tzinfo=congress.tz)
    page = client.get(_url("manage_vouchers", congress)).content.decode()
    assert "Asia/Seoul" in page
    assert "23:59" in page or "11:59" in page


def test_the_edit_form_shows_valid_until_in_the_congress_zone(client, alice, congress, voucher):
    services.update_voucher(
        voucher=voucher, valid_until=dt.datetime(2027, 5, 9, 14, 59, tzinfo=dt.UTC)
    )
    client.force_login(alice)
    page = client.get(_url("manage_voucher_edit", congress, voucher_id=voucher.pk))
    assert 'value="2027-05-09T23:59"' in page.content.decode()  # Asia/Seoul, UTC+9
    assert "Asia/Seoul" in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": VoucherKind.PERCENTAGE, "value": "100.01"}, "value"),
        ({"value": "-5"}, "value"),
        ({"value": "lots"}, "value"),
        ({"max_uses": "0"}, "max_uses"),
        ({"max_uses": "-1"}, "max_uses"),
        ({"code": "<script>alert(1)</script>"}, "code"),
        ({"code": "SPÉAKER"}, "code"),
        ({"code": "X" * 10_000}, "code"),
        ({"code": "TAB\x1bX"}, "code"),
        ({"comment": "\x1b[31mred"}, "comment"),
        ({"comment": "y" * 10_000}, "comment"),
        ({"valid_until": "tomorrow"}, "valid_until"),
        ({"kind": "free-for-all"}, "kind"),
        ({"code": "NUL\x00"}, None),  # the middleware's 400
    ],
)
def test_bad_voucher_input_is_refused_beside_the_field(client, alice, congress, overrides, field):
    client.force_login(alice)
    response = client.post(_url("manage_voucher_new", congress), _form(**overrides))
    assert response.status_code == 400
    if field is not None:
        assert field in response.context["form"].errors
        page = response.content.decode()
        assert "<script>alert(1)</script>" not in page
    assert not Voucher.objects.filter(congress=congress).exists()


def test_a_duplicate_code_is_refused_whatever_its_case(client, alice, congress, voucher):
    client.force_login(alice)
    response = client.post(_url("manage_voucher_new", congress), _form(code="Speaker-2027"))
    assert response.status_code == 400
    assert "already has a voucher with this code" in str(response.context["form"].errors["code"])
    assert Voucher.objects.filter(congress=congress).count() == 1


def test_the_same_code_in_another_congress_is_fine(client, alice, congress, other_congress):
    services.create_voucher(congress=other_congress, code="STAFF-2027", value=Decimal("1"))
    client.force_login(alice)
    assert client.post(_url("manage_voucher_new", congress), _form()).status_code == 302


def test_the_service_refuses_a_duplicate_code_too(congress, voucher):
    with pytest.raises(VoucherRefused) as refused:
        services.create_voucher(congress=congress, code="speaker-2027 ", value=Decimal("1"))
    assert refused.value.field == "code"


def test_rtl_and_cjk_comments_are_kept_and_markup_escaped(client, alice, congress):
    client.force_login(alice)
    comment = "<b>ضيوف</b> 招待 <img src=x onerror=alert(1)>"
    client.post(_url("manage_voucher_new", congress), _form(comment=comment))
    assert Voucher.objects.get(congress=congress).comment == comment
    page = client.get(_url("manage_vouchers", congress)).content.decode()
    assert "<img src=x" not in page
    assert "&lt;b&gt;ضيوف&lt;/b&gt; 招待" in page


# --- editing ------------------------------------------------------------------------------


def test_an_organiser_edits_a_voucher(client, alice, congress, voucher):
    client.force_login(alice)
    shown = client.get(_url("manage_voucher_edit", congress, voucher_id=voucher.pk))
    version = shown.context["form"].initial["fingerprint"]
    response = client.post(
        _url("manage_voucher_edit", congress, voucher_id=voucher.pk),
        _form(code="speaker-2027", kind=VoucherKind.PERCENTAGE, value="50", fingerprint=version),
    )
    assert response.status_code == 302
    voucher.refresh_from_db()
    assert (voucher.value, voucher.max_uses) == (Decimal("50.00"), 10)
    assert list(voucher.registration_types.all()) == []  # none ticked: every type
    entry = AuditEntry.objects.get(action="convene.voucher.updated")
    assert entry.data["changed"]["value"] == ["100.00", "50"]
    assert entry.data["changed"]["registration_types"] == [["speaker"], []]


def test_the_later_of_two_edits_is_refused(client, alice, congress, voucher):
    client.force_login(alice)
    version = (
        client.get(_url("manage_voucher_edit", congress, voucher_id=voucher.pk))
        .context["form"]
        .initial["fingerprint"]
    )
    services.update_voucher(voucher=voucher, comment="Changed by bob meanwhile")
    response = client.post(
        _url("manage_voucher_edit", congress, voucher_id=voucher.pk),
        _form(code="SPEAKER-2027", comment="Mine", fingerprint=version),
    )
    assert response.status_code == 400
    assert "Someone else changed this" in response.content.decode()
    voucher.refresh_from_db()
    assert voucher.comment == "Changed by bob meanwhile"


def test_a_change_of_types_alone_is_an_edit_conflict_too(congress, voucher, speaker_type):
    version = fingerprint(voucher, services.VOUCHER_FIELDS)
    other = RegistrationTypeFactory(congress=congress, code="staff", name="Staff")
    services.update_voucher(voucher=voucher, registration_types=[speaker_type, other])
    with pytest.raises(EditConflict):
        services.update_voucher(voucher=voucher, shown_fingerprint=version, comment="x")


def test_lowering_max_uses_below_the_uses_made_is_refused(client, alice, congress, voucher):
    _used(voucher, 2)
    client.force_login(alice)
    form = client.get(_url("manage_voucher_edit", congress, voucher_id=voucher.pk)).context["form"]
    data = _form(
        code="SPEAKER-2027",
        kind=VoucherKind.PERCENTAGE,
        value="100",
        max_uses="1",
        fingerprint=form.initial["fingerprint"],
    )
    response = client.post(_url("manage_voucher_edit", congress, voucher_id=voucher.pk), data)
    assert response.status_code == 400
    assert "used 2 times already" in str(response.context["form"].errors["max_uses"])
    voucher.refresh_from_db()
    assert voucher.max_uses == 3
    data["max_uses"] = "2"  # exactly the uses made is fine
    response = client.post(_url("manage_voucher_edit", congress, voucher_id=voucher.pk), data)
    assert response.status_code == 302
    voucher.refresh_from_db()
    assert voucher.max_uses == 2


def test_uses_of_cancelled_or_expired_orders_do_not_hold_the_maximum_up(congress, voucher):
    _used(voucher, 1)
    _used(voucher, 2, status=OrderStatus.CANCELLED)
    _used(voucher, 1, is_cancelled=True)
    assert voucher_uses(voucher=voucher) == 1
    services.update_voucher(voucher=voucher, max_uses=1)
    voucher.refresh_from_db()
    assert voucher.max_uses == 1


def test_a_code_changed_to_one_taken_is_refused(congress, voucher):
    services.create_voucher(congress=congress, code="OTHER", value=Decimal("1"))
    with pytest.raises(VoucherRefused) as refused:
        services.update_voucher(voucher=voucher, code="other")
    assert refused.value.field == "code"


# --- activation, deletion -----------------------------------------------------------------


def test_deactivate_and_reactivate_keep_the_lists_filters(client, alice, congress, voucher):
    client.force_login(alice)
    response = client.post(
        _url("manage_voucher_deactivate", congress, voucher_id=voucher.pk),
        {"next_query": "q=speaker&status=active&evil=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == _url("manage_vouchers", congress) + "?q=speaker&status=active"
    voucher.refresh_from_db()
    assert not voucher.is_active
    client.post(_url("manage_voucher_deactivate", congress, voucher_id=voucher.pk))  # no-op
    client.post(_url("manage_voucher_reactivate", congress, voucher_id=voucher.pk))
    voucher.refresh_from_db()
    assert voucher.is_active
    actions = list(
        AuditEntry.objects.filter(action__startswith="convene.voucher.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["convene.voucher.deactivated", "convene.voucher.reactivated"]
    assert (
        client.get(_url("manage_voucher_deactivate", congress, voucher_id=voucher.pk)).status_code
        == 405
    )


def test_an_unused_voucher_is_deleted_a_used_one_is_kept(client, alice, congress, voucher):
    spare = services.create_voucher(congress=congress, code="SPARE", value=Decimal("5"))
    _used(voucher, 1, status=OrderStatus.CANCELLED)  # even a cancelled use is on record
    client.force_login(alice)
    assert (
        client.get(_url("manage_voucher_delete", congress, voucher_id=spare.pk)).status_code == 200
    )
    client.post(_url("manage_voucher_delete", congress, voucher_id=spare.pk))
    assert not Voucher.objects.filter(pk=spare.pk).exists()
    response = client.post(
        _url("manage_voucher_delete", congress, voucher_id=voucher.pk), follow=True
    )
    assert "deactivate it instead" in response.content.decode()
    assert Voucher.objects.filter(pk=voucher.pk).exists()
    assert AuditEntry.objects.filter(action="convene.voucher.deleted").count() == 1


# --- batches ------------------------------------------------------------------------------


def test_a_batch_draws_unique_codes_with_the_prefix(client, alice, congress, speaker_type):
    services.create_voucher(congress=congress, code="SPK-TAKEN", value=Decimal("1"))
    client.force_login(alice)
    response = client.post(
        _url("manage_voucher_batch", congress),
        _batch_form(registration_types=[speaker_type.pk], comment="Speakers 2027"),
    )
    assert response.status_code == 302
    batch = Voucher.objects.exclude(batch="").values_list("batch", flat=True).first()
    assert response["Location"] == _url("manage_vouchers", congress) + f"?batch={batch}"
    made = Voucher.objects.filter(congress=congress, batch=batch)
    codes = list(made.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 25
    for code in codes:
        assert code.startswith("SPK-")
        assert len(code) == 4 + services.DRAWN_LENGTH
        assert set(code[4:]) <= set(services.CODE_ALPHABET)
    assert all(list(v.registration_types.all()) == [speaker_type] for v in made)
    assert {v.max_uses for v in made} == {1}
    entries = AuditEntry.objects.filter(action="convene.voucher.batch_created")
    assert entries.count() == 1
    assert entries[0].data.items() >= {"count": 25, "prefix": "SPK-", "batch": batch}.items()
    page = client.get(response["Location"]).content.decode()
    assert "25 vouchers in this batch" in page
    assert f"export.csv?batch={batch}" in page


def test_a_batchs_codes_download_as_csv(client, alice, congress):
    batch = services.create_voucher_batch(
        congress=congress, count=30, prefix="STF-", kind=VoucherKind.SET_PRICE, value=Decimal("0")
    )
    services.create_voucher(congress=congress, code="NOT-IN-BATCH", value=Decimal("1"))
    client.force_login(alice)
    response = client.get(_url("manage_vouchers_export", congress) + f"?batch={batch}")
    assert response["Content-Type"].startswith("text/csv")
    assert batch.lower() in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][0] == "Code" and len(rows) == 31
    assert {r[0] for r in rows[1:]} == set(
        Voucher.objects.filter(batch=batch).values_list("code", flat=True)
    )
    assert {r[6] for r in rows[1:]} == {"every type"}
    entry = AuditEntry.objects.get(action="convene.export.downloaded")
    assert entry.data["export"] == "registrations.vouchers" and entry.data["rows"] == 30


def test_a_batch_is_all_or_nothing(congress, monkeypatch):
    """A clash found only when the rows are written (a code typed at that moment) leaves no
    voucher of the batch behind."""
    services.create_voucher(congress=congress, code="CLASH-AAAAAAAAAA", value=Decimal("1"))
    real = services._draw_unused

    def draws_a_taken_code(congress_, prefix, count):
        codes = real(congress_, prefix, count)
        return [*codes[:-1], "CLASH-AAAAAAAAAA"]

    monkeypatch.setattr(services, "_draw_unused", draws_a_taken_code)
    with pytest.raises(VoucherRefused):
        services.create_voucher_batch(
            congress=congress, count=50, prefix="CLASH-", value=Decimal(1)
        )
    assert Voucher.objects.filter(congress=congress).count() == 1
    assert not AuditEntry.objects.filter(action="convene.voucher.batch_created").exists()


def test_a_drawn_code_already_taken_is_drawn_again(congress, monkeypatch):
    services.create_voucher(congress=congress, code="P-AAAAAAAAAA", value=Decimal("1"))
    seq = iter(["P-AAAAAAAAAA", "P-AAAAAAAAAA", "P-BBBBBBBBBB"])
    monkeypatch.setattr(services, "draw_code", lambda prefix="": next(seq))
    batch = services.create_voucher_batch(congress=congress, count=1, prefix="P-", value=Decimal(1))
    assert list(Voucher.objects.filter(batch=batch).values_list("code", flat=True)) == [
        "P-BBBBBBBBBB"
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"count": "0"}, "count"),
        ({"count": "10001"}, "count"),
        ({"count": "many"}, "count"),
        ({"prefix": "=CMD|"}, "prefix"),
        ({"prefix": "P" * 31}, "prefix"),
        ({"kind": VoucherKind.PERCENTAGE, "value": "150"}, "value"),
        ({"value": "-1"}, "value"),
    ],
)
def test_bad_batch_input_is_refused_beside_the_field(client, alice, congress, overrides, field):
    client.force_login(alice)
    response = client.post(_url("manage_voucher_batch", congress), _batch_form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Voucher.objects.filter(congress=congress).exists()


def test_the_service_caps_a_batch(congress):
    with pytest.raises(VoucherRefused) as refused:
        services.create_voucher_batch(congress=congress, count=10_001, value=Decimal(1))
    assert refused.value.field == "count"


# --- the list and its export ----------------------------------------------------------------


def test_the_list_filters_by_status_type_and_search(client, alice, congress, voucher):
    staff = RegistrationTypeFactory(congress=congress, code="staff", name="Staff")
    _used(voucher, 3)  # used up
    services.create_voucher(congress=congress, code="ANY-TYPE", value=Decimal("10"))
    services.create_voucher(
        congress=congress, code="STAFF-ONLY", value=Decimal("10"), registration_types=[staff]
    )
    old = services.create_voucher(
        congress=congress,
        code="LAST-YEAR",
        value=Decimal("10"),
        valid_until=timezone.now() - dt.timedelta(days=1),
    )
    off = services.create_voucher(congress=congress, code="OFF", value=Decimal("1"), comment="x")
    services.deactivate_voucher(voucher=off)
    client.force_login(alice)

    def codes(**query):
        response = client.get(_url("manage_vouchers", congress), query)
        return [row["voucher"].code for row in response.context["rows"]]

    assert codes(status="used_up") == ["SPEAKER-2027"]
    assert codes(status="expired") == [old.code]
    assert codes(status="inactive") == ["OFF"]
    assert codes(status="active") == ["ANY-TYPE", "STAFF-ONLY"]
    assert codes(type="staff") == ["ANY-TYPE", "LAST-YEAR", "OFF", "STAFF-ONLY"]
    assert codes(type="speaker") == ["ANY-TYPE", "LAST-YEAR", "OFF", "SPEAKER-2027"]
    assert codes(q="invited") == ["SPEAKER-2027"]  # the comment
    assert codes(q="staff-o") == ["STAFF-ONLY"]
    assert codes(status="nonsense", batch="<x>") == codes()
    page = client.get(_url("manage_vouchers", congress), {"q": "speaker"}).content.decode()
    assert "3 / 3" in page and "Used up" in page and "100%" in page


def test_money_values_are_written_in_the_congress_currency(client, alice, congress):
    services.create_voucher(
        congress=congress, code="FIFTY", kind=VoucherKind.FIXED, value=Decimal("50")
    )
    client.force_login(alice)
    page = client.get(_url("manage_vouchers", congress)).content.decode()
    assert "€50.00" in page
    page = client.get(_url("manage_vouchers", congress), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "50,00\xa0€" in page or "50,00 €" in page


def test_the_export_neutralises_formulas_and_follows_the_filters(client, alice, congress):
    services.create_voucher(
        congress=congress, code="FORMULA", value=Decimal("1"), comment='=HYPERLINK("x")'
    )
    for start in "+-@":
        services.create_voucher(
            congress=congress, code=f"F{ord(start)}", value=Decimal("1"), comment=f"{start}1+1"
        )
    services.create_voucher(congress=congress, code="PLAIN", value=Decimal("1"), comment="ok")
    client.force_login(alice)
    rows = _csv(client.get(_url("manage_vouchers_export", congress), {"q": "F"}))
    comments = {row[0]: row[9] for row in rows[1:]}
    assert comments == {
        "FORMULA": '\'=HYPERLINK("x")',
        "F43": "'+1+1",
        "F45": "'-1+1",
        "F64": "'@1+1",
    }


def test_5000_vouchers_list_in_a_fixed_number_of_queries(
    client, alice, congress, speaker_type, django_assert_max_num_queries
):
    services.create_voucher_batch(
        congress=congress,
        count=5000,
        prefix="BULK-",
        value=Decimal("10"),
        registration_types=[speaker_type],
    )
    some = Voucher.objects.filter(congress=congress).order_by("code")[:3]
    for voucher in some:
        _used(voucher, 1)
    client.force_login(alice)
    client.get(_url("manage_vouchers", congress))  # warm the session and permission caches
    for query in ({}, {"page": "37"}, {"status": "active", "type": "speaker", "q": "BULK"}):
        with django_assert_max_num_queries(10):
            response = client.get(_url("manage_vouchers", congress), query)
        assert response.status_code == 200
        assert len(response.context["rows"]) == 50
    assert response.context["page"].paginator.count == 5000
    page = client.get(_url("manage_vouchers", congress)).content.decode()
    assert page.count('class="voucher-row') == 50
    assert "1 / ∞" in page


# --- redemptions ----------------------------------------------------------------------------


def test_redemptions_list_who_used_the_voucher(client, alice, congress, voucher):
    paid = _used(voucher, 1, given_name="Yuki")[0]
    cancelled = _used(voucher, 1, status=OrderStatus.CANCELLED, given_name="Omar")[0]
    other = services.create_voucher(congress=congress, code="OTHER", value=Decimal("1"))
    _used(other, 1, given_name="Nobody-Here")
    client.force_login(alice)
    response = client.get(_url("manage_voucher_redemptions", congress, voucher_id=voucher.pk))
    page = response.content.decode()
    assert [d.pk for d in response.context["page"]] == [cancelled.pk, paid.pk]
    assert "Yuki" in page and "Omar" in page and "Nobody-Here" not in page
    assert response.context["uses"] == 1
    assert "1 use of 3." in page
    assert "€0.00" in page
    finance_url = reverse(
        "payments:manage_order", kwargs={"congress_slug": congress.slug, "code": paid.order.code}
    )
    assert finance_url in page  # the owner holds finance too
    rows = [list(map(bool, [d.counts])) for d in response.context["page"]]
    assert rows == [[False], [True]]


def test_redemptions_link_orders_only_for_finance(client, congress, voucher):
    delegate = _used(voucher, 1)[0]
    client.force_login(_member(congress, "registration"))
    page = client.get(_url("manage_voucher_redemptions", congress, voucher_id=voucher.pk))
    text = page.content.decode()
    assert delegate.order.code in text
    assert "/manage/payments/" not in text


def test_another_congress_is_untouched_by_the_pages(client, alice, congress):
    elsewhere = CongressFactory(slug="elsewhere")
    services.create_voucher(congress=elsewhere, code="ELSEWHERE", value=Decimal("1"))
    client.force_login(alice)
    response = client.get(_url("manage_vouchers", congress))
    assert "ELSEWHERE" not in response.content.decode()
    rows = _csv(client.get(_url("manage_vouchers_export", congress)))
    assert rows[1:] == []
