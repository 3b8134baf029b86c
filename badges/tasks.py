"""Background work: large print batches render on the "batch" queue."""

from django_tasks import task

from . import services
from .models import PrintJob


@task(queue_name="batch")
def render_print_job(job_id: int) -> int:
    job = services.run_print_job(job=PrintJob.objects.get(pk=job_id))
    return job.rendered_count


@task()
def fail_stale_print_jobs_task() -> int:
    """Periodic (settings.PERIODIC_TASKS): print jobs whose worker died are marked failed."""
    return services.fail_stale_print_jobs()
