"""Room scanning for sessions with ``attendance_scanning``: the door's scan page (check-in
staff) and each session's attendance list (organisers who see registrations)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.permissions import congress_perm_required
from events_site.congresses.text import printable

from ..models import AttendanceRefusal, Session, SessionAttendance
from ..services.attendance import AttendanceVerdict, scan_into_session

REFUSALS_SHOWN = 50  # the latest refusals at the door, on the attendance page
STATUS = {AttendanceVerdict.CAME_IN: 200, AttendanceVerdict.ALREADY_IN: 200}


def _scanned_session(congress, code: str) -> Session:
    return get_object_or_404(
        Session.objects.select_related("congress", "room"),
        congress=congress,
        code=code,
        attendance_scanning=True,
    )


@congress_perm_required(Perm.CHECK_IN)
def attendance_sessions(request, congress):
    """The sessions whose doors scan badges, for staff to pick theirs."""
    sessions = (
        Session.objects.filter(congress=congress, attendance_scanning=True)
        .select_related("room")
        .order_by("starts_at", "code")
    )
    return render(
        request,
        "agenda/manage/attendance_sessions.html",
        {"congress": congress, "sessions": sessions},
    )


@congress_perm_required(Perm.CHECK_IN)
def attendance_scan(request, congress, code: str):
    """GET: the door's scan form. POST: a scanned badge in, and the verdict, large."""
    session = _scanned_session(congress, code)
    context = {"congress": congress, "session": session, "result": None}
    status = 200
    if request.method == "POST":
        scanned = printable(request.POST.get("code", ""))[:200]
        try:
            result = scan_into_session(session=session, code=scanned, by=request.user)
        except DomainError as error:
            context["error"] = error.message
            status = 409
        else:
            context["result"] = result
            if result.attendance is not None:
                context["came_in_at"] = timezone.localtime(result.attendance.at, congress.tz)
            status = STATUS.get(result.verdict, 409)
    context["count"] = SessionAttendance.objects.filter(session=session).count()
    return render(request, "agenda/manage/attendance_scan.html", context, status=status)


@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def attendance_list(request, congress, code: str):
    """Who came into the session, in order of arrival, 100 a page; and the latest badges its
    door refused, with why."""
    session = get_object_or_404(
        Session.objects.select_related("room"), congress=congress, code=code
    )
    rows = (
        SessionAttendance.objects.filter(session=session)
        .select_related("delegate", "by")
        .order_by("at", "pk")
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    for row in page:
        row.local_at = timezone.localtime(row.at, congress.tz)
    refusals = AttendanceRefusal.objects.filter(session=session)
    refused = list(refusals.select_related("delegate", "by")[:REFUSALS_SHOWN])
    for row in refused:
        row.local_at = timezone.localtime(row.at, congress.tz)
    return render(
        request,
        "agenda/manage/attendance_list.html",
        {
            "congress": congress,
            "session": session,
            "page": page,
            "refused": refused,
            "refused_count": refusals.count() if len(refused) == REFUSALS_SHOWN else len(refused),
        },
    )
