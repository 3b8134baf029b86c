"""The check-in desk and the print pages: permissions, what staff see, bad input."""

import pytest
from django.urls import reverse

from badges import printing, services
from badges.models import Badge, PrintJob
from registrations.enums import OrderStatus
from tests.badges.conftest import make_delegate
from tests.tokens import without_random_tokens


def desk_url(congress, **params):
    url = reverse("badges:checkin", kwargs={"congress_slug": congress.slug})
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def test_checkin_staff_scan_a_valid_badge_and_see_may_enter(client, congress, delegate, bob):
    client.force_login(bob)
    response = client.get(desk_url(congress, code=delegate.badge.secret))
    assert response.status_code == 200
    html = response.content.decode()
    assert "MAY ENTER" in html and "Ana Silva" in html
    assert "verdict-ok" in html
    # Only what the desk needs: no e-mail, no prices or payment status.
    assert delegate.email not in html and delegate.order.email not in html
    assert "450" not in without_random_tokens(html)


@pytest.mark.parametrize("code", ["garbage", "A" * 43, "<b>x</b>"])
def test_invalid_codes_say_not_valid_and_offer_no_check_in(client, congress, delegate, bob, code):
    client.force_login(bob)
    response = client.get(desk_url(congress, code=code))
    assert response.status_code == 422
    html = response.content.decode()
    assert "NOT VALID" in html and "verdict-bad" in html
    assert "Check in</button>" not in html
    assert "<b>x</b>" not in html


def test_revoked_badge_says_not_valid(client, congress, delegate, alice, bob):
    old = delegate.badge.secret
    services.reissue_secret(badge=delegate.badge, by=alice)
    client.force_login(bob)
    response = client.get(desk_url(congress, code=old))
    assert "revoked" in response.content.decode()


def test_unpaid_registration_shows_red_without_a_check_in_button(client, congress, bob):
    unpaid = make_delegate(congress, status=OrderStatus.PENDING_PAYMENT, given_name="Unpaid")
    services.badge_for(delegate=unpaid)
    client.force_login(bob)
    html = client.get(desk_url(congress, code=unpaid.badge.secret)).content.decode()
    assert "MAY NOT ENTER" in html and "Not paid" in html and "verdict-bad" in html
    assert "checkin-button" not in html
    response = client.post(
        reverse("badges:checkin_person", args=[congress.slug, unpaid.pk]), {"desk": "1"}
    )
    assert response.status_code == 302
    unpaid.badge.refresh_from_db()
    assert unpaid.badge.checked_in_at is None


