"""HTML to PDF in a lean process: WeasyPrint only, no Django.

Worker processes of a large batch are started fresh (``spawn``) and import only this module,
so each holds WeasyPrint's own state and nothing of the parent (Django, the ORM, the batch's
data). The parent builds each chunk's HTML; workers turn it into PDF bytes. The same function
renders in-process for the desk and for small batches.

Each worker dies with the process that started it (:func:`die_with_parent`): a task worker
killed in the middle of a batch leaves no render process behind.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from events_site.congresses.pdf_fetcher import PdfSources

_state: dict[int, dict] = {}
_local = threading.local()
_DEFERRED = object()


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int) -> None:
    """Initializer of every render process: end when ``parent_pid`` ends, however it ends.

    On Linux the kernel sends this process SIGKILL when its parent dies (``PR_SET_PDEATHSIG``);
    elsewhere a watchdog thread checks once a second. The parent may have died before either
    was in place, so the parent is checked once more afterwards. (Linux sends the signal when
    the parent's *thread* that started the pool ends: the pool is used by one call, in one
    thread, so that is the same moment.)
    """
    if not _kill_me_with_parent():
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:
        os._exit(1)


def _kill_me_with_parent() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1)
    os._exit(1)


def _defer_font_file_copies() -> None:
    """Read a font's file only when WeasyPrint really needs it (WeasyPrint 70).

    ``weasyprint.pdf.fonts.Font.__init__`` copies the whole font file into a ``bytes`` object
    for every font family, weight and style a document uses, although with HarfBuzz subsetting
    (our case) only a variable font or a font kept whole ever reads that copy: the subset is
    made from the HarfBuzz face. A Noto Sans CJK face lives in a 20 MB collection, and badges
    use the bold one as CJK SC, JP and KR (and the regular one for organisations), so each
    document briefly held 60-80 MB of copies per process. Here ``Font.file_content`` becomes
    a lazy attribute: same value, read on first use.
    """
    import weasyprint
    from weasyprint.pdf import fonts

    if getattr(fonts.Font, "_convene_lazy_file", False):
        return
    if not weasyprint.__version__.startswith("70."):
        return  # checked against 70's code only; anything else keeps WeasyPrint's own way
    read = fonts.get_hb_object_data
    init = fonts.Font.__init__

    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is None and glyph is None and getattr(_local, "in_font_init", False):
            return _DEFERRED
        return read(hb_object, ot_color, glyph)

    def font_init(self, *args, **kwargs):
        _local.in_font_init = True
        try:
            init(self, *args, **kwargs)
        finally:
            _local.in_font_init = False

    class FileContent:
        def __get__(self, font, owner=None):
            if font is None:
                return self
            data = font.__dict__.get("_convene_file_content", _DEFERRED)
            if data is _DEFERRED:
                data = font.__dict__["_convene_file_content"] = read(font.hb_face)
            return data

        def __set__(self, font, value):
            font.__dict__["_convene_file_content"] = value

    fonts.get_hb_object_data = get_hb_object_data
    fonts.Font.__init__ = font_init
    fonts.Font.file_content = FileContent()
    fonts.Font._convene_lazy_file = True


def _resources() -> dict:
    """One font configuration per process, reused by every document: a new
    ``FontConfiguration`` per document reloads the font cache (most of a document's fixed
    cost), and its memory only comes back after a later GC cycle. (No shared image cache:
    every QR code is a different image, so it would only grow.)"""
    from weasyprint.text.fonts import FontConfiguration

    pid = os.getpid()
    if pid not in _state:
        _defer_font_file_copies()
        _state.clear()  # inherited through fork: not ours
        _state[pid] = {"font_config": FontConfiguration()}
    return _state[pid]


def render_html(html: str, base_url: str, sources: PdfSources) -> bytes:
    """One WeasyPrint document; resources load only through the project's one PDF fetcher,
    within ``sources`` (computed by the parent: this process has no Django)."""
    from weasyprint import HTML

    from events_site.congresses.pdf_fetcher import PdfURLFetcher

    resources = _resources()
    document = HTML(string=html, base_url=base_url, url_fetcher=PdfURLFetcher(sources))
    pdf = document.write_pdf(font_config=resources["font_config"])
    del document
    gc.collect()  # layout trees are cyclic: free them now, before the next chunk
    trim_heap()
    return pdf


def trim_heap() -> None:
    """Give freed heap pages back to the system (glibc keeps them otherwise), so a process's
    memory after a chunk returns to its baseline instead of ratcheting up."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)
