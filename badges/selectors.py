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
from events_site.congresses.text import printable
from registrations import lifecycle
from registrations.enums import DelegateRole
from registrations.models import Delegate, Order
from registrations.search_keys import is_latin_key, normalise_search_text

from .enums import BadgeSort, EntryProblem
from .models import Badge, BadgeLayout, RefusedScan
from .pdf import RenderOptions, name_language

# The desk's reason for each way a delegate can stand (the lifecycle decides which).
ENTRY_PROBLEMS = {
    lifecycle.DelegateStanding.ADMITTED: "",
    lifecycle.DelegateStanding.INVOICED_UNPAID: "",
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
        "type_name": delegate.registration_type.translated("name"),
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


DESK_SEARCH_WORDS = 6  # more words than a name has narrow nothing, they only cost


def _orders_by_code_or_email(congress: Congress, words: list[str]) -> dict[str, set[int]]:
    """Word -> the congress's orders it names, as an order code (exactly) or contact e-mail
    (case ignored): one indexed query, and only for words that look like either."""
    codes = {w.upper(): w for w in words if w.isalnum() and 6 <= len(w) <= 12}
    emails = {w.casefold(): w for w in words if "@" in w and len(w) <= 254}
    if not codes and not emails:
        return {}
    match = Q(code__in=list(codes))
    for email in emails.values():
        match |= Q(email__iexact=email)
    found: dict[str, set[int]] = {}
    rows = Order.objects.filter(match, congress=congress).values_list("pk", "code", "email")
    for pk, code, email in rows:
        for word in filter(None, (codes.get(code), emails.get(email.casefold()))):
            found.setdefault(word, set()).add(pk)
    return found


def desk_search_q(congress: Congress, query: str) -> Q | None:
    """The desk's match for ``query`` (``None``: nothing to look for). Every word must match:
    an order code (exactly), an order's contact e-mail, or the delegate's normalised search
    text (names in any script and in Latin letters, e-mail, organisation, city; accents and
    case ignored). A Latin word matches at the start of a word ("wang" finds "Wang Wei", not
    "Mwangi"); a word in another script anywhere (Chinese and Japanese names have no spaces).
    Every condition is on the delegate's own row, so PostgreSQL's trigram index serves it."""
    words = printable(query or "")[:200].split()[:DESK_SEARCH_WORDS]
    orders = _orders_by_code_or_email(congress, words)
    match = Q()
    found = False
    for word in words:
        key = normalise_search_text(word)
        latin = is_latin_key(key)
        # Punctuation only ("%", "_", "*") holds nothing to find; one Latin letter finds all.
        if not key or (latin and len(key) < 2):
            continue
        if latin:
            term = Q(search_text__startswith=key) | Q(search_text__contains=f" {key}")
        else:
            term = Q(search_text__contains=key)
        if word in orders:
            term |= Q(order_id__in=sorted(orders[word]))
        match &= term
        found = True
    return match if found else None


def desk_search(congress: Congress, query: str, *, limit: int = 25) -> QuerySet[Delegate]:
    """Delegates matching a name (any script, or in Latin letters), order code, e-mail or
    organisation, for the check-in desk; at most ``limit``, in name order."""
    match = desk_search_q(congress, query)
    if match is None:
        return Delegate.objects.none()
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
