"""Where a visa letter request goes when its delegation has a focal point: the routing that
``visa_letters`` runs inside a request's transaction, and the focal point's e-mail. Below both
``visa_letters`` and ``visa_focal_points`` (which builds the focal points and their decisions),
so that neither imports the other in a circle."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from events_site.congresses import audit
from events_site.congresses.mail import send_templated_email
from events_site.congresses.translations import main_language

from ..enums import VisaLetterStatus
from ..models import DocumentSettings, MemberOrganisation, VisaFocalPoint, VisaLetterRequest
from ..models.vouchers import normalise_organisation_name

LINK_TEMPLATE = "registrations/emails/visa_focal_point_link"
WAITING_TEMPLATE = "registrations/emails/visa_focal_point_waiting"


def focal_point_organisation(letter: VisaLetterRequest) -> MemberOrganisation | None:
    """The member organisation with a focal point whose delegation the request is from
    (matched as the member rate is: the normalised organisation name), if the congress
    lets focal points approve."""
    congress = letter.congress
    approve = DocumentSettings.objects.filter(congress=congress).values_list(
        "focal_points_approve", flat=True
    )
    if not approve.first():
        return None
    key = normalise_organisation_name(letter.delegate.organisation_name or "")
    if not key:
        return None
    return (
        MemberOrganisation.objects.filter(
            congress=congress, normalised_name=key, visa_focal_point__isnull=False
        )
        .select_related("visa_focal_point")
        .first()
    )


def send_to_focal_point(letter: VisaLetterRequest) -> bool:
    """Inside the request's transaction: make a waiting request wait for its focal point and,
    the first time, e-mail the focal point once committed. Returns whether it waits."""
    organisation = focal_point_organisation(letter)
    if organisation is None:
        if letter.focal_point_organisation_id:
            letter.focal_point_organisation = None
            letter.save(update_fields=["focal_point_organisation"])
        return False
    if letter.focal_point_organisation_id == organisation.pk:
        return True
    letter.focal_point_organisation = organisation
    letter.save(update_fields=["focal_point_organisation"])
    audit.record(
        action="convene.visa_letter.sent_to_focal_point",
        congress=letter.congress,
        actor_label="system",
        target=letter,
        data={"organisation": organisation.name, "focal_point": organisation.visa_focal_point.name},
    )
    focal_point_id = organisation.visa_focal_point.pk
    transaction.on_commit(
        lambda: email_focal_point(focal_point_id=focal_point_id, template=WAITING_TEMPLATE)
    )
    return True


def waiting_for(organisation: MemberOrganisation):
    """The requests waiting for the organisation's focal point, oldest first, with what the
    focal point's page shows (no passport data beyond the masked number)."""
    return (
        VisaLetterRequest.objects.filter(
            congress_id=organisation.congress_id,
            focal_point_organisation=organisation,
            status=VisaLetterStatus.REQUESTED,
        )
        .select_related("delegate__order", "delegate__registration_type")
        .order_by("requested_at", "id")
    )


def focal_point_url(focal_point: VisaFocalPoint) -> str:
    congress = focal_point.member_organisation.congress
    return settings.SITE_URL.rstrip("/") + reverse(
        "registrations:visa_focal_point",
        kwargs={"congress_slug": congress.slug, "focal_secret": focal_point.secret},
    )


def email_focal_point(*, focal_point_id: int, template: str) -> None:
    focal = (
        VisaFocalPoint.objects.select_related("member_organisation__congress")
        .filter(pk=focal_point_id)
        .first()
    )
    if focal is None:
        return
    organisation = focal.member_organisation
    congress = organisation.congress
    send_templated_email(
        to=[focal.email],
        template=template,
        context={
            "congress": congress,
            "focal_point": focal,
            "organisation": organisation,
            "waiting": waiting_for(organisation).count(),
            "focal_point_url": focal_point_url(focal),
        },
        language=focal.language or main_language(congress),
        reply_to=[congress.contact_email] if congress.contact_email else None,
    )
