"""Badges render through the project's one PDF fetcher: hostile layout CSS and names load
nothing, the congress's logo prints. (The fetcher's rules: tests/core/test_pdf_fetcher.py.)"""

import io

from django.core.files.base import ContentFile
from PIL import Image

from badges import selectors
from badges.models import Badge, BadgeLayout
from badges.pdf import render_chunk
from events_site.congresses.pdf_fetcher import FetchRefused, PdfURLFetcher
from tests.badges.conftest import pdf_pages_png


def test_malicious_layout_css_and_names_load_nothing(congress, people, tmp_path, monkeypatch):
    """A layout whose CSS and a delegate whose name try to pull files and URLs: the badge still
    renders, and every such request was refused."""
    BadgeLayout.objects.create(
        congress=congress,
        name="Evil",
        is_default=True,
        extra_css=(
            "@import url(http://127.0.0.1:9/steal.css);"
            ".badge { background: url(file:///etc/passwd); }"
            ".name::after { content: url(https://example.org/x.png); }"
            "</style><img src='file:///etc/shadow'>"
        ),
    )
    delegate = people[0]
    delegate.badge_name = '<img src="file:///etc/passwd"><link rel=stylesheet href="http://x/">'
    delegate.save()
    refused = []
    original = PdfURLFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except FetchRefused:
            refused.append(url)
            raise

    monkeypatch.setattr(PdfURLFetcher, "fetch", spy)
    badges = Badge.objects.filter(delegate=delegate)
    items = list(selectors.print_items(congress, badges, "en"))
    pdf = render_chunk(items, selectors.render_options(congress))
    assert pdf.startswith(b"%PDF")
    assert "file:///etc/passwd" in refused
    assert any(url.startswith("http://127.0.0.1:9") for url in refused)
    assert not any("shadow" in url for url in refused)  # the </style> escape did not work
    [png] = pdf_pages_png(pdf, tmp_path, dpi=40)
    assert Image.open(png).size[0] > 0


def test_uploaded_logo_prints_on_the_badge(congress, people, tmp_path):
    image = Image.new("RGB", (200, 80), (200, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    congress.logo.save("logo.png", ContentFile(buffer.getvalue()))
    options = selectors.render_options(congress)
    assert options.logo_uri.startswith("file://")
    items = list(selectors.print_items(congress, Badge.objects.filter(delegate=people[0]), "en"))
    [png] = pdf_pages_png(render_chunk(items, options), tmp_path, dpi=50)
    page = Image.open(png).convert("RGB")
    reds = sum(1 for r, g, b in page.get_flattened_data() if r > 180 and g < 60 and b < 60)
    assert reds > 50
