"""Visa invitation letters: the delegate's request (with consent and a deletion date for the
passport data), the congress's approval rules, the visa officer's decisions, the letter's
PDF and the erasure of passport data. Every change of status is audited and the delegate is
e-mailed in their language once the change is committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.mail import send_templated_email
from events_site.congresses.models import Congress

from .. import lifecycle
from ..enums import DelegateRole, OrganisationType, VisaLetterStatus
from ..errors import RegistrationError
from ..models import Delegate, DocumentSettings, Invoice, VisaLetterRequest
from ..models.documents import mask_passport_number
from .visa_focal_routing import send_to_focal_point

PUBLIC_BODIES = frozenset(
    {
        OrganisationType.LOCAL_GOVERNMENT,
        OrganisationType.REGIONAL_GOVERNMENT,
        OrganisationType.NATIONAL_GOVERNMENT,
        OrganisationType.ASSOCIATION,
        OrganisationType.INTERNATIONAL,
    }
)
PASSPORT_FIELDS = (
    "passport_name",
    "nationality",
    "passport_number",
    "passport_issued_on",
    "passport_expires_on",
    "birth_date",
    "birth_place",
    "embassy_city",
)
# Which statuses each decision starts from.
SOURCES = {
    VisaLetterStatus.APPROVED: (VisaLetterStatus.REQUESTED,),
    VisaLetterStatus.ISSUED: (VisaLetterStatus.APPROVED,),
    VisaLetterStatus.REFUSED: (VisaLetterStatus.REQUESTED, VisaLetterStatus.APPROVED),
    VisaLetterStatus.REVOKED: (VisaLetterStatus.APPROVED, VisaLetterStatus.ISSUED),
}
ACTIONS = {
    VisaLetterStatus.APPROVED: "convene.visa_letter.approved",
    VisaLetterStatus.ISSUED: "convene.visa_letter.issued",
    VisaLetterStatus.REFUSED: "convene.visa_letter.refused",
    VisaLetterStatus.REVOKED: "convene.visa_letter.revoked",
}
EMAILED = {
    VisaLetterStatus.ISSUED: "registrations/emails/visa_letter_issued",
    VisaLetterStatus.REFUSED: "registrations/emails/visa_letter_refused",
    VisaLetterStatus.REVOKED: "registrations/emails/visa_letter_revoked",
}


class VisaLetterError(RegistrationError):
    code = "visa_letter"


def document_settings(congress: Congress) -> DocumentSettings:
    return DocumentSettings.objects.filter(congress=congress).first() or DocumentSettings(
        congress=congress
    )


def deletion_date(congress: Congress) -> dt.date:
    """The day after which the passport data goes: the congress's last day plus the delay."""
    days = document_settings(congress).passport_data_days
    return congress.end_date + dt.timedelta(days=days)


def update_document_settings(*, congress: Congress, form, by) -> DocumentSettings:
    """Save the organisers' document settings (a validated model form): a new passphrase is
    sealed, an empty one keeps the stored one; a certificate that cannot sign with the
    passphrase is refused. Audited with the names of what changed, never the passphrase."""
    from ..pdf_signing import SigningFailed, sign_pdf

    row = form.instance
    passphrase = form.cleaned_data.get("signing_passphrase") or ""
    remove = bool(form.cleaned_data.get("remove_signing_certificate"))
    forget = remove or bool(form.cleaned_data.get("forget_signing_passphrase"))
    passphrase_changed = bool(passphrase) or forget
    if passphrase_changed:
        row.signing_passphrase = "" if forget else passphrase
    # The file stored before this change (the form already put a new upload on the row): it
    # goes once the change is committed, whether removed or replaced.
    stored_file = (
        DocumentSettings.objects.filter(pk=row.pk)
        .values_list("signing_certificate", flat=True)
        .first()
        if row.pk
        else ""
    ) or ""
    if remove:
        row.signing_certificate = ""
    if row.signing_certificate and (
        form.cleaned_data.get("signing_certificate") or passphrase_changed
    ):
        try:
            sign_pdf(_blank_pdf(), row)
        except SigningFailed as error:
            raise VisaLetterError(
                _("The signing certificate cannot be read with this passphrase.")
            ) from error
    with transaction.atomic():
        row = form.save()
        audit.record(
            action="convene.documents.settings_changed",
            congress=congress,
            actor=by,
            target=row,
            data={
                "changed": sorted(
                    {
                        name
                        for name in form.changed_data
                        if not name.startswith(("forget_", "remove_"))
                    }
                    | ({"signing_passphrase"} if passphrase_changed else set())
                    | ({"signing_certificate"} if remove else set())
                )
            },
        )
        if stored_file and stored_file != row.signing_certificate.name:
            storage = row.signing_certificate.storage
            transaction.on_commit(lambda: storage.delete(stored_file))
    return row


def _blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the delegate's request ------------------------------------------------------------------


