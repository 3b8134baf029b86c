"""The agenda's panel of the back office dashboard (``settings.BACKOFFICE_PANELS``): seats of
every capacity-limited session (workshops, site visits), sold, held and left. One aggregate
query whatever the number of delegates and sign-ups.

"Sold": a seat of a delegate who may enter (paid); "held": a seat of a delegate whose order is
not paid yet (awaiting approval or payment); "left": the capacity less every seat signed up for,
as the sign-up service counts them (``services.personal.seats_taken``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from events_site.congresses.dashboard import Chart, Figure, Panel, Point
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from registrations import lifecycle

from .enums import SessionStatus, SignupStatus
from .models import Session

PERMS = (Perm.MANAGE_PROGRAMME, Perm.VIEW_REGISTRATIONS)


def panels(*, congress: Congress, perms: frozenset[str], now: dt.datetime) -> list[Panel]:
    if not perms & {str(perm) for perm in PERMS}:
        return []
    rows = session_seats(congress)
    return [session_seats_panel(rows)] if rows else []  # no such session: no panel


def session_seats(congress: Congress) -> list[dict]:
    """Each capacity-limited session (not cancelled) with its seats: one query."""
    seat = Q(signups__status=SignupStatus.SEAT)
    sold = seat & lifecycle.may_enter_q("signups__delegate__")
    held = (
        seat
        & Q(signups__delegate__is_cancelled=False)
        & Q(signups__delegate__order__status__in=lifecycle.UNPAID_STATUSES)
    )
    rows = (
        Session.objects.filter(congress=congress, capacity__isnull=False)
        .exclude(status=SessionStatus.CANCELLED)
        .annotate(
            seats=Count("signups", filter=seat),
            sold=Count("signups", filter=sold),
            held=Count("signups", filter=held),
            waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)),
        )
        .order_by("starts_at", "code")
        .values("code", "title", "capacity", "seats", "sold", "held", "waiting")
    )
    return [{**row, "left": max(0, row["capacity"] - row["seats"])} for row in rows]


def session_seats_panel(rows: list[dict]) -> Panel:
    def label(row) -> str:
        return f"{row['code']} {row['title']}".strip()

    return Panel(
        key="session-seats",
        title=_("Seats in capacity-limited sessions"),
        perms=PERMS,
        figures=[
            Figure(_("Capacity-limited sessions"), len(rows)),
            Figure(_("Seats sold"), sum(row["sold"] for row in rows)),
            Figure(_("Seats held, not paid"), sum(row["held"] for row in rows)),
            Figure(_("Seats left"), sum(row["left"] for row in rows)),
            Figure(_("Full sessions"), sum(1 for row in rows if row["left"] == 0)),
            Figure(_("On waiting lists"), sum(row["waiting"] for row in rows)),
        ],
        charts=[
            Chart(_("Seats sold per session"), [Point(label(r), r["sold"]) for r in rows]),
            Chart(
                _("Seats held, not paid, per session"), [Point(label(r), r["held"]) for r in rows]
            ),
            Chart(
                _("Seats left per session"),
                [Point(label(r), r["left"], f"{r['left']} / {r['capacity']}") for r in rows],
            ),
        ],
        note=_("Sold: the delegate’s order is paid. Held: it is not paid yet."),
    )
