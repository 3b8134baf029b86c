"""The one upload pipeline: every file a person sends (speaker photos, congress logos, CSV
imports, speakers' slides) passes here before anything reads or stores it.

Guaranteed: the size is checked from ``UploadedFile.size`` before the body is read; the type
is decided from the content, never the name; images are decoded with a pixel limit, must be
PNG, JPEG or WebP (no EPS/PS/PDF, no SVG), and are re-encoded without their metadata under a
random name; CSV text must be UTF-8 without NUL or other binary bytes; slides must be a PDF,
a PowerPoint (PPTX) or an OpenDocument (ODP) presentation by their content, stored under a
random name with the extension of what they are. A refusal raises
``UploadRefused`` (a ``DomainError``: a 400 in the API, a form error on pages and admin) and
nothing is stored.
"""

from __future__ import annotations

import io
import secrets
import warnings
import zipfile

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from .errors import DomainError

# Pillow format name -> (the format we write, the extension of the stored file)
IMAGE_FORMATS = {"PNG": ("PNG", "png"), "JPEG": ("JPEG", "jpg"), "WEBP": ("WEBP", "webp")}
# Magic bytes of binary files people send by mistake (or on purpose) as a CSV: PNG, JPEG, GIF,
# PDF, ZIP (XLSX, ODS), OLE2 (XLS), gzip. Other control characters are left to the text rule
# of the service that reads the rows, which names the character and the row.
_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"\x1f\x8b",
)


class UploadRefused(DomainError):
    code = "upload_refused"


def max_image_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_IMAGE_BYTES", 5 * 1024 * 1024)


def max_csv_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_CSV_BYTES", 5 * 1024 * 1024)


def max_slides_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_SLIDES_BYTES", 50 * 1024 * 1024)


def max_image_pixels() -> int:
    return getattr(settings, "UPLOAD_MAX_IMAGE_PIXELS", 40_000_000)


def _check_size(upload, limit: int) -> None:
    """Refuse from the declared size alone: the body is not read."""
    size = getattr(upload, "size", None)
    if size is None or size > limit:
        raise UploadRefused(
            _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)},
            code="upload_too_large",
        )


def _read_at_most(upload, limit: int) -> bytes:
    """Read the body, never more than ``limit`` bytes (a size that lied is still refused)."""
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(
            _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)},
            code="upload_too_large",
        )
    return data


def _not_an_image():
    return UploadRefused(
        _("The file is not an image we accept: send a PNG, JPEG or WebP picture."),
        code="upload_not_an_image",
    )