def request_visa_letter(*, delegate: Delegate, consent: bool, **passport) -> VisaLetterRequest:
    """Record (or, while not yet decided, correct) the delegate's request; apply the
    congress's rules, which may approve it at once."""
    unknown = set(passport) - set(PASSPORT_FIELDS)
    if unknown:
        raise VisaLetterError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if not consent:
        raise VisaLetterError(_("We need your consent to keep your passport data for the letter."))
    if delegate.is_cancelled or delegate.erased_at is not None:
        raise VisaLetterError(_("This registration is cancelled."))
    congress = delegate.order.congress
    with transaction.atomic():
        existing = VisaLetterRequest.objects.select_for_update().filter(delegate=delegate).first()
        if existing is not None and existing.status != VisaLetterStatus.REQUESTED:
            raise VisaLetterError(
                _("Your request was already decided; please write to the organisers.")
            )
        letter = existing or VisaLetterRequest(congress=congress, delegate=delegate)
        for name, value in passport.items():
            setattr(letter, name, value)
        letter.passport_number_masked = mask_passport_number(letter.passport_number)
        letter.consent_at = timezone.now()
        letter.delete_after = deletion_date(congress)
        letter.passport_erased_at = None
        letter.full_clean(exclude=["delegate", "congress", "token"])
        letter.save()
        if not delegate.needs_visa_letter:
            delegate.needs_visa_letter = True
            delegate.save(update_fields=["needs_visa_letter", "updated_at"])
        audit.record(
            action="convene.visa_letter.requested"
            if existing is None
            else "convene.visa_letter.corrected",
            congress=congress,
            actor_label="delegate",
            target=letter,
            data={"delegate": delegate.pk, "delete_after": letter.delete_after.isoformat()},
        )
        if not _apply_rules(letter):
            send_to_focal_point(letter)
    return letter


# --- approval rules --------------------------------------------------------------------------


def rule_approving(letter: VisaLetterRequest) -> str:
    """The name of the congress's rule that approves this request now, or ''."""
    rules = document_settings(letter.congress)
    delegate = letter.delegate
    if rules.approve_speakers and (
        delegate.role == DelegateRole.SPEAKER or delegate.registration_type.complimentary
    ):
        return "speaker_or_invited"
    if rules.approve_public_bodies_when_paid and delegate.organisation_type in PUBLIC_BODIES:
        order = delegate.order
        if order.status in lifecycle.PAID_STATUSES:
            return "public_body_paid"
        if Invoice.objects.filter(order=order).exists() and order.status in (
            lifecycle.SEAT_HOLDING_STATUSES
        ):
            return "public_body_invoiced"
    return ""


def _apply_rules(letter: VisaLetterRequest) -> bool:
    if letter.status != VisaLetterStatus.REQUESTED:
        return False
    rule = rule_approving(letter)
    if not rule:
        return False
    _change(letter, to=VisaLetterStatus.APPROVED, by=None, reason="", rule=rule)
    return True


def apply_rules(*, congress: Congress) -> int:
    """Approve every waiting request a rule now covers (a payment since the request): run
    from the officer's queue and by the periodic job. Returns how many were approved."""
    approved = 0
    waiting = VisaLetterRequest.objects.filter(
        congress=congress, status=VisaLetterStatus.REQUESTED
    ).select_related("delegate__order", "delegate__registration_type", "congress")
    for letter in waiting:
        with transaction.atomic():
            approved += _apply_rules(letter)
    return approved


def apply_rules_everywhere() -> int:
    congresses = Congress.objects.filter(
        visa_letter_requests__status=VisaLetterStatus.REQUESTED
    ).distinct()
    return sum(apply_rules(congress=congress) for congress in congresses)


# --- decisions -------------------------------------------------------------------------------


def _change(
    letter: VisaLetterRequest,
    *,
    to: str,
    by,
    reason: str,
    rule: str = "",
    sources: tuple[str, ...] | None = None,
    actor_label: str = "",
    data: dict | None = None,
) -> None:
    """The one compare-and-set of a letter's status, its audit entry and the delegate's
    e-mail (on commit). Raises when the letter is no longer in a status ``to`` starts from
    (``sources``: fewer of them, for a focal point, who decides only what still waits)."""
    now = timezone.now()
    fields = {"status": to}
    if to in (VisaLetterStatus.APPROVED, VisaLetterStatus.REFUSED):
        fields.update(
            decided_at=now, decided_by=by if getattr(by, "is_authenticated", False) else None
        )
    if to == VisaLetterStatus.ISSUED:
        fields["issued_at"] = now
    if to == VisaLetterStatus.REVOKED:
        fields["revoked_at"] = now
    if reason:
        fields["reason"] = reason
    changed = VisaLetterRequest.objects.filter(
        pk=letter.pk, status__in=sources or SOURCES[to]
    ).update(**fields)
    if not changed:
        raise VisaLetterError(
            _("This request is %(status)s: it cannot be %(action)s.")
            % {
                "status": VisaLetterStatus(letter.status).label.lower(),
                "action": VisaLetterStatus(to).label.lower(),
            }
        )
    before = letter.status
    for name, value in fields.items():
        setattr(letter, name, value)
    audit.record(
        action=ACTIONS[to],
        congress=letter.congress,
        actor=by,
        actor_label=actor_label or ("" if by is not None else "system"),
        target=letter,
        data={"from": before, "to": to, "reason": reason, "rule": rule, **(data or {})},
    )
    if to in EMAILED:
        letter_id = letter.pk
        transaction.on_commit(lambda: email_delegate(letter_id=letter_id, template=EMAILED[to]))