def test_one_post_checks_in_and_the_page_then_says_when_and_by_whom(
    client, congress, delegate, bob
):
    client.force_login(bob)
    response = client.post(
        reverse("badges:checkin_person", args=[congress.slug, delegate.pk]), {"desk": "A"}
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "CHECKED IN" in html and "by bob" in html and "desk A" in html
    # Scanning again later shows the earlier check-in, in amber.
    html = client.get(desk_url(congress, code=delegate.badge.secret)).content.decode()
    assert "ALREADY CHECKED IN" in html and "verdict-warn" in html


def test_check_in_and_print_returns_a_single_badge_pdf(client, congress, delegate, bob):
    client.force_login(bob)
    response = client.post(reverse("badges:checkin_print", args=[congress.slug, delegate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content.startswith(b"%PDF")
    badge = Badge.objects.get(delegate=delegate)
    assert badge.checked_in_by == bob and badge.print_count == 1
    job = PrintJob.objects.get(kind="desk")
    assert list(job.badges.all()) == [badge] and job.created_by == bob


def test_search_by_name_or_organisation(
    client, congress, people, bob, django_assert_max_num_queries
):
    make_delegate(congress, given_name="Zed", family_name="Other", organisation_name="Porto")
    client.force_login(bob)
    with django_assert_max_num_queries(8):
        html = client.get(desk_url(congress, q="Иванов")).content.decode()
    assert "Дмитрий Иванов" in html and "Zed" not in without_random_tokens(html)
    html = client.get(desk_url(congress, q="porto")).content.decode()
    assert "Zed Other" in html
    html = client.get(desk_url(congress, q="山田")).content.decode()
    assert "山田 太郎" in html


def test_search_query_count_does_not_grow_with_results(
    client, congress, bob, django_assert_max_num_queries
):
    for n in range(20):
        make_delegate(congress, given_name="Many", family_name=f"Person{n}")
    services.issue_badges(congress=congress)
    client.force_login(bob)
    with django_assert_max_num_queries(8):
        response = client.get(desk_url(congress, q="Many"))
    assert response.content.decode().count("result-name") == 20


def test_a_delegate_of_another_congress_cannot_be_checked_in_here(
    client, congress, other_congress, bob
):
    stranger = make_delegate(other_congress)
    client.force_login(bob)
    url = reverse("badges:checkin_person", args=[congress.slug, stranger.pk])
    assert client.post(url).status_code == 404


def test_print_batch_runs_as_a_task_and_the_pdf_is_downloadable(
    client, congress, people, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    url = reverse("badges:print", kwargs={"congress_slug": congress.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"page_format": "a4x4", "sort": "country", "crop_marks": "on"})
    assert response.status_code == 302
    job = PrintJob.objects.get()
    assert job.status == "done" and job.badge_count == len(people) and job.created_by == alice
    page = client.get(response["Location"])
    assert "Download PDF" in page.content.decode()
    status = client.get(response["Location"] + "?format=json").json()
    assert status["percent"] == 100 and status["download"]
    download = client.get(status["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_reprinting_needs_a_reason(
    client, congress, people, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    url = reverse("badges:print", kwargs={"congress_slug": congress.slug})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"page_format": "a6", "sort": "family_name"})
    response = client.post(url, {"page_format": "a6", "sort": "family_name"})
    assert response.status_code == 200
    assert "give a reason" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"page_format": "a6", "sort": "family_name", "reason": "Printer jam"})
    reprint = PrintJob.objects.get(kind="reprint")
    assert reprint.reason == "Printer jam"
    assert set(Badge.objects.values_list("print_count", flat=True)) == {2}


def _organiser_urls(congress, delegate, job):
    badge = delegate.badge
    return [
        ("get", reverse("badges:checkin", args=[congress.slug])),
        ("post", reverse("badges:checkin_person", args=[congress.slug, delegate.pk])),
        ("post", reverse("badges:checkin_print", args=[congress.slug, delegate.pk])),
        ("get", reverse("badges:print", args=[congress.slug])),
        ("get", reverse("badges:print_job", args=[congress.slug, job.pk])),
        ("get", reverse("badges:print_job_download", args=[congress.slug, job.pk])),
        ("post", reverse("badges:reissue", args=[congress.slug, badge.pk])),
        ("post", reverse("badges:reprint", args=[congress.slug, badge.pk])),
    ]


@pytest.fixture
def job(congress, delegate, alice):
    return printing.create_print_job(congress=congress, by=alice, enqueue=False)


def test_outsider_gets_403_everywhere(client, congress, delegate, job, charlie):
    client.force_login(charlie)
    for method, url in _organiser_urls(congress, delegate, job):
        assert getattr(client, method)(url).status_code == 403, url


def test_anonymous_is_sent_to_log_in(client, congress, delegate, job):
    for method, url in _organiser_urls(congress, delegate, job):
        assert getattr(client, method)(url).status_code == 302, url


def test_checkin_staff_cannot_reach_printing_or_reissue(client, congress, delegate, job, bob):
    client.force_login(bob)
    for method, url in _organiser_urls(congress, delegate, job)[3:]:
        assert getattr(client, method)(url).status_code == 403, url


def test_organiser_reissues_from_the_desk_and_reprints_with_reason(
    client, congress, delegate, alice
):
    client.force_login(alice)
    old = delegate.badge.secret
    response = client.post(reverse("badges:reissue", args=[congress.slug, delegate.badge.pk]))
    assert response.status_code == 302
    delegate.badge.refresh_from_db()
    assert delegate.badge.secret != old
    url = reverse("badges:reprint", args=[congress.slug, delegate.badge.pk])
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"reason": "Lost badge"})
    assert response.content.startswith(b"%PDF")
    assert PrintJob.objects.get(kind="desk").reason == "Lost badge"
