"""The owners' audit page: who may read it, its filters, keyset pages at scale with a fixed
number of queries, hostile entries escaped on the page and neutralised in CSV/XLSX, the export
behind re-authentication and audited; exports of personal data and refused scans are audited."""

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.db.models import Q
from django.urls import reverse
from openpyxl import load_workbook

from events_site.accounts.reauth import SESSION_KEY
from events_site.congresses import audit
from events_site.congresses.models import AuditEntry
from tests.factories import TeamMembershipFactory, UserFactory

UTC = dt.UTC
HOSTILE = '<script>alert(1)</script>\x07\x1b[31m "quoted" & مرحبا بالعالم'


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def record_at(when: dt.datetime, **fields) -> AuditEntry:
    with mock.patch("django.utils.timezone.now", return_value=when):
        return audit.record(**fields)


def url(congress, **query) -> str:
    base = reverse("congresses:audit", kwargs={"congress_slug": congress.slug})
    if query:
        from urllib.parse import urlencode

        return f"{base}?{urlencode(query)}"
    return base


def export_url(congress, fmt: str, query: str = "") -> str:
    base = reverse("congresses:audit_export", kwargs={"congress_slug": congress.slug, "fmt": fmt})
    return f"{base}?{query}" if query else base


# --- who may read it -------------------------------------------------------------------------


def test_the_owner_reads_the_audit_log(client, congress, alice):
    record_at(
        at(2027, 1, 5, 10), action="convene.order.paid", congress=congress, data={"code": "A1"}
    )
    client.force_login(alice)
    response = client.get(url(congress))
    assert response.status_code == 200
    assert "Order paid" in response.content.decode()


def test_the_back_office_links_to_the_audit_log_for_owners_only(client, congress, alice, bob):
    client.force_login(alice)
    page = client.get(reverse("congresses:backoffice", kwargs={"congress_slug": congress.slug}))
    assert url(congress) in page.content.decode()
    registration = UserFactory()
    TeamMembershipFactory(congress=congress, user=registration, role="registration")
    client.force_login(registration)
    page = client.get(reverse("congresses:backoffice", kwargs={"congress_slug": congress.slug}))
    assert url(congress) not in page.content.decode()


@pytest.mark.parametrize("role", ["checkin", "registration", "finance", "programme"])
def test_a_narrower_role_is_refused(client, congress, role):
    user = UserFactory()
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client.force_login(user)
    assert client.get(url(congress)).status_code == 403
    assert client.get(export_url(congress, "csv")).status_code == 403


