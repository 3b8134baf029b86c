"""A task worker killed with SIGKILL in the middle of a badge batch: its render processes die
with it, and the sweep marks the job failed (the job no longer shows "running 3 %" forever).

The worker is a real ``manage.py db_worker`` process on the same database (on SQLite, whose test
database lives in memory, on a copy on disk that is copied back afterwards), rendering with two
real render processes.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from badges import printing
from badges.models import PrintJob
from events_site.congresses.models import AuditEntry
from tests.badges.conftest import make_delegate

ROOT = Path(__file__).resolve().parents[2]
BADGES = 120
CHUNK = 4  # 30 chunks: the batch is still rendering when the worker is killed
WAIT = 60  # seconds: only a bound for waiting on other processes, never an assertion of speed


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, command line) for every process we can see."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        found[int(entry.name)] = (int(ppid), state, cmdline)
    return found


def _render_children(parent: int) -> list[int]:
    return [
        pid
        for pid, (ppid, _state, cmdline) in _processes().items()
        if ppid == parent and "spawn_main" in cmdline
    ]


def _alive(pid: int) -> bool:
    process = _processes().get(pid)
    return process is not None and process[1] != "Z"  # a zombie has ended


class WorkerDatabase:
    """The database the worker process uses: the test database itself on PostgreSQL, a copy
    of the in-memory SQLite test database on disk otherwise."""

    def __init__(self, tmp_path: Path):
        connection.ensure_connection()
        self.file = None
        if connection.vendor == "postgresql":
            s = connection.settings_dict
            password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
            self.url = (
                f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:"
                f"{s['PORT'] or 5432}/{s['NAME']}"
            )
        else:
            self.file = tmp_path / "worker.sqlite3"
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()
            self.url = f"sqlite:///{self.file}"

    def job_state(self, job_id: int) -> tuple[str, int]:
        if self.file is None:
            return tuple(PrintJob.objects.values_list("status", "rendered_count").get(pk=job_id))
        with sqlite3.connect(self.file) as db:
            return db.execute(
                "SELECT status, rendered_count FROM badges_printjob WHERE id = ?", (job_id,)
            ).fetchone()

    def copy_back(self) -> None:
        if self.file is not None:
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()


@pytest.mark.django_db(transaction=True)
def test_killed_worker_leaves_no_render_process_and_the_sweep_fails_its_job(
    congress, alice, settings, tmp_path
):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "emails", "batch"],
        }
    }
    for n in range(BADGES):
        make_delegate(congress, given_name=f"Delegate{n:03d}", family_name="Worker")
    job = printing.create_print_job(congress=congress, by=alice)  # enqueued on commit
    database = WorkerDatabase(tmp_path)
    env = {
        **os.environ,
        "DATABASE_URL": database.url,
        "TASKS_BACKEND": "database",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "BADGES_CHUNK_SIZE": str(CHUNK),
        "BADGES_RENDER_WORKERS": "2",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--queue-name",
            "batch",
            "--no-startup-delay",
            "--no-reload",  # the worker itself, not a reloader above it
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: list[int] = []
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            status, rendered = database.job_state(job.pk)
            children = _render_children(worker.pid)
            if status == "running" and rendered > 0 and len(children) == 2:
                break
            assert status in ("queued", "running"), status
            time.sleep(0.05)
        else:
            pytest.fail(f"the worker never got going ({status}, {rendered}, {children})")

        worker.send_signal(signal.SIGKILL)  # mid-batch: no chance to clean up
        worker.wait()
        deadline = time.monotonic() + WAIT
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in children if _alive(pid)] == [], "render processes outlived it"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        for pid in children:  # only what this test started, if the assertion above failed
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)

    status, rendered = database.job_state(job.pk)
    assert status == "running" and 0 < rendered < BADGES  # what the page showed forever
    database.copy_back()
    job.refresh_from_db()
    partial = settings.MEDIA_ROOT / job.file.name
    assert partial.exists()  # the unfinished PDF the worker was writing

    assert printing.fail_stale_print_jobs() == 0  # a fresh heartbeat: not stale yet
    later = timezone.now() + timedelta(seconds=settings.BADGES_PRINT_JOB_STALE_AFTER + 1)
    assert printing.fail_stale_print_jobs(now=later) == 1

    job.refresh_from_db()
    assert job.status == "failed" and job.failure == "stalled"
    assert "probably killed" in job.get_failure_display()
    assert AuditEntry.objects.filter(
        action="convene.badges.print_job_failed", target_id=str(job.pk)
    ).exists()
    assert not partial.exists()
    assert job.badges.filter(printed_at__isnull=False).count() == 0
