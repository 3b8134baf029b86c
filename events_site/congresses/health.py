"""What ``/healthz`` checks, each on its own: the database, the cache and the task queue.

Every check answers "ok" or "down"; the page is 503 when any is down, so a load balancer takes
the host out and a monitor says which part failed. The cause goes to the log, not to the
(public) answer.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

logger = logging.getLogger("convene.health")


class CheckFailed(Exception):
    """A dependency answered, but not as it should."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise CheckFailed("SELECT 1 did not return 1")


def check_cache() -> None:
    """A write and a read back (with Redis: a round trip to the server)."""
    key = f"convene:healthz:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    cache.set(key, value, 30)
    found = cache.get(key)
    cache.delete(key)
    if found != value:
        raise CheckFailed("the cache did not keep a value")


def check_task_queue() -> None:
    """Can work be queued? The database backend: its table answers. RQ: each queue's Redis
    answers a PING. A backend that runs tasks in the request has nothing to reach."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    backend_path = type(backend).__module__
    if backend_path.startswith("django_tasks_db."):
        from django_tasks_db.models import DBTaskResult

        list(DBTaskResult.objects.order_by().values_list("pk", flat=True)[:1])
    elif backend_path.startswith("django_tasks_rq."):
        import django_rq

        for name in sorted(backend.queues):
            if not django_rq.get_connection(name).ping():
                raise CheckFailed(f"queue {name} did not answer PING")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "tasks": check_task_queue,
}


def run_checks() -> dict[str, str]:
    """``{"database": "ok", "cache": "down", "tasks": "ok"}``."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # any failure of a dependency means that check is down
            logger.exception("health check %s failed", name)
            results[name] = "down"
        else:
            results[name] = "ok"
    return results
