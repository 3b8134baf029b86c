"""Documents governments ask delegates for: visa invitation letters and certificates of
attendance and of speaking, each verifiable by anyone holding its unguessable token."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events_site.congresses.models import Congress
from events_site.congresses.private_files import get_private_storage

from ..enums import CertificateKind, CertificateStatus, VisaLetterStatus
from ..sealed_secrets import seal, unseal
from .orders import Delegate
from .vouchers import MemberOrganisation


def new_document_token() -> str:
    return secrets.token_urlsafe(32)


def mask_passport_number(number: str) -> str:
    """All but the last three characters hidden (``•••••123``); short numbers show nothing."""
    number = (number or "").strip()
    if len(number) <= 4:
        return "•" * len(number)
    return "•" * (len(number) - 3) + number[-3:]


class DocumentSettings(models.Model):
    """Per congress: who approves visa letters, what the letter says, how it is signed, and
    how many sessions make a certificate of attendance."""

    congress = models.OneToOneField(
        Congress, on_delete=models.CASCADE, related_name="document_settings"
    )
    host_country = CountryField(
        _("host country"), blank=True, help_text=_("Chooses the letter's template.")
    )
    approve_speakers = models.BooleanField(
        _("approve speakers and invited officials automatically"),
        default=True,
        help_text=_("Delegates with the speaker role, or of a complimentary registration type."),
    )
    approve_public_bodies_when_paid = models.BooleanField(
        _("approve public bodies once paid or invoiced"),
        default=True,
        help_text=_("Local, regional and national governments and international organisations."),
    )
    signatory_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory's position"), max_length=200, blank=True)
    who_pays = models.TextField(
        _("who pays"),
        blank=True,
        max_length=2000,
        help_text=_("Travel, accommodation and subsistence; empty: the delegate or their body."),
    )
    letterhead = models.ImageField(_("letterhead image"), upload_to="documents/", blank=True)
    signature = models.ImageField(_("signature image"), upload_to="documents/", blank=True)
    passport_data_days = models.PositiveIntegerField(
        _("passport data kept for (days after the congress)"), default=30
    )
    focal_points_approve = models.BooleanField(
        _("member focal points approve their delegations' requests"),
        default=False,
        help_text=_(
            "A request from a delegate of a member organisation with a visa focal point waits "
            "for that focal point (the visa officer may still decide)."
        ),
    )
    min_sessions = models.PositiveIntegerField(
        _("sessions that make a certificate of attendance"),
        default=0,
        help_text=_("0: only checking in at the congress counts."),
    )
    # PAdES signing: a PKCS#12 file and its passphrase, used only when both are given.
    signing_certificate = models.FileField(
        _("signing certificate (PKCS#12)"),
        upload_to="documents/keys/",
        blank=True,
        storage=get_private_storage,  # a private key: never under MEDIA_URL
    )
    # Sealed (registrations/sealed_secrets.py), never in clear; read through the property.
    signing_passphrase_sealed = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("document settings")
        verbose_name_plural = _("document settings")

    def __str__(self) -> str:
        return str(self.congress)

    @property
    def signing_passphrase(self) -> str:
        """The passphrase in clear, for pyHanko only; raises ``SecretUnreadable`` if the keys
        changed since it was sealed."""
        return unseal(self.signing_passphrase_sealed)

    @signing_passphrase.setter
    def signing_passphrase(self, plain: str) -> None:
        self.signing_passphrase_sealed = seal(plain)


class VisaLetterRequest(models.Model):
    """One delegate's request for a visa invitation letter, with the passport data the
    letter names. The passport data is erased after ``delete_after`` (and on erasure); the
    status, token and dates stay so the verification page can still answer."""

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="visa_letter_requests"
    )
    delegate = models.OneToOneField(
        Delegate, on_delete=models.CASCADE, related_name="visa_letter_request"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=VisaLetterStatus.choices,
        default=VisaLetterStatus.REQUESTED,
        db_index=True,
    )
    token = models.CharField(max_length=64, unique=True, default=new_document_token)
    passport_name = models.CharField(_("name as in the passport"), max_length=200)
    nationality = CountryField(_("nationality"))
    passport_number = models.CharField(_("passport number"), max_length=40)
    passport_number_masked = models.CharField(max_length=40, blank=True, editable=False)
    passport_issued_on = models.DateField(_("passport issued on"), null=True)
    passport_expires_on = models.DateField(_("passport expires on"), null=True)
    birth_date = models.DateField(_("date of birth"), null=True)
    birth_place = models.CharField(_("place of birth"), max_length=120)
    embassy_city = models.CharField(_("embassy or consulate city"), max_length=120)
    consent_at = models.DateTimeField(_("consent given at"))
    delete_after = models.DateField(_("passport data deleted after"))
    passport_erased_at = models.DateTimeField(_("passport data erased at"), null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    reason = models.TextField(_("reason given"), blank=True, max_length=1000)
    # The member organisation whose visa focal point the request was sent to (kept once
    # decided, for the record); while requested, it waits for that focal point.
    focal_point_organisation = models.ForeignKey(
        MemberOrganisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visa_letter_requests",
        verbose_name=_("focal point's organisation"),
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("visa letter request")
        verbose_name_plural = _("visa letter requests")
        indexes = [models.Index(fields=["congress", "status"])]

    def __str__(self) -> str:
        return f"{self.passport_name or self.delegate_id} ({self.get_status_display()})"

    @property
    def awaits_focal_point(self) -> bool:
        return self.status == VisaLetterStatus.REQUESTED and bool(self.focal_point_organisation_id)

    @property
    def is_issued(self) -> bool:
        return self.status == VisaLetterStatus.ISSUED

    @property
    def letter_ready(self) -> bool:
        """Approved or issued, with the passport data still held: the PDF can be made."""
        return self.passport_erased_at is None and self.status in (
            VisaLetterStatus.APPROVED,
            VisaLetterStatus.ISSUED,
        )

    @property
    def tells_reason(self) -> bool:
        """A refusal or revocation: the delegate reads why."""
        return bool(self.reason) and self.status in (
            VisaLetterStatus.REFUSED,
            VisaLetterStatus.REVOKED,
        )

    def clean(self) -> None:
        errors = {}
        if (
            self.passport_issued_on
            and self.passport_expires_on
            and self.passport_expires_on <= self.passport_issued_on
        ):
            errors["passport_expires_on"] = _("The passport must expire after it was issued.")
        if (
            self.birth_date
            and self.passport_issued_on
            and self.birth_date > self.passport_issued_on
        ):
            errors["birth_date"] = _("The date of birth must come before the passport's issue.")
        if errors:
            raise ValidationError(errors)


class VisaFocalPoint(models.Model):
    """The person a member organisation names to approve its delegation's visa letter
    requests (as intergovernmental bodies let a government's focal point do), reached by a
    secret link; a new e-mail address gets a new link."""

    member_organisation = models.OneToOneField(
        MemberOrganisation,
        on_delete=models.CASCADE,
        related_name="visa_focal_point",
        verbose_name=_("member organisation"),
    )
    name = models.CharField(_("focal point's name"), max_length=200)
    email = models.EmailField(_("focal point's e-mail"))
    language = models.CharField(
        _("focal point's language"),
        max_length=16,
        blank=True,
        help_text=_("Empty: the congress's first language."),
    )
    secret = models.CharField(max_length=64, unique=True, default=new_document_token)
    created_at = models.DateTimeField(auto_now_add=True)
    link_sent_at = models.DateTimeField(_("link last sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("visa focal point")
        verbose_name_plural = _("visa focal points")

    def __str__(self) -> str:
        return f"{self.name} ({self.member_organisation})"


class Certificate(models.Model):
    """A certificate of attendance or of speaking, issued once per delegate and kind;
    revoked (never deleted) when its ground goes away, so its token keeps answering."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="certificates")
    delegate = models.ForeignKey(Delegate, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("kind"), max_length=16, choices=CertificateKind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.ISSUED,
        db_index=True,
    )
    token = models.CharField(max_length=64, unique=True, default=new_document_token)
    holder_name = models.CharField(_("holder's name"), max_length=200)
    language = models.CharField(_("language"), max_length=10, default="en")
    sessions_attended = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    # The sessions spoken at, as printed (titles), for a certificate of speaking.
    sessions_spoken = models.JSONField(default=list, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoke_reason = models.CharField(_("why it was revoked"), max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["delegate", "kind"], name="one_certificate_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} – {self.get_kind_display()}"

    @property
    def is_issued(self) -> bool:
        return self.status == CertificateStatus.ISSUED
