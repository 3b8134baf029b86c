"""HTML to PDF in a lean process: WeasyPrint only, no Django.

Worker processes of a large batch are started fresh (``spawn``) and import only this module,
so each holds WeasyPrint's own state and nothing of the parent (Django, the ORM, the batch's
data). The parent builds each chunk's HTML; workers turn it into PDF bytes. The same function
renders in-process for the desk and for small batches.
"""

from __future__ import annotations

import ctypes
import gc
import os

_state: dict[int, dict] = {}


def _resources() -> dict:
    """One font configuration per process, reused by every document: a new
    ``FontConfiguration`` per document reloads the font cache (most of a document's fixed
    cost), and its memory only comes back after a later GC cycle. (No shared image cache:
    every QR code is a different image, so it would only grow.)"""
    from weasyprint.text.fonts import FontConfiguration

    pid = os.getpid()
    if pid not in _state:
        _state.clear()  # inherited through fork: not ours
        _state[pid] = {"font_config": FontConfiguration()}
    return _state[pid]


def render_html(html: str, base_url: str, roots: list[str]) -> bytes:
    """One WeasyPrint document; resources load only through ``BadgeURLFetcher(roots)``."""
    from weasyprint import HTML

    from .fetcher import BadgeURLFetcher

    resources = _resources()
    document = HTML(string=html, base_url=base_url, url_fetcher=BadgeURLFetcher(roots=roots))
    pdf = document.write_pdf(font_config=resources["font_config"])
    del document
    gc.collect()  # layout trees are cyclic: free them now, before the next chunk
    _trim_heap()
    return pdf


def _trim_heap() -> None:
    """Give freed heap pages back to the system (glibc keeps them otherwise), so a process's
    memory after a chunk returns to its baseline instead of ratcheting up."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)
