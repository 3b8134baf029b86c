"""The agenda's part of a congress's set-up, copied by the core's ``copy_setup``
(``CONGRESS_SETUP_COPIERS``): tracks, the formats' default durations and tags. Sessions,
speakers and published versions belong to one congress and are never copied.

Further programme set-up gets a ``SetupPart`` of its own here (listed in
``CONGRESS_SETUP_COPIERS``), filling ``id_maps[Model._meta.label_lower]`` for any part that
refers to it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from events_site.congresses.setup_copy import congress_rows_part

from .models import FormatSetting, Tag, Track

tracks = congress_rows_part(Track, key="tracks", label=_("Tracks"))
formats = congress_rows_part(
    FormatSetting,
    key="formats",
    label=_("Formats and their default durations"),
    counts={"formats": _("Formats")},
)
tags = congress_rows_part(Tag, key="tags", label=_("Tags"))
