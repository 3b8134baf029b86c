"""Background work: large print batches render on the "batch" queue; the stale-job sweep is a
periodic job (settings.PERIODIC_TASKS).

``render_print_job`` lives in ``printing``, beside the work it queues, and is named here too so
that ``badges.tasks.render_print_job`` (a path a job may have been queued under) still resolves.
"""

from django_tasks import task

from . import printing
from .printing import render_print_job

__all__ = ["fail_stale_print_jobs_task", "render_print_job"]


@task()
def fail_stale_print_jobs_task() -> int:
    """Periodic (settings.PERIODIC_TASKS): print jobs whose worker died are marked failed."""
    return printing.fail_stale_print_jobs()
