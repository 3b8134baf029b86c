"""The member list CSV (API and admin) goes through the one upload pipeline: binary content
is refused with a clear message and nothing is imported."""

import io

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from registrations.models import MemberOrganisation

pytestmark = pytest.mark.django_db
URL = "/api/v1/congresses/wcg-2027/member-organisations/import/"


def csv_file(body: bytes, name="members.csv"):
    upload = io.BytesIO(body)
    upload.name = name
    return upload


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.mark.parametrize(
    "body", [b"name\nCity of Lisbon\x00\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04"]
)
def test_the_api_refuses_a_binary_csv_with_a_400(api, congress, body):
    response = api.post(URL, {"file": csv_file(body)}, format="multipart")
    assert response.status_code == 400
    assert "binary data" in response.json()["file"][0]
    assert not MemberOrganisation.objects.exists()


def test_the_api_refuses_a_csv_over_the_limit_with_a_400(api, congress, settings):
    settings.UPLOAD_MAX_CSV_BYTES = 50
    response = api.post(URL, {"file": csv_file(b"name\n" + b"Lisbon\n" * 20)}, format="multipart")
    assert response.status_code == 400 and "larger than" in response.json()["file"][0]
    assert not MemberOrganisation.objects.exists()


def test_the_admin_import_refuses_a_binary_csv(client, congress, alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    client.force_login(alice)
    response = client.post(
        reverse("admin:registrations_memberorganisation_import"),
        {"congress": congress.pk, "file": csv_file(b"name\nA\x00B\n")},
    )
    assert response.status_code == 200 and "binary data" in response.content.decode()
    assert not MemberOrganisation.objects.exists()
