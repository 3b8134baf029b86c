"""Organisers' configuration: registration types, registration settings and contact
corrections, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.models import Congress

from .. import form_cache
from ..errors import RegistrationError
from ..models import Order, RegistrationSettings, RegistrationType

TYPE_FIELDS = (
    "code",
    "name",
    "description",
    "default_role",
    "capacity",
    "requires_approval",
    "requires_membership",
    "complimentary",
    "position",
    "is_active",
    "regular_price",
    "early_bird_price",
    "early_bird_until",
    "on_site_price",
    "on_site_from",
    "sales_start",
    "sales_end",
)
CONTACT_FIELDS = ("contact_name", "email", "language")
SETTINGS_FIELDS = (
    "total_capacity",
    "hold_minutes",
    "approval_payment_days",
    "max_delegates_per_order",
    "edit_deadline",
    "cancellation_deadline",
    "cancellation_fee",
    "waiting_list_enabled",
    "waiting_list_offer_hours",
    "reminder_after_hours",
    "max_unpaid_orders_per_email",
    "max_unpaid_orders_per_address",
)


def save_registration_type(
    *, congress: Congress, by=None, instance: RegistrationType | None = None, **fields: Any
) -> RegistrationType:
    """Create or change a registration type (the model's own rules run first)."""
    unknown = set(fields) - set(TYPE_FIELDS)
    if unknown:
        raise RegistrationError(_("Unknown fields: %(f)s") % {"f": sorted(unknown)})
    with transaction.atomic():
        rtype = instance or RegistrationType(congress=congress)
        for name, value in fields.items():
            setattr(rtype, name, value)
        rtype.full_clean(validate_unique=True)
        rtype.save()
        audit.record(
            action="convene.registration_type.created"
            if instance is None
            else "convene.registration_type.updated",
            congress=congress,
            actor=by,
            target=rtype,
            data={name: str(value) for name, value in fields.items()},
        )
        form_cache.invalidate()  # its name, price, seats and dates show on the form
    return rtype


def update_order_contact(*, order: Order, by=None, **fields: Any) -> Order:
    """Correct the contact of an order (name, e-mail, language); nothing else."""
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise RegistrationError(_("These fields cannot be changed: %(f)s") % {"f": sorted(unknown)})
    with transaction.atomic():
        for name, value in fields.items():
            setattr(order, name, value)
        order.full_clean(exclude=["voucher", "congress"])
        order.save(update_fields=list(fields))
        audit.record(
            action="convene.order.contact_updated",
            congress=order.congress,
            actor=by,
            target=order,
            data={name: str(value) for name, value in fields.items()},
        )
    return order


def update_registration_settings(
    *, congress: Congress, by=None, **fields: Any
) -> RegistrationSettings:
    """Change a congress's registration settings (created on first save), audited with each
    changed field before and after; an unchanged save writes nothing."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise RegistrationError(_("Unknown fields: %(f)s") % {"f": sorted(unknown)})
    with transaction.atomic():
        current = RegistrationSettings.objects.select_for_update().filter(congress=congress).first()
        created = current is None
        if created:
            current = RegistrationSettings(congress=congress)
        changed = audit.changes(current, fields)
        if not created and not changed:
            return current
        for name, value in fields.items():
            setattr(current, name, value)
        current.full_clean(validate_unique=False)
        current.save()
        audit.record(
            action=f"convene.registration_settings.{'created' if created else 'updated'}",
            congress=congress,
            actor=by,
            target=current,
            data={"changed": changed},
        )
        form_cache.invalidate()  # capacity and the cancellation terms show on the form
    return current


def reset_registration_settings(*, congress: Congress, by=None) -> None:
    """Delete a congress's registration settings: the defaults apply again."""
    with transaction.atomic():
        current = RegistrationSettings.objects.filter(congress=congress).first()
        if current is None:
            return
        audit.record(
            action="convene.registration_settings.deleted",
            congress=congress,
            actor=by,
            target=current,
            data={"object": str(current)},
        )
        current.delete()
        form_cache.invalidate()
