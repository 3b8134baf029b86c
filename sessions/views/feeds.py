"""Feeds of the published programme: iCalendar (whole, filtered, one session, personal), JSON
and frab XML. Bodies are cached per version and filter; conditional requests get a 304; HEAD
is answered like GET; bodies are gzipped for clients that accept it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from events_site.congresses import soft_cache
from events_site.congresses.text import printable
from events_site.congresses.translations import main_language

from .. import http_caching, selectors
from ..enums import SessionFormat, SignupStatus
from ..exports import (
    C3VocJSONExporter,
    Exporter,
    FrabExporter,
    JSONExporter,
    PersonalICalExporter,
    ScheduleICalExporter,
    SessionICalExporter,
)
from .common import visible_congress

FEED_CACHE_SECONDS = 24 * 3600


def _respond(
    request,
    *,
    exporter: Exporter,
    version,
    variant: str,
    build: Callable[[], bytes],
    filename: str,
    congress,
    changed_at=None,
    default_language: str | None = None,
) -> HttpResponse:
    """Answer from the cache (or build once), with ETag/Last-Modified and 304s, gzipped for
    clients that accept it (its own ETag: it is another representation). The organisers'
    titles and abstracts are written in ``?lang=`` (one of the congress's languages), else in
    ``default_language`` or the congress's main language: one body per language."""
    language = request.GET.get("lang")
    if language is not None and language not in (congress.languages or []):
        return HttpResponseBadRequest(
            f"Unknown language: {printable(language)[:20]}",
            content_type="text/plain; charset=utf-8",
        )
    if language is None:
        language = (
            default_language
            if default_language in (congress.languages or [])
            else main_language(congress)
        )
    variant = f"{variant}|lang={language}"
    unlocalised = build

    def build() -> bytes:
        with translation.override(language):
            return unlocalised()

    tag = http_caching.version_tag(exporter.identifier, exporter.congress_slug, version, variant)
    gzipped = http_caching.accepts_gzip(request)
    etag = quote_etag(f"{tag}-gzip" if gzipped else tag)
    last_modified = http_caching.last_modified_of(version.published_at, changed_at)
    response = http_caching.not_modified(request, etag=etag, last_modified=last_modified)
    if response is None:
        key = f"agenda:feed:{tag}"

        def plain() -> bytes:
            body = soft_cache.get(key)
            if body is None:
                body = build()
                soft_cache.set(key, body, FEED_CACHE_SECONDS)
            return body

        if gzipped:
            body = soft_cache.get(f"{key}:gzip")
            if body is None:
                body = http_caching.gzip_body(plain())
                soft_cache.set(f"{key}:gzip", body, FEED_CACHE_SECONDS)
        else:
            body = plain()
        response = HttpResponse(body, content_type=exporter.content_type)
        if gzipped:
            response["Content-Encoding"] = "gzip"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    http_caching.vary_on_encoding(response)
    http_caching.stamp(response, etag=etag, last_modified=last_modified, public=exporter.public)
    return response


def _published(request, congress_slug: str):
    congress = visible_congress(request, congress_slug)
    version = selectors.latest_version(congress)
    if version is None:
        raise Http404
    return congress, version


class BadFilter(Exception):
    pass


def _feed_filters(params, programme) -> dict:
    """Filters of the schedule feed: unknown values are a 400 (a subscriber should know),
    never an empty calendar or a 500."""
    chosen: dict = {}
    track = params.get("track")
    if track is not None:
        if track not in programme.tracks:
            raise BadFilter(f"Unknown track: {track[:80]}")
        chosen["track"] = track
    fmt = params.get("format")
    if fmt is not None:
        if fmt not in SessionFormat.values:
            raise BadFilter(f"Unknown format: {fmt[:80]}")
        chosen["format"] = fmt
    room = params.get("room")
    if room is not None:
        try:
            room_id = int(room)
        except ValueError as exc:
            raise BadFilter("room must be a room id") from exc
        if room_id not in programme.rooms:
            raise BadFilter(f"Unknown room: {room_id}")
        chosen["room"] = room_id
    speaker = params.get("speaker")
    if speaker is not None:
        if speaker not in programme.speakers:
            raise BadFilter(f"Unknown speaker: {speaker[:80]}")
        chosen["speaker"] = speaker
    return chosen


@require_safe
def schedule_ics(request, congress_slug: str):
    congress, version = _published(request, congress_slug)
    programme = selectors.programme_of(version)
    try:
        chosen = _feed_filters(request.GET, programme)
    except BadFilter as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    exporter = ScheduleICalExporter(congress_slug=congress.slug, congress_name=congress.name)
    variant = "&".join(f"{k}={v}" for k, v in sorted(chosen.items()))
    return _respond(
        request,
        congress=congress,
        exporter=exporter,
        version=version,
        variant=variant,
        build=lambda: exporter.render(programme, programme.select(**chosen)),
        filename=exporter.filename(),
    )


@require_safe
def session_ics(request, congress_slug: str, code: str):
    congress, version = _published(request, congress_slug)
    programme = selectors.programme_of(version)
    session = programme.by_code.get(code)
    if session is None:
        raise Http404
    exporter = SessionICalExporter(congress_slug=congress.slug, congress_name=congress.name)
    return _respond(
        request,
        congress=congress,
        exporter=exporter,
        version=version,
        variant=code,
        build=lambda: exporter.render(programme, [session]),
        filename=exporter.filename(f"-{code}"),
    )


@require_safe
def schedule_json(request, congress_slug: str):
    congress, version = _published(request, congress_slug)
    programme = selectors.programme_of(version)
    exporter = JSONExporter(congress_slug=congress.slug, congress_name=congress.name)
    return _respond(
        request,
        congress=congress,
        exporter=exporter,
        version=version,
        variant="",
        build=lambda: exporter.render(programme, programme.sessions),
        filename=exporter.filename(),
    )


@require_safe
def schedule_c3voc_json(request, congress_slug: str):
    congress, version = _published(request, congress_slug)
    programme = selectors.programme_of(version)
    exporter = C3VocJSONExporter(congress_slug=congress.slug, congress_name=congress.name)
    return _respond(
        request,
        congress=congress,
        exporter=exporter,
        version=version,
        variant="",
        build=lambda: exporter.render(programme, programme.sessions),
        filename=exporter.filename(),
    )


@require_safe
def schedule_xml(request, congress_slug: str):
    congress, version = _published(request, congress_slug)
    programme = selectors.programme_of(version)
    exporter = FrabExporter(congress_slug=congress.slug, congress_name=congress.name)
    return _respond(
        request,
        congress=congress,
        exporter=exporter,
        version=version,
        variant="",
        build=lambda: exporter.render(programme, programme.sessions),
        filename=exporter.filename(),
    )


@require_safe
def personal_ics(request, congress_slug: str, token: str):
    """A delegate's agenda feed. Unknown, revoked or mistyped tokens all give the same 404."""
    agenda = selectors.agenda_by_token(token)
    if agenda is None or agenda.congress.slug != congress_slug:
        raise Http404
    version = selectors.latest_version(agenda.congress)
    if version is None:
        raise Http404
    programme = selectors.programme_of(version)
    signups = selectors.signups_of(agenda.delegate)
    codes = selectors.marked_codes(agenda) | set(signups)
    waiting = frozenset(code for code, status in signups.items() if status == SignupStatus.WAITING)
    congress = agenda.congress
    exporter = PersonalICalExporter(
        congress_slug=congress.slug, congress_name=congress.name, waiting=waiting
    )
    variant = hashlib.sha256(
        f"{agenda.pk}|{token}|{','.join(sorted(codes))}|{','.join(sorted(waiting))}".encode()
    ).hexdigest()
    return _respond(
        request,
        congress=congress,
        exporter=exporter,
        version=version,
        variant=variant,
        build=lambda: exporter.render(programme, programme.select(codes=codes)),
        filename=exporter.filename("-agenda"),
        changed_at=agenda.updated_at,
        default_language=agenda.delegate.language,
    )
