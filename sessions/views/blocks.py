"""The contributions of a session block, managed from the session's page (``programme.manage``):
add, edit, move up or down, delete. Each write is one call to ``services.blocks``."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from ..block_forms import ContributionForm
from ..enums import BLOCK_FORMATS
from ..errors import InvalidProgrammeData, ScheduleConflict
from ..models import Contribution, Session
from ..services import blocks


def block_context(session: Session) -> dict | None:
    """What the session page shows of its block: contributions timed in order, chairs' room
    left (None for a format that holds no contributions)."""
    if session.format not in BLOCK_FORMATS:
        return None
    contributions = list(session.contributions.prefetch_related("speakers"))
    times = blocks.contribution_times(session.starts_at, [c.minutes for c in contributions])
    tz = session.congress.tz
    rows = [
        {"contribution": c, "starts": start.astimezone(tz), "ends": end.astimezone(tz)}
        for c, (start, end) in zip(contributions, times, strict=True)
    ]
    used = sum(c.minutes for c in contributions)
    return {"rows": rows, "used": used, "free": blocks.session_minutes(session) - used}


def _session(congress, code: str) -> Session:
    session = get_object_or_404(Session, congress=congress, code=code)
    session.congress = congress
    return session


def _contribution(session: Session, contribution_code: str) -> Contribution:
    contribution = get_object_or_404(Contribution, session=session, code=contribution_code)
    contribution.session = session
    return contribution


def _back(congress, session):
    return redirect("agenda:manage_session_edit", congress_slug=congress.slug, code=session.code)


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def contribution_edit(request, congress, code: str, contribution_code: str | None = None):
    session = _session(congress, code)
    contribution = _contribution(session, contribution_code) if contribution_code else None
    initial = None
    if contribution is not None:
        initial = {
            "title": contribution.title,
            "abstract": contribution.abstract,
            "minutes": contribution.minutes,
            "speakers": [sp.pk for sp in contribution.speakers.all()],
        }
    form = ContributionForm(request.POST or None, congress=congress, initial=initial)
    if request.method == "POST" and form.is_valid():
        speakers = list(form.cleaned_data.get("speakers") or [])
        try:
            if contribution is None:
                blocks.add_contribution(
                    session=session,
                    by=request.user,
                    speakers=speakers,
                    **form.contribution_fields(),
                )
            else:
                blocks.update_contribution(
                    contribution=contribution,
                    by=request.user,
                    speakers=speakers,
                    **form.contribution_fields(),
                )
        except (InvalidProgrammeData, ScheduleConflict) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Contribution saved."))
            return _back(congress, session)
    return render(
        request,
        "agenda/manage/contribution_form.html",
        {
            "congress": congress,
            "session": session,
            "contribution": contribution,
            "form": form,
            "free_minutes": blocks.session_minutes(session)
            - sum(c.minutes for c in session.contributions.all() if c != contribution),
        },
    )


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def contribution_delete(request, congress, code: str, contribution_code: str):
    session = _session(congress, code)
    blocks.delete_contribution(
        contribution=_contribution(session, contribution_code), by=request.user
    )
    messages.success(request, _("Contribution deleted."))
    return _back(congress, session)


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def contribution_move(request, congress, code: str, contribution_code: str):
    session = _session(congress, code)
    contribution = _contribution(session, contribution_code)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):  # nothing to do: back to the block as it is
        return _back(congress, session)
    blocks.move_contribution(
        contribution=contribution, by=request.user, offset=-1 if direction == "up" else 1
    )
    return _back(congress, session)
