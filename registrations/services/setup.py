"""Organisers' configuration: registration types, registration settings and contact
corrections, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress
from events_site.congresses.ordering import move_in_order

from .. import form_cache
from ..errors import RegistrationError
from ..models import Order, RegistrationSettings, RegistrationType, WaitingListEntry

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
    "translations",
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
    "max_unpaid_seats_per_email",
    "max_unpaid_seats_per_address",
    "last_seats_threshold",
    "last_seats_per_address",
)
# How delegates may pay: on the same row, switched on the finance page (finance.manage).
PAYMENT_METHOD_FIELDS = ("accept_card", "accept_bank_transfer")


# What the organiser's form edits (and its edit fingerprint covers); the position is set by
# moving a type up or down, so a move never makes an open edit form conflict.
TYPE_EDIT_FIELDS = tuple(name for name in TYPE_FIELDS if name != "position")


class TypeInUse(RegistrationError):
    code = "registration_type_in_use"
    status_code = 409


def save_registration_type(
    *,
    congress: Congress,
    by=None,
    instance: RegistrationType | None = None,
    shown_fingerprint: str | None = None,
    **fields: Any,
) -> RegistrationType:
    """Create or change a registration type (the model's own rules run first), audited with each
    changed field before and after. A change is refused with :class:`EditConflict` when the type
    no longer matches ``shown_fingerprint`` (the form's); an unchanged save writes nothing. A new
    type without a position goes last. Orders already placed keep their prices: an order stores
    each delegate's price and its total when it is placed."""
    unknown = set(fields) - set(TYPE_FIELDS)
    if unknown:
        raise RegistrationError(_("Unknown fields: %(f)s") % {"f": sorted(unknown)})
    with transaction.atomic():
        if instance is None:
            rtype = RegistrationType(congress=congress)
            if "position" not in fields:
                rtype.position = RegistrationType.objects.filter(congress=congress).count()
            changed = audit.changes(RegistrationType(congress=congress), fields)
        else:
            rtype = RegistrationType.objects.select_for_update().get(
                pk=instance.pk, congress=congress
            )
            refuse_if_changed(rtype, TYPE_EDIT_FIELDS, shown_fingerprint)
            changed = audit.changes(rtype, fields)
            if not changed:
                return rtype
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
            data={"object": str(rtype), "changed": changed},
        )
        form_cache.invalidate()  # its name, price, seats and dates show on the form
    return rtype


def move_registration_type(*, rtype: RegistrationType, by=None, offset: int) -> None:
    """Move a type up (``offset=-1``) or down (``+1``) in the congress's order (the form's);
    positions are renumbered 0..n-1 so that ties from older data never block a move."""
    with transaction.atomic():
        siblings = RegistrationType.objects.filter(congress_id=rtype.congress_id)
        types = move_in_order(siblings.order_by("position", "name", "pk"), rtype, offset=offset)
        if types is None:
            return
        audit.record(
            action="convene.registration_type.moved",
            congress=rtype.congress,
            actor=by,
            target=rtype,
            data={"object": str(rtype), "order": [candidate.code for candidate in types]},
        )
        form_cache.invalidate()  # the form lists the types in this order


def delete_registration_type(*, rtype: RegistrationType, by=None) -> None:
    """Delete a type that no order (and no waiting-list entry) uses; one that is used is
    refused with :class:`TypeInUse`: it can be taken off sale instead, keeping its orders."""
    with transaction.atomic():
        current = RegistrationType.objects.select_for_update().get(pk=rtype.pk)
        orders = Order.objects.filter(delegates__registration_type=current).distinct().count()
        if orders:
            raise TypeInUse(
                ngettext(
                    "%(n)s order uses this registration type, so it cannot be deleted: "
                    "take it off sale instead.",
                    "%(n)s orders use this registration type, so it cannot be deleted: "
                    "take it off sale instead.",
                    orders,
                )
                % {"n": orders}
            )
        if WaitingListEntry.objects.filter(registration_type=current).exists():
            raise TypeInUse(
                _(
                    "People are on the waiting list for this registration type, so it cannot "
                    "be deleted: take it off sale instead."
                )
            )
        audit.record(
            action="convene.registration_type.deleted",
            congress=current.congress,
            actor=by,
            target=current,
            data={"object": str(current), "code": current.code},
        )
        current.delete()
        form_cache.invalidate()


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
    *, congress: Congress, by=None, shown_fingerprint: str | None = None, **fields: Any
) -> RegistrationSettings:
    """Change a congress's registration settings (created on first save), audited with each
    changed field before and after; an unchanged save writes nothing. With
    ``shown_fingerprint`` (a form's, over the fields it edits) a save over someone else's
    change is refused with ``EditConflict``."""
    unknown = set(fields) - set(SETTINGS_FIELDS) - set(PAYMENT_METHOD_FIELDS)
    if unknown:
        raise RegistrationError(_("Unknown fields: %(f)s") % {"f": sorted(unknown)})
    with transaction.atomic():
        current = RegistrationSettings.objects.select_for_update().filter(congress=congress).first()
        created = current is None
        if created:
            current = RegistrationSettings(congress=congress)
        refuse_if_changed(current, fields, shown_fingerprint)
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
    _forget_cached(congress)
    return current


def _forget_cached(congress: Congress) -> None:
    congress.__dict__.pop("_registration_settings", None)


def reset_registration_settings(*, congress: Congress, by=None) -> None:
    """The defaults apply again to every registration setting. The payment methods (the
    finance team's switches) are kept: the row is deleted only when they are at their
    defaults too."""
    with transaction.atomic():
        current = RegistrationSettings.objects.select_for_update().filter(congress=congress).first()
        if current is None:
            return
        defaults = RegistrationSettings(congress=congress)
        methods_default = all(
            getattr(current, name) == getattr(defaults, name) for name in PAYMENT_METHOD_FIELDS
        )
        if methods_default:
            audit.record(
                action="convene.registration_settings.deleted",
                congress=congress,
                actor=by,
                target=current,
                data={"object": str(current)},
            )
            current.delete()
        else:
            restored = {name: getattr(defaults, name) for name in SETTINGS_FIELDS}
            changed = audit.changes(current, restored)
            for name, value in restored.items():
                setattr(current, name, value)
            current.save(update_fields=list(SETTINGS_FIELDS))
            audit.record(
                action="convene.registration_settings.reset",
                congress=congress,
                actor=by,
                target=current,
                data={"changed": changed},
            )
        form_cache.invalidate()
    _forget_cached(congress)
