"""Certificates of attendance and of speaking: who is eligible (read from the apps that hold
check-ins, session attendance and speaking roles, through ``settings.CERTIFICATE_SOURCES``:
registrations imports neither badges nor sessions), issuing them in bulk or on demand, and
revoking them when their ground goes (a check-in undone)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.models import Congress

from ..enums import CertificateKind, CertificateStatus
from ..errors import RegistrationError
from ..models import Certificate, Delegate
from .visa_letters import document_settings


class CertificateError(RegistrationError):
    code = "certificate"


@dataclass
class Grounds:
    """What the other apps know about one congress's delegates."""

    checked_in: set[int] = field(default_factory=set)
    sessions_attended: dict[int, int] = field(default_factory=dict)
    sessions_spoken: dict[int, list[str]] = field(default_factory=dict)


@cache
def _source(name: str) -> Callable | None:
    path = getattr(settings, "CERTIFICATE_SOURCES", {}).get(name)
    return import_string(path) if path else None


def grounds(congress: Congress, delegate_ids: set[int] | None = None) -> Grounds:
    """``checked_in(congress, ids) -> set of delegate ids`` with a live check-in,
    ``sessions_attended(congress, ids) -> {id: count}`` and
    ``sessions_spoken(congress, ids) -> {id: [session titles]}`` (confirmed roles only)."""
    found = Grounds()
    for name in ("checked_in", "sessions_attended", "sessions_spoken"):
        source = _source(name)
        if source is not None:
            setattr(found, name, source(congress, delegate_ids))
    return found


def eligible_kinds(delegate: Delegate, found: Grounds, min_sessions: int) -> list[str]:
    if delegate.is_cancelled or delegate.erased_at is not None or not delegate.may_enter:
        return []
    kinds = []
    attended = found.sessions_attended.get(delegate.pk, 0)
    if delegate.pk in found.checked_in or (min_sessions and attended >= min_sessions):
        kinds.append(CertificateKind.ATTENDANCE)
    if found.sessions_spoken.get(delegate.pk):
        kinds.append(CertificateKind.SPEAKING)
    return kinds


def _issue(delegate: Delegate, kind: str, found: Grounds, by, actor_label: str) -> Certificate:
    congress = delegate.order.congress
    existing = Certificate.objects.filter(delegate=delegate, kind=kind).first()
    if existing is not None and existing.status == CertificateStatus.ISSUED:
        return existing
    values = {
        "holder_name": f"{delegate.given_name} {delegate.family_name}".strip(),
        "language": delegate.language,
        "sessions_attended": found.sessions_attended.get(delegate.pk, 0),
        "sessions_spoken": found.sessions_spoken.get(delegate.pk, []),
        "issued_at": timezone.now(),
        "status": CertificateStatus.ISSUED,
        "revoked_at": None,
        "revoke_reason": "",
    }
    with transaction.atomic():
        if existing is None:
            try:
                with transaction.atomic():
                    certificate = Certificate.objects.create(
                        congress=congress, delegate=delegate, kind=kind, **values
                    )
            except IntegrityError:  # issued by a concurrent request: that one stands
                return Certificate.objects.get(delegate=delegate, kind=kind)
        else:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.save()
            certificate = existing
        audit.record(
            action="convene.certificate.issued",
            congress=congress,
            actor=by,
            actor_label=actor_label,
            target=certificate,
            data={"delegate": delegate.pk, "kind": kind},
        )
    return certificate


def issue_for_delegate(*, delegate: Delegate, kind: str, by=None) -> Certificate:
    """On demand, from the delegate's link: issued only if the delegate is eligible."""
    congress = delegate.order.congress
    if timezone.localdate(timezone.now(), congress.tz) < congress.start_date:
        raise CertificateError(_("Certificates are issued once the congress has begun."))
    found = grounds(congress, {delegate.pk})
    if kind not in eligible_kinds(delegate, found, document_settings(congress).min_sessions):
        raise CertificateError(_("We have no record that makes you eligible for this certificate."))
    return _issue(delegate, kind, found, by, "" if by else "delegate")


@dataclass(frozen=True)
class BulkIssue:
    issued: int
    already: int


def issue_all(*, congress: Congress, by) -> BulkIssue:
    """After the congress: a certificate for every eligible delegate who has none yet."""
    found = grounds(congress)
    min_sessions = document_settings(congress).min_sessions
    have = set(
        Certificate.objects.filter(congress=congress, status=CertificateStatus.ISSUED).values_list(
            "delegate_id", "kind"
        )
    )
    issued = already = 0
    delegates = Delegate.objects.filter(order__congress=congress).select_related(
        "order__congress", "registration_type"
    )
    for delegate in delegates:
        for kind in eligible_kinds(delegate, found, min_sessions):
            if (delegate.pk, kind) in have:
                already += 1
                continue
            _issue(delegate, kind, found, by, "")
            issued += 1
    audit.record(
        action="convene.certificate.bulk_issued",
        congress=congress,
        actor=by,
        data={"issued": issued, "already": already},
    )
    return BulkIssue(issued=issued, already=already)


def revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    reason = (reason or "").strip()[:200]
    if not reason:
        raise CertificateError(_("Please give a reason."))
    changed = Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.ISSUED).update(
        status=CertificateStatus.REVOKED, revoked_at=timezone.now(), revoke_reason=reason
    )
    if not changed:
        raise CertificateError(_("This certificate is already revoked."))
    certificate.refresh_from_db()
    audit.record(
        action="convene.certificate.revoked",
        congress=certificate.congress,
        actor=by,
        actor_label="" if by is not None else "system",
        target=certificate,
        data={"reason": reason},
    )
    return certificate


def revoke_unsupported(*, delegate: Delegate, by, reason: str) -> int:
    """Revoke the delegate's certificates of attendance that their records no longer support
    (badges' undo of a check-in calls this). Returns how many were revoked."""
    congress = delegate.order.congress
    kinds = eligible_kinds(
        delegate, grounds(congress, {delegate.pk}), document_settings(congress).min_sessions
    )
    revoked = 0
    for certificate in Certificate.objects.filter(
        delegate=delegate, status=CertificateStatus.ISSUED
    ).exclude(kind__in=kinds):
        revoke(certificate=certificate, by=by, reason=reason)
        revoked += 1
    return revoked


def erase_for_delegate(delegate: Delegate) -> dict[str, int]:
    """Delegate erasure: their certificates are revoked and no longer name them."""
    rows = Certificate.objects.filter(delegate=delegate)
    count = rows.update(
        status=CertificateStatus.REVOKED,
        holder_name="",
        sessions_spoken=[],
        revoked_at=timezone.now(),
        revoke_reason="personal data erased",
    )
    return {"certificates": count}
