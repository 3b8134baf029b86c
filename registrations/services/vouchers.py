"""Organisers' vouchers: one at a time (code typed or drawn), a batch of drawn codes, changes,
(de)activation and deletion, each audited. Uses are counted the way ``place_order`` counts them
(``voucher_uses``: delegates priced with the voucher in orders that still hold seats), under the
same capacity lock, so a maximum is never set below the uses a buyer has just made."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import refuse_if_changed
from events_site.congresses.models import Congress

from ..capacity import lock_capacity
from ..errors import VoucherRefused
from ..models import Delegate, Order, RegistrationType, Voucher
from .orders import voucher_uses

# What the edit form shows (and its fingerprint covers); the types are a many-to-many field.
VOUCHER_FIELDS = (
    "code",
    "kind",
    "value",
    "max_uses",
    "registration_types",
    "valid_until",
    "comment",
    "is_active",
)
_SCALAR_FIELDS = tuple(name for name in VOUCHER_FIELDS if name != "registration_types")

# Drawn codes: no 0/O, 1/I/L, so a code read aloud or off paper is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
DRAWN_LENGTH = 10  # 31**10 ≈ 8e14 codes: guessing one of a batch is hopeless at the rate limit
MAX_CODE_LENGTH = 40
MAX_PREFIX_LENGTH = MAX_CODE_LENGTH - DRAWN_LENGTH
MAX_BATCH = 10_000
_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]*")
_CHUNK = 500  # codes per look-up query (well under SQLite's variable limit)


def normalise_code(code: str) -> str:
    """The stored form of a typed code (the public form looks codes up the same way)."""
    return code.strip().upper()


def draw_code(prefix: str = "") -> str:
    """``prefix`` and ``DRAWN_LENGTH`` characters drawn with ``secrets`` from the alphabet."""
    return prefix + "".join(secrets.choice(CODE_ALPHABET) for _n in range(DRAWN_LENGTH))


def check_code_text(code: str, *, field: str = "code", length: int = MAX_CODE_LENGTH) -> None:
    if not code or len(code) > length or not _CODE.fullmatch(code):
        raise VoucherRefused(
            _(
                "Use at most %(n)s letters A–Z, digits and hyphens, starting with a letter or a "
                "digit."
            )
            % {"n": length},
            field=field,
        )


def code_taken(*, congress: Congress, code: str, exclude_pk: int | None = None) -> bool:
    """Whether another voucher of the congress has ``code`` (codes are stored upper-case)."""
    taken = Voucher.objects.filter(congress=congress, code=normalise_code(code))
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    return taken.exists()


def _taken_message() -> str:
    return _("This congress already has a voucher with this code.")


def _types_of(congress: Congress, types: Iterable[RegistrationType]) -> list[RegistrationType]:
    types = list(types)
    if any(t.congress_id != congress.pk for t in types):
        raise VoucherRefused(
            _("Choose registration types of this congress."), field="registration_types"
        )
    return types


def _validated(voucher: Voucher) -> None:
    """The model's rules (value, percentage), without its unique check (done above, by code)."""
    voucher.full_clean(validate_unique=False, validate_constraints=False)


def create_voucher(
    *,
    congress: Congress,
    by=None,
    code: str = "",
    registration_types: Iterable[RegistrationType] = (),
    **fields: Any,
) -> Voucher:
    """One voucher, with the code typed (any case) or, when blank, drawn."""
    unknown = set(fields) - set(_SCALAR_FIELDS)
    if unknown:
        raise TypeError(f"Unknown voucher fields: {sorted(unknown)}")
    types = _types_of(congress, registration_types)
    code = normalise_code(code)
    drawn = not code
    if drawn:
        code = draw_code()
    check_code_text(code)
    voucher = Voucher(congress=congress, code=code, **fields)
    _validated(voucher)
    try:
        with transaction.atomic():
            while code_taken(congress=congress, code=voucher.code):
                if not drawn:
                    raise VoucherRefused(_taken_message(), field="code")
                voucher.code = draw_code()
            voucher.save()
            voucher.registration_types.set(types)
            audit.record(
                action="convene.voucher.created",
                congress=congress,
                actor=by,
                target=voucher,
                data=_described(voucher, types),
            )
    except IntegrityError as error:  # the same code saved at the same moment
        raise VoucherRefused(_taken_message(), field="code") from error
    return voucher


