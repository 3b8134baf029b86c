"""Personal data of delegates: the export a delegate downloads from their secret link, erasure
(pseudonymisation that keeps what the law requires) and each congress's retention schedule.

Other apps hold data about delegates too (personal agendas, badges and check-ins). Registrations
imports neither of them: ``settings.PERSONAL_DATA_SECTIONS`` names functions
``section(delegate) -> (name, dict)`` whose results are added to the export, and
``settings.PERSONAL_DATA_ERASERS`` names functions ``erase(delegate) -> dict[str, int]`` that
remove an app's data inside the erasure's transaction and say how many rows they touched.
What is kept and why is written down in docs/personal-data.md.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.locks import lock_rows
from events_site.congresses.models import AuditEntry, Congress

from ..enums import ErasureRequestStatus, PersonalDataKind
from ..errors import RegistrationError
from ..models import (
    Answer,
    BillingDetails,
    Delegate,
    ErasureRequest,
    Invoice,
    Order,
    OrderNote,
    Payment,
    Refund,
    RetentionPolicy,
)
from ..models.orders import new_order_code, new_secret
from ..models.personal_data import ERASURE_DEADLINE
from . import certificates, email_log, visa_letters
from .orders.editing import DELEGATE_FIELDS

FORMAT = "convene.personal-data/1"
ERASED_GIVEN_NAME = "Erased delegate"
ERASED_CONTACT_NAME = "Erased contact"
ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: never delivered
ERASED_TEXT = "[erased]"

# What the delegate gave (the fields they edit themselves), then the record's own dates.
PERSON_FIELDS = (*DELEGATE_FIELDS, "is_cancelled", "created_at", "updated_at", "erased_at")
# Cleared on erasure (organisation type, country, role and language stay: they are statistics,
# not a person).
CLEARED_FIELDS = (
    "badge_name",
    "name_latin",
    "title",
    "organisation_name",
    "city",
    "dietary_needs",
    "accessibility_needs",
)


class PersonalDataError(RegistrationError):
    code = "personal_data"


# --- extension points ------------------------------------------------------------------------


@cache
def _functions(setting: str) -> tuple[Callable, ...]:
    return tuple(import_string(path) for path in getattr(settings, setting, ()))


def sections() -> tuple[Callable[[Delegate], tuple[str, dict]], ...]:
    return _functions("PERSONAL_DATA_SECTIONS")


def erasers() -> tuple[Callable[[Delegate], dict[str, int]], ...]:
    return _functions("PERSONAL_DATA_ERASERS")


# --- export ----------------------------------------------------------------------------------


def _delegate_for_export(delegate: Delegate) -> Delegate:
    return (
        Delegate.objects.select_related(
            "order__congress", "order__voucher", "order__billing_details", "registration_type"
        )
        .prefetch_related("answers__question")
        .get(pk=delegate.pk)
    )


def is_order_contact(delegate: Delegate) -> bool:
    """The delegate is also the person who placed the order (the same e-mail address)."""
    return bool(delegate.email) and delegate.email.casefold() == delegate.order.email.casefold()


def _person(delegate: Delegate) -> dict[str, Any]:
    data = {name: getattr(delegate, name) for name in PERSON_FIELDS}
    data["country"] = delegate.country.code or ""
    # the photo itself is the image they sent; the export says whether one is kept
    data["photo"] = bool(delegate.photo)
    return data


def _money(value) -> str:
    return f"{value:.2f}"


def _order_part(delegate: Delegate, contact: bool) -> dict[str, Any]:
    order = delegate.order
    part: dict[str, Any] = {
        "code": order.code,
        "status": order.status,
        "created_at": order.created_at,
        "paid_at": order.paid_at,
        "cancelled_at": order.cancelled_at,
        "currency": order.currency,
        "you_placed_it": contact,
        "your_line": {
            "registration_type": delegate.registration_type.name,
            "price": _money(delegate.price),
            "price_tier": delegate.price_tier,
            "cancelled": delegate.is_cancelled,
        },
    }
    if contact:
        part["contact"] = {
            "name": order.contact_name,
            "email": order.email,
            "language": order.language,
        }
        part["total"] = _money(order.total)
        billing = getattr(order, "billing_details", None)
        part["billing_details"] = (
            None
            if billing is None
            else {
                "name": billing.name,
                "address": billing.address,
                "country": billing.country.code or "",
                "vat_number": billing.vat_number,
                "purchase_order": billing.purchase_order,
                "is_business": billing.is_business,
                "email": billing.email,
            }
        )
    return part


def _payments(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "method": payment.provider,
            "amount": _money(payment.amount),
            "currency": payment.currency,
            "state": payment.state,
            "created_at": payment.created_at,
            "succeeded_at": payment.succeeded_at,
            "received_on": payment.received_on,
        }
        for payment in Payment.objects.filter(order=order).order_by("created_at", "pk")
    ]


def _refunds(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "amount": _money(refund.amount),
            "currency": refund.currency,
            "state": refund.state,
            "created_at": refund.created_at,
            "confirmed_at": refund.confirmed_at,
        }
        for refund in Refund.objects.filter(order=order).order_by("created_at", "pk")
    ]


def _invoices(order: Order) -> list[dict[str, Any]]:
    # Numbers, amounts and dates: the buyer and the lines name the order's contact and every
    # delegate of the order, so they are given only to the contact (as ``buyer``).
    return [
        {
            "number": invoice.full_number,
            "kind": invoice.kind,
            "issued_at": invoice.issued_at,
            "due_date": invoice.due_date,
            "currency": invoice.currency,
            "net": _money(invoice.net),
            "tax": _money(invoice.tax),
            "gross": _money(invoice.gross),
        }
        for invoice in Invoice.objects.filter(order=order).order_by("issued_at", "pk")
    ]


def _audit_about(delegate: Delegate, contact: bool) -> list[dict[str, Any]]:
    about = Q(target_type=Delegate._meta.label_lower, target_id=str(delegate.pk))
    if contact:
        about |= Q(target_type=Order._meta.label_lower, target_id=str(delegate.order_id))
    entries = AuditEntry.objects.filter(about, congress_id=delegate.order.congress_id)
    return [
        {
            "at": entry.created_at,
            "action": entry.action,
            # Who acted, by kind only: organisers' accounts are not the delegate's data.
            "by": "organiser" if entry.actor_id else (entry.actor_label or "system"),
            "data": entry.data,
        }
        for entry in entries.order_by("created_at", "pk")
    ]


def personal_data(*, delegate: Delegate) -> dict[str, Any]:
    """Everything Convene holds about ``delegate``, as a JSON-ready dict with stable keys. Data
    of the order's other delegates is never included; the order's contact data, billing
    details and invoices' buyer only when the delegate placed the order themselves."""
    delegate = _delegate_for_export(delegate)
    order = delegate.order
    contact = is_order_contact(delegate)
    data: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": timezone.now(),
        "congress": {"slug": order.congress.slug, "name": order.congress.name},
        "person": _person(delegate),
        "consents": {"listed_in_delegate_list": delegate.listed_publicly},
        "answers": [
            {
                "question": answer.question.label,
                "value": answer.value,
                "kind": answer.question.personal_data_kind or "ordinary",
            }
            for answer in sorted(delegate.answers.all(), key=lambda a: a.question_id)
        ],
        "order": _order_part(delegate, contact),
        "payments": _payments(order),
        "refunds": _refunds(order),
        "invoices": _invoices(order),
        "audit": _audit_about(delegate, contact),
        "emails": email_log.emails_for_export(delegate=delegate, contact=contact),
        "erasure_requests": [
            {"status": request.status, "requested_at": request.requested_at}
            for request in ErasureRequest.objects.filter(delegate=delegate).order_by("pk")
        ],
        "sections": {},
    }
    for section in sections():
        name, content = section(delegate)
        data["sections"][name] = content
    return data


