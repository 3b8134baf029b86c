"""Undoing a check-in (with a reason, audited, the person may check in again), times in the
congress's zone, and the print station (queue filled by check-ins, GETs never write)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from badges import print_stations, services
from badges.models import Badge, CheckIn, PrintJob, PrintStation, StationPrint
from events_site.congresses.models import AuditEntry
from tests.badges.conftest import make_delegate


def desk(congress, **params):
    from urllib.parse import urlencode

    url = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    return f"{url}?{urlencode(params)}" if params else url


def undo_url(congress, delegate):
    return reverse("badges:checkin_undo", args=[congress.slug, delegate.pk])


def station_url(congress):
    return reverse("badges:print_station", kwargs={"congress_slug": congress.slug})


# --- Undo ------------------------------------------------------------------------------------


def test_undo_needs_a_reason_then_the_person_may_check_in_again(congress, delegate, bob):
    services.check_in(badge=delegate.badge, by=bob, desk="A")
    with pytest.raises(services.CannotUndoCheckIn):
        services.undo_check_in(badge=delegate.badge, by=bob, reason="  \x00 ")
    badge = services.undo_check_in(badge=delegate.badge, by=bob, reason="Wrong person")
    assert badge.checked_in_at is None and badge.checked_in_desk == ""
    first = CheckIn.objects.get(badge=badge)
    assert first.undone_by == bob and first.undo_reason == "Wrong person" and first.undone_at
    entry = AuditEntry.objects.get(action="convene.checkin.undone")
    assert entry.data["reason"] == "Wrong person" and entry.data["desk"] == "A"
    again = services.check_in(badge=badge, by=bob, desk="B")
    assert again.checked_in
    assert CheckIn.objects.filter(badge=badge, undone_at__isnull=True).count() == 1


def test_undo_of_someone_not_checked_in_is_refused(congress, delegate, bob):
    with pytest.raises(services.CannotUndoCheckIn):
        services.undo_check_in(badge=delegate.badge, by=bob, reason="Oops")


def test_check_in_staff_undo_from_the_desk_page(client, congress, delegate, bob):
    services.check_in(badge=delegate.badge, by=bob, desk="A")
    client.force_login(bob)
    html = client.get(desk(congress, delegate=delegate.pk)).content.decode()
    assert 'id="undo-form"' in html
    response = client.post(undo_url(congress, delegate), {"reason": "<b>Wrong</b> Ana"})
    assert response.status_code == 302
    delegate.badge.refresh_from_db()
    assert delegate.badge.checked_in_at is None
    html = client.get(response["Location"]).content.decode()
    assert "Check-in undone" in html and 'id="checkin-button"' in html


@pytest.mark.parametrize("reason", ["", "\x00", "x" * 10_000, "a\x07b"])
def test_undo_with_a_bad_reason_changes_nothing(client, congress, delegate, bob, reason):
    services.check_in(badge=delegate.badge, by=bob, desk="A")
    client.force_login(bob)
    response = client.post(undo_url(congress, delegate), {"reason": reason})
    assert response.status_code in (302, 400)  # NUL: the site refuses the request outright
    delegate.badge.refresh_from_db()
    assert delegate.badge.checked_in_at is not None


def test_outsiders_cannot_undo(client, congress, delegate, bob, charlie):
    services.check_in(badge=delegate.badge, by=bob, desk="A")
    client.force_login(charlie)
    response = client.post(undo_url(congress, delegate), {"reason": "Mine now"})
    assert response.status_code in (403, 404)
    delegate.badge.refresh_from_db()
    assert delegate.badge.checked_in_at is not None


# --- Times in the congress's zone --------------------------------------------------------------


def test_the_desk_shows_the_check_in_time_in_the_congress_zone_and_names_it(
    client, congress, delegate, bob
):
    at = dt.datetime(2027, 5, 10, 7, 4, tzinfo=dt.UTC)  # 16:04 in Seoul
    Badge.objects.filter(pk=delegate.badge.pk).update(
        checked_in_at=at, checked_in_by=bob, checked_in_desk="3"
    )
    client.force_login(bob)
    html = client.get(desk(congress, delegate=delegate.pk)).content.decode()
    assert "16:04" in html and "07:04" not in html
    assert "Asia/Seoul" in html
    html = client.get(desk(congress, q="Silva")).content.decode()
    assert "16:04" in html and "07:04" not in html


def test_the_camera_button_is_hidden_until_the_script_finds_a_camera(client, congress, bob):
    client.force_login(bob)
    html = client.get(desk(congress)).content.decode()
    assert 'id="camera-button" hidden' in html
    from pathlib import Path

    css = Path("static/css/convene.css").read_text()
    assert "[hidden] { display: none !important; }" in css


# --- Print station ---------------------------------------------------------------------------


@pytest.fixture
def station(congress, alice):
    return print_stations.save_station(congress=congress, by=alice, name="Hall A", desks="A, B")


def test_a_check_in_at_a_served_desk_queues_the_badge_at_the_station(
    congress, delegate, bob, station
):
    other = print_stations.save_station(congress=congress, by=bob, name="Hall C", desks="C")
    everywhere = print_stations.save_station(congress=congress, by=bob, name="All")
    services.check_in(badge=delegate.badge, by=bob, desk="a")
    assert StationPrint.objects.filter(station=station).count() == 1
    assert StationPrint.objects.filter(station=other).count() == 0
    assert StationPrint.objects.filter(station=everywhere).count() == 1
    # Scanning again (already checked in) queues nothing more.
    services.check_in(badge=delegate.badge, by=bob, desk="A")
    assert StationPrint.objects.filter(station=station).count() == 1


def test_station_names_are_unique_and_not_empty(congress, alice, station):
    with pytest.raises(print_stations.StationError):
        print_stations.save_station(congress=congress, by=alice, name="Hall A")
    with pytest.raises(print_stations.StationError):
        print_stations.save_station(congress=congress, by=alice, name=" \x00 ")


def test_the_station_polls_prints_and_marks_printed_and_gets_never_write(
    client, congress, delegate, bob, station
):
    services.check_in(badge=delegate.badge, by=bob, desk="B")
    item = StationPrint.objects.get(station=station)
    client.force_login(bob)
    data = client.get(station_url(congress), {"station": station.pk, "format": "json"}).json()
    assert [row["id"] for row in data["waiting"]] == [item.pk]
    assert data["zone"] == "Asia/Seoul" and data["waiting"][0]["name"] == "Ana Silva"
    jobs = PrintJob.objects.count()
    pdf = client.get(data["waiting"][0]["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    item.refresh_from_db()
    assert item.printed_at is None and PrintJob.objects.count() == jobs  # a GET wrote nothing
    response = client.post(data["waiting"][0]["printed_url"], HTTP_ACCEPT="application/json")
    assert response.json() == {"id": item.pk, "printed": True}
    client.post(data["waiting"][0]["printed_url"], HTTP_ACCEPT="application/json")  # twice
    item.refresh_from_db()
    assert item.printed_at and item.times_printed == 1
    assert PrintJob.objects.count() == jobs + 1
    delegate.badge.refresh_from_db()
    assert delegate.badge.printed_at is not None
    data = client.get(station_url(congress), {"station": station.pk, "format": "json"}).json()
    assert data["waiting"] == []
    # Reprint puts it back in the queue.
    client.post(reverse("badges:print_station_reprint", args=[congress.slug, item.pk]))
    data = client.get(station_url(congress), {"station": station.pk, "format": "json"}).json()
    assert [row["id"] for row in data["waiting"]] == [item.pk]


def test_undo_takes_an_unprinted_badge_out_of_the_station_queue(congress, delegate, bob, station):
    services.check_in(badge=delegate.badge, by=bob, desk="A")
    services.undo_check_in(badge=delegate.badge, by=bob, reason="Wrong person")
    assert not StationPrint.objects.exists()


def test_the_station_page_lists_its_queue_in_few_queries(
    client, congress, bob, station, django_assert_max_num_queries
):
    for n in range(30):
        d = make_delegate(congress, given_name="Ana", family_name=f"Queue{n}")
        services.check_in(badge=services.badge_for(delegate=d), by=bob, desk="A")
    client.force_login(bob)
    with django_assert_max_num_queries(12):
        response = client.get(station_url(congress), {"station": station.pk})
    assert response.content.decode().count("data-item=") == 30
    with django_assert_max_num_queries(10):
        data = client.get(station_url(congress), {"station": station.pk, "format": "json"}).json()
    assert len(data["waiting"]) == 30


def test_staff_create_a_station_from_the_page(client, congress, bob):
    client.force_login(bob)
    response = client.post(station_url(congress), {"name": "Foyer", "desks": "1,2, ,3"})
    station = PrintStation.objects.get()
    assert response.status_code == 302 and f"station={station.pk}" in response["Location"]
    assert station.desks == "1, 2, 3"
    response = client.post(station_url(congress), {"name": "   ", "desks": ""})
    assert response.status_code == 200 and PrintStation.objects.count() == 1
    response = client.post(station_url(congress), {"name": "\x00", "desks": ""})
    assert response.status_code in (200, 400) and PrintStation.objects.count() == 1
    response = client.post(station_url(congress), {"name": "Foyer", "desks": "x" * 10_000})
    assert response.status_code == 200 and PrintStation.objects.count() == 1


def test_another_congress_station_items_are_not_found(
    client, congress, other_congress, delegate, bob, charlie, station
):
    services.check_in(badge=delegate.badge, by=bob, desk="A")
    item = StationPrint.objects.get()
    client.force_login(charlie)
    for name in ("badges:print_station_pdf",):
        assert client.get(reverse(name, args=[other_congress.slug, item.pk])).status_code == 404
    response = client.post(
        reverse("badges:print_station_printed", args=[other_congress.slug, item.pk])
    )
    assert response.status_code == 404
    assert client.get(station_url(other_congress), {"station": station.pk}).status_code == 404
    item.refresh_from_db()
    assert item.printed_at is None
    assert timezone.now()
