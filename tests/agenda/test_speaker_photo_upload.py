"""A speaker's photo uploaded on the organiser page goes through the one upload pipeline:
hostile files get a form error and nothing is stored; a good one is re-encoded, renamed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from sessions.models import Speaker
from tests.core.test_uploads import EPS, PDF, RANDOM_NAME, SVG, picture, png_declaring

pytestmark = pytest.mark.django_db


def post_speaker(client, name, body):
    url = reverse("agenda:manage_speaker_create", kwargs={"congress_slug": "wcg-2027"})
    return client.post(url, {"name": "Ana", "photo": SimpleUploadedFile(name, body)})


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    "name, body",
    [
        ("ana.png", EPS),
        ("ana.svg", SVG),
        ("ana.jpg", PDF),
        ("bomb.png", png_declaring(12000, 12000)),
    ],
)
def test_a_hostile_photo_gets_a_form_error_and_nothing_is_stored(
    client, alice, settings, name, body
):
    client.force_login(alice)
    response = post_speaker(client, name, body)
    assert response.status_code == 200
    errors = response.context["form"].errors["photo"]
    assert any("PNG, JPEG or WebP" in e or "megapixels" in e for e in errors)
    assert not Speaker.objects.exists()
    assert stored_files(settings) == []


def test_a_photo_over_the_size_limit_is_refused(client, alice, settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 100
    client.force_login(alice)
    response = post_speaker(client, "ana.png", picture("PNG", size=(300, 300)))
    assert "larger than" in response.context["form"].errors["photo"][0]
    assert not Speaker.objects.exists()


def test_a_good_photo_is_stored_re_encoded_under_a_random_name(client, alice):
    client.force_login(alice)
    response = post_speaker(client, "ana <script>.jpg", picture("JPEG") + b"<script>x</script>")
    assert response.status_code == 302
    photo = Speaker.objects.get().photo
    folder, name = photo.name.split("/")
    assert folder == "speakers" and RANDOM_NAME.match(name) and name.endswith(".jpg")
    body = photo.read()
    assert b"<script" not in body and b"SpyCam" not in body
    assert not Image.open(io.BytesIO(body)).getexif()
