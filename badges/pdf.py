"""Badge PDFs: HTML and CSS rendered by WeasyPrint, in chunks, in parallel, joined as a stream.

One code path serves the desk (one badge), print jobs (background task), the ``render_badges``
command and the benchmark. Input is a list of plain dicts (see ``selectors.print_items``), so
chunks can be rendered in worker processes that never touch the database.

Why chunks: a WeasyPrint document of N badges holds every page box until it is written, so memory
grows with N; separate documents cost a fixed ~0.2 s each. Chunks of a few hundred badges keep
both small, and two worker processes use both cores.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from typing import BinaryIO

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from events_site.congresses.pdf_fetcher import PdfSources, pdf_sources, static_file_url
from events_site.congresses.text import printable

from .enums import PageFormat
from .namefit import fit_name
from .pdfjoin import StreamingPdfJoiner
from .pdfworker import die_with_parent, render_html, trim_heap

MM_TO_PT = 72 / 25.4
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Geometry:
    page_w: float
    page_h: float
    badge_w: float
    badge_h: float
    columns: int = 1
    rows: int = 1

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


GEOMETRY = {
    PageFormat.A6: Geometry(105, 148, 105, 148),
    PageFormat.IN_4X6: Geometry(101.6, 152.4, 101.6, 152.4),
    PageFormat.A4_SHEET_4: Geometry(210, 297, 105, 148.5, columns=2, rows=2),
}
PADDING_MM = 7
NAME_BOX_H_MM = 36


@dataclass(frozen=True)
class RenderOptions:
    """Everything a worker needs besides the badges themselves (picklable)."""

    page_format: str = PageFormat.A6
    crop_marks: bool = False
    back_side: bool = False
    congress_name: str = ""
    logo_uri: str = ""
    layouts_css: str = ""
    language: str = "en"
    extra: dict = field(default_factory=dict)
    # What the renderer may read (static files, the congress's logo); None: static files only.
    sources: PdfSources | None = None

    @property
    def geometry(self) -> Geometry:
        return GEOMETRY[PageFormat(self.page_format)]

    def pdf_sources(self) -> PdfSources:
        return self.sources if self.sources is not None else pdf_sources()


def name_language(name: str, hint: str = "") -> str:
    """A BCP 47 tag for the script of ``name``: picks the right CJK glyphs and shaping."""
    hint = (hint or "").lower()
    scripts = set()
    for char in name:
        if char.isalpha():
            scripts.add(unicodedata.name(char, "").split(" ", 1)[0])
    if "HANGUL" in scripts:
        return "ko"
    if scripts & {"HIRAGANA", "KATAKANA"}:
        return "ja"
    if "CJK" in scripts:
        if hint.startswith("ja"):
            return "ja"
        if hint in ("zh-hant", "zh-tw", "zh-hk"):
            return "zh-Hant"
        return "zh-Hans"
    if "ARABIC" in scripts:
        return hint if hint in ("ar", "fa", "ur") else "ar"
    if "DEVANAGARI" in scripts:
        return hint if hint in ("hi", "mr", "ne") else "hi"
    if "CYRILLIC" in scripts:
        return hint if hint in ("ru", "uk", "bg", "sr", "mk", "be", "kk") else "ru"
    if "GREEK" in scripts:
        return "el"
    return hint.split("-")[0] if hint else "en"


def qr_data_uri(payload: str) -> str:
    """The QR code as a tiny PNG (one pixel per module), printed with crisp edges.

    A bitmap is one image object in the PDF; an SVG path of the same code costs WeasyPrint
    about ten times longer to draw.
    """
    return segno.make_qr(payload, error="m").png_data_uri(scale=1, border=2)


def _colour(value: str, default: str) -> str:
    return value if value and _COLOUR.match(value) else default


def _badge_context(item: dict, geometry: Geometry) -> dict:
    width_pt = (geometry.badge_w - 2 * PADDING_MM) * MM_TO_PT
    fit = fit_name(item["name"], width_pt=width_pt, height_pt=NAME_BOX_H_MM * MM_TO_PT)
    return {
        **item,
        "lang": item.get("lang") or name_language(item["name"]),
        "name_size": f"{fit.size_pt:.1f}",
        "qr": qr_data_uri(item["qr"]),
        "band_colour": _colour(item.get("band_colour", ""), "#0b5cad"),
        "band_text_colour": _colour(item.get("band_text_colour", ""), "#ffffff"),
    }


def _cell(index: int, geometry: Geometry, mirrored: bool) -> dict:
    row, column = divmod(index, geometry.columns)
    if mirrored:  # the back of a sheet, turned over on its long edge
        column = geometry.columns - 1 - column
    return {"left": f"{column * geometry.badge_w:.2f}", "top": f"{row * geometry.badge_h:.2f}"}


def _sheets(badges: list[dict], options: RenderOptions) -> list[dict]:
    geometry = options.geometry
    sheets = []
    for start in range(0, len(badges), geometry.per_page):
        group = badges[start : start + geometry.per_page]
        fronts = [{**b, **_cell(i, geometry, False)} for i, b in enumerate(group)]
        sheets.append({"side": "front", "badges": fronts})
        if options.back_side:
            backs = [{**b, **_cell(i, geometry, True)} for i, b in enumerate(group)]
            sheets.append({"side": "back", "badges": backs})
    return sheets


def badge_html(items: list[dict], options: RenderOptions) -> str:
    geometry = options.geometry
    badges = [_badge_context(item, geometry) for item in items]
    with translation.override(options.language):
        html = render_to_string(
            "badges/pdf/badges.html",
            {
                "sheets": _sheets(badges, options),
                "g": geometry,
                "sheet_format": geometry.per_page > 1,
                "options": options,
                "stylesheet": static_file_url("badges/badge.css"),
                "layouts_css": options.layouts_css.replace("</", "<\\/"),
                "padding": PADDING_MM,
                "name_box_h": NAME_BOX_H_MM,
            },
        )
    return printable(html)  # text stored before the text rule carries no control character


def render_chunk(items: list[dict], options: RenderOptions) -> bytes:
    """One WeasyPrint document for ``items`` (a few hundred badges at most), in this process."""
    sources = options.pdf_sources()
    return render_html(badge_html(items, options), sources.base_url, sources)


def render_single(item: dict, options: RenderOptions) -> bytes:
    return render_chunk([item], options)


def _chunks(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def render_badges_pdf(
    items: Iterable[dict],
    out: BinaryIO,
    options: RenderOptions,
    *,
    workers: int | None = None,
    chunk_size: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Render ``items`` into ``out`` as one PDF; returns the number of badges rendered.

    At most ``workers + 1`` chunks are in flight, so memory does not grow with the batch.
    """
    workers = workers or settings.BADGES_RENDER_WORKERS or os.cpu_count() or 1
    size = chunk_size or settings.BADGES_CHUNK_SIZE
    per_page = options.geometry.per_page
    size = max(per_page, size - size % per_page)  # sheets stay full except the last
    chunks = _chunks(items, size)
    first = next(chunks, [])
    second = next(chunks, None)
    joiner = StreamingPdfJoiner(out)
    done = 0

    def add(count: int, pdf: bytes) -> None:
        nonlocal done
        joiner.add(pdf)
        del pdf
        trim_heap()  # the chunk's bytes and pypdf objects are freed: give the heap back
        done += count
        if on_progress:
            on_progress(done)

    if second is None or workers <= 1:
        for chunk in _prepend(first, second, chunks):
            if chunk:
                add(len(chunk), render_chunk(chunk, options))
    else:
        # Workers are fresh interpreters that import only WeasyPrint (see pdfworker.py);
        # this process builds each chunk's HTML and joins the PDFs as they come back.
        pending: deque = deque()
        sources = options.pdf_sources()
        base_url = sources.base_url
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=get_context("spawn"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            for chunk in _prepend(first, second, chunks):
                html = badge_html(chunk, options)
                pending.append((len(chunk), pool.submit(render_html, html, base_url, sources)))
                if len(pending) > workers:
                    count, future = pending.popleft()
                    add(count, future.result())
            while pending:
                count, future = pending.popleft()
                add(count, future.result())
    if done == 0:
        add(0, render_chunk([], options))
    joiner.close()
    return done


def _prepend(first: list[dict], second: list[dict] | None, rest: Iterator[list[dict]]):
    yield first
    if second is not None:
        yield second
        yield from rest
