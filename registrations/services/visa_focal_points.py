"""Visa focal points: a member organisation may name a person (a government's focal point, as
intergovernmental bodies have) who approves or refuses its delegation's visa letter requests
behind a secret link, when the congress's document settings ask for it. The visa officer still
sees every request and may decide over the focal point."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.models import Congress

from ..enums import VisaLetterStatus
from ..models import MemberOrganisation, VisaFocalPoint, VisaLetterRequest
from ..models.documents import new_document_token
from .visa_focal_routing import LINK_TEMPLATE, email_focal_point
from .visa_letters import BulkOutcome, VisaLetterError, _change, deletion_date, document_settings

# What a focal point may decide, only for requests still waiting.
FOCAL_POINT_DECISIONS = (VisaLetterStatus.APPROVED, VisaLetterStatus.REFUSED)


# --- the organisers name the focal point -----------------------------------------------------


def set_visa_focal_point(
    *, organisation: MemberOrganisation, by, name: str, email: str, language: str = ""
) -> VisaFocalPoint | None:
    """Name (or, with an empty name and e-mail, remove) the organisation's focal point. A new
    e-mail address gets a new secret link, so the one sent to the previous address stops
    working; the link is e-mailed once committed."""
    name, email = name.strip(), email.strip()
    if bool(name) != bool(email):
        raise VisaLetterError(_("Give both the focal point's name and e-mail, or neither."))
    languages = organisation.congress.languages or []
    if language and language not in languages:
        raise VisaLetterError(_("Choose one of the congress's languages."))
    with transaction.atomic():
        current = (
            VisaFocalPoint.objects.select_for_update()
            .filter(member_organisation=organisation)
            .first()
        )
        if not email:
            if current is not None:
                current.delete()
                # Its waiting requests go back to the visa officer alone.
                VisaLetterRequest.objects.filter(
                    focal_point_organisation=organisation, status=VisaLetterStatus.REQUESTED
                ).update(focal_point_organisation=None)
                audit.record(
                    action="convene.member_organisation.focal_point_removed",
                    congress=organisation.congress,
                    actor=by,
                    target=organisation,
                    data={"organisation": organisation.name, "focal_point": current.name},
                )
            return None
        new_address = current is None or current.email.casefold() != email.casefold()
        focal = current or VisaFocalPoint(member_organisation=organisation)
        focal.name, focal.email, focal.language = name, email, language
        if new_address:
            focal.secret = new_document_token()
            focal.link_sent_at = timezone.now()
        focal.full_clean(exclude=["member_organisation", "secret"])
        focal.save()
        audit.record(
            action="convene.member_organisation.focal_point_set",
            congress=organisation.congress,
            actor=by,
            target=organisation,
            data={"organisation": organisation.name, "focal_point": name, "new_link": new_address},
        )
        if new_address:
            focal_id = focal.pk
            transaction.on_commit(
                lambda: email_focal_point(focal_point_id=focal_id, template=LINK_TEMPLATE)
            )
    return focal


def send_focal_point_link(*, organisation: MemberOrganisation, by) -> VisaFocalPoint:
    """E-mail the focal point their (unchanged) link again."""
    with transaction.atomic():
        focal = (
            VisaFocalPoint.objects.select_for_update()
            .filter(member_organisation=organisation)
            .first()
        )
        if focal is None:
            raise VisaLetterError(_("This organisation has no visa focal point."))
        focal.link_sent_at = timezone.now()
        focal.save(update_fields=["link_sent_at"])
        audit.record(
            action="convene.member_organisation.focal_point_link_sent",
            congress=organisation.congress,
            actor=by,
            target=organisation,
            data={"organisation": organisation.name, "focal_point": focal.name},
        )
        focal_id = focal.pk
        transaction.on_commit(
            lambda: email_focal_point(focal_point_id=focal_id, template=LINK_TEMPLATE)
        )
    return focal


# --- the focal point decides -----------------------------------------------------------------


def decide_as_focal_point(
    *,
    focal_point: VisaFocalPoint,
    letters: Iterable[VisaLetterRequest],
    to: str,
    reason: str = "",
) -> BulkOutcome:
    """Approve or refuse (with a reason) requests of the focal point's delegation, each one
    compare-and-set from *requested* (one the visa officer decided meanwhile is skipped).
    Audited with the focal point and organisation as the actor."""
    if to not in FOCAL_POINT_DECISIONS:
        raise VisaLetterError(_("Unknown decision."))
    organisation = focal_point.member_organisation
    if not document_settings(organisation.congress).focal_points_approve:
        raise VisaLetterError(_("The congress no longer asks focal points to decide."))
    reason = (reason or "").strip()
    if to == VisaLetterStatus.REFUSED and not reason:
        raise VisaLetterError(_("Please give the delegate a reason."))
    label = f"visa focal point {focal_point.name} <{focal_point.email}> ({organisation.name})"[:200]
    done = skipped = 0
    for letter in letters:
        if letter.focal_point_organisation_id != organisation.pk:
            raise VisaLetterError(_("This request is not from your delegation."))
        try:
            with transaction.atomic():
                _change(
                    letter,
                    to=to,
                    by=None,
                    reason=reason,
                    sources=(VisaLetterStatus.REQUESTED,),
                    actor_label=label,
                    data={
                        "focal_point": focal_point.name,
                        "focal_point_email": focal_point.email,
                        "organisation": organisation.name,
                    },
                )
        except VisaLetterError:
            skipped += 1
        else:
            done += 1
    return BulkOutcome(done=done, skipped=skipped)


# --- retention -------------------------------------------------------------------------------


def erase_expired_focal_points(*, today=None) -> int:
    """The retention job: a focal point's name and e-mail are kept as long as the passport
    data they decided on (the congress's last day plus *passport data kept for*); after that
    the focal points of the congress are deleted (their links stop working). Idempotent."""
    today = today or timezone.localdate()
    erased = 0
    congress_ids = VisaFocalPoint.objects.values_list(
        "member_organisation__congress_id", flat=True
    ).distinct()
    for congress in Congress.objects.filter(pk__in=list(congress_ids)):
        if deletion_date(congress) >= today:
            continue
        with transaction.atomic():
            count, _deleted = VisaFocalPoint.objects.filter(
                member_organisation__congress=congress
            ).delete()
            # As when a focal point is removed: their waiting requests go back to the visa
            # officer alone (none stays "awaiting the focal point" of nobody).
            VisaLetterRequest.objects.filter(
                congress=congress,
                focal_point_organisation__isnull=False,
                status=VisaLetterStatus.REQUESTED,
            ).update(focal_point_organisation=None)
            audit.record(
                action="convene.personal_data.retention_applied",
                congress=congress,
                actor_label="system",
                data={"group": "visa_focal_points", "count": count},
            )
        erased += count
    return erased
