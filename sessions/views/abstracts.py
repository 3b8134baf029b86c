"""The book of abstracts (``programme.manage``): the accepted proposals of the congress, or of
one call (``?call=<slug>``), as an HTML page and as a PDF; and the public book, limited to the
published programme and to the calls that publish their abstracts."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import quote_etag
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from events_site.congresses import public_version
from events_site.congresses.enums import Perm
from events_site.congresses.permissions import congress_perm_required

from .. import http_caching, selectors
from ..abstracts import book_of_abstracts, book_pdf, published_book_of_abstracts
from ..models import CallForProposals
from ..page_cache import cached_public_page
from .common import visible_congress


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


def _book_version(request, congress_slug: str):
    """The congress and its latest version; 404 while nothing is published or no call
    publishes its abstracts."""
    congress = visible_congress(request, congress_slug)
    version = selectors.latest_version(congress)
    if version is None or not version.offers_abstracts:
        raise Http404
    return congress, version


def _published_book(congress, version):
    programme = selectors.programme_of(version)
    return published_book_of_abstracts(
        congress=congress, programme=programme, language=get_language()
    )


@require_safe
@cached_public_page("abstracts")
def public_abstracts(request, congress_slug: str):
    congress, version = _book_version(request, congress_slug)
    book = _published_book(congress, version)
    return render(
        request,
        "agenda/abstracts.html",
        {"congress": congress, "version": version, "book": book, "public": True},
    )


@require_safe
def public_abstracts_pdf(request, congress_slug: str):
    """The same book as a PDF, with a validator per version and language (a 304 renders
    nothing)."""
    congress, version = _book_version(request, congress_slug)
    language = get_language()
    etag = quote_etag(
        http_caching.version_tag(
            "abstracts.pdf", congress.slug, version, f"{language}|{public_version.current()}"
        )
    )
    last_modified = http_caching.last_modified_of(version.published_at)
    public = congress.is_public and not request.user.is_authenticated
    response = http_caching.not_modified(request, etag=etag, last_modified=last_modified)
    if response is None:
        book = _published_book(congress, version)
        response = HttpResponse(book_pdf(book, language=language), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{congress.slug}-abstracts.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
    http_caching.stamp(response, etag=etag, last_modified=last_modified, public=public)
    return response