def decide(*, letter: VisaLetterRequest, to: str, by, reason: str = "") -> VisaLetterRequest:
    """Approve, issue, refuse or revoke (``to`` is the status reached). A refusal or a
    revocation tells the delegate why."""
    if to not in SOURCES:
        raise VisaLetterError(_("Unknown decision."))
    reason = (reason or "").strip()
    if to in (VisaLetterStatus.REFUSED, VisaLetterStatus.REVOKED) and not reason:
        raise VisaLetterError(_("Please give the delegate a reason."))
    if to == VisaLetterStatus.ISSUED and letter.passport_erased_at is not None:
        raise VisaLetterError(_("The passport data was erased: no letter can be issued."))
    with transaction.atomic():
        _change(letter, to=to, by=by, reason=reason)
    return letter


@dataclass(frozen=True)
class BulkOutcome:
    done: int
    skipped: int


def decide_many(
    *, letters: Iterable[VisaLetterRequest], to: str, by, reason: str = ""
) -> BulkOutcome:
    """The same decision for many requests; those in another status are skipped."""
    done = skipped = 0
    for letter in letters:
        try:
            decide(letter=letter, to=to, by=by, reason=reason)
        except VisaLetterError:
            skipped += 1
        else:
            done += 1
    return BulkOutcome(done=done, skipped=skipped)


# --- e-mail ----------------------------------------------------------------------------------


def verification_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "registrations:verify_document", kwargs={"token": token}
    )


def email_delegate(*, letter_id: int, template: str) -> None:
    letter = (
        VisaLetterRequest.objects.select_related("delegate__order__congress")
        .filter(pk=letter_id)
        .first()
    )
    if letter is None or letter.delegate.erased_at is not None:
        return
    delegate, congress = letter.delegate, letter.congress
    send_templated_email(
        to=[delegate.email],
        template=template,
        context={
            "congress": congress,
            "delegate": delegate,
            "letter": letter,
            "letter_url": settings.SITE_URL.rstrip("/")
            + reverse(
                "registrations:visa_letter",
                kwargs={"congress_slug": congress.slug, "delegate_secret": delegate.secret},
            ),
        },
        language=delegate.language,
        reply_to=[congress.contact_email] if congress.contact_email else None,
        log={
            "congress_id": congress.pk,
            "order_id": delegate.order_id,
            "delegate_id": delegate.pk,
            "kind": template.rsplit("/", 1)[-1],
            "sent_by_id": None,
        },
    )


# --- passport data erasure -------------------------------------------------------------------

ERASED_PASSPORT = {
    "passport_name": "",
    "passport_number": "",
    "passport_number_masked": "",
    "passport_issued_on": None,
    "passport_expires_on": None,
    "birth_date": None,
    "birth_place": "",
    "embassy_city": "",
}


def _erase(rows: QuerySet[VisaLetterRequest], now: dt.datetime) -> int:
    return rows.filter(passport_erased_at__isnull=True).update(
        **ERASED_PASSPORT, passport_erased_at=now
    )


def erase_expired_passport_data(*, today: dt.date | None = None) -> int:
    """The retention job: erase the passport data of every request past its stated deletion
    date (the status and token stay, so a verification still answers). Idempotent."""
    today = today or timezone.localdate()
    due = VisaLetterRequest.objects.filter(delete_after__lt=today, passport_erased_at__isnull=True)
    erased = 0
    for congress_id in set(due.values_list("congress_id", flat=True)):
        with transaction.atomic():
            count = _erase(due.filter(congress_id=congress_id), timezone.now())
            audit.record(
                action="convene.personal_data.retention_applied",
                congress=Congress.objects.get(pk=congress_id),
                actor_label="system",
                data={"group": "visa_passport_data", "count": count},
            )
        erased += count
    return erased


def erase_for_delegate(delegate: Delegate) -> dict[str, int]:
    """Delegate erasure: the passport data goes and a letter still valid is revoked."""
    rows = VisaLetterRequest.objects.filter(delegate=delegate)
    revoked = rows.filter(status__in=SOURCES[VisaLetterStatus.REVOKED]).update(
        status=VisaLetterStatus.REVOKED, revoked_at=timezone.now()
    )
    return {"visa_passport_data": _erase(rows, timezone.now()), "visa_letters_revoked": revoked}
