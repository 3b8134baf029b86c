"""The identifiers public buyers route their invoices by, checked before they reach a document.

- Leitweg-ID (Germany, XRechnung BT-10): ``coarse[-fine]-check``; the coarse address is 2 to 12
  digits, the optional fine address up to 30 capital letters or digits, the check digits are
  ISO 7064 MOD 97-10 over the ID without hyphens (the KoSIT "Format-Spezifikation Leitweg-ID").
- Codice Univoco Ufficio (Italy, the IPA office code read by SdI): 6 capital letters or digits.
- CIG (Codice Identificativo Gara): 10 characters; CUP (Codice Unico di Progetto): 15.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_97_10

_LEITWEG = re.compile(
    r"^(?P<coarse>[0-9]{2,12})(?:-(?P<fine>[0-9A-Z]{1,30}))?-(?P<check>[0-9]{2})$"
)
_IPA_OFFICE = re.compile(r"^[0-9A-Z]{6}$")
_CIG = re.compile(r"^[0-9A-Z]{10}$")
_CUP = re.compile(r"^[0-9A-Z]{15}$")


def normalise_identifier(value: str) -> str:
    """Capitals, without surrounding or inner spaces (as buyers copy them from letters)."""
    return "".join((value or "").split()).upper()


def validate_leitweg_id(value: str) -> None:
    """Refuse a Leitweg-ID whose shape or check digits are wrong (empty passes: optional)."""
    if not value:
        return
    if not _LEITWEG.match(value):
        raise ValidationError(
            _(
                "A Leitweg-ID looks like 04011000-1234512345-06: 2 to 12 digits, optionally a "
                "hyphen and up to 30 letters or digits, then a hyphen and 2 check digits."
            ),
            code="leitweg_format",
        )
    if not mod_97_10.is_valid(value.replace("-", "")):
        raise ValidationError(
            _("The check digits of this Leitweg-ID do not match; please copy it again."),
            code="leitweg_check",
        )


def validate_ipa_office_code(value: str) -> None:
    if value and not _IPA_OFFICE.match(value):
        raise ValidationError(
            _("The Codice Univoco Ufficio has exactly 6 letters or digits."), code="ipa_format"
        )


def validate_cig(value: str) -> None:
    if value and not _CIG.match(value):
        raise ValidationError(_("A CIG has exactly 10 letters or digits."), code="cig_format")


def validate_cup(value: str) -> None:
    if value and not _CUP.match(value):
        raise ValidationError(_("A CUP has exactly 15 letters or digits."), code="cup_format")
