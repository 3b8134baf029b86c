"""The one upload pipeline (events_site/congresses/uploads.py): hostile files are refused with a
clear message before anything is stored, good pictures come out re-encoded under a random name."""

import io
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image

from events_site.congresses import uploads
from events_site.congresses.uploads import UploadRefused, accept_image, read_csv_text

FIFTY_MB = 50 * 1024 * 1024
RANDOM_NAME = re.compile(r"^[A-Za-z0-9_-]{20,}\.(png|jpg|webp)$")


class _ReadTrap(io.RawIOBase):
    """A file that fails the test if anyone reads its body."""

    def readable(self):
        return True

    def read(self, *args):
        raise AssertionError("the body was read")

    readinto = read

    def seek(self, *args):
        return 0


def huge_upload(name: str) -> UploadedFile:
    return UploadedFile(_ReadTrap(), name=name, content_type="image/png", size=FIFTY_MB)


def picture(fmt: str, *, size=(40, 30), mode="RGB", exif=True) -> bytes:
    image = Image.new(mode, size, (200, 30, 60) if mode == "RGB" else None)
    buffer = io.BytesIO()
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
        kwargs["exif"] = data.tobytes()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb)."""
    data = bytearray(picture("PNG", size=(1, 1), exif=False))
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)


EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\n"
    b"newpath 0 0 moveto 10 10 lineto stroke\n(%pipe%id) (r) file\nshowpage\n%%EOF\n"
)
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_50_mb_image_is_refused_without_reading_its_body():
    with pytest.raises(UploadRefused) as refused:
        accept_image(huge_upload("holiday.png"))
    assert refused.value.code == "upload_too_large"
    assert "5.0" in str(refused.value.message) and "MB" in str(refused.value.message)


def test_a_50_mb_csv_is_refused_without_reading_its_body():
    with pytest.raises(UploadRefused) as refused:
        read_csv_text(huge_upload("members.csv"))
    assert refused.value.code == "upload_too_large"


def test_a_size_that_lies_is_still_cut_at_the_limit(settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 1000
    upload = SimpleUploadedFile("small.png", picture("PNG") + b"\0" * 5000)
    upload.size = 10  # what a client claimed
    with pytest.raises(UploadRefused) as refused:
        accept_image(upload)
    assert refused.value.code == "upload_too_large"


def test_a_decompression_bomb_is_refused_with_a_clear_message(recwarn):
    bomb = png_declaring(12000, 12000)
    assert len(bomb) < 200
    with pytest.raises(UploadRefused) as refused:
        accept_image(SimpleUploadedFile("bomb.png", bomb, "image/png"))
    assert refused.value.code == "upload_too_many_pixels"
    assert "12000 × 12000" in str(refused.value.message)
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


def test_a_picture_just_over_the_pixel_limit_is_refused(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1000
    with pytest.raises(UploadRefused):
        accept_image(SimpleUploadedFile("wide.png", picture("PNG", size=(100, 11))))


@pytest.mark.parametrize(
    "name, body",
    [
        ("photo.png", EPS),
        ("photo.eps", EPS),
        ("logo.png", SVG),
        ("logo.svg", SVG),
        ("photo.jpg", PDF),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10),
        ("photo.png", b""),
        ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("photo.png", "<svg onload=alert(1)>👀\u202e".encode()),
    ],
)
def test_what_is_not_a_png_jpeg_or_webp_is_refused_whatever_its_name(name, body):
    with pytest.raises(UploadRefused) as refused:
        accept_image(SimpleUploadedFile(name, body, "image/png"))
    assert refused.value.code in {"upload_not_an_image", "upload_too_large"}
    assert "PNG, JPEG or WebP" in str(refused.value.message)


def test_a_real_gif_is_refused_as_not_on_the_allow_list():
    with pytest.raises(UploadRefused):
        accept_image(SimpleUploadedFile("anim.png", picture("GIF", exif=False)))


def test_a_jpeg_with_a_script_appended_comes_out_without_the_script():
    polyglot = picture("JPEG") + b"<script>alert(1)</script><?php system($_GET['c']); ?>"
    stored = accept_image(SimpleUploadedFile("cat.jpg", polyglot, "image/jpeg"))
    body = stored.read()
    assert b"<script" not in body and b"<?php" not in body
    assert Image.open(io.BytesIO(body)).format == "JPEG"


@pytest.mark.parametrize("fmt, extension", [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_a_good_picture_is_re_encoded_without_metadata_under_a_random_name(fmt, extension):
    original = picture(fmt)
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really carries EXIF
    stored = accept_image(SimpleUploadedFile("../../Ana García GPS.exe.png", original))
    assert RANDOM_NAME.match(stored.name) and stored.name.endswith("." + extension)
    assert "García" not in stored.name and "GPS.exe" not in stored.name
    body = stored.read()
    assert b"SpyCam" not in body
    image = Image.open(io.BytesIO(body))
    assert image.format == fmt and image.size == (40, 30)
    assert not image.getexif() and "exif" not in image.info


def test_two_uploads_of_the_same_file_get_different_names():
    first = accept_image(SimpleUploadedFile("a.png", picture("PNG")))
    second = accept_image(SimpleUploadedFile("a.png", picture("PNG")))
    assert first.name != second.name


def test_a_palette_png_with_transparency_keeps_its_pixels():
    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    image.putpixel((1, 1), (255, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    stored = Image.open(accept_image(SimpleUploadedFile("t.png", buffer.getvalue())))
    assert stored.convert("RGBA").getpixel((1, 1)) == (255, 0, 0, 255)
    assert stored.convert("RGBA").getpixel((0, 0))[3] == 0


@pytest.mark.parametrize(
    "body",
    [
        b"name\nCity of Lisbon\x00\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"PK\x03\x04\x14\x00\x06\x00",  # an XLSX (zip) sent as CSV
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # an old XLS
        "name\nCity of Lisbon\n".encode("utf-16"),  # NUL in every other byte
    ],
)
def test_a_csv_with_nul_or_binary_content_is_refused(body):
    with pytest.raises(UploadRefused) as refused:
        read_csv_text(SimpleUploadedFile("members.csv", body, "text/csv"))
    assert refused.value.code == "upload_not_text"


def test_a_csv_that_is_not_utf8_is_refused():
    with pytest.raises(UploadRefused) as refused:
        read_csv_text(SimpleUploadedFile("members.csv", "name\nZürich\n".encode("latin-1")))
    assert refused.value.code == "upload_not_utf8"


def test_a_utf8_csv_with_a_bom_every_script_and_tabs_is_read():
    text = "name\treference\r\nΣοφία\t1\nمدينة\t2\n東京\t3\n"
    body = ("\ufeff" + text).encode()
    assert read_csv_text(SimpleUploadedFile("members.csv", body)) == text


def test_the_limits_come_from_settings(settings):
    settings.UPLOAD_MAX_CSV_BYTES = 10
    assert uploads.max_csv_bytes() == 10
    with pytest.raises(UploadRefused):
        read_csv_text(SimpleUploadedFile("m.csv", b"name\n" + b"x" * 20))


def test_a_bomb_beyond_pillows_own_hard_limit_gets_the_same_clear_refusal(recwarn):
    with pytest.raises(UploadRefused) as refused:
        accept_image(SimpleUploadedFile("bomb.png", png_declaring(30000, 30000)))
    assert refused.value.code == "upload_too_many_pixels"
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


@pytest.mark.django_db
def test_a_congress_logo_in_the_admin_goes_through_the_pipeline(client, congress, settings):
    from django.urls import reverse

    from tests.admin_forms import form_data
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    change_url = reverse("admin:congresses_congress_change", args=[congress.pk])
    data = form_data(client.get(change_url))

    refused = client.post(change_url, {**data, "logo": SimpleUploadedFile("logo.png", PDF)})
    assert refused.status_code == 200
    assert "PNG, JPEG or WebP" in refused.content.decode()
    congress.refresh_from_db()
    assert not congress.logo

    data = form_data(client.get(change_url))
    accepted = client.post(
        change_url, {**data, "logo": SimpleUploadedFile("our logo.webp", picture("WEBP"))}
    )
    assert accepted.status_code == 302, accepted.content[:2000]
    congress.refresh_from_db()
    folder, name = congress.logo.name.split("/")
    assert folder == "congress-logos" and RANDOM_NAME.match(name) and name.endswith(".webp")
    assert not Image.open(congress.logo.path).getexif()


def _image_fields(model):
    from django.db import models

    return [f.name for f in model._meta.get_fields() if isinstance(f, models.ImageField)]


@pytest.mark.django_db
def test_every_image_field_in_the_admin_and_the_model_forms_goes_through_the_pipeline(rf):
    """Anything later: a new ImageField shown in a form or the admin gets the pipeline too."""
    import contextlib
    import importlib

    from django.apps import apps
    from django.contrib import admin
    from django.forms import ModelForm as DjangoModelForm

    from events_site.congresses.uploads import ImageUploadField
    from tests.factories import UserFactory

    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    seen = 0
    for model, model_admin in admin.site._registry.items():
        names = _image_fields(model)
        if names:
            form = model_admin.get_form(request)
            for name in set(names) & set(form.base_fields):
                assert isinstance(form.base_fields[name], ImageUploadField), (model, name)
                seen += 1
    for config in apps.get_app_configs():
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(f"{config.name}.forms")
    stack = list(DjangoModelForm.__subclasses__())
    while stack:
        form = stack.pop()
        stack.extend(form.__subclasses__())
        model = getattr(form._meta, "model", None)
        if model is None or form.__module__.startswith("django."):
            continue
        for name in set(_image_fields(model)) & set(form.base_fields):
            assert isinstance(form.base_fields[name], ImageUploadField), (form, name)
            seen += 1
    assert seen >= 2  # the congress's logo in the admin, the speaker's photo on the page
