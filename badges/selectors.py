"""Read-side queries for badges: what to print, in which order, and what the desk may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation

from events_site.congresses.models import Congress
from events_site.congresses.pdf_fetcher import pdf_sources
from registrations import lifecycle
from registrations.enums import DelegateRole
from registrations.models import Delegate

from .enums import BadgeSort, EntryProblem
from .models import Badge, BadgeLayout, RefusedScan
from .pdf import RenderOptions, name_language

# The desk's reason for each way a delegate can stand (the lifecycle decides which).
ENTRY_PROBLEMS = {
    lifecycle.DelegateStanding.ADMITTED: "",
    lifecycle.DelegateStanding.CANCELLED: EntryProblem.CANCELLED,
    lifecycle.DelegateStanding.AWAITING_APPROVAL: EntryProblem.AWAITING_APPROVAL,
    lifecycle.DelegateStanding.UNPAID: EntryProblem.UNPAID,
}

SORT_ORDERS = {
    BadgeSort.FAMILY_NAME: ("delegate__family_name", "delegate__given_name", "pk"),
    BadgeSort.ORGANISATION: ("delegate__organisation_name", "delegate__family_name", "pk"),
    BadgeSort.COUNTRY: ("delegate__country", "delegate__family_name", "pk"),
}


def badges_for_printing(
    congress: Congress,
    *,
    only_unprinted: bool = False,
    registration_type_id: int | None = None,
    sort: str = BadgeSort.FAMILY_NAME,
) -> QuerySet[Badge]:
    # Batches print the badges of people who may enter: paid (or free and confirmed), not cancelled.
    # Erased delegates' badges are never printed again (their name is a pseudonym).
    badges = Badge.objects.filter(
        lifecycle.may_enter_q("delegate__"), congress=congress, delegate__erased_at__isnull=True
    )
    if only_unprinted:
        badges = badges.filter(printed_at__isnull=True)
    if registration_type_id:
        badges = badges.filter(delegate__registration_type_id=registration_type_id)
    return badges.order_by(*SORT_ORDERS[BadgeSort(sort)])


class LayoutChooser:
    """Registration type first, then role, then the congress default (loaded once)."""

    def __init__(self, congress: Congress):
        self.by_type: dict[int, BadgeLayout] = {}
        self.by_role: dict[str, BadgeLayout] = {}
        self.default: BadgeLayout | None = None
        self.layouts = list(
            BadgeLayout.objects.filter(congress=congress).select_related("registration_type")
        )
        for layout in self.layouts:
            if layout.registration_type_id:
                self.by_type.setdefault(layout.registration_type_id, layout)
            elif layout.role:
                self.by_role.setdefault(layout.role, layout)
            if layout.is_default and self.default is None:
                self.default = layout

    def for_delegate(self, delegate: Delegate) -> BadgeLayout | None:
        return self.for_type_and_role(delegate.registration_type_id, delegate.role)

    def for_type_and_role(self, registration_type_id: int, role: str) -> BadgeLayout | None:
        return self.by_type.get(registration_type_id) or self.by_role.get(role) or self.default

    def css(self) -> str:
        return "\n".join(layout.extra_css for layout in self.layouts if layout.extra_css)


def delegates_per_layout(congress: Congress, chooser: LayoutChooser) -> dict[int | None, int]:
    """How many live delegates print with each layout (``None``: the built-in look), in one
    grouped query whatever the number of delegates."""
    groups = (
        Delegate.objects.filter(order__congress=congress, is_cancelled=False)
        .values_list("registration_type_id", "role")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[int | None, int] = {}
    for type_id, role, count in groups:
        layout = chooser.for_type_and_role(type_id, role)
        key = layout.pk if layout else None
        counts[key] = counts.get(key, 0) + count
    return counts


def print_item(badge: Badge, layout: BadgeLayout | None) -> dict:
    """The plain data one badge prints (no database objects: it crosses process boundaries)."""
    delegate = badge.delegate
    role_label = str(DelegateRole(delegate.role).label) if delegate.role else ""
    place = ", ".join(p for p in (delegate.city, str(delegate.country.name or "")) if p)
    return {
        "name": delegate.printed_name,
        "lang": name_language(delegate.printed_name, delegate.language),
        "title": delegate.title,
        "organisation": delegate.organisation_name,
        "place": place,
        "role": delegate.role,
        "type_name": delegate.registration_type.name,
        "label": (layout.label if layout and layout.label else role_label),
        "band_colour": layout.band_colour if layout else "",
        "band_text_colour": layout.band_text_colour if layout else "",
        "back_text": layout.back_text if layout else "",
        "layout_id": layout.pk if layout else None,
        "qr": badge.secret,
    }


def print_items(congress: Congress, badges: QuerySet[Badge], language: str) -> Iterator[dict]:
    """Stream the print data of ``badges`` (fetched in batches, never all at once)."""
    chooser = LayoutChooser(congress)
    rows = badges.select_related("delegate", "delegate__registration_type")
    with translation.override(language):
        for badge in rows.iterator(chunk_size=1000):
            yield print_item(badge, chooser.for_delegate(badge.delegate))


def render_options(congress: Congress, **options) -> RenderOptions:
    logo_uri = ""
    if congress.logo:
        try:
            logo_uri = Path(congress.logo.path).as_uri()
        except (ValueError, NotImplementedError):
            logo_uri = ""
    return RenderOptions(
        congress_name=congress.name,
        logo_uri=logo_uri,
        layouts_css=LayoutChooser(congress).css(),
        language=(congress.languages or ["en"])[0],
        sources=pdf_sources(congress=congress),
        **options,
    )


def entry_problem(delegate: Delegate) -> str:
    """Why ``delegate`` may not enter, or "" when they may (the desk shows this in red)."""
    return ENTRY_PROBLEMS[lifecycle.delegate_standing(delegate)]


# What the desk's view of a person reads, fetched with the delegate (no query per person).
DESK_RELATED = ("order__congress", "registration_type", "badge", "badge__checked_in_by")


def desk_delegates(congress: Congress) -> QuerySet[Delegate]:
    """The congress's delegates with everything :func:`desk_person` reads."""
    return Delegate.objects.filter(order__congress=congress).select_related(*DESK_RELATED)


