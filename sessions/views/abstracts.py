"""The book of abstracts (``programme.manage``): the accepted proposals of the congress, or of
one call (``?call=<slug>``), as an HTML page and as a PDF."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from ..abstracts import book_of_abstracts, book_pdf
from ..models import CallForProposals


def _call(request, congress) -> CallForProposals | None:
    """The call named by ``?call=`` (none: the whole congress); 404 for an unknown one."""
    slug = request.GET.get("call", "")
    if not slug:
        return None
    if "\x00" in slug or len(slug) > 80:
        raise Http404
    found = CallForProposals.objects.filter(congress=congress, slug=slug).first()
    if found is None:
        raise Http404
    return found


@require_safe
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def abstracts(request, congress):
    call = _call(request, congress)
    book = book_of_abstracts(congress=congress, call=call, language=get_language())
    calls = CallForProposals.objects.filter(congress=congress).order_by("opens_at", "pk")
    return render(
        request,
        "agenda/manage/abstracts.html",
        {"congress": congress, "book": book, "calls": calls},
    )


@require_safe
@congress_perm_required(Perm.MANAGE_PROGRAMME)
def abstracts_pdf(request, congress):
    call = _call(request, congress)
    language = get_language()
    book = book_of_abstracts(congress=congress, call=call, language=language)
    response = HttpResponse(book_pdf(book, language=language), content_type="application/pdf")
    name = f"{congress.slug}-{call.slug}" if call else congress.slug
    response["Content-Disposition"] = f'inline; filename="{name}-abstracts.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
