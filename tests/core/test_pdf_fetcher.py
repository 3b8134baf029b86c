"""The one PDF fetcher: our static files (collected, or from the finders in development), the
congress's own uploads and data: URLs; nothing else. Each rule once, for every PDF."""

import base64

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from events_site.congresses.pdf_fetcher import FetchRefused, PdfURLFetcher, pdf_sources
from tests.factories import CongressFactory

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a2dd2bb3"
        "0000000049454e44ae426082"
    )
).decode()


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def fetcher(congress=None) -> PdfURLFetcher:
    return PdfURLFetcher(pdf_sources(congress=congress))


@pytest.fixture
def logo_congress(db):
    congress = CongressFactory(slug="logo-2027")
    congress.logo.save("logo.png", ContentFile(base64.b64decode(PNG_1PX)))
    return congress


def test_static_files_are_read_by_their_url():
    response = fetcher().fetch(SITE + "/static/payments/invoice.css")
    assert b"Noto Sans" in response.read()
    assert response.content_type == "text/css"
    # The URL asked for is kept, so the stylesheet's relative links come back through here.
    assert response.url == SITE + "/static/payments/invoice.css"


def test_static_files_are_read_by_their_file_url(settings):
    css = settings.BASE_DIR / "static" / "badges" / "badge.css"
    assert b"Noto Sans" in fetcher().fetch(css.as_uri()).read()


def test_data_urls_are_read():
    response = fetcher().fetch(f"data:image/png;base64,{PNG_1PX}")
    assert response.read().startswith(b"\x89PNG")


def test_the_congress_logo_is_read_by_file_and_by_media_url(logo_congress, settings):
    by_file = fetcher(logo_congress).fetch(f"file://{logo_congress.logo.path}")
    assert by_file.content_type == "image/png"
    by_url = fetcher(logo_congress).fetch(SITE + logo_congress.logo.url)
    assert by_url.read().startswith(b"\x89PNG")


def test_another_congress_logo_is_refused(logo_congress, congress):
    pdf = fetcher(congress)
    for url in (f"file://{logo_congress.logo.path}", SITE + logo_congress.logo.url):
        with pytest.raises(FetchRefused):
            pdf.fetch(url)
    assert len(pdf.refused) == 2


def test_other_media_files_are_refused(settings, logo_congress):
    private = settings.MEDIA_ROOT / "badge-prints"
    private.mkdir(parents=True)
    (private / "secret.pdf").write_bytes(b"%PDF")
    for url in ((private / "secret.pdf").as_uri(), SITE + "/media/badge-prints/secret.pdf"):
        with pytest.raises(FetchRefused):
            fetcher(logo_congress).fetch(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///work/main/events_site/settings.py",
        "file:///etc/../etc/passwd",
        "file://evil.example/etc/passwd",
        "http://127.0.0.1:8000/admin/",
        "http://127.0.0.1:8000/media/x.png",
        "http://127.0.0.1:8000/static/../settings.py",
        "http://127.0.0.1:8000/static/../../etc/passwd",
        "http://127.0.0.1:8000/static/%2e%2e/events_site/settings.py",
        "http://127.0.0.1:8000/static/payments/..%2F..%2Fevents_site/settings.py",
        "http://127.0.0.1:8000/static//etc/passwd",
        "http://127.0.0.1:8000/static/payments\\..\\..\\manage.py",
        "http://127.0.0.1:8000/static/payments/invoice.css%00.png",
        "http://127.0.0.1:8000/static/payments/missing.css",
        "http://evil.example/static/payments/invoice.css",
        "http://127.0.0.1:9/static/payments/invoice.css",
        "https://example.org/logo.png",
        "ftp://example.org/x",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "javascript:alert(1)",
    ],
)
def test_everything_else_is_refused(url):
    pdf = fetcher()
    with pytest.raises(FetchRefused):
        pdf.fetch(url)
    assert pdf.refused == [url]


def test_a_symlink_out_of_a_static_dir_is_refused(settings, tmp_path):
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "link.css").symlink_to("/etc/hostname")
    for url in ((tmp_path / "static" / "link.css").as_uri(), SITE + "/static/link.css"):
        with pytest.raises(FetchRefused):
            fetcher().fetch(url)


@pytest.fixture
def manifest_static(settings, tmp_path):
    """A tiny production set-up: a hashing storage, DEBUG off, ``collectstatic`` run once."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "doc.css").write_text("body { font-family: 'Noto Sans'; }")
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.DEBUG = False
    call_command("collectstatic", interactive=False, verbosity=0)
    return source


def test_collected_hashed_names_are_read_in_production(manifest_static):
    from django.templatetags.static import static

    url = static("doc.css")
    assert url != "/static/doc.css"  # a hashed name, known only to the collected folder
    assert b"Noto Sans" in fetcher().fetch(SITE + url).read()


def test_in_production_only_collected_files_are_read(manifest_static, settings):
    (manifest_static / "late.css").write_text("body { color: red; }")  # never collected
    with pytest.raises(FetchRefused):
        fetcher().fetch(SITE + "/static/late.css")
    settings.DEBUG = True  # development: the finders' folders are read too
    assert fetcher().fetch(SITE + "/static/late.css").read() == b"body { color: red; }"


def test_the_sources_cross_to_a_process_without_django(logo_congress):
    """Badge worker processes get the sources pickled: same rules, no settings needed."""
    import pickle

    sources = pickle.loads(pickle.dumps(pdf_sources(congress=logo_congress)))  # noqa: S301
    pdf = PdfURLFetcher(sources)
    assert pdf.fetch(f"file://{logo_congress.logo.path}").read().startswith(b"\x89PNG")
    with pytest.raises(FetchRefused):
        pdf.fetch("file:///etc/passwd")
