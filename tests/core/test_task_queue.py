"""E-mail goes through the task queue: once through db_worker, once through a real RQ worker."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from events_site.congresses.mail import send_templated_email

ROOT = Path(__file__).resolve().parents[2]


def use_backend(settings, backend: str) -> None:
    """Changing the setting resets django-tasks' backend handler (its setting_changed hook)."""
    settings.TASKS = {"default": {"BACKEND": backend, "QUEUES": ["default", "emails", "batch"]}}


@pytest.mark.django_db(transaction=True)
def test_email_is_delivered_by_db_worker_after_commit(settings):
    use_backend(settings, "django_tasks_db.DatabaseBackend")
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        send_templated_email(
            to=["mayor@lisboa.example"],
            template="congresses/emails/test_message",
            context={"name": "Conceição"},
            language="pt",
        )
        assert DBTaskResult.objects.count() == 0  # nothing leaves before the commit
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert mail.outbox == []

    call_command("db_worker", batch=True, no_startup_delay=True, queue_name="emails")

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mayor@lisboa.example"]
    assert "Conceição" in mail.outbox[0].body


@pytest.mark.redis
@pytest.mark.django_db
def test_email_is_delivered_by_a_real_rq_worker_on_local_redis(settings, tmp_path):
    redis = pytest.importorskip("redis")
    redis_url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(redis_url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("NEEDS REDIS on 127.0.0.1:6379 (CI has it)")
    redis.Redis.from_url(redis_url).flushdb()
    settings.RQ_QUEUES = {name: {"URL": redis_url} for name in ("default", "emails", "batch")}
    import django_rq.queues

    django_rq.queues.get_redis_connection.cache_clear() if hasattr(
        django_rq.queues.get_redis_connection, "cache_clear"
    ) else None
    use_backend(settings, "django_tasks_rq.RQBackend")

    send_templated_email(
        to=["alcaldesa@bogota.example"],
        template="congresses/emails/test_message",
        context={"name": "Begoña"},
        language="es",
    )
    # The test transaction is rolled back, so run the on-commit hooks by hand.
    for _savepoint, hook, _robust in transaction.get_connection().run_on_commit:
        hook()
    transaction.get_connection().run_on_commit.clear()

    outbox = tmp_path / "outbox"
    env = {
        **os.environ,
        "TASKS_BACKEND": "rq",
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"filemail:///{outbox}",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "rqworker",
            "emails",
            "--burst",
            "--job-class",
            "django_tasks_rq.Job",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert outbox.is_dir(), result.stdout + result.stderr
    delivered = list(outbox.iterdir())
    assert len(delivered) == 1
    content = delivered[0].read_text()
    assert "alcaldesa@bogota.example" in content
    assert "Begoña" in content
