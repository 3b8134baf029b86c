"""A signing passphrase none of the keys opens any more (the keys rotated away) makes the
document downloads answer a clear page, never a 500, and the settings page warn; a replaced
signing certificate's old file is deleted once the change is committed."""

from __future__ import annotations

import logging

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events_site.congresses.enums import Role
from registrations.enums import VisaLetterStatus
from registrations.models import DocumentSettings
from registrations.services import visa_letters
from tests.factories import TeamMembershipFactory, UserFactory
from tests.registrations.test_certificates import _self_signed_pkcs12
from tests.registrations.test_signing_passphrase import PASSPHRASE, _p12, _post, _url
from tests.registrations.test_visa_letters import _request, delegate  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

OLD_KEY = "the-old-sealing-key-" + "o" * 30
NEW_KEY = "a-new-sealing-key-" + "n" * 30


@pytest.fixture
def issued(congress, delegate, settings):  # noqa: F811
    settings.SEALED_SECRET_KEYS = [OLD_KEY]
    rules = DocumentSettings.objects.create(congress=congress, signing_passphrase=PASSPHRASE)
    rules.signing_certificate.save(
        "signer.p12", ContentFile(_self_signed_pkcs12(PASSPHRASE.encode()))
    )
    letter = _request(delegate)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.ISSUED, by=None)
    return letter


def _delegate_pdf(letter):
    return reverse(
        "registrations:visa_letter_pdf",
        kwargs={
            "congress_slug": letter.congress.slug,
            "delegate_secret": letter.delegate.secret,
        },
    )


def test_with_the_sealing_key_still_there_the_letter_downloads_signed(issued):
    response = Client().get(_delegate_pdf(issued))
    assert response.status_code == 200 and b"/ETSI.CAdES.detached" in response.content


def test_a_passphrase_sealed_under_a_rotated_away_key_gives_the_delegate_a_clear_page(
    issued, settings, caplog
):
    settings.SEALED_SECRET_KEYS = [NEW_KEY]
    with caplog.at_level(logging.ERROR, logger="registrations.document_views"):
        response = Client().get(_delegate_pdf(issued))
    assert response.status_code == 503
    page = response.content.decode()
    assert "cannot be produced right now" in page and "organisers have been told" in page
    assert "passphrase" not in page  # the delegate is not told about keys
    assert any("passphrase cannot be opened" in r.getMessage() for r in caplog.records)


def test_the_organisers_download_says_the_passphrase_must_be_entered_again(
    issued, congress, settings
):
    user = UserFactory(username="vera")
    TeamMembershipFactory(congress=congress, user=user, role=Role.VISA_OFFICER)
    client = Client()
    client.force_login(user)
    settings.SEALED_SECRET_KEYS = [NEW_KEY]
    response = client.get(
        reverse(
            "registrations:manage_visa_letter_pdf",
            kwargs={"congress_slug": congress.slug, "request_id": issued.pk},
        )
    )
    assert response.status_code == 503
    assert "enter the passphrase again" in response.content.decode()


def test_a_certificate_download_is_not_a_server_error_either(issued, congress, settings):
    from registrations.enums import CertificateKind
    from registrations.models import Certificate

    certificate = Certificate.objects.create(
        congress=congress,
        delegate=issued.delegate,
        kind=CertificateKind.ATTENDANCE,
        holder_name="Aya Koffi",
        language="fr",
        issued_at=timezone.now(),
    )
    settings.SEALED_SECRET_KEYS = [NEW_KEY]
    response = Client().get(
        reverse(
            "registrations:certificate_pdf",
            kwargs={
                "congress_slug": congress.slug,
                "delegate_secret": certificate.delegate.secret,
                "kind": certificate.kind,
            },
        )
    )
    assert response.status_code == 503


def test_the_settings_page_warns_while_the_passphrase_cannot_be_opened(issued, alice, settings):
    client = Client()
    client.force_login(alice)
    assert "can no longer be opened" not in client.get(_url(issued.congress)).content.decode()
    settings.SEALED_SECRET_KEYS = [NEW_KEY]
    assert "can no longer be opened" in client.get(_url(issued.congress)).content.decode()
    # Entering it again seals it under the new key and the warning goes.
    assert _post(client, issued.congress, signing_passphrase=PASSPHRASE).status_code == 302
    assert "can no longer be opened" not in client.get(_url(issued.congress)).content.decode()
    assert Client().get(_delegate_pdf(issued)).status_code == 200


def test_replacing_the_certificate_deletes_the_old_file_once_committed(
    congress, alice, settings, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(alice)
    _post(client, congress, signing_passphrase=PASSPHRASE, signing_certificate=_p12(PASSPHRASE))
    old = settings.PRIVATE_MEDIA_ROOT / DocumentSettings.objects.get().signing_certificate.name
    assert old.is_file()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(
            client, congress, signing_passphrase=PASSPHRASE, signing_certificate=_p12(PASSPHRASE)
        )
    assert response.status_code == 302
    assert old.is_file()  # not before the commit
    for callback in callbacks:
        callback()
    new = settings.PRIVATE_MEDIA_ROOT / DocumentSettings.objects.get().signing_certificate.name
    assert new != old and new.is_file()
    assert not old.exists()


def test_a_refused_replacement_keeps_the_old_file(congress, alice, settings):
    client = Client()
    client.force_login(alice)
    _post(client, congress, signing_passphrase=PASSPHRASE, signing_certificate=_p12(PASSPHRASE))
    old = settings.PRIVATE_MEDIA_ROOT / DocumentSettings.objects.get().signing_certificate.name
    refused = _post(client, congress, signing_passphrase="wrong", signing_certificate=_p12("x"))
    assert refused.status_code == 400
    assert old.is_file()
    assert DocumentSettings.objects.get().signing_certificate.name in str(old)
