"""The integrity check on the task queue (``manage.py check_integrity --enqueue``, or an entry
in settings.PERIODIC_TASKS): the same checks as the command, each finding logged as an error
(logger ``convene.integrity``) for the monitor to alert on."""

import logging

from django_tasks import task

from events_site.congresses.models import Congress

from .checks import check_congress

logger = logging.getLogger("convene.integrity")


@task()
def check_integrity_task() -> int:
    """Check every congress; returns the number of findings (0 when all is well)."""
    count = 0
    for congress in Congress.objects.order_by("slug"):
        for finding in check_congress(congress):
            count += 1
            logger.error(
                "integrity: %s %s %s: %s",
                finding.congress,
                finding.kind,
                finding.object,
                finding.detail,
            )
    return count