def test_check_in_staff_and_an_owner_of_another_congress_are_refused(
    client, congress, bob, charlie
):
    for person in (bob, charlie):
        client.force_login(person)
        assert client.get(url(congress)).status_code == 403
        assert client.get(export_url(congress, "xlsx")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in_and_an_unknown_congress_is_404(
    client, congress, alice
):
    response = client.get(url(congress))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(alice)
    assert client.get("/no-such-congress/manage/audit/").status_code == 404
    assert client.get(export_url(congress, "pdf")).status_code == 404


# --- what it shows ---------------------------------------------------------------------------


def test_the_page_shows_the_congress_and_its_teams_sign_ins_only(
    client, congress, other_congress, alice, bob, charlie
):
    record_at(at(2027, 1, 1), action="convene.order.paid", congress=congress, data={"code": "MINE"})
    record_at(
        at(2027, 1, 1),
        action="convene.order.paid",
        congress=other_congress,
        data={"code": "THEIRS"},
    )
    record_at(at(2027, 1, 2), action="convene.account.signed_in", actor=bob)
    record_at(at(2027, 1, 2), action="convene.account.signed_in", actor=charlie)
    client.force_login(alice)
    body = client.get(url(congress)).content.decode()
    assert "MINE" in body and "THEIRS" not in body
    assert "bob" in body and "charlie" not in body


def test_changes_show_before_and_after(client, congress, alice):
    record_at(
        at(2027, 1, 1),
        action="convene.congress.updated",
        congress=congress,
        actor=alice,
        data={"changed": {"name": ["Old name", "New name"]}, "fields": ["name"]},
    )
    client.force_login(alice)
    response = client.get(url(congress))
    changes = response.context["entries"][0].changes
    assert changes == [("name", "Old name", "New name")]
    body = response.content.decode()
    assert "Old name" in body and "New name" in body and "Congress changed" in body


def test_times_are_shown_in_the_congress_time_zone(client, congress, alice):
    congress.time_zone = "Asia/Seoul"
    congress.save()
    record_at(at(2027, 1, 1, 13), action="convene.order.paid", congress=congress)
    client.force_login(alice)
    assert "2027-01-01 22:00:00" in client.get(url(congress)).content.decode()


def test_an_unknown_action_is_shown_as_written(client, congress, alice):
    record_at(at(2027, 1, 1), action="convene.something.new", congress=congress)
    client.force_login(alice)
    assert "convene.something.new" in client.get(url(congress)).content.decode()


def test_hostile_entries_are_escaped_and_cut_on_the_page(client, congress, alice):
    long_text = "A" * 10_000
    record_at(
        at(2027, 1, 1),
        action="<b>convene.x</b>",
        congress=congress,
        actor_label=HOSTILE,
        data={
            "changed": {"<i>f</i>": [HOSTILE, long_text]},
            "note": HOSTILE,
            "\x00k": [1, {"a": None}],
        },
    )
    client.force_login(alice)
    response = client.get(url(congress))
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body and "<b>convene.x</b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;i&gt;f&lt;/i&gt;" in body
    assert "\x07" not in body and "\x1b" not in body and "\x00" not in body
    assert "مرحبا بالعالم" in body and "<bdi>" in body
    assert long_text not in body and "A" * 300 + "…" in body


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture
def varied(congress, alice, bob):
    return {
        "paid": record_at(
            at(2027, 1, 1, 9),
            action="convene.order.paid",
            congress=congress,
            actor=alice,
            target=congress,
            data={"code": "P1"},
        ),
        "placed": record_at(
            at(2027, 1, 3, 9),
            action="convene.order.placed",
            congress=congress,
            actor_label="ana@city.example",
            data={"code": "P2"},
        ),
        "checkin": record_at(
            at(2027, 1, 5, 9),
            action="convene.checkin.checked_in",
            congress=congress,
            actor=bob,
            data={"delegate": 4},
        ),
    }


def shown_actions(client, congress, **query) -> list[str]:
    response = client.get(url(congress, **query))
    assert response.status_code == 200
    return [row.entry.action for row in response.context["entries"]]


def test_filter_by_who(client, congress, alice, varied, bob):
    client.force_login(alice)
    assert shown_actions(client, congress, actor=bob.pk) == ["convene.checkin.checked_in"]


def test_filter_by_a_group_of_actions_and_by_one_action(client, congress, alice, varied):
    client.force_login(alice)
    assert shown_actions(client, congress, action="convene.order.") == [
        "convene.order.placed",
        "convene.order.paid",
    ]
    assert shown_actions(client, congress, action="convene.order.paid") == ["convene.order.paid"]


def test_filter_by_target_and_by_text(client, congress, alice, varied):
    client.force_login(alice)
    assert shown_actions(
        client, congress, target_type="congresses.congress", target_id=str(congress.pk)
    ) == ["convene.order.paid"]
    assert shown_actions(client, congress, q="ana@city") == ["convene.order.placed"]


def test_filter_by_dates_in_the_congress_time_zone(client, congress, alice, varied):
    client.force_login(alice)
    assert shown_actions(client, congress, date_from="2027-01-02", date_to="2027-01-04") == [
        "convene.order.placed"
    ]


def test_bad_filters_get_errors_beside_the_fields(client, congress, alice, varied):
    client.force_login(alice)
    response = client.get(
        url(congress, action="<x>", date_from="2027-01-05", date_to="2027-01-01", actor="nobody")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"action", "date_to", "actor"}


# --- pages at scale --------------------------------------------------------------------------


def test_twenty_thousand_entries_page_newest_first_with_a_fixed_number_of_queries(
    client, congress, alice, bob, django_assert_max_num_queries
):
    start = at(2027, 1, 1)
    times = iter([start + dt.timedelta(seconds=n // 3) for n in range(20_000)])
    with mock.patch("django.utils.timezone.now", side_effect=lambda: next(times)):
        AuditEntry.objects.bulk_create(
            AuditEntry(
                congress=congress,
                congress_slug=congress.slug,
                action="convene.order.paid",
                actor_label="system",
                target_id=str(n),
            )
            for n in range(20_000)
        )
    for n in range(30):  # sign-ins of a team member, interleaved at the top
        record_at(
            start + dt.timedelta(seconds=6000 + n), action="convene.account.signed_in", actor=bob
        )
    client.force_login(alice)
    client.get(url(congress))  # warm the session
    seen: list[int] = []
    link = url(congress)
    for _page in range(4):
        with django_assert_max_num_queries(9):
            response = client.get(link)
        seen += [row.entry.pk for row in response.context["entries"]]
        link = url(congress) + "?" + response.context["next_query"]
    assert len(seen) == len(set(seen)) == 200
    ordered = list(
        AuditEntry.objects.filter(Q(congress__isnull=True, actor=bob) | Q(congress=congress))
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[:200]
    )
    assert seen == ordered


def test_a_forged_cursor_starts_from_the_newest(client, congress, alice, varied):
    client.force_login(alice)  # her sign-in is an entry too: a team member's
    for cursor in ["junk", "2027-01-01~x", "2027-01-01T00:00:00~5", "~", "9" * 500]:
        response = client.get(url(congress, before=cursor))
        assert response.status_code == 200 and len(response.context["entries"]) == 3 + 1


# --- the export ------------------------------------------------------------------------------


def hostile_entries(congress, alice):
    record_at(
        at(2027, 1, 1),
        action="convene.order.placed",
        congress=congress,
        actor_label='=cmd|" /C calc"!A0',
        target=congress,
        data={"note": '=HYPERLINK("http://evil")', "name": HOSTILE},
    )
    record_at(at(2027, 1, 2), action="convene.order.paid", congress=congress, actor=alice)


def test_the_csv_export_neutralises_formulas_and_is_audited(client, congress, alice):
    hostile_entries(congress, alice)
    client.force_login(alice)
    response = client.get(export_url(congress, "csv", "action=convene.order.placed"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][1] == '\'=cmd|" /C calc"!A0'
    assert "\x07" not in rows[1][6] and "\x1b" not in rows[1][6]
    exported = AuditEntry.objects.get(action="convene.export.downloaded")
    assert exported.actor_id == alice.pk and exported.congress_id == congress.pk
    assert exported.data == {
        "export": "audit_log",
        "format": "csv",
        "rows": 1,
        "filters": {"action": "convene.order.placed"},
    }


def test_the_xlsx_export_neutralises_formulas(client, congress, alice):
    hostile_entries(congress, alice)
    client.force_login(alice)
    response = client.get(export_url(congress, "xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell.value for row in sheet.iter_rows() for cell in row]
    assert all(not str(value).startswith("=") for value in cells if value is not None)
    assert '\'=cmd|" /C calc"!A0' in cells
    assert sheet.max_row == 1 + 2 + 1  # the header, both entries, alice's sign-in


def test_the_export_asks_for_the_password_again_after_a_while(client, congress, alice):
    client.force_login(alice)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    response = client.get(export_url(congress, "csv"))
    assert response.status_code == 302 and "reauth" in response["Location"]
    assert not AuditEntry.objects.filter(action="convene.export.downloaded").exists()


# --- exports of personal data elsewhere, refused scans ---------------------------------------


def test_a_delegate_export_is_audited_with_its_filters_and_rows(client, congress, alice):
    from tests.factories import DelegateFactory, OrderFactory

    order = OrderFactory(congress=congress)
    DelegateFactory.create_batch(3, order=order)
    client.force_login(alice)
    link = reverse(
        "registrations:manage_export", kwargs={"congress_slug": congress.slug, "fmt": "xlsx"}
    )
    assert client.get(link + "?status=paid").status_code == 200
    entry = AuditEntry.objects.get(action="convene.export.downloaded")
    assert entry.data == {
        "export": "registrations.delegates",
        "format": "xlsx",
        "rows": 3,
        "filters": {"status": "paid"},
    }
    assert entry.actor_label == "alice"


def test_a_payments_export_is_audited(client, congress, alice):
    from tests.factories import OrderFactory

    OrderFactory.create_batch(2, congress=congress)
    client.force_login(alice)
    link = reverse("payments:manage_export", kwargs={"congress_slug": congress.slug, "fmt": "csv"})
    assert client.get(link + "?view=all").status_code == 200
    entry = AuditEntry.objects.get(action="convene.export.downloaded")
    assert entry.data["export"] == "payments.orders" and entry.data["rows"] == 2
    assert entry.data["filters"] == {"view": "all"}


def test_a_refused_scan_is_in_the_audit_log(client, congress, alice, bob):
    from badges import services
    from badges.models import RefusedScan

    with pytest.raises(services.InvalidBadgeCode):
        services.scan_code(congress=congress, code="<b>not a badge</b>", by=bob, desk="Hall A")
    refused = RefusedScan.objects.get()
    entry = AuditEntry.objects.get(action="convene.checkin.scan_refused")
    assert entry.actor_id == bob.pk and entry.congress_id == congress.pk
    assert entry.data["refused_scan"] == refused.pk and entry.data["desk"] == "Hall A"
    assert entry.data["reason"] == refused.reason
    client.force_login(alice)
    body = client.get(url(congress, action="convene.checkin.")).content.decode()
    assert "Scan refused at the desk" in body and "&lt;b&gt;not a badge&lt;/b&gt;" in body