def export_json(*, delegate: Delegate, actor_label: str = "delegate", by=None) -> bytes:
    """The export as UTF-8 JSON (keys sorted, control characters escaped), audited."""
    data = personal_data(delegate=delegate)
    content = json.dumps(
        data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, indent=2
    ).encode("utf-8", "surrogatepass")
    audit.record(
        action="convene.personal_data.exported",
        congress=delegate.order.congress,
        actor=by,
        actor_label=actor_label,
        target=delegate,
        data={"bytes": len(content)},
    )
    return content


# --- erasure ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasureResult:
    delegate: Delegate
    already_erased: bool
    counts: dict[str, int]


def request_erasure(*, delegate: Delegate) -> ErasureRequest:
    """The delegate asks for erasure; asking again returns the open request (no second one)."""
    if delegate.erased_at is not None:
        raise PersonalDataError(_("These personal data were already erased."))
    with transaction.atomic():
        lock_rows(Delegate.objects.filter(pk=delegate.pk), busy=_("Busy, please try again."))
        found = ErasureRequest.objects.filter(
            delegate=delegate, status=ErasureRequestStatus.OPEN
        ).first()
        if found is not None:
            return found
        now = timezone.now()
        erasure_request = ErasureRequest.objects.create(
            congress=delegate.order.congress,
            delegate=delegate,
            due_at=now + ERASURE_DEADLINE,
        )
        audit.record(
            action="convene.personal_data.erasure_requested",
            congress=delegate.order.congress,
            actor_label="delegate",
            target=delegate,
            data={"request": erasure_request.pk, "due_at": erasure_request.due_at.isoformat()},
        )
    return erasure_request


