"""Organiser pages under ``/<congress>/manage/agenda/``: every one needs ``programme.manage``
through the one permission check. They parse forms and call services, nothing more."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .. import selectors, services
from ..enums import SessionStatus
from ..errors import InvalidProgrammeData, NothingToPublish, ScheduleConflict
from ..forms import PublishForm, SessionForm, SpeakerForm
from ..models import Session, Speaker
from ..services.change_notices import preview_recipients
from ..services.publishing import build_snapshot
from .blocks import block_context

RECIPIENTS_SHOWN = 200


def _report(form, exc) -> None:
    if isinstance(exc, ScheduleConflict):
        for conflict in exc.conflicts:
            form.add_error(None, conflict.message)
    else:
        form.add_error(None, exc.message)


def _warn(request, warnings) -> None:
    for warning in warnings:
        messages.warning(request, warning.message)


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def session_list(request, congress):
    sessions = selectors.draft_sessions(congress)
    status = request.GET.get("status", "")
    if status in SessionStatus.values:
        sessions = sessions.filter(status=status)
    page = Paginator(sessions, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "agenda/manage/sessions.html",
        {
            "congress": congress,
            "page": page,
            "status": status,
            "statuses": SessionStatus,
            "version": selectors.latest_version(congress),
        },
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def session_create(request, congress):
    form = SessionForm(request.POST or None, congress=congress)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.create_session(
                congress=congress,
                by=request.user,
                speakers=form.speaker_assignments(),
                **form.session_fields(),
                **form.translation_fields(),
            )
        except (ScheduleConflict, InvalidProgrammeData) as exc:
            _report(form, exc)
        else:
            _warn(request, saved.warnings)
            messages.success(request, _("Session %(code)s saved.") % {"code": saved.session.code})
            return redirect("agenda:manage_sessions", congress_slug=congress.slug)
    return render(request, "agenda/manage/session_form.html", {"congress": congress, "form": form})


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def session_edit(request, congress, code: str):
    session = get_object_or_404(
        Session.objects.prefetch_related("roles"), congress=congress, code=code
    )
    session.congress = congress
    form = SessionForm(
        request.POST or None,
        congress=congress,
        session=session,
        initial=SessionForm.initial_for(session),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_session(
                session=session,
                by=request.user,
                speakers=form.speaker_assignments(),
                **form.session_fields(),
                **form.translation_fields(),
            )
        except (ScheduleConflict, InvalidProgrammeData) as exc:
            _report(form, exc)
        else:
            _warn(request, saved.warnings)
            messages.success(request, _("Session %(code)s saved.") % {"code": session.code})
            return redirect("agenda:manage_sessions", congress_slug=congress.slug)
    return render(
        request,
        "agenda/manage/session_form.html",
        {
            "congress": congress,
            "form": form,
            "session": session,
            "contribution_block": block_context(session),
        },
    )


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def session_cancel(request, congress, code: str):
    session = get_object_or_404(Session, congress=congress, code=code)
    session.congress = congress
    services.cancel_session(session=session, by=request.user)
    messages.success(request, _("Session %(code)s cancelled.") % {"code": code})
    return redirect("agenda:manage_sessions", congress_slug=congress.slug)


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def conflicts(request, congress):
    found = services.congress_conflicts(congress)
    return render(
        request,
        "agenda/manage/conflicts.html",
        {
            "congress": congress,
            "errors": [c for c in found if c.is_error],
            "warnings": [c for c in found if not c.is_error],
        },
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def publish(request, congress):
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.publish_schedule(
                congress=congress, by=request.user, comment=form.cleaned_data["comment"]
            )
        except (ScheduleConflict, NothingToPublish) as exc:
            _report(form, exc)
        else:
            messages.success(
                request,
                _("Version %(n)s published with %(c)s changes.")
                % {"n": version.number, "c": len(version.changelog)},
            )
            return redirect("agenda:manage_sessions", congress_slug=congress.slug)
    changes = services.preview_changes(congress)
    latest = selectors.latest_version(congress)
    recipients = preview_recipients(congress, changes, first=latest is None)
    blocking = [
        c
        for c in services.congress_conflicts(congress, statuses=[SessionStatus.CONFIRMED])
        if c.is_error
    ]
    return render(
        request,
        "agenda/manage/publish.html",
        {
            "congress": congress,
            "form": form,
            "changes": changes,
            "blocking": blocking,
            "version": latest,
            "session_count": len(build_snapshot(congress)["sessions"]),
            "recipients": recipients[:RECIPIENTS_SHOWN],
            "recipient_count": len(recipients),
        },
    )


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def speaker_list(request, congress):
    page = Paginator(Speaker.objects.filter(congress=congress), 100).get_page(
        request.GET.get("page")
    )
    return render(request, "agenda/manage/speakers.html", {"congress": congress, "page": page})


@congress_perm_required(Perm.MANAGE_PROGRAMME)
def speaker_edit(request, congress, code: str | None = None):
    speaker = get_object_or_404(Speaker, congress=congress, code=code) if code else None
    form = SpeakerForm(request.POST or None, request.FILES or None, instance=speaker)
    if request.method == "POST" and form.is_valid():
        fields = {k: form.cleaned_data[k] for k in SpeakerForm.Meta.fields}
        if not fields.get("photo"):
            fields.pop("photo")
        try:
            if speaker is None:
                services.create_speaker(congress=congress, by=request.user, **fields)
            else:
                services.update_speaker(speaker=speaker, by=request.user, **fields)
        except InvalidProgrammeData as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Speaker saved."))
            return redirect("agenda:manage_speakers", congress_slug=congress.slug)
    return render(
        request,
        "agenda/manage/speaker_form.html",
        {"congress": congress, "form": form, "speaker": speaker},
    )
