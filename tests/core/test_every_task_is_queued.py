"""Tasks that nothing queues are dead code: each task of the project is enqueued somewhere
outside the tests (a service on commit, the scheduler's ``PERIODIC_TASKS``, or a management
command's ``--enqueue``)."""

import importlib
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_tasks.base import Task

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("badges", "events_site", "registrations", "sessions")


def project_tasks() -> dict[str, Task]:
    """Every task defined in the project, wherever it lives (tasks sit beside their services)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or "management" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            module = importlib.import_module(name)
            for value in vars(module).values():
                if isinstance(value, Task) and value.module_path.startswith(name + "."):
                    found[value.module_path] = value
    return found


def source_outside_tests() -> str:
    skip = {"tests", ".venv", "node_modules", "bench"}
    return "\n".join(
        path.read_text(encoding="utf-8")
        for path in ROOT.rglob("*.py")
        if not skip & set(path.relative_to(ROOT).parts)
    )


def test_every_task_is_enqueued_by_the_project():
    source = source_outside_tests()
    tasks = project_tasks()
    assert len(tasks) >= 9
    scheduled = {entry["task"] for entry in settings.PERIODIC_TASKS.values()}
    never = [
        path
        for path, task in tasks.items()
        if not re.search(rf"\b{task.name}\.enqueue\(", source)
        and not any(importlib_task(entry) is task for entry in scheduled)
    ]
    assert never == []


def importlib_task(path: str) -> Task:
    module, _, attribute = path.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command", ["send_payment_reminders", "reconcile_payments", "fail_stale_print_jobs"]
)
def test_periodic_commands_can_queue_their_task(command):
    out = StringIO()
    call_command(command, "--enqueue", stdout=out)
    assert out.getvalue().strip() == "Enqueued."