def _described(voucher: Voucher, types: list[RegistrationType]) -> dict:
    return {
        "code": voucher.code,
        "kind": voucher.kind,
        "value": str(voucher.value),
        "max_uses": voucher.max_uses,
        "registration_types": sorted(t.code for t in types),
        "valid_until": voucher.valid_until.isoformat() if voucher.valid_until else "",
    }


def _draw_unused(congress: Congress, prefix: str, count: int) -> list[str]:
    """``count`` distinct codes that no voucher of the congress has, drawn again on a clash."""
    codes: set[str] = set()
    for _attempt in range(20):
        while len(codes) < count:
            codes.add(draw_code(prefix))
        candidates = sorted(codes)
        taken = set()
        for start in range(0, len(candidates), _CHUNK):
            chunk = candidates[start : start + _CHUNK]
            taken |= set(
                Voucher.objects.filter(congress=congress, code__in=chunk).values_list(
                    "code", flat=True
                )
            )
        if not taken:
            return candidates
        codes -= taken
    raise VoucherRefused(_("Could not draw enough unused codes: try a longer prefix."))


def create_voucher_batch(
    *,
    congress: Congress,
    by=None,
    count: int,
    prefix: str = "",
    registration_types: Iterable[RegistrationType] = (),
    **fields: Any,
) -> str:
    """``count`` vouchers alike but for their drawn codes (``prefix`` + ``DRAWN_LENGTH``
    characters), unique in the congress; all of them or none. Returns the batch's id
    (``Voucher.batch``); the batch is one audit entry with its count and prefix."""
    unknown = set(fields) - (set(_SCALAR_FIELDS) - {"code"})
    if unknown:
        raise TypeError(f"Unknown voucher fields: {sorted(unknown)}")
    if not 1 <= count <= MAX_BATCH:
        raise VoucherRefused(
            _("A batch has between 1 and %(max)s vouchers.") % {"max": f"{MAX_BATCH:,}"},
            field="count",
        )
    prefix = normalise_code(prefix)
    if prefix:
        check_code_text(prefix, field="prefix", length=MAX_PREFIX_LENGTH)
    types = _types_of(congress, registration_types)
    template = Voucher(congress=congress, code=prefix + "A" * DRAWN_LENGTH, **fields)
    _validated(template)
    batch = secrets.token_hex(4).upper()
    try:
        with transaction.atomic():
            codes = _draw_unused(congress, prefix, count)
            Voucher.objects.bulk_create(
                [Voucher(congress=congress, code=code, batch=batch, **fields) for code in codes],
                batch_size=1000,
            )
            if types:
                ids = Voucher.objects.filter(congress=congress, batch=batch).values_list(
                    "pk", flat=True
                )
                through = Voucher.registration_types.through
                through.objects.bulk_create(
                    [through(voucher_id=pk, registrationtype_id=t.pk) for pk in ids for t in types],
                    batch_size=2000,
                )
            audit.record(
                action="convene.voucher.batch_created",
                congress=congress,
                actor=by,
                data={"batch": batch, "count": count, "prefix": prefix}
                | {k: v for k, v in _described(template, types).items() if k != "code"},
            )
    except IntegrityError as error:  # a code typed elsewhere at this very moment
        raise VoucherRefused(
            _(
                "Another voucher took one of the drawn codes just now: nothing was created; "
                "try again."
            )
        ) from error
    return batch