def _erased_email(delegate: Delegate, code: str, kind: str = "delegate") -> str:
    return f"erased-{kind}-{delegate.pk}-{code.lower()}@{ERASED_EMAIL_DOMAIN}"


def _redact(value: Any) -> Any:
    """Every text in an audit entry's data replaced, keeping its shape (keys, numbers, flags)."""
    if isinstance(value, dict):
        return {key: _redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact(item) for item in value]
    if isinstance(value, str):
        return ERASED_TEXT if value else value
    return value


def _redact_audit(entries: QuerySet[AuditEntry], *, congress, by) -> int:
    # The one rewrite of audit entries (audit.redact_with, which the database trigger allows):
    # the law's right to erasure reaches the values the log copied (before/after of an edit);
    # who did what and when stays. The actor label is who acted (staff, "delegate"): kept.
    return audit.redact_with(
        entries=entries,
        transform=lambda value: _redact(value) if isinstance(value, dict | list) else value,
        congress=congress,
        by=by,
        reason="personal data erasure",
    )


def erase_delegate(*, delegate: Delegate, by=None, actor_label: str = "") -> ErasureResult:
    """Replace the delegate's personal data by a pseudonym and remove what other apps hold
    about them; keep the order, its seats, money, payments, refunds and issued invoices
    untouched. Idempotent: a second call changes nothing and says so."""
    with transaction.atomic():
        (locked,) = lock_rows(
            Delegate.objects.filter(pk=delegate.pk), busy=_("Busy, please try again.")
        )
        order = Order.objects.select_related("congress").get(pk=locked.order_id)
        locked.order = order
        if locked.erased_at is not None:
            return ErasureResult(delegate=locked, already_erased=True, counts={})
        contact = is_order_contact(locked)
        code = new_order_code()[:6]
        now = timezone.now()
        counts: dict[str, int] = {"answers": Answer.objects.filter(delegate=locked).delete()[0]}
        counts["audit_entries"] = _redact_audit(
            AuditEntry.objects.filter(
                target_type=Delegate._meta.label_lower, target_id=str(locked.pk)
            ),
            congress=order.congress,
            by=by,
        )
        counts["order_notes"] = _erase_notes(order, locked, everything=contact)
        counts["emails"] = email_log.erase_for_delegate(delegate=locked, contact=contact)
        locked.given_name = ERASED_GIVEN_NAME
        locked.family_name = code
        locked.email = _erased_email(locked, code)
        for name in CLEARED_FIELDS:
            setattr(locked, name, "")
        locked.needs_visa_letter = False
        locked.listed_publicly = False
        locked.secret = new_secret()
        locked.erased_at = now
        counts["photos"] = 0
        if locked.photo:
            photo_name, storage = locked.photo.name, locked.photo.storage
            locked.photo = None
            counts["photos"] = 1
            transaction.on_commit(lambda: storage.delete(photo_name))
        locked.save(
            update_fields=[
                "photo",
                "given_name",
                "family_name",
                "email",
                *CLEARED_FIELDS,
                "needs_visa_letter",
                "listed_publicly",
                "secret",
                "erased_at",
                "updated_at",
            ]
        )
        counts["order_contact"] = 0
        if contact:
            counts["order_contact"] = _erase_contact(order, code)
        for erase in (visa_letters.erase_for_delegate, certificates.erase_for_delegate, *erasers()):
            for name, count in erase(locked).items():
                counts[name] = counts.get(name, 0) + count
        counts["requests_closed"] = ErasureRequest.objects.filter(
            delegate=locked, status=ErasureRequestStatus.OPEN
        ).update(
            status=ErasureRequestStatus.DONE,
            done_at=now,
            done_by=by if getattr(by, "is_authenticated", False) else None,
        )
        audit.record(
            action="convene.personal_data.erased",
            congress=order.congress,
            actor=by,
            actor_label=actor_label,
            target=locked,
            data={"code": code, "counts": counts},
        )
    return ErasureResult(delegate=locked, already_erased=False, counts=counts)


