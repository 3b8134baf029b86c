"""A rendered preview of a badge layout: one real badge (a delegate the layout applies to, or a
sample person when none has registered yet) through the same renderer and sandboxed fetcher as
a print job, turned into a PNG the organiser's page shows."""

from __future__ import annotations

import io
import logging
from dataclasses import replace

from django.utils.translation import gettext as _

from events_site.congresses.models import Congress
from registrations.models import Delegate

from .models import BadgeLayout
from .pdf import render_single
from .selectors import print_item, render_options

logger = logging.getLogger("convene.badges")

PREVIEW_DPI = 110
# A sample person for a congress without delegates: a long name in a script that must shape.
SAMPLE_DELEGATE = {
    "name": "Amina Al-Farsi أمينة الفارسي",
    "title": "Mayor",
    "organisation": "City of Muscat",
    "place": "Muscat, Oman",
}


def preview_delegate(congress: Congress, layout: BadgeLayout) -> Delegate | None:
    """A live delegate of ``congress`` whose badge this layout would print, if any."""
    delegates = Delegate.objects.filter(
        order__congress=congress, is_cancelled=False
    ).select_related("registration_type")
    if layout.registration_type_id:
        delegates = delegates.filter(registration_type_id=layout.registration_type_id)
    elif layout.role:
        delegates = delegates.filter(role=layout.role)
    return delegates.order_by("pk").first()


class _PreviewBadge:
    """What ``print_item`` reads of a badge, for a preview (no secret is issued or shown)."""

    secret = "CONVENE-BADGE-PREVIEW"  # noqa: S105 - a placeholder, printed on previews only

    def __init__(self, delegate: Delegate):
        self.delegate = delegate


def preview_item(congress: Congress, layout: BadgeLayout) -> dict:
    delegate = preview_delegate(congress, layout)
    if delegate is not None:
        return print_item(_PreviewBadge(delegate), layout)
    return {
        **SAMPLE_DELEGATE,
        "lang": "",
        "role": layout.role or "delegate",
        "type_name": layout.registration_type.name if layout.registration_type_id else "",
        "label": layout.label or _("Delegate"),
        "band_colour": layout.band_colour,
        "band_text_colour": layout.band_text_colour,
        "back_text": layout.back_text,
        "layout_id": layout.pk,
        "qr": _PreviewBadge.secret,
    }


def preview_pdf(congress: Congress, layout: BadgeLayout, *, page_format: str, back: bool) -> bytes:
    """One badge with ``layout`` as it would print; an unsaved layout's CSS replaces its saved
    CSS, the other layouts' CSS stays (it is what a print job would load)."""
    others = BadgeLayout.objects.filter(congress=congress).exclude(pk=layout.pk)
    css = "\n".join(
        [other.extra_css for other in others if other.extra_css]
        + ([layout.extra_css] if layout.extra_css else [])
    )
    options = replace(
        render_options(congress, page_format=page_format, back_side=back), layouts_css=css
    )
    return render_single(preview_item(congress, layout), options)


def pdf_page_png(pdf: bytes, *, page: int = 0, dpi: int = PREVIEW_DPI) -> bytes:
    """Page ``page`` of ``pdf`` as a PNG (pdfium, in this process)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[min(page, len(document) - 1)].render(scale=dpi / 72)
        image = bitmap.to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def preview_png(congress: Congress, layout: BadgeLayout, *, page_format: str, back: bool) -> bytes:
    pdf = preview_pdf(congress, layout, page_format=page_format, back=back)
    return pdf_page_png(pdf, page=1 if back else 0)
