"""Certificates of attendance and of speaking: eligibility from check-ins, session
attendance and confirmed speaking roles (read through CERTIFICATE_SOURCES), issued in bulk or
on demand, revoked when the check-in is undone, verified on the same page; and the optional
PAdES signature with the congress's certificate."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from badges import services as badge_services
from events_site.congresses.models import AuditEntry
from registrations.enums import CertificateKind, CertificateStatus
from registrations.lifecycle import OrderStatus
from registrations.models import Certificate, DocumentSettings
from registrations.services import certificates
from sessions.enums import SessionStatus, SpeakerRole
from sessions.models import Session, SessionAttendance, SessionSpeaker, Speaker
from tests.factories import DelegateFactory, OrderFactory, RoomFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def during(monkeypatch, congress):
    """The congress has begun (its first day, noon in its zone)."""
    moment = dt.datetime.combine(congress.start_date, dt.time(12), tzinfo=congress.tz)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def _delegate(congress, **fields):
    return DelegateFactory(order=OrderFactory(congress=congress, status=OrderStatus.PAID), **fields)


def _check_in(delegate, user):
    badge = badge_services.badge_for(delegate=delegate)
    badge_services.check_in(badge=badge, by=user)
    return badge


def _session(congress, n: int, status=SessionStatus.CONFIRMED) -> Session:
    room = RoomFactory(venue__congress=congress)
    start = dt.datetime.combine(congress.start_date, dt.time(9 + n), tzinfo=congress.tz)
    return Session.objects.create(
        congress=congress,
        code=f"S{n}",
        title=f"Session {n}: Ciudades resilientes",
        room=room,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=50),
        status=status,
    )


def _link(delegate, name="registrations:visa_letter", **kwargs):
    return reverse(
        name,
        kwargs={
            "congress_slug": delegate.order.congress.slug,
            "delegate_secret": delegate.secret,
            **kwargs,
        },
    )


def test_bulk_issue_gives_attendance_to_checked_in_and_speaking_to_confirmed_speakers(
    congress, alice, during
):
    present = _delegate(congress, given_name="Léa")
    absent = _delegate(congress)
    speaker_delegate = _delegate(congress, language="es")
    _check_in(present, alice)
    session = _session(congress, 1)
    cancelled = _session(congress, 2, status=SessionStatus.CANCELLED)
    speaker = Speaker.objects.create(
        congress=congress, code="SPK1", name="Marta", delegate=speaker_delegate
    )
    SessionSpeaker.objects.create(session=session, speaker=speaker, role=SpeakerRole.SPEAKER)
    SessionSpeaker.objects.create(session=cancelled, speaker=speaker, role=SpeakerRole.CHAIR)
    outcome = certificates.issue_all(congress=congress, by=alice)
    assert outcome.issued == 2
    issued = {(c.delegate_id, c.kind) for c in Certificate.objects.all()}
    assert issued == {
        (present.pk, CertificateKind.ATTENDANCE),
        (speaker_delegate.pk, CertificateKind.SPEAKING),
    }
    assert absent.pk not in {d for d, _k in issued}
    spoken = Certificate.objects.get(kind=CertificateKind.SPEAKING)
    assert spoken.sessions_spoken == [session.title]
    assert spoken.language == "es"
    assert certificates.issue_all(congress=congress, by=alice).issued == 0  # idempotent


def test_a_minimum_of_sessions_attended_makes_a_certificate_without_a_check_in(
    congress, alice, during
):
    DocumentSettings.objects.create(congress=congress, min_sessions=2)
    keen = _delegate(congress)
    once = _delegate(congress)
    for n in (1, 2):
        SessionAttendance.objects.create(session=_session(congress, n), delegate=keen, at=during)
    SessionAttendance.objects.create(
        session=Session.objects.get(code="S1"), delegate=once, at=during
    )
    certificates.issue_all(congress=congress, by=alice)
    certificate = Certificate.objects.get()
    assert certificate.delegate == keen
    assert certificate.sessions_attended == 2


def test_an_unpaid_delegate_gets_no_certificate_even_if_scanned(congress, alice, during):
    DocumentSettings.objects.create(congress=congress, min_sessions=1)
    unpaid = DelegateFactory(
        order=OrderFactory(congress=congress, status=OrderStatus.PENDING_PAYMENT)
    )
    SessionAttendance.objects.create(session=_session(congress, 1), delegate=unpaid, at=during)
    assert certificates.issue_all(congress=congress, by=alice).issued == 0


def test_on_demand_from_the_secret_link_only_when_eligible(congress, alice, during):
    delegate = _delegate(congress, given_name="Aya", family_name="Koffi")
    client = Client()
    client.post(_link(delegate, "registrations:certificate_request"), {"kind": "attendance"})
    assert not Certificate.objects.exists()
    _check_in(delegate, alice)
    for kind in ("attendance", "bogus", "x" * 10_000, "<b>"):
        response = client.post(_link(delegate, "registrations:certificate_request"), {"kind": kind})
        assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.kind == CertificateKind.ATTENDANCE
    pdf = client.get(_link(delegate, "registrations:certificate_pdf", kind="attendance"))
    assert pdf.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Aya Koffi" in text
    assert "Certificate of attendance" in text
    assert f"/v/{certificate.token}/" in text.replace("\n", "")
    missing = client.get(_link(delegate, "registrations:certificate_pdf", kind="speaking"))
    assert missing.status_code == 404


def test_the_certificate_is_in_the_delegates_language(congress, alice, during):
    delegate = _delegate(congress, language="fr")
    _check_in(delegate, alice)
    certificate = certificates.issue_for_delegate(delegate=delegate, kind="attendance")
    from registrations.documents_pdf import certificate_pdf

    catalog = PdfReader(io.BytesIO(certificate_pdf(certificate))).trailer["/Root"]
    assert catalog["/Lang"] == "fr"


def test_no_certificate_before_the_congress_begins(congress, alice):
    delegate = _delegate(congress)
    with pytest.raises(certificates.CertificateError):
        certificates.issue_for_delegate(delegate=delegate, kind="attendance")


def test_undoing_the_check_in_revokes_the_certificate_and_the_page_says_revoked(
    congress, alice, during
):
    delegate = _delegate(congress)
    badge = _check_in(delegate, alice)
    certificate = certificates.issue_for_delegate(delegate=delegate, kind="attendance")
    verify = reverse("registrations:verify_document", kwargs={"token": certificate.token})
    assert Client().get(verify).context["valid"] is True
    badge_services.undo_check_in(badge=badge, by=alice, reason="wrong person")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert "wrong person" in certificate.revoke_reason
    response = Client().get(verify)
    assert response.context["valid"] is False
    assert "Revoked" in response.content.decode()
    assert AuditEntry.objects.filter(action="convene.certificate.revoked").count() == 1


def test_undoing_a_check_in_keeps_a_certificate_the_sessions_still_support(congress, alice, during):
    DocumentSettings.objects.create(congress=congress, min_sessions=1)
    delegate = _delegate(congress)
    badge = _check_in(delegate, alice)
    SessionAttendance.objects.create(session=_session(congress, 1), delegate=delegate, at=during)
    certificate = certificates.issue_for_delegate(delegate=delegate, kind="attendance")
    badge_services.undo_check_in(badge=badge, by=alice, reason="double scan")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED


def test_certificate_verification_reveals_only_name_kind_and_dates(congress, alice, during):
    delegate = _delegate(congress, given_name="Aya", family_name="Koffi")
    _check_in(delegate, alice)
    certificate = certificates.issue_for_delegate(delegate=delegate, kind="attendance")
    page = (
        Client()
        .get(reverse("registrations:verify_document", kwargs={"token": certificate.token}))
        .content.decode()
    )
    assert "Aya Koffi" in page
    for secret in (delegate.email, delegate.order.code, delegate.organisation_name):
        assert secret not in page


def test_the_certificates_page_lists_and_registration_staff_revoke(
    congress, alice, during, django_assert_max_num_queries
):
    for _n in range(12):
        _check_in(_delegate(congress), alice)
    certificates.issue_all(congress=congress, by=alice)
    client = Client()
    client.force_login(alice)
    url = reverse("registrations:manage_certificates", kwargs={"congress_slug": congress.slug})
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"]) == 12
    first = Certificate.objects.first()
    revoke = reverse(
        "registrations:manage_certificate_revoke",
        kwargs={"congress_slug": congress.slug, "certificate_id": first.pk},
    )
    client.post(revoke, {"reason": ""})
    first.refresh_from_db()
    assert first.status == CertificateStatus.ISSUED
    client.post(revoke, {"reason": "Left on day one"})
    first.refresh_from_db()
    assert first.status == CertificateStatus.REVOKED


def test_check_in_staff_cannot_issue_or_revoke(congress, bob, during):
    client = Client()
    client.force_login(bob)
    for name in ("manage_certificates", "manage_certificates_issue"):
        url = reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug})
        assert client.post(url).status_code in (403, 405)
        assert client.get(url).status_code in (403, 405)


# --- PAdES -----------------------------------------------------------------------------------


def _self_signed_pkcs12(passphrase: bytes) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Convene test signer")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"signer", key, cert, None, serialization.BestAvailableEncryption(passphrase)
    )


def test_a_congress_certificate_signs_the_pdf_in_pades(congress, alice, during):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from registrations.documents_pdf import certificate_pdf
    from registrations.pdf_signing import run_coroutine

    rules = DocumentSettings.objects.create(
        congress=congress, signatory_name="Secretary General", signing_passphrase="s3cret"
    )
    rules.signing_certificate.save("signer.p12", ContentFile(_self_signed_pkcs12(b"s3cret")))
    delegate = _delegate(congress)
    _check_in(delegate, alice)
    certificate = certificates.issue_for_delegate(delegate=delegate, kind="attendance")
    signed = certificate_pdf(certificate)
    reader = PdfFileReader(io.BytesIO(signed))
    (embedded,) = reader.embedded_signatures
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = run_coroutine(
        async_validate_pdf_signature(embedded, ValidationContext(allow_fetching=False))
    )
    assert status.intact and status.valid  # untrusted (self-signed) but intact and valid
    assert "Certificate of attendance" in PdfReader(io.BytesIO(signed)).pages[0].extract_text()


def test_a_wrong_passphrase_is_refused_when_the_settings_are_saved(congress, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(alice)
    url = reverse("registrations:manage_document_settings", kwargs={"congress_slug": congress.slug})
    data = {
        "host_country": "KR",
        "approve_speakers": "on",
        "passport_data_days": "30",
        "min_sessions": "0",
        "signing_passphrase": "wrong",
        "signing_certificate": SimpleUploadedFile(
            "signer.p12", _self_signed_pkcs12(b"right"), content_type="application/x-pkcs12"
        ),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert (
        not DocumentSettings.objects.filter(congress=congress)
        .exclude(signing_certificate="")
        .exists()
    )


@pytest.mark.parametrize(
    "changes",
    [{"passport_data_days": "-1"}, {"signatory_name": "x" * 10_000}, {"who_pays": "a\x07b"}],
)
def test_bad_settings_are_refused(congress, alice, changes):
    client = Client()
    client.force_login(alice)
    url = reverse("registrations:manage_document_settings", kwargs={"congress_slug": congress.slug})
    data = {"passport_data_days": "30", "min_sessions": "0", **changes}
    assert client.post(url, data).status_code == 400
    assert not DocumentSettings.objects.exists()


def test_a_team_member_without_the_congress_role_cannot_change_settings(congress):
    from tests.factories import UserFactory

    user = UserFactory()
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    client = Client()
    client.force_login(user)
    url = reverse("registrations:manage_document_settings", kwargs={"congress_slug": congress.slug})
    assert client.get(url).status_code == 403