def _erase_notes(order: Order, delegate: Delegate, *, everything: bool) -> int:
    """Organisers' notes on the order, and the reason given to the registrant, may name the
    person: all of them go when the order's contact is erased; otherwise the notes that name
    this delegate (by family name or e-mail address)."""
    notes = OrderNote.objects.filter(order=order).exclude(text=ERASED_TEXT)
    if everything:
        Order.objects.filter(pk=order.pk).exclude(decision_reason="").update(
            decision_reason=ERASED_TEXT
        )
    else:
        named = Q()
        for value in (delegate.family_name, delegate.email):
            if value.strip():
                named |= Q(text__icontains=value.strip())
        if not named:
            return 0
        notes = notes.filter(named)
    return notes.update(text=ERASED_TEXT)


def _erase_contact(order: Order, code: str) -> int:
    """The order's contact was the erased delegate: pseudonymise the contact, close the order's
    link (a new secret) and the billing details of a private buyer. Issued invoices keep the
    buyer as printed: the law requires them unchanged."""
    Order.objects.filter(pk=order.pk).update(
        contact_name=f"{ERASED_CONTACT_NAME} {code}",
        email=f"erased-contact-{order.pk}-{code.lower()}@{ERASED_EMAIL_DOMAIN}",
        secret=new_secret(),
    )
    BillingDetails.objects.filter(order=order, is_business=False).update(
        name=f"{ERASED_CONTACT_NAME} {code}", address="", email="", purchase_order=""
    )
    _redact_audit(
        AuditEntry.objects.filter(target_type=Order._meta.label_lower, target_id=str(order.pk)),
        congress=order.congress,
        by=None,
    )
    return 1


def carry_out_request(*, erasure_request: ErasureRequest, by) -> ErasureResult:
    """An organiser carries out a delegate's request (closed by :func:`erase_delegate`)."""
    return erase_delegate(delegate=erasure_request.delegate, by=by)


def open_requests(congress: Congress) -> QuerySet[ErasureRequest]:
    return (
        ErasureRequest.objects.filter(congress=congress, status=ErasureRequestStatus.OPEN)
        .select_related("delegate__order", "delegate__registration_type")
        .order_by("due_at", "pk")
    )


def done_requests(congress: Congress) -> QuerySet[ErasureRequest]:
    return (
        ErasureRequest.objects.filter(congress=congress, status=ErasureRequestStatus.DONE)
        .select_related("delegate__order", "done_by")
        .order_by("-done_at", "-pk")
    )


def delegates_to_erase(congress: Congress, search: str) -> QuerySet[Delegate]:
    """Delegates an organiser may erase directly, found by name, e-mail or order code."""
    queryset = Delegate.objects.filter(order__congress=congress, erased_at__isnull=True)
    terms = Q()
    for word in search.split()[:5]:
        terms &= (
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(email__icontains=word)
            | Q(order__code__iexact=word)
        )
    return queryset.filter(terms).select_related("order", "registration_type").order_by("pk")


# --- retention -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionGroup:
    """One kind of personal data with its own retention delay (a field of RetentionPolicy)."""

    key: str
    label: Any
    # The rows holding data of this group for a congress (each row one delegate or buyer)
    rows: Callable[[Congress], QuerySet]
    clear: Callable[[QuerySet], int]

    @property
    def field(self) -> str:
        return f"{self.key}_days"


def _answers_of_kind(kind: str) -> Callable[[Congress], QuerySet]:
    def rows(congress: Congress) -> QuerySet:
        return Answer.objects.filter(
            delegate__order__congress=congress, question__personal_data_kind=kind
        ).exclude(value="")

    return rows


def _delegate_field(name: str) -> Callable[[Congress], QuerySet]:
    def rows(congress: Congress) -> QuerySet:
        return Delegate.objects.filter(order__congress=congress).exclude(**{name: ""})

    return rows


def _delete(rows: QuerySet) -> int:
    return rows.delete()[0]


