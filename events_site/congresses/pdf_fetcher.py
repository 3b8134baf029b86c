"""The one way any PDF (invoice, credit note, confirmation, badge) reaches outside its HTML.

WeasyPrint loads stylesheets, images and fonts only through ``PdfURLFetcher``, which reads:
- our static files: the ones ``collectstatic`` wrote into the staticfiles storage (so the hashed
  names of the manifest storage resolve), and the staticfiles finders' folders while ``DEBUG``
  is on or nothing has been collected;
- the congress's own uploads (its logo);
- inline ``data:`` URLs (the badges' QR codes), which read nothing.
Everything else is refused: other hosts, other paths of our site, other schemes (``http(s)``
elsewhere, ``ftp``, ``gopher``...), ``file:`` outside those folders, ``..`` and symlinks pointing
out. So neither a layout's CSS nor text a delegate typed can make the server read its own
files or call an address.

What a PDF may read is computed once, by ``pdf_sources()`` in the Django process, as plain
paths (``PdfSources``), so badge worker processes that run without Django apply the same rules.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

if TYPE_CHECKING:
    from .models import Congress


class FetchRefused(ValueError):
    """WeasyPrint catches ValueError per resource: the PDF renders without that resource."""


@dataclass(frozen=True)
class PdfSources:
    """What one PDF may read, as resolved paths (picklable, usable without Django).

    ``static_url`` and ``media_url`` are absolute (``SITE_URL`` joined with ``STATIC_URL``,
    ``MEDIA_URL``); ``static_dirs`` are ``(prefix, directory)`` pairs looked up in order for
    ``<static_url><prefix>/<name>`` (and for ``file:`` URLs inside them); ``media_files`` are
    the only uploads that may be read, by ``<media_url><name>`` or by ``file:`` URL.
    """

    site_url: str
    static_url: str
    media_url: str
    static_dirs: tuple[tuple[str, str], ...]
    media_root: str
    media_files: frozenset[str] = frozenset()

    @property
    def base_url(self) -> str:
        return self.site_url.rstrip("/") + "/"


def pdf_sources(*, congress: Congress | None = None) -> PdfSources:
    """The static folders and ``congress``'s uploads that a PDF rendered now may read."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage

    collected = _collected_dir(staticfiles_storage)
    static_dirs: list[tuple[str, str]] = []
    if settings.DEBUG or collected is None or not _has_manifest(staticfiles_storage):
        static_dirs.extend(_finder_dirs())
    if collected is not None:
        static_dirs.append(("", collected))
    return PdfSources(
        site_url=settings.SITE_URL.rstrip("/"),
        static_url=urljoin(settings.SITE_URL.rstrip("/") + "/", settings.STATIC_URL),
        media_url=urljoin(settings.SITE_URL.rstrip("/") + "/", settings.MEDIA_URL),
        static_dirs=tuple(static_dirs),
        media_root=os.path.realpath(settings.MEDIA_ROOT),
        media_files=frozenset(_congress_files(congress)) if congress is not None else frozenset(),
    )


def static_file_url(name: str) -> str:
    """The absolute URL of the static file ``name`` as a PDF refers to it (the hashed name in
    production), so that it is read from the same place as the PDF's other static files."""
    from django.conf import settings
    from django.templatetags.static import static

    return urljoin(settings.SITE_URL.rstrip("/") + "/", static(name))


def html_to_pdf(
    html: str, *, congress: Congress | None = None, pdf_variant: str | None = None
) -> bytes:
    """``html`` as PDF bytes, its links resolved against ``SITE_URL``, read through the fetcher
    (``pdf_variant``, e.g. ``"pdf/a-3b"``, is WeasyPrint's: an archival PDF for e-invoices)."""
    from weasyprint import HTML

    sources = pdf_sources(congress=congress)
    document = HTML(string=html, base_url=sources.base_url, url_fetcher=PdfURLFetcher(sources))
    return document.write_pdf(pdf_variant=pdf_variant) if pdf_variant else document.write_pdf()