def update_voucher(
    *, voucher: Voucher, by=None, shown_fingerprint: str | None = None, **fields: Any
) -> Voucher:
    """Change a voucher; refused when someone else changed it since the form was shown, when
    the code is another voucher's, or when the maximum would fall below the uses made."""
    unknown = set(fields) - set(VOUCHER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown voucher fields: {sorted(unknown)}")
    types = fields.pop("registration_types", None)
    if "code" in fields:
        fields["code"] = normalise_code(fields["code"])
        check_code_text(fields["code"])
    try:
        with transaction.atomic():
            lock_capacity(congress_id=voucher.congress_id, voucher_ids=[voucher.pk])
            current = (
                Voucher.objects.select_for_update(of=("self",))
                .select_related("congress")
                .get(pk=voucher.pk)
            )
            refuse_if_changed(current, VOUCHER_FIELDS, shown_fingerprint)
            congress = current.congress
            if "code" in fields and code_taken(
                congress=congress, code=fields["code"], exclude_pk=current.pk
            ):
                raise VoucherRefused(_taken_message(), field="code")
            changed = audit.changes(current, fields)
            if types is not None:
                types = _types_of(congress, types)
                before = sorted(t.code for t in current.registration_types.all())
                after = sorted(t.code for t in types)
                if before != after:
                    changed["registration_types"] = [before, after]
            if not changed:
                return current
            _refuse_max_below_uses(current, fields)
            for name, value in fields.items():
                setattr(current, name, value)
            _validated(current)
            current.save()
            if types is not None:
                current.registration_types.set(types)
            audit.record(
                action="convene.voucher.updated",
                congress=congress,
                actor=by,
                target=current,
                data={"object": current.code, "changed": changed},
            )
    except IntegrityError as error:
        raise VoucherRefused(_taken_message(), field="code") from error
    return current


def _refuse_max_below_uses(current: Voucher, fields: dict) -> None:
    new_max = fields.get("max_uses", current.max_uses)
    if new_max is None or new_max == current.max_uses:
        return
    used = voucher_uses(voucher=current)
    if new_max < used:
        raise VoucherRefused(
            ngettext(
                "This voucher has been used %(n)s time already: the maximum cannot be lower.",
                "This voucher has been used %(n)s times already: the maximum cannot be lower.",
                used,
            )
            % {"n": used},
            field="max_uses",
        )


def _set_active(voucher: Voucher, *, active: bool, by, action: str) -> bool:
    with transaction.atomic():
        changed = Voucher.objects.filter(pk=voucher.pk, is_active=not active).update(
            is_active=active
        )
        if changed:
            audit.record(
                action=action,
                congress=voucher.congress,
                actor=by,
                target=voucher,
                data={"object": voucher.code},
            )
    voucher.is_active = active
    return bool(changed)


def deactivate_voucher(*, voucher: Voucher, by=None) -> bool:
    """Stop a voucher from pricing new delegates (those priced with it keep their price).
    Returns whether it changed (False: it was inactive already)."""
    return _set_active(voucher, active=False, by=by, action="convene.voucher.deactivated")


def reactivate_voucher(*, voucher: Voucher, by=None) -> bool:
    return _set_active(voucher, active=True, by=by, action="convene.voucher.reactivated")


def delete_voucher(*, voucher: Voucher, by=None) -> None:
    """Delete a voucher no order or delegate was ever priced with (the rest stay, for the
    record: deactivate them instead)."""
    with transaction.atomic():
        lock_capacity(congress_id=voucher.congress_id, voucher_ids=[voucher.pk])
        current = (
            Voucher.objects.select_for_update(of=("self",))
            .select_related("congress")
            .get(pk=voucher.pk)
        )
        if (
            Delegate.objects.filter(voucher=current).exists()
            or Order.objects.filter(voucher=current).exists()
        ):
            raise VoucherRefused(
                _("This voucher has been used, so it stays on record: deactivate it instead.")
            )
        audit.record(
            action="convene.voucher.deleted",
            congress=current.congress,
            actor=by,
            target=current,
            data={"object": current.code},
        )
        current.delete()


__all__ = [
    "CODE_ALPHABET",
    "DRAWN_LENGTH",
    "MAX_BATCH",
    "VOUCHER_FIELDS",
    "code_taken",
    "create_voucher",
    "create_voucher_batch",
    "deactivate_voucher",
    "delete_voucher",
    "draw_code",
    "normalise_code",
    "reactivate_voucher",
    "update_voucher",
]
