"""Every PDF renders with its stylesheet and fonts under production static settings.

Production runs with ``DEBUG=0``, the manifest storage of ``settings.STORAGES`` and the files
``collectstatic`` wrote (hashed names). Each PDF is rendered the way production renders it, and
read back: the Noto fonts its CSS names are embedded, a layout rule of that CSS is visible in
the geometry of the text, and WeasyPrint logged no "Failed to load".
"""

from __future__ import annotations

import io
import logging
import os
import re
import runpy
import subprocess
from decimal import Decimal
from html import unescape
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.test import override_settings

from badges import selectors as badge_selectors
from badges.models import Badge
from badges.pdf import render_badges_pdf, render_chunk
from registrations.payments.invoices import invoice_attachment
from registrations.payments.services import invoicing as invoice_services
from registrations.pdf import confirmation_pdf
from tests.badges.conftest import make_delegate
from tests.payments.conftest import make_order

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
A4_WIDTH = 210 * MM
A6_WIDTH = 105 * MM
BODY_MARGIN = 6  # the user agent's 8px margin of <body>, which these stylesheets keep


def production_storages() -> dict:
    """``STORAGES`` exactly as ``events_site/settings.py`` builds it with ``DEBUG=0``."""
    environment = {"DEBUG": "0", "SECRET_KEY": "production-settings-for-a-test-" + "x" * 30}
    with mock.patch.dict(os.environ, environment):
        module = runpy.run_path(str(django_settings.BASE_DIR / "events_site" / "settings.py"))
    return module["STORAGES"]


