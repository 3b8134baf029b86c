"""WeasyPrint reads only the project's static files, uploaded logos and data: URLs."""

import base64
import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from badges import selectors
from badges.fetcher import BadgeURLFetcher, FetchRefused
from badges.models import Badge, BadgeLayout
from badges.pdf import render_chunk
from tests.badges.conftest import pdf_pages_png

PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a2dd2bb3"
        "0000000049454e44ae426082"
    )
).decode()


def test_static_files_are_read(settings):
    fetcher = BadgeURLFetcher()
    css = settings.BASE_DIR / "static" / "badges" / "badge.css"
    response = fetcher.fetch(css.as_uri())
    assert b"Noto Sans" in response.read()


def test_congress_logos_are_read(settings, tmp_path):
    logos = settings.MEDIA_ROOT / "congress-logos"
    logos.mkdir(parents=True)
    (logos / "logo.png").write_bytes(base64.b64decode(PNG_1PX))
    response = BadgeURLFetcher().fetch((logos / "logo.png").as_uri())
    assert response.content_type == "image/png"


def test_data_urls_are_read():
    response = BadgeURLFetcher().fetch(f"data:image/png;base64,{PNG_1PX}")
    assert response.read().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///work/main/events_site/settings.py",
        "file:///etc/../etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        "file://evil.example/etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
def test_everything_else_is_refused(url):
    with pytest.raises(FetchRefused):
        BadgeURLFetcher().fetch(url)


def test_other_media_files_are_refused(settings):
    private = settings.MEDIA_ROOT / "badge-prints"
    private.mkdir(parents=True)
    (private / "secret.pdf").write_bytes(b"%PDF")
    with pytest.raises(FetchRefused):
        BadgeURLFetcher().fetch((private / "secret.pdf").as_uri())


def test_a_symlink_out_of_the_static_dir_is_refused(settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "link.css").symlink_to("/etc/hostname")
    with pytest.raises(FetchRefused):
        BadgeURLFetcher().fetch((tmp_path / "static" / "link.css").as_uri())


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
    original = BadgeURLFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except FetchRefused:
            refused.append(url)
            raise

    monkeypatch.setattr(BadgeURLFetcher, "fetch", spy)
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