def _clear(name: str) -> Callable[[QuerySet], int]:
    return lambda rows: rows.update(**{name: ""})


def _billing_rows(congress: Congress) -> QuerySet:
    return BillingDetails.objects.filter(order__congress=congress, is_business=False).exclude(
        address=""
    )


RETENTION_GROUPS: tuple[RetentionGroup, ...] = (
    RetentionGroup(
        "identity_documents",
        _("passport and ID document numbers"),
        _answers_of_kind(PersonalDataKind.IDENTITY_DOCUMENT),
        _delete,
    ),
    RetentionGroup(
        "phone_numbers",
        _("phone numbers"),
        _answers_of_kind(PersonalDataKind.PHONE_NUMBER),
        _delete,
    ),
    RetentionGroup(
        "accessibility_needs",
        _("accessibility needs"),
        _delegate_field("accessibility_needs"),
        _clear("accessibility_needs"),
    ),
    RetentionGroup(
        "dietary_needs",
        _("dietary needs"),
        _delegate_field("dietary_needs"),
        _clear("dietary_needs"),
    ),
    RetentionGroup(
        "sensitive_answers",
        _("answers to sensitive questions"),
        _answers_of_kind(PersonalDataKind.SENSITIVE),
        _delete,
    ),
    RetentionGroup(
        "billing_addresses",
        _("billing addresses of private buyers"),
        _billing_rows,
        _clear("address"),
    ),
)


@dataclass(frozen=True)
class RetentionLine:
    congress: Congress
    group: RetentionGroup
    days: int
    erase_on: dt.date
    count: int
    due: bool


def policy_for(congress: Congress) -> RetentionPolicy:
    return RetentionPolicy.objects.filter(congress=congress).first() or RetentionPolicy(
        congress=congress
    )


def update_policy(*, congress: Congress, days: dict[str, int | None], by) -> RetentionPolicy:
    """Set the congress's retention delays (days after its last day; None keeps the data)."""
    fields = {group.field for group in RETENTION_GROUPS}
    unknown = set(days) - fields
    if unknown:
        raise PersonalDataError(_("Unknown retention groups: %(g)s") % {"g": sorted(unknown)})
    with transaction.atomic():
        policy, _created = RetentionPolicy.objects.select_for_update().get_or_create(
            congress=congress
        )
        changed = audit.changes(policy, days)
        for name, value in days.items():
            setattr(policy, name, value)
        policy.save()
        audit.record(
            action="convene.personal_data.retention_changed",
            congress=congress,
            actor=by,
            target=policy,
            data={"changed": changed},
        )
    return policy


def retention_report(
    *, now: dt.datetime | None = None, congresses: Iterable[Congress] | None = None
) -> list[RetentionLine]:
    """Per congress and group with a delay set: when it is erased and how many rows hold it."""
    now = now or timezone.now()
    policies = RetentionPolicy.objects.select_related("congress").order_by("congress__slug")
    if congresses is not None:
        policies = policies.filter(congress__in=list(congresses))
    lines = []
    for policy in policies:
        congress = policy.congress
        for group in RETENTION_GROUPS:
            days = getattr(policy, group.field)
            if days is None:
                continue
            erase_at = congress.ends_at + dt.timedelta(days=days)
            lines.append(
                RetentionLine(
                    congress=congress,
                    group=group,
                    days=days,
                    erase_on=erase_at.astimezone(congress.tz).date(),
                    count=group.rows(congress).count(),
                    due=now >= erase_at,
                )
            )
    return lines


def apply_retention(
    *, now: dt.datetime | None = None, congresses: Iterable[Congress] | None = None
) -> list[RetentionLine]:
    """Erase every group whose delay has passed; return what was erased (count > 0 only).
    Idempotent: what is gone is not counted again."""
    applied = []
    for line in retention_report(now=now, congresses=congresses):
        if not line.due or not line.count:
            continue
        with transaction.atomic():
            count = line.group.clear(line.group.rows(line.congress))
            audit.record(
                action="convene.personal_data.retention_applied",
                congress=line.congress,
                actor_label="system",
                data={"group": line.group.key, "days": line.days, "count": count},
            )
        applied.append(
            RetentionLine(
                congress=line.congress,
                group=line.group,
                days=line.days,
                erase_on=line.erase_on,
                count=count,
                due=True,
            )
        )
    return applied
