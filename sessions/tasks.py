"""Agenda jobs for the task queue; each takes plain ids, fetches, and calls one service."""

from django_tasks import task

from .models import ScheduleVersion
from .services.change_notices import send_change_notices


@task(queue_name="emails")
def send_change_notices_task(*, version_id: int) -> int:
    """Tell the delegates who chose sessions this version cancels or moves (idempotent)."""
    version = ScheduleVersion.objects.select_related("congress").filter(pk=version_id).first()
    if version is None:
        return 0
    return send_change_notices(version=version).notified
