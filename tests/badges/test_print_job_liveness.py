"""Print jobs beat while they render, stop at their time limit, are failed by the sweep when
their worker is gone, and can be tried again from their page."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from badges import printing
from badges.models import Badge, PrintJob
from events_site.congresses.models import AuditEntry
from tests.badges.conftest import make_delegate


@pytest.fixture
def three(congress):
    return [make_delegate(congress, family_name=name) for name in ("Abe", "Mota", "Zola")]


@pytest.fixture
def job(congress, three, alice):
    return printing.create_print_job(congress=congress, by=alice, enqueue=False)


def _running(job, *, beat_ago: timedelta, started_ago: timedelta | None = None) -> PrintJob:
    """A job as a worker leaves it when it dies: claimed, some pages done, no news since."""
    now = timezone.now()
    started = now - (started_ago or beat_ago)
    PrintJob.objects.filter(pk=job.pk).update(
        status="running",
        attempts=1,
        started_at=started,
        heartbeat_at=now - beat_ago,
        deadline_at=started + timedelta(hours=1),
        rendered_count=1,
    )
    return PrintJob.objects.get(pk=job.pk)


def test_a_run_beats_as_pages_render_and_records_its_deadline(job, settings):
    settings.BADGES_CHUNK_SIZE = 1
    before = timezone.now()
    job = printing.run_print_job(job=job, out=io.BytesIO())
    assert job.status == "done" and job.attempts == 1
    assert before <= job.started_at <= job.heartbeat_at
    assert job.deadline_at == job.started_at + timedelta(
        seconds=settings.BADGES_PRINT_JOB_TIME_LIMIT
    )


def test_a_job_silent_too_long_is_failed_as_stalled_and_audited(job, settings):
    _running(job, beat_ago=timedelta(seconds=settings.BADGES_PRINT_JOB_STALE_AFTER + 5))
    assert printing.fail_stale_print_jobs() == 1
    job.refresh_from_db()
    assert job.status == "failed" and job.failure == "stalled" and job.finished_at
    entry = AuditEntry.objects.get(action="convene.badges.print_job_failed")
    assert entry.data["failure"] == "stalled" and entry.actor_label == "system"
    assert printing.fail_stale_print_jobs() == 0  # once


def test_a_job_that_beats_is_left_alone(job, settings):
    _running(job, beat_ago=timedelta(seconds=settings.BADGES_PRINT_JOB_STALE_AFTER - 30))
    assert printing.fail_stale_print_jobs() == 0
    assert PrintJob.objects.get(pk=job.pk).status == "running"


def test_a_job_past_its_time_limit_is_failed_even_if_it_beats(job):
    job = _running(job, beat_ago=timedelta(seconds=1), started_ago=timedelta(hours=2))
    assert printing.fail_stale_print_jobs() == 1
    assert PrintJob.objects.get(pk=job.pk).failure == "time_limit"


def test_a_job_no_worker_ever_started_is_failed(job, settings):
    PrintJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(seconds=settings.BADGES_PRINT_JOB_TIME_LIMIT + 60)
    )
    assert printing.fail_stale_print_jobs() == 1
    assert PrintJob.objects.get(pk=job.pk).failure == "never_started"


def test_the_run_stops_itself_at_its_time_limit(job, settings):
    settings.BADGES_PRINT_JOB_TIME_LIMIT = 0
    job = printing.run_print_job(job=job, out=io.BytesIO())
    assert job.status == "failed" and job.failure == "time_limit"
    assert not Badge.objects.filter(print_jobs=job, printed_at__isnull=False).exists()


class SweepWhileWriting(io.BytesIO):
    """Output whose first write runs the sweep as if the worker had been silent for an hour:
    the run still renders, but no longer owns its job."""

    swept = False

    def write(self, data):
        if not self.swept:
            self.swept = True
            printing.fail_stale_print_jobs(now=timezone.now() + timedelta(hours=2))
        return super().write(data)


def test_a_run_failed_by_the_sweep_changes_nothing_afterwards(job, settings):
    settings.BADGES_CHUNK_SIZE = 1
    job = printing.run_print_job(job=job, out=SweepWhileWriting())
    assert job.status == "failed" and job.failure == "time_limit"
    assert not Badge.objects.filter(print_jobs=job, printed_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="convene.badges.printed").exists()


def test_the_sweep_command(job, settings):
    _running(job, beat_ago=timedelta(seconds=settings.BADGES_PRINT_JOB_STALE_AFTER + 5))
    out = io.StringIO()
    call_command("fail_stale_print_jobs", stdout=out)
    assert "1 stale print job" in out.getvalue()
    assert PrintJob.objects.get(pk=job.pk).status == "failed"


def _job_url(congress, job, name="badges:print_job"):
    return reverse(name, kwargs={"congress_slug": congress.slug, "job_id": job.pk})


def test_the_job_page_fails_a_dead_job_and_offers_to_try_again(
    client, congress, job, alice, settings
):
    _running(job, beat_ago=timedelta(seconds=settings.BADGES_PRINT_JOB_STALE_AFTER + 5))
    client.force_login(alice)
    data = client.get(_job_url(congress, job) + "?format=json").json()
    assert data["status"] == "failed" and data["failure"] == "stalled"
    html = client.get(_job_url(congress, job)).content.decode()
    assert "probably killed" in html
    assert 'http-equiv="refresh"' not in html
    assert _job_url(congress, job, "badges:print_job_retry") in html


def test_retry_renders_the_same_badges_again_and_is_audited(
    client, congress, job, alice, settings, django_capture_on_commit_callbacks
):
    _running(job, beat_ago=timedelta(seconds=settings.BADGES_PRINT_JOB_STALE_AFTER + 5))
    printing.fail_stale_print_jobs()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_job_url(congress, job, "badges:print_job_retry"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2 and job.failure == ""
    assert (settings.MEDIA_ROOT / job.file.name).read_bytes().startswith(b"%PDF")
    entry = AuditEntry.objects.get(action="convene.badges.print_job_retried")
    assert entry.actor == alice and entry.data["failure"] == "stalled"
    assert set(Badge.objects.filter(print_jobs=job).values_list("print_count", flat=True)) == {1}


def test_a_job_still_running_is_not_retried(client, congress, job, alice):
    _running(job, beat_ago=timedelta(seconds=1))
    with pytest.raises(printing.PrintJobNotRetryable):
        printing.retry_print_job(job=job, by=alice)
    client.force_login(alice)
    response = client.post(_job_url(congress, job, "badges:print_job_retry"), follow=True)
    assert "Only a failed print job" in response.content.decode()
    assert PrintJob.objects.get(pk=job.pk).status == "running"


def test_retry_needs_the_badge_printing_permission(client, congress, job, bob, charlie):
    PrintJob.objects.filter(pk=job.pk).update(status="failed", failure="error")
    for user in (bob, charlie):
        client.force_login(user)
        assert client.post(_job_url(congress, job, "badges:print_job_retry")).status_code == 403
    assert PrintJob.objects.get(pk=job.pk).status == "failed"
    client.logout()
    assert client.post(_job_url(congress, job, "badges:print_job_retry")).status_code == 302
    assert PrintJob.objects.get(pk=job.pk).status == "failed"


def test_the_render_command_says_when_its_job_failed(congress, three, settings, tmp_path):
    from django.core.management import CommandError

    settings.BADGES_PRINT_JOB_TIME_LIMIT = 0
    with pytest.raises(CommandError, match="time limit"):
        call_command("render_badges", congress.slug, "--output", str(tmp_path / "b.pdf"))