@dataclass(frozen=True)
class DeskPerson:
    """One person as the check-in desk sees them, on the desk page and in the API alike:
    the verdict and who checked them in where; no e-mail, no payments."""

    delegate: Delegate
    badge: Badge | None
    problem: str  # an EntryProblem, "" when they may enter
    checked_in_at: dt.datetime | None  # as stored (UTC)
    checked_in_by: object | None  # the staff user
    desk: str

    @property
    def may_enter(self) -> bool:
        return not self.problem

    @property
    def problem_label(self) -> str:
        return EntryProblem(self.problem).label if self.problem else ""

    @property
    def local_checked_in_at(self) -> dt.datetime | None:
        """The check-in time in the congress's own zone (what the desk page shows)."""
        if self.checked_in_at is None:
            return None
        return timezone.localtime(self.checked_in_at, self.delegate.order.congress.tz)


def desk_person(delegate: Delegate) -> DeskPerson:
    """The desk's view of ``delegate`` (fetch it through :func:`desk_delegates`)."""
    badge = getattr(delegate, "badge", None)
    return DeskPerson(
        delegate=delegate,
        badge=badge,
        problem=entry_problem(delegate),
        checked_in_at=badge.checked_in_at if badge else None,
        checked_in_by=badge.checked_in_by if badge else None,
        desk=badge.checked_in_desk if badge else "",
    )


def desk_search(congress: Congress, query: str, *, limit: int = 25) -> QuerySet[Delegate]:
    """Delegates matching a name or organisation, for the check-in desk."""
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return Delegate.objects.none()
    match = Q()
    for word in query.split(" "):
        match &= (
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(badge_name__icontains=word)
            | Q(organisation_name__icontains=word)
        )
    return (
        desk_delegates(congress).filter(match).order_by("family_name", "given_name", "pk")[:limit]
    )


def refused_scans(congress: Congress) -> QuerySet[RefusedScan]:
    """The desk's refusal log, newest first, with who scanned and whose badge it was."""
    return (
        RefusedScan.objects.filter(congress=congress)
        .select_related("by", "badge__delegate")
        .order_by("-at", "-pk")
    )
