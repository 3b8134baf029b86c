"""The only way WeasyPrint reaches outside the badge HTML.

It reads files from the project's static directories and from uploaded congress logos
(``MEDIA_ROOT/congress-logos``), and inline ``data:`` URLs. Everything else (other files,
``http(s)``, ``ftp``...) is refused, so a layout's CSS or a delegate's name cannot make the
server read ``/etc/passwd`` or call an internal address.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class FetchRefused(ValueError):
    """WeasyPrint catches ValueError per resource: the badge renders without it."""


def allowed_roots() -> list[str]:
    """The static directories and the congress logo folder, symlinks resolved."""
    from django.conf import settings

    roots = [Path(p) for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT))
    roots.append(Path(settings.MEDIA_ROOT) / "congress-logos")
    return [os.path.realpath(root) for root in roots]


class BadgeURLFetcher(URLFetcher):
    """``roots``: the folders files may come from (default: ``allowed_roots()``; worker
    processes get them passed, as they run without Django)."""

    def __init__(self, *args, roots: list[str] | None = None, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        super().__init__(*args, **kwargs)
        self.roots = [Path(root) for root in (roots if roots is not None else allowed_roots())]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._allowed_path(url)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url=path.as_uri(),
                    body=path.read_bytes(),
                    headers={"Content-Type": content_type},
                )
        self.refused.append(url)
        raise FetchRefused(f"Badge rendering may not load {url[:200]}")

    def _allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(os.path.realpath(unquote(parts.path)))
        for root in self.roots:
            if path.is_relative_to(root) and path.is_file():
                return path
        return None
