"""The registration parts of a congress's set-up, copied by the core's ``copy_setup``
(``CONGRESS_SETUP_COPIERS``): registration types, questions with their type links, the
registration and billing settings, the document settings (visa letters and certificates), and
(if chosen) the member organisations. Vouchers are never copied (their codes belong to one
congress), nor invoice counters, orders or delegates; nor the visa focal points (personal data
kept only as long as the passport data they decided on) or the PAdES signing certificate (a
private key: the organisers upload it again for the new congress)."""

from __future__ import annotations

from django.core.files import File
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress
from events_site.congresses.setup_copy import (
    IdMaps,
    SetupPart,
    clone,
    congress_rows_part,
    copy_rows,
    has_rows,
    shift_date,
    shift_datetime,
)

from .models import (
    BillingSettings,
    DocumentSettings,
    MemberOrganisation,
    Question,
    RegistrationSettings,
)
from .models import RegistrationType as Type

TYPES = Type._meta.label_lower


def _copy_registration_types(source: Congress, target: Congress, id_maps: IdMaps) -> dict:
    """Prices and rules as they were; the early-bird day, the on-site day and the sales window
    move by the distance between the two congresses' first days."""
    copies = copy_rows(
        Type.objects.filter(congress=source).order_by("pk"),
        lambda kind: clone(
            kind,
            congress_id=target.pk,
            early_bird_until=shift_date(kind.early_bird_until, source, target),
            on_site_from=shift_date(kind.on_site_from, source, target),
            sales_start=shift_datetime(kind.sales_start, source, target),
            sales_end=shift_datetime(kind.sales_end, source, target),
        ),
        id_maps.setdefault(TYPES, {}),
    )
    return {"registration_types": len(copies)}


def _copy_questions(source: Congress, target: Congress, id_maps: IdMaps) -> dict:
    questions = list(
        Question.objects.filter(congress=source)
        .order_by("pk")
        .prefetch_related("registration_types")
    )
    question_map: dict[int, int] = id_maps.setdefault(Question._meta.label_lower, {})
    copy_rows(questions, lambda q: clone(q, congress_id=target.pk), question_map)
    type_map = id_maps.get(TYPES, {})
    Link = Question.registration_types.through
    links = Link.objects.bulk_create(
        [
            Link(question_id=question_map[q.pk], registrationtype_id=type_map[kind.pk])
            for q in questions
            for kind in q.registration_types.all()
        ]
    )
    return {"questions": len(questions), "type_links": len(links)}


def _copy_registration_settings(source: Congress, target: Congress, id_maps: IdMaps) -> dict:
    found = RegistrationSettings.objects.filter(congress=source).first()
    if found is None:
        return {"settings": 0}
    clone(
        found,
        congress_id=target.pk,
        edit_deadline=shift_datetime(found.edit_deadline, source, target),
        cancellation_deadline=shift_datetime(found.cancellation_deadline, source, target),
    ).save(force_insert=True)
    return {"settings": 1}


def _copy_billing_settings(source: Congress, target: Congress, id_maps: IdMaps) -> dict:
    """The seller, the bank and the tax; the invoice counters start again at one."""
    found = BillingSettings.objects.filter(congress=source).first()
    if found is None:
        return {"settings": 0}
    clone(found, congress_id=target.pk).save(force_insert=True)
    return {"settings": 1}


def _copy_document_settings(source: Congress, target: Congress, id_maps: IdMaps) -> dict:
    """Who approves visa letters, the host country, the signatory, who pays, the certificate
    rule and the passport data retention; the letterhead and signature images as files of
    their own (so replacing one congress's never touches the other's). Not the signing
    certificate or its passphrase."""
    found = DocumentSettings.objects.filter(congress=source).first()
    if found is None:
        return {"settings": 0}
    copy = clone(
        found,
        congress_id=target.pk,
        letterhead="",
        signature="",
        signing_certificate="",
        signing_passphrase_sealed="",
    )
    for name in ("letterhead", "signature"):
        image = getattr(found, name)
        if image and image.storage.exists(image.name):
            with image.open("rb") as handle:
                getattr(copy, name).save(image.name.rsplit("/", 1)[-1], File(handle), save=False)
    copy.save(force_insert=True)
    return {"settings": 1}


registration_types = SetupPart(
    key="registration_types",
    label=_("Registration types"),
    copy=_copy_registration_types,
    exists_in=has_rows(Type),
    counts={"registration_types": _("Registration types")},
)
questions = SetupPart(
    key="questions",
    label=_("Questions"),
    copy=_copy_questions,
    exists_in=has_rows(Question),
    counts={"questions": _("Questions"), "type_links": _("Links to registration types")},
    needs=("registration_types",),
)
registration_settings = SetupPart(
    key="registration_settings",
    label=_("Registration settings"),
    copy=_copy_registration_settings,
    exists_in=has_rows(RegistrationSettings),
    counts={"settings": _("Settings")},
)
billing_settings = SetupPart(
    key="billing_settings",
    label=_("Billing settings (seller, bank, tax)"),
    copy=_copy_billing_settings,
    exists_in=has_rows(BillingSettings),
    counts={"settings": _("Settings")},
)
document_settings = SetupPart(
    key="document_settings",
    label=_("Document settings (visa letters and certificates, without the signing certificate)"),
    copy=_copy_document_settings,
    exists_in=has_rows(DocumentSettings),
    counts={"settings": _("Settings")},
)
member_organisations = congress_rows_part(  # each keeps its normalised name
    MemberOrganisation,
    key="member_organisations",
    label=_("Member organisations"),
    chosen_by_default=False,
)