class PdfURLFetcher(URLFetcher):
    """Serves the files ``sources`` allows and ``data:`` URLs; refuses every other URL (and
    notes it in ``refused``). Only ``data:`` ever reaches urllib: files are read here."""

    def __init__(self, sources: PdfSources, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs["allowed_protocols"] = ("data",)
        super().__init__(**kwargs)
        self.sources = sources
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = urlsplit(url).scheme.lower() if "\x00" not in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        path = None
        if scheme in ("http", "https"):
            path = self._our_file(url)
        elif scheme == "file":
            path = self._local_file(url)
        if path is None:
            self.refused.append(url)
            raise FetchRefused(f"A PDF may not load {url[:200]}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as handle:
            body = handle.read()
        # Answer with the URL asked for: relative links inside a stylesheet resolve against it
        # and come back through the same rules.
        answer = url if scheme != "file" else Path(path).as_uri()
        return URLFetcherResponse(answer, body, {"Content-Type": content_type})

    def _our_file(self, url: str) -> str | None:
        parts = urlsplit(url)
        path = unquote(parts.path)
        for prefix, find in (
            (self.sources.static_url, self._static_file),
            (self.sources.media_url, self._media_name),
        ):
            base = urlsplit(prefix)
            if parts.netloc.lower() == base.netloc.lower() and path.startswith(base.path):
                return find(path[len(base.path) :])
        return None

    def _media_name(self, name: str) -> str | None:
        if not _safe_name(name):
            return None
        return self._media_file(os.path.join(self.sources.media_root, name))

    def _static_file(self, name: str) -> str | None:
        if not _safe_name(name):
            return None
        for prefix, directory in self.sources.static_dirs:
            if prefix:
                if not name.startswith(prefix + "/"):
                    continue
                relative = name[len(prefix) + 1 :]
            else:
                relative = name
            found = _inside(os.path.join(directory, relative), directory)
            if found is not None:
                return found
        return None

    def _media_file(self, path: str) -> str | None:
        real = os.path.realpath(path)
        return real if real in self.sources.media_files and os.path.isfile(real) else None

    def _local_file(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = unquote(parts.path)
        if not path.startswith("/") or ".." in path.split("/") or "\x00" in path:
            return None
        for _, directory in self.sources.static_dirs:
            found = _inside(path, directory)
            if found is not None:
                return found
        return self._media_file(path)


def _safe_name(name: str) -> bool:
    """A relative name with no way up or out: no ``..``, no absolute path, no NUL, no ``\\``."""
    if not name or name.startswith("/") or "\x00" in name or "\\" in name:
        return False
    return ".." not in name.split("/")


def _inside(path: str, directory: str) -> str | None:
    """``path`` with symlinks resolved, if it is a file that stays inside ``directory``."""
    real = os.path.realpath(path)
    if Path(real).is_relative_to(directory) and os.path.isfile(real):
        return real
    return None


def _collected_dir(storage) -> str | None:
    """The local folder ``collectstatic`` writes to, if there is one and it exists."""
    try:
        location = storage.path("")
    except NotImplementedError:  # a remote storage: nothing to read locally
        return None
    return os.path.realpath(location) if os.path.isdir(location) else None


def _has_manifest(storage) -> bool:
    """True for a hashing storage whose manifest ``collectstatic`` wrote: then the names PDFs
    use exist only in the collected folder, and the source folders are not read."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin

    return isinstance(storage, ManifestFilesMixin) and storage.manifest_storage.exists(
        storage.manifest_name
    )


def _finder_dirs() -> list[tuple[str, str]]:
    """The folders the staticfiles finders read, in their order, as (prefix, directory)."""
    from django.contrib.staticfiles import finders

    dirs: list[tuple[str, str]] = []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location and os.path.isdir(location):
                pair = (getattr(storage, "prefix", None) or "", os.path.realpath(location))
                if pair not in dirs:
                    dirs.append(pair)
    return dirs


def _congress_files(congress: Congress) -> list[str]:
    """The resolved paths of the files uploaded to ``congress`` itself (its logo)."""
    from django.db.models import FileField

    paths = []
    for field in congress._meta.get_fields():
        if isinstance(field, FileField):
            upload = getattr(congress, field.name)
            if upload:
                try:
                    paths.append(os.path.realpath(upload.path))
                except (ValueError, NotImplementedError):
                    continue
    return paths
