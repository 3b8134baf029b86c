"""Slides on the public session page (download) and their removal by the programme team. The
speaker's upload is on their own link (``cfp_speaker``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .. import selectors
from ..models import SessionSlides
from ..services.slides import remove_slides
from .common import visible_congress


def published_slides(congress, code: str) -> list[SessionSlides]:
    """Slides of the session ``code`` of ``congress``, oldest first (one query)."""
    return list(
        SessionSlides.objects.filter(session__congress=congress, session__code=code).order_by(
            "uploaded_at", "pk"
        )
    )


@require_safe
def slides_download(request, congress_slug: str, code: str, slides_code: str):
    """Only slides of a session in the published programme; always as a download, with the
    type the upload pipeline found, under a name made of the session's code."""
    congress = visible_congress(request, congress_slug)
    version = selectors.latest_version(congress)
    programme = selectors.programme_of(version) if version else None
    if programme is None or code not in programme.by_code or "\x00" in slides_code:
        raise Http404
    slides = get_object_or_404(
        SessionSlides, session__congress=congress, session__code=code, code=slides_code
    )
    try:
        handle = slides.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{code}-{slides.moment}-{slides.code[:6]}.{slides.extension.lower()}",
        content_type=slides.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@require_POST
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def slides_remove(request, congress, code: str, slides_code: str):
    slides = get_object_or_404(
        SessionSlides, session__congress=congress, session__code=code, code=slides_code
    )
    remove_slides(slides=slides, by=request.user)
    messages.success(request, _("The slides are removed."))
    return redirect("agenda:manage_session_edit", congress_slug=congress.slug, code=code)
