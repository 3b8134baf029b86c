"""The programme widget's settings: which sites may frame ``/<congress>/widget/``."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from events_site.congresses import audit
from events_site.congresses.models import Congress

from ..errors import InvalidProgrammeData
from ..models import WidgetSettings

MAX_ORIGINS = 20
MAX_ORIGIN_LENGTH = 300  # a host name is 253 characters at most
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


def parse_origin(text: str) -> str:
    """``https://host[:port]`` from what an organiser typed (a trailing ``/`` is dropped);
    anything else (a path, a wildcard, plain http away from this machine, quotes or
    semicolons that would break the header) is refused with a message naming it."""
    value = text.strip().rstrip("/")
    shown = value[:80]
    if len(value) > MAX_ORIGIN_LENGTH or not value.isprintable() or any(c.isspace() for c in value):
        raise InvalidProgrammeData(
            _("“%(origin)s” is not a site address: give it as https://www.example.org.")
            % {"origin": shown.encode("unicode_escape").decode()}
        )
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        port = -1
    host = (parts.hostname or "").lower()
    well_formed = (
        parts.scheme in ("https", "http")
        and host
        and port != -1
        and not (parts.path or parts.query or parts.fragment or parts.username)
        and all(c.isalnum() or c in ".-[]:" for c in host)
        and "*" not in value
    )
    if not well_formed:
        raise InvalidProgrammeData(
            _("“%(origin)s” is not a site address: give it as https://www.example.org.")
            % {"origin": shown}
        )
    if parts.scheme == "http" and host not in LOCAL_HOSTS:
        raise InvalidProgrammeData(
            _("“%(origin)s” must use https:// (plain http only for this machine).")
            % {"origin": shown}
        )
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}"


def allowed_origins(congress: Congress) -> list[str]:
    return list(
        WidgetSettings.objects.filter(congress=congress)
        .values_list("allowed_origins", flat=True)
        .first()
        or []
    )


def save_widget_origins(*, congress: Congress, by, origins: list[str]) -> WidgetSettings:
    """Replace the sites allowed to embed the widget (parsed, in order, each once)."""
    parsed = list(dict.fromkeys(parse_origin(o) for o in origins if o.strip()))
    if len(parsed) > MAX_ORIGINS:
        raise InvalidProgrammeData(
            _("At most %(count)d sites may embed the programme.") % {"count": MAX_ORIGINS}
        )
    with transaction.atomic():
        settings, _created = WidgetSettings.objects.select_for_update().get_or_create(
            congress=congress
        )
        before = list(settings.allowed_origins)
        settings.allowed_origins = parsed
        settings.save(update_fields=["allowed_origins", "updated_at"])
        audit.record(
            action="convene.agenda.widget_origins_changed",
            congress=congress,
            actor=by,
            target=settings,
            data={"before": before, "after": parsed},
        )
    return settings
