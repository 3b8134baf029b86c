"""The e-mail log: what the core's mail module calls (``EMAIL_LOG`` names this module) to
record a queued message, claim it before it leaves and mark it sent or failed; the organisers'
resend of one logged message; and what personal-data erasure removes from it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.mail import deliver_email

from ..enums import EmailStatus
from ..errors import RegistrationError
from ..models import Delegate, Order, SentEmail

ERASED_TEXT = "[erased]"
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never delivered
ERROR_MAX = 2000
LOG_FIELDS = (
    "congress_id",
    "order_id",
    "delegate_id",
    "outbox_message_id",
    "sent_by_id",
    "kind",
    "has_attachment",
)


class EmailLogError(RegistrationError):
    code = "email_log"


# --- the hooks of events_site.congresses.mail ---------------------------------------------------


def record(
    *,
    log: dict,
    to: list[str],
    subject: str,
    text: str,
    html: str,
    reply_to: list[str],
    language: str,
) -> int:
    """One queued row for the message (the fields of ``log`` not named here are ignored)."""
    fields = {name: log[name] for name in LOG_FIELDS if name in log}
    fields.setdefault("kind", "email")
    email = SentEmail.objects.create(
        **fields,
        recipient=", ".join(to),
        reply_to=reply_to,
        subject=subject[:400],
        text=text,
        html=html,
        language=language or "",
    )
    return email.pk


def record_many(entries: list[dict]) -> list[int]:
    """Queued rows for many messages in one query (``entries`` as :func:`record` takes them)."""
    rows = []
    for entry in entries:
        fields = {name: entry["log"][name] for name in LOG_FIELDS if name in entry["log"]}
        fields.setdefault("kind", "email")
        rows.append(
            SentEmail(
                **fields,
                recipient=", ".join(entry["to"]),
                reply_to=entry["reply_to"],
                subject=entry["subject"][:400],
                text=entry["text"],
                html=entry["html"],
                language=entry["language"] or "",
            )
        )
    return [row.pk for row in SentEmail.objects.bulk_create(rows, batch_size=500)]


def claim(log_id: int) -> bool:
    """Compare-and-set queued -> sending: exactly one worker sends a logged message."""
    return bool(
        SentEmail.objects.filter(pk=log_id, status=EmailStatus.QUEUED).update(
            status=EmailStatus.SENDING
        )
    )


def mark_sent(log_id: int) -> None:
    SentEmail.objects.filter(pk=log_id).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), error=""
    )


def mark_failed(log_id: int, *, error: str) -> None:
    SentEmail.objects.filter(pk=log_id).update(status=EmailStatus.FAILED, error=error[:ERROR_MAX])


# --- reading ----------------------------------------------------------------------------------


def order_emails(order: Order) -> QuerySet[SentEmail]:
    """Every logged message of the order (its contact's and its delegates'), newest first."""
    return (
        SentEmail.objects.filter(order=order)
        .select_related("delegate", "sent_by", "outbox_message")
        .order_by("-created_at", "-id")
    )


def order_email(order: Order, email_id: int) -> SentEmail:
    return SentEmail.objects.select_related("delegate", "order__congress").get(
        order=order, pk=email_id
    )


# --- resending --------------------------------------------------------------------------------


def current_address(email: SentEmail) -> str:
    """Where a resend goes: the delegate's or the contact's address as it is now (a corrected
    typo is the usual reason to resend), else the address it went to."""
    if email.delegate_id is not None and email.delegate.email:
        return email.delegate.email
    if email.order_id is not None and email.order.email:
        return email.order.email
    return email.recipient


def resend_email(*, email: SentEmail, by) -> SentEmail:
    """Send a logged message again, word for word, as a new row of the log (audited)."""
    if email.erased_at is not None:
        raise EmailLogError(_("This e-mail was erased with the personal data; it cannot be sent."))
    if email.has_attachment:
        raise EmailLogError(
            _("This e-mail carried a document; issue or send the document again instead.")
        )
    with transaction.atomic():
        copy = SentEmail.objects.create(
            congress_id=email.congress_id,
            order_id=email.order_id,
            delegate_id=email.delegate_id,
            recipient=current_address(email),
            reply_to=email.reply_to,
            subject=email.subject,
            text=email.text,
            html=email.html,
            language=email.language,
            kind=email.kind,
            sent_by=by if getattr(by, "is_authenticated", False) else None,
            resent_from=email,
        )
        audit.record(
            action="convene.email.resent",
            congress=email.congress,
            actor=by,
            target=email.order if email.order_id else copy,
            data={"email": email.pk, "copy": copy.pk, "kind": email.kind},
        )
        payload = {
            "to": [copy.recipient],
            "subject": copy.subject,
            "text": copy.text,
            "html": copy.html,
            "reply_to": list(copy.reply_to or []),
            "log_id": copy.pk,
        }
        transaction.on_commit(lambda: deliver_email.enqueue(**payload))
    return copy


# --- the person's export and erasure ---------------------------------------------------------


def _about(delegate: Delegate, contact: bool) -> Q:
    """The logged e-mails sent to the delegate (and, for the order's contact, the order's)."""
    mine = Q(delegate=delegate)
    if delegate.email:
        mine |= Q(order_id=delegate.order_id, recipient__iexact=delegate.email)
    if contact:
        mine |= Q(order_id=delegate.order_id)
    return mine


def emails_for_export(*, delegate: Delegate, contact: bool) -> list[dict]:
    """The e-mails sent to the person, as their personal-data export lists them."""
    rows = SentEmail.objects.filter(_about(delegate, contact)).order_by("created_at", "id")
    return [
        {
            "to": email.recipient,
            "subject": email.subject,
            "text": email.text,
            "language": email.language,
            "kind": email.kind,
            "status": email.status,
            "queued_at": email.created_at,
            "sent_at": email.sent_at,
        }
        for email in rows
    ]


def erase_for_delegate(*, delegate: Delegate, contact: bool) -> int:
    """Called by the erasure service before the delegate is pseudonymised: the messages sent
    to the delegate (and, for the order's contact, every message of the order) lose their
    address, subject and text; the contact's messages that name the delegate lose their text.
    The row stays (kind, status, when) so the log still says that something was sent."""
    now = timezone.now()
    rows = SentEmail.objects.filter(erased_at__isnull=True)
    erased = rows.filter(_about(delegate, contact)).update(
        recipient=f"erased@{ERASED_DOMAIN}",
        subject=ERASED_TEXT,
        text=ERASED_TEXT,
        html="",
        erased_at=now,
    )
    named = Q()
    for value in (delegate.family_name, delegate.email):
        if value.strip():
            named |= Q(text__icontains=value.strip()) | Q(subject__icontains=value.strip())
    if named:
        erased += (
            rows.filter(order_id=delegate.order_id)
            .filter(named)
            .update(text=ERASED_TEXT, html="", subject=ERASED_TEXT, erased_at=now)
        )
    return erased
