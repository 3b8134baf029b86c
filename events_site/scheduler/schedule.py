"""The periodic jobs, declared once in ``settings.PERIODIC_TASKS`` and checked before anything
runs: a bad entry stops ``run_scheduler`` (and ``manage.py check``) with one line naming it.

Each entry is ``name -> {"task": "<dotted path of a django-tasks task>", "every": timedelta}`` or
``{"task": ..., "cron": "<five-field cron expression>"}``. Slots are the same for every scheduler
process: interval slots are counted from the Unix epoch (``every=timedelta(minutes=10)`` gives
:00, :10, :20...), cron slots in ``settings.TIME_ZONE``.
"""

import datetime as dt
import inspect
import re
import zoneinfo
from dataclasses import dataclass

from croniter import croniter
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks.exceptions import InvalidTaskError

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NAME_MAX_LENGTH = 100  # PeriodicJobState.name
KEYS = {"task", "every", "cron"}
NAME = re.compile(r"[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    task_path: str
    task: Task
    every: dt.timedelta | None = None
    cron: str | None = None

    def latest_slot(self, now: dt.datetime) -> dt.datetime:
        """The latest scheduled time at or before ``now`` (an aware datetime, returned in UTC)."""
        if self.every is not None:
            return EPOCH + ((now - EPOCH) // self.every) * self.every
        minute = now.astimezone(_zone()).replace(second=0, microsecond=0)
        if croniter.match(self.cron, minute):
            return minute.astimezone(dt.UTC)
        return croniter(self.cron, minute).get_prev(dt.datetime).astimezone(dt.UTC)

    def next_slot(self, now: dt.datetime) -> dt.datetime:
        """The first scheduled time after ``now``."""
        if self.every is not None:
            return self.latest_slot(now) + self.every
        return croniter(self.cron, now.astimezone(_zone())).get_next(dt.datetime).astimezone(dt.UTC)

    def describe(self) -> str:
        when = f"every {self.every}" if self.every is not None else f"cron {self.cron!r}"
        return f"{self.name} ({self.task_path}, {when})"


def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def load_schedule(entries: object = None) -> list[PeriodicTask]:
    """Parse and check ``entries`` (default ``settings.PERIODIC_TASKS``); raise
    ``ImproperlyConfigured`` naming the first bad entry and what is wrong with it."""
    if entries is None:
        entries = getattr(settings, "PERIODIC_TASKS", {})
    if not isinstance(entries, dict):
        raise ImproperlyConfigured(
            f"PERIODIC_TASKS must be a dict of name -> entry, not {type(entries).__name__}."
        )
    return [_parse_entry(name, entry) for name, entry in sorted(entries.items())]


def _parse_entry(name: object, entry: object) -> PeriodicTask:
    if not isinstance(name, str) or not name or len(name) > NAME_MAX_LENGTH:
        raise ImproperlyConfigured(
            f"PERIODIC_TASKS: the name {name!r:.120} must be a non-empty string of at most "
            f"{NAME_MAX_LENGTH} characters."
        )
    if not NAME.fullmatch(name):
        raise ImproperlyConfigured(
            f"PERIODIC_TASKS: the name {name!r} may hold only letters, digits, '_', '.' and '-'."
        )
    where = f"PERIODIC_TASKS[{name!r}]"

    def bad(problem: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{where}: {problem}")

    if not isinstance(entry, dict):
        raise bad('must be a dict such as {"task": "app.tasks.name", "every": timedelta(...)}.')
    unknown = sorted(set(entry) - KEYS, key=str)
    if unknown:
        names = ", ".join(map(repr, unknown))
        raise bad(f"unknown key(s) {names}; the keys are task, every, cron.")
    if ("every" in entry) == ("cron" in entry):
        raise bad('give exactly one of "every" (a timedelta) or "cron" (a cron expression).')

    task_path = entry.get("task")
    if not isinstance(task_path, str) or not task_path:
        raise bad('"task" must be the dotted path of a task, e.g. "registrations.tasks.name".')
    try:
        task = import_string(task_path)
    except ImportError as exc:
        raise bad(f'"task" {task_path!r} cannot be imported ({exc}).') from None
    if not isinstance(task, Task):
        raise bad(f'"task" {task_path!r} is not a task (decorate the function with @task).')
    required = [
        parameter.name
        for index, parameter in enumerate(inspect.signature(task.func).parameters.values())
        if parameter.default is inspect.Parameter.empty
        and parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
        and not (index == 0 and task.takes_context)
    ]
    if required:
        raise bad(
            f'"task" {task_path!r} needs argument(s) {", ".join(required)}; '
            "a scheduled task takes none."
        )
    try:
        task.get_backend().validate_task(task)
    except InvalidTaskError as exc:
        raise bad(f'"task" {task_path!r} cannot be queued on this backend ({exc}).') from None

    every, cron = entry.get("every"), entry.get("cron")
    if "every" in entry:
        if not isinstance(every, dt.timedelta) or every < dt.timedelta(seconds=1):
            raise bad(f'"every" must be a timedelta of at least one second, not {every!r}.')
    else:
        if not isinstance(cron, str) or len(cron.split()) != 5 or not croniter.is_valid(cron):
            raise bad(
                f'"cron" must be a valid five-field cron expression such as "*/10 * * * *", '
                f"not {cron!r}."
            )
    return PeriodicTask(name=name, task_path=task_path, task=task, every=every, cron=cron)


def check_schedule(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``manage.py check`` (and every command that runs the checks) refuses a bad schedule."""
    try:
        load_schedule()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="scheduler.E001")]
    return []