def _too_many_pixels(limit: int, width: int | None = None, height: int | None = None):
    if width is None:
        message = _("The picture has too many pixels; the most we accept is %(limit)s megapixels.")
        message = message % {"limit": limit // 1_000_000}
    else:
        message = _(
            "The picture is %(width)s × %(height)s pixels; "
            "the most we accept is %(limit)s megapixels."
        ) % {"width": width, "height": height, "limit": limit // 1_000_000}
    return UploadRefused(message, code="upload_too_many_pixels")


def accept_image(upload) -> ContentFile:
    """The upload as a re-encoded PNG/JPEG/WebP under a random name, or ``UploadRefused``."""
    _check_size(upload, max_image_bytes())
    data = _read_at_most(upload, max_image_bytes())
    if data.lstrip()[:5].lower() in (b"<?xml", b"<svg ") or b"<svg" in data[:1024].lower():
        raise _not_an_image()
    limit = max_image_pixels()
    try:
        # Opening reads only the header; our own limit (below Pillow's) decides, so Pillow's
        # warning is silenced here and turned into an error for the decoding that follows.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
        with probe:
            kind = probe.format
            width, height = probe.size
            if width * height > limit:
                raise _too_many_pixels(limit, width, height)
            probe.verify()
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                image.load()
                clean = _without_metadata(image)
    except UploadRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(limit) from exc
    except (
        UnidentifiedImageError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise _not_an_image() from exc
    if kind not in IMAGE_FORMATS:
        raise _not_an_image()
    out_format, extension = IMAGE_FORMATS[kind]
    buffer = io.BytesIO()
    clean.save(buffer, format=out_format)
    return ContentFile(buffer.getvalue(), name=f"{secrets.token_urlsafe(16)}.{extension}")


def _without_metadata(image: Image.Image) -> Image.Image:
    """A copy holding only the pixels: no EXIF, XMP, ICC text chunks or comments."""
    mode = image.mode
    if image.format == "JPEG" and mode not in ("RGB", "L", "CMYK"):
        mode = "RGB"
    elif mode not in ("RGB", "RGBA", "L", "LA", "P", "CMYK"):
        mode = "RGBA"
    source = image.convert(mode) if mode != image.mode else image
    clean = Image.new(source.mode, source.size)
    if source.mode == "P":
        clean.putpalette(source.getpalette())
    clean.paste(source)
    return clean


def read_csv_text(upload, *, fallback_encodings: tuple[str, ...] = ()) -> str:
    """The upload's text if it is a UTF-8 CSV (a BOM allowed), or ``UploadRefused``. With
    ``fallback_encodings`` (e.g. ``("cp1252",)``, what Excel writes as "CSV" on Windows), text
    that is not UTF-8 is read in the first of them that decodes it."""
    _check_size(upload, max_csv_bytes())
    data = _read_at_most(upload, max_csv_bytes())
    if b"\x00" in data or data.startswith(_BINARY_MAGIC):
        raise UploadRefused(
            _("The file is not a CSV text file: it holds binary data."),
            code="upload_not_text",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        for encoding in fallback_encodings:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise UploadRefused(
            _("The file must be UTF-8 encoded CSV."), code="upload_not_utf8"
        ) from exc


# What a slides file may be: (extension, content type)
SLIDES_PDF = ("pdf", "application/pdf")
SLIDES_PPTX = (
    "pptx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)
SLIDES_ODP = ("odp", "application/vnd.oasis.opendocument.presentation")
_ODP_MIMETYPE = SLIDES_ODP[1].encode()
_ZIP_ENTRIES_AT_MOST = 20_000


def _not_slides():
    return UploadRefused(
        _("The file is not a presentation we accept: send a PDF, PPTX or ODP file."),
        code="upload_not_slides",
    )


def _presentation_kind(data: bytes) -> tuple[str, str]:
    """PPTX or ODP by their inner structure (read from the zip's directory, nothing extracted
    but ODP's few-byte ``mimetype`` entry)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > _ZIP_ENTRIES_AT_MOST:
                raise _not_slides()
            names = {entry.filename for entry in entries}
            first = entries[0] if entries else None
            if (
                first is not None
                and first.filename == "mimetype"
                and first.file_size <= 128
                and archive.read(first).strip() == _ODP_MIMETYPE
            ):
                return SLIDES_ODP
            if "[Content_Types].xml" in names and "ppt/presentation.xml" in names:
                return SLIDES_PPTX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, KeyError) as exc:
        raise _not_slides() from exc
    raise _not_slides()


def accept_slides(upload) -> tuple[ContentFile, str]:
    """The upload under a random name with the extension of what its content is, and its
    content type; or ``UploadRefused``. The name the sender gave is never used."""
    _check_size(upload, max_slides_bytes())
    data = _read_at_most(upload, max_slides_bytes())
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        extension, content_type = SLIDES_PDF
    elif data.startswith(b"PK\x03\x04"):
        extension, content_type = _presentation_kind(data)
    else:
        raise _not_slides()
    return ContentFile(data, name=f"{secrets.token_urlsafe(16)}.{extension}"), content_type


class SlidesUploadField(forms.FileField):
    """A form field whose cleaned value is ``(file, content type)`` from ``accept_slides``."""

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not value or not hasattr(value, "size"):
            return value
        try:
            return accept_slides(value)
        except UploadRefused as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


class ImageUploadField(forms.FileField):
    """A form field (pages and admin) whose cleaned value is the re-encoded, renamed image."""

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not value or value is initial or not hasattr(value, "size"):
            return value
        try:
            return accept_image(value)
        except UploadRefused as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


class CSVUploadField(forms.FileField):
    """A form field whose cleaned value is the checked CSV text."""

    def __init__(self, *, fallback_encodings: tuple[str, ...] = (), **kwargs):
        self.fallback_encodings = fallback_encodings
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not value:
            return value
        try:
            return read_csv_text(value, fallback_encodings=self.fallback_encodings)
        except UploadRefused as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc


def upload_formfield(db_field, **kwargs):
    """Model forms' ``formfield_callback``: every image a model takes goes through the pipeline."""
    from django.db import models

    if isinstance(db_field, models.ImageField):
        kwargs["form_class"] = ImageUploadField
    return db_field.formfield(**kwargs)