def every_static_extension() -> list[str]:
    return sorted(
        {Path(path).suffix.lstrip(".") for finder in get_finders() for path, _ in finder.list([])}
    )


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> tuple[Path, dict]:
    """``collectstatic`` into a fresh STATIC_ROOT with the production storage (once per module).

    The names, hashes and manifest are production's; only WhiteNoise's gzip/brotli copies
    (``.gz``/``.br`` beside each file, never read by a PDF) are skipped: they take 35 s.
    """
    root = tmp_path_factory.mktemp("collected-static")
    storages = production_storages()
    with override_settings(
        DEBUG=False,
        STATIC_ROOT=root,
        STORAGES=storages,
        WHITENOISE_SKIP_COMPRESS_EXTENSIONS=every_static_extension(),
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root, storages


@pytest.fixture
def production_static(settings, collected):
    root, storages = collected
    settings.DEBUG = False
    settings.STATIC_ROOT = root
    settings.STORAGES = storages
    assert list(root.glob("payments/invoice.*.css")), "collectstatic wrote hashed names"
    return root


@pytest.fixture
def weasyprint_log(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    return caplog


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[str]:
    """The base names of the fonts embedded in ``pdf`` (subset prefix removed)."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    names = []
    for line in output.splitlines()[2:]:
        assert " yes " in line, f"not embedded: {line}"
        names.append(line.split()[0].split("+", 1)[-1])
    return names


def pdf_words(pdf: bytes, tmp_path: Path) -> list[tuple[str, float, float, float]]:
    """Every word of the first page with its box: (text, x_min, y_min, x_max), in points."""
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    output = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>'
    )
    return [
        (unescape(text), float(x_min), float(y_min), float(x_max))
        for x_min, y_min, x_max, text in pattern.findall(output)
    ]


def assert_noto_sans_only(fonts: list[str]) -> None:
    assert any(name.startswith("Noto-Sans") for name in fonts), fonts
    assert not [name for name in fonts if "Serif" in name], f"unstyled text: {fonts}"


def assert_nothing_failed_to_load(log) -> None:
    failures = [r.getMessage() for r in log.records if "Failed to load" in r.getMessage()]
    assert not failures, failures


def _check_invoice_layout(pdf: bytes, invoice, tmp_path: Path) -> None:
    """``invoice.css``: Noto Sans, page margins of 16 mm left and right, the heading at the end
    of the header (right in a left-to-right document), across from the seller. The heading ends
    with the document's number."""
    assert_noto_sans_only(pdf_fonts(pdf, tmp_path))
    words = pdf_words(pdf, tmp_path)
    left = min(x_min for _, x_min, _, _ in words)
    assert left == pytest.approx(16 * MM + BODY_MARGIN, abs=1)
    title = min((w for w in words if w[0] == invoice.full_number), key=lambda w: w[2])
    assert title[3] == pytest.approx(A4_WIDTH - 16 * MM - BODY_MARGIN, abs=1)
    seller_word = invoice.seller["name"].split()[0]
    seller = min((w for w in words if w[0] == seller_word), key=lambda w: w[2])
    assert seller[1] == pytest.approx(left, abs=0.1)
    assert seller[2] == pytest.approx(title[2], abs=12)  # the same line: header is a flex row


def test_the_e_mailed_invoice_has_its_stylesheet_and_fonts(
    production_static, congress, weasyprint_log, tmp_path
):
    invoice = invoice_services.issue_invoice(order=make_order(congress), send=False)
    filename, pdf, content_type = invoice_attachment(str(invoice.pk))
    assert content_type == "application/pdf" and pdf.startswith(b"%PDF")
    _check_invoice_layout(pdf, invoice, tmp_path)
    assert_nothing_failed_to_load(weasyprint_log)


def test_the_credit_note_has_its_stylesheet_and_fonts(
    production_static, congress, weasyprint_log, tmp_path
):
    invoice = invoice_services.issue_invoice(order=make_order(congress), send=False)
    note = invoice_services.issue_credit_note(invoice=invoice, amount=Decimal("50"), reason="Fee")
    _, pdf, _ = invoice_attachment(str(note.pk))
    _check_invoice_layout(pdf, note, tmp_path)
    assert_nothing_failed_to_load(weasyprint_log)


def test_the_order_confirmation_has_its_styles_and_fonts(
    production_static, congress, weasyprint_log, tmp_path
):
    order = make_order(congress, contact_name="Ana Silva")
    pdf = confirmation_pdf(order=order, delegates=list(order.delegates.all()))
    assert_noto_sans_only(pdf_fonts(pdf, tmp_path))
    words = pdf_words(pdf, tmp_path)
    left = min(x_min for _, x_min, _, _ in words)
    assert left == pytest.approx(18 * MM + BODY_MARGIN, abs=1)  # @page { margin: 18mm }
    assert_nothing_failed_to_load(weasyprint_log)


def _badge_items(congress, count: int) -> list[dict]:
    from badges import services

    for n in range(count):
        make_delegate(congress, given_name=f"Ana{n}", family_name="Silva")
    services.issue_badges(congress=congress)
    badges = Badge.objects.filter(delegate__order__congress=congress).order_by("pk")
    return list(badge_selectors.print_items(congress, badges, "en"))


def _check_badge_layout(pdf: bytes, tmp_path: Path) -> None:
    """``badge.css``: names in Noto Sans Bold, the band's label upper case and centred."""
    fonts = pdf_fonts(pdf, tmp_path)
    assert_noto_sans_only(fonts)
    assert "Noto-Sans-Bold" in fonts
    words = pdf_words(pdf, tmp_path)
    [label] = [w for w in words if w[0].lower() == "delegate"]
    assert label[0] == "DELEGATE"  # text-transform: uppercase
    assert (label[1] + label[3]) / 2 == pytest.approx(A6_WIDTH / 2, abs=1.5)


def test_a_badge_has_its_stylesheet_and_fonts(
    production_static, congress, weasyprint_log, tmp_path
):
    items = _badge_items(congress, 1)
    pdf = render_chunk(items, badge_selectors.render_options(congress))
    _check_badge_layout(pdf, tmp_path)
    assert_nothing_failed_to_load(weasyprint_log)


def test_a_badge_batch_rendered_by_worker_processes_has_its_stylesheet(
    production_static, congress, tmp_path
):
    """Worker processes run without Django: they get what they may read from the parent."""
    items = _badge_items(congress, 2)
    out = io.BytesIO()
    options = badge_selectors.render_options(congress)
    assert render_badges_pdf(items, out, options, workers=2, chunk_size=1) == 2
    _check_badge_layout(out.getvalue(), tmp_path)
