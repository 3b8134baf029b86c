"""One version number for what the congresses' public pages show, kept in the cache.

A page cache keeps each page with the version it was rendered under and serves it only while
that is still the version; every service that changes what a public page shows calls
:func:`bump` (explicitly: a signal would miss ``QuerySet.update()`` and hide the effect). The
core's own services bump it for congresses; apps bump it for what they add to the pages.
"""

from __future__ import annotations

import secrets

from django.db import transaction

from . import soft_cache

KEY = "congresses:public-version"


def current(found: dict | None = None) -> int:
    """The version now (from ``found``, a ``get_many`` answer that asked for :data:`KEY`)."""
    if found is not None:
        return found.get(KEY, 0)
    return soft_cache.get(KEY, 0)


def _start_new_version() -> None:
    try:
        soft_cache.incr(KEY)
    except ValueError:  # not set yet (or evicted): any value other than 0 or the old one
        soft_cache.set(KEY, secrets.randbelow(2**62) + 1, None)


def bump() -> None:
    """What the public pages show has changed: start a new version at once, and again when
    the caller's transaction commits, so a page rendered from the old rows in between is not
    kept. With the cache down nothing is kept, and older pages expire on their own."""
    _start_new_version()
    transaction.on_commit(_start_new_version)
