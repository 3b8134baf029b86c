"""Tasks that nothing queues are dead code: each task of the project is enqueued somewhere
outside the tests (a service on commit, or a management command's ``--enqueue``)."""

import importlib
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_tasks.base import Task

ROOT = Path(__file__).resolve().parents[2]
TASK_MODULES = [
    "badges.printing",
    "badges.tasks",
    "events_site.congresses.mail",
    "registrations.payments.services.invoicing",
    "registrations.payments.services.refunds",
    "registrations.payments.tasks",
    "registrations.services.notifications",
    "registrations.tasks",
    "sessions.tasks",
]


def project_tasks() -> dict[str, Task]:
    found = {}
    for name in TASK_MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if isinstance(value, Task) and value.module_path.startswith(name):
                found[attribute] = value
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
    never = [name for name in tasks if not re.search(rf"\b{name}\.enqueue\(", source)]
    assert never == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "command", ["send_payment_reminders", "reconcile_payments", "fail_stale_print_jobs"]
)
def test_periodic_commands_can_queue_their_task(command):
    out = StringIO()
    call_command(command, "--enqueue", stdout=out)
    assert out.getvalue().strip() == "Enqueued."
