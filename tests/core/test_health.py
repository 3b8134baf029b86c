"""/healthz checks the database, the cache and the task queue, and says which one failed.

Dependencies that are down are real: a RedisCache and RQ queues pointed at a port nobody
listens on; the database backend of the task queue without its table."""

import socket

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_task_backend(settings, backend: str) -> None:
    settings.TASKS = {"default": {"BACKEND": backend, "QUEUES": ["default", "emails", "batch"]}}


def test_healthz_is_503_and_names_the_cache_when_redis_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "cache": "down",
        "tasks": "ok",
    }
    assert "connect" not in response.content.decode().lower()  # causes go to the log only


def test_the_database_task_queue_is_ok_when_its_table_answers(client, settings):
    use_task_backend(settings, "django_tasks_db.DatabaseBackend")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["tasks"] == "ok"


def test_the_database_task_queue_is_down_without_its_table(client, settings):
    use_task_backend(settings, "django_tasks_db.DatabaseBackend")
    from django_tasks_db.models import DBTaskResult

    table = DBTaskResult._meta.db_table
    with connection.cursor() as cursor:  # undone when the test's transaction rolls back
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_gone")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["tasks"] == "down" and response.json()["database"] == "ok"


def test_the_rq_task_queue_is_down_when_its_redis_does_not_answer(client, settings):
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.RQ_QUEUES = {name: {"URL": url} for name in ("default", "emails", "batch")}
    use_task_backend(settings, "django_tasks_rq.RQBackend")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["tasks"] == "down" and response.json()["cache"] == "ok"


@pytest.mark.redis
def test_the_rq_task_queue_is_ok_when_redis_answers(client, settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("NEEDS REDIS on 127.0.0.1:6379 (CI has it)")
    settings.RQ_QUEUES = {name: {"URL": url} for name in ("default", "emails", "batch")}
    use_task_backend(settings, "django_tasks_rq.RQBackend")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["tasks"] == "ok"
