"""The PDF signing certificate's passphrase is stored sealed (never in clear in the database),
never shown back on the settings form, kept when the form leaves it empty, and still readable
after SECRET_KEY is rotated the Django way."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from registrations.models import DocumentSettings
from registrations.pdf_signing import SigningFailed, sign_pdf
from registrations.sealed_secrets import SecretUnreadable, seal, unseal
from registrations.services.visa_letters import _blank_pdf
from tests.factories import CongressFactory
from tests.registrations.test_certificates import _self_signed_pkcs12

PASSPHRASE = "c0rrect horse ☃ بطارية"


def _url(congress):
    return reverse(
        "registrations:manage_document_settings", kwargs={"congress_slug": congress.slug}
    )


def _post(client, congress, **changes):
    data = {"host_country": "KR", "passport_data_days": "30", "min_sessions": "0", **changes}
    return client.post(_url(congress), data)


def _p12(passphrase: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "signer.p12", _self_signed_pkcs12(passphrase.encode()), content_type="application/x-pkcs12"
    )


@pytest.fixture
def organiser(alice):
    client = Client()
    client.force_login(alice)
    return client


def _raw_column(congress) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT signing_passphrase_sealed FROM registrations_documentsettings"
            " WHERE congress_id = %s",
            [congress.pk],
        )
        return cursor.fetchone()[0]


def test_seal_and_unseal_round_trip_and_each_seal_differs():
    first, second = seal(PASSPHRASE), seal(PASSPHRASE)
    assert first != second and PASSPHRASE not in first
    assert unseal(first) == unseal(second) == PASSPHRASE
    assert seal("") == "" and unseal("") == ""


def test_a_tampered_or_foreign_seal_is_unreadable(settings):
    sealed = seal(PASSPHRASE)
    with pytest.raises(SecretUnreadable):
        unseal(sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"))
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(SecretUnreadable):
        unseal(sealed)


def test_a_rotated_secret_key_in_the_fallbacks_still_unseals(settings):
    sealed = seal(PASSPHRASE)
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-secret-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = [old]
    assert unseal(sealed) == PASSPHRASE


def test_sealed_secret_keys_override_the_secret_key(settings):
    settings.SEALED_SECRET_KEYS = ["a-dedicated-sealing-key-" + "z" * 30]
    sealed = seal(PASSPHRASE)
    settings.SEALED_SECRET_KEYS = []
    with pytest.raises(SecretUnreadable):
        unseal(sealed)
    settings.SEALED_SECRET_KEYS = ["a-newer-key-" + "n" * 30, "a-dedicated-sealing-key-" + "z" * 30]
    assert unseal(sealed) == PASSPHRASE


def test_the_saved_passphrase_is_sealed_in_the_database_and_signs(congress, organiser):
    response = _post(
        organiser, congress, signing_passphrase=PASSPHRASE, signing_certificate=_p12(PASSPHRASE)
    )
    assert response.status_code == 302
    raw = _raw_column(congress)
    assert raw and PASSPHRASE not in raw and "c0rrect" not in raw
    row = DocumentSettings.objects.get(congress=congress)
    assert row.signing_passphrase == PASSPHRASE
    assert sign_pdf(_blank_pdf(), row) != _blank_pdf()
    entry = AuditEntry.objects.get(action="convene.documents.settings_changed")
    assert "signing_passphrase" in entry.data["changed"]
    assert "c0rrect" not in str(entry.data)


def test_the_form_never_shows_the_passphrase_back(congress, organiser):
    _post(organiser, congress, signing_passphrase=PASSPHRASE, signing_certificate=_p12(PASSPHRASE))
    page = organiser.get(_url(congress)).content.decode()
    assert "c0rrect" not in page
    assert DocumentSettings.objects.get(congress=congress).signing_passphrase_sealed not in page
    assert 'name="signing_passphrase"' in page and "A passphrase is stored" in page
    refused = _post(organiser, congress, signing_passphrase="wrong-" + PASSPHRASE)
    assert refused.status_code == 400
    assert "wrong-" not in refused.content.decode()


def test_an_empty_passphrase_keeps_the_stored_one(congress, organiser):
    _post(organiser, congress, signing_passphrase=PASSPHRASE, signing_certificate=_p12(PASSPHRASE))
    sealed = _raw_column(congress)
    assert (
        _post(organiser, congress, signatory_name="Mayor", signing_passphrase="").status_code == 302
    )
    row = DocumentSettings.objects.get(congress=congress)
    assert row.signatory_name == "Mayor"
    assert row.signing_passphrase_sealed == sealed and row.signing_passphrase == PASSPHRASE


def test_a_wrong_new_passphrase_for_the_stored_certificate_is_refused(congress, organiser):
    _post(organiser, congress, signing_passphrase=PASSPHRASE, signing_certificate=_p12(PASSPHRASE))
    assert _post(organiser, congress, signing_passphrase="not it").status_code == 400
    assert DocumentSettings.objects.get(congress=congress).signing_passphrase == PASSPHRASE


def test_the_stored_passphrase_can_be_forgotten(congress, organiser):
    DocumentSettings.objects.create(congress_id=congress.pk, signing_passphrase=PASSPHRASE)
    assert "forget_signing_passphrase" in organiser.get(_url(congress)).content.decode()
    assert _post(organiser, congress, forget_signing_passphrase="on").status_code == 302
    assert DocumentSettings.objects.get(congress=congress).signing_passphrase_sealed == ""


@pytest.mark.parametrize("bad", ["a\x00b", "a\x07b", "x" * 10_000], ids=["nul", "control", "10kB"])
def test_a_bad_passphrase_is_refused_field_by_field(congress, organiser, bad):
    assert _post(organiser, congress, signing_passphrase=bad).status_code == 400
    assert not DocumentSettings.objects.filter(congress=congress).exists()


def test_a_passphrase_no_key_opens_stops_signing_with_a_clear_error(congress, settings):
    row = DocumentSettings.objects.create(congress_id=congress.pk, signing_passphrase=PASSPHRASE)
    row.signing_certificate.save(
        "signer.p12", ContentFile(_self_signed_pkcs12(PASSPHRASE.encode()))
    )
    settings.SECRET_KEY = "a-different-key-" + "k" * 40
    with pytest.raises(SigningFailed):
        sign_pdf(_blank_pdf(), DocumentSettings.objects.get(pk=row.pk))


BEFORE = [("registrations", "0023_content_translations_and_name_order")]
AFTER = [("registrations", "0024_signing_passphrase_sealed_and_certificate_private")]


def test_the_certificate_is_kept_outside_the_public_media(congress, organiser, settings):
    _post(organiser, congress, signing_passphrase=PASSPHRASE, signing_certificate=_p12(PASSPHRASE))
    row = DocumentSettings.objects.get(congress=congress)
    assert (settings.PRIVATE_MEDIA_ROOT / row.signing_certificate.name).is_file()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.p12"))
    page = organiser.get(_url(congress)).content.decode()
    assert "/media/" not in page and "A certificate is stored" in page
    assert organiser.get("/media/" + row.signing_certificate.name).status_code == 404


def test_removing_the_certificate_forgets_its_passphrase_and_deletes_the_file(
    congress, organiser, settings, django_capture_on_commit_callbacks
):
    _post(organiser, congress, signing_passphrase=PASSPHRASE, signing_certificate=_p12(PASSPHRASE))
    path = settings.PRIVATE_MEDIA_ROOT / DocumentSettings.objects.get().signing_certificate.name
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(organiser, congress, remove_signing_certificate="on")
    assert response.status_code == 302
    row = DocumentSettings.objects.get(congress=congress)
    assert not row.signing_certificate and row.signing_passphrase_sealed == ""
    assert not path.exists()
    assert sign_pdf(_blank_pdf(), row) == _blank_pdf()


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_passphrases_kept_in_clear_and_back(settings):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Settings = apps.get_model("registrations", "DocumentSettings")
    congress = CongressFactory()
    default_storage.save("documents/keys/old.p12", ContentFile(b"pkcs12"))
    Settings.objects.create(
        congress_id=congress.pk,
        signing_passphrase=PASSPHRASE,
        signing_certificate="documents/keys/old.p12",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    raw = _raw_column(congress)
    assert raw and "c0rrect" not in raw and unseal(raw) == PASSPHRASE
    assert (settings.PRIVATE_MEDIA_ROOT / "documents/keys/old.p12").read_bytes() == b"pkcs12"
    assert not default_storage.exists("documents/keys/old.p12")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    back = apps.get_model("registrations", "DocumentSettings").objects.get(congress_id=congress.pk)
    assert back.signing_passphrase == PASSPHRASE
    assert default_storage.open(back.signing_certificate.name).read() == b"pkcs12"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_signing_works_where_this_thread_already_runs_an_event_loop(congress):
    """pyHanko's own synchronous wrappers call ``asyncio.run``, which refuses inside a running
    loop (an ASGI server; a test process driving Chromium, where this failed in CI): the
    signature is made in a thread of its own there."""
    import asyncio

    rules = DocumentSettings.objects.create(congress=congress, signing_passphrase=PASSPHRASE)
    rules.signing_certificate.save(
        "signer.p12", ContentFile(_self_signed_pkcs12(PASSPHRASE.encode()))
    )

    from concurrent.futures import ThreadPoolExecutor

    async def inside_a_loop():
        return sign_pdf(_blank_pdf(), rules)

    # A thread of its own, so the loop is this test's whatever the worker ran before (a worker
    # that drove Chromium already runs Playwright's loop in its main thread).
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(asyncio.run, inside_a_loop()).result()
    assert b"/ETSI.CAdES.detached" in signed and len(signed) > len(_blank_pdf())
