"""What certificates of attendance read from badges (``CERTIFICATE_SOURCES["checked_in"]``):
the delegates with a live (not undone) check-in at the congress."""

from __future__ import annotations

from events_site.congresses.models import Congress

from .models import Badge


def checked_in(congress: Congress, delegate_ids: set[int] | None = None) -> set[int]:
    badges = Badge.objects.filter(congress=congress, checked_in_at__isnull=False)
    if delegate_ids is not None:
        badges = badges.filter(delegate_id__in=delegate_ids)
    return set(badges.values_list("delegate_id", flat=True))
