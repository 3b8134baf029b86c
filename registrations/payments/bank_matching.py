"""Proposing which open order a bank credit pays: the invoice number or order code found in the
remittance text (spaces, case and separators ignored), then the amount and currency, then the
payer's name. Each proposal carries a confidence (0-100) and the reason, for a person to
confirm; nothing here records money.

The open orders are read once per statement (one query), so matching 2,000 lines costs the
same number of queries as matching one."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.congresses.models import Congress

from .. import lifecycle
from ..models import BillingDetails, Invoice
from . import selectors
from .enums import InvoiceKind
from .search import fold

# Proposals at or above this are pre-selected for "accept" on the review page.
ACCEPT_BY_DEFAULT = 70
_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


def compact(text: str) -> str:
    """Upper case, accents folded, everything but letters and digits dropped."""
    return _NOT_ALNUM.sub("", fold(text or "").upper())


def _name_key(text: str) -> str:
    words = sorted(word for word in re.split(r"[^\w]+", fold(text or "")) if len(word) > 1)
    return " ".join(words)


@dataclass(frozen=True)
class Candidate:
    order_id: int
    code: str
    name: str
    billing_name: str
    invoice_id: int | None
    invoice_number: str
    outstanding: Decimal
    currency: str


@dataclass(frozen=True)
class Proposal:
    candidate: Candidate | None
    confidence: int
    reason: str


def open_candidates(congress: Congress) -> list[Candidate]:
    """The congress's orders that still owe money (one query)."""
    today = timezone.localdate(timezone=congress.tz)
    rows = (
        selectors.finance_orders(congress=congress, today=today)
        .filter(status__in=lifecycle.PAYABLE_STATUSES, outstanding__gt=0)
        .annotate(
            invoice_id=Subquery(
                Invoice.objects.filter(order=OuterRef("pk"), kind=InvoiceKind.INVOICE)
                .order_by("-number")
                .values("pk")[:1]
            ),
            billing_name=Subquery(
                BillingDetails.objects.filter(order=OuterRef("pk")).values("name")[:1]
            ),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "code",
            "contact_name",
            "billing_name",
            "invoice_id",
            "invoice_number",
            "outstanding",
            "currency",
        )
    )
    return [
        Candidate(
            order_id=pk,
            code=code,
            name=name or "",
            billing_name=billing or "",
            invoice_id=invoice_id,
            invoice_number=number or "",
            outstanding=Decimal(outstanding).quantize(Decimal("0.01")),
            currency=currency,
        )
        for pk, code, name, billing, invoice_id, number, outstanding, currency in rows
    ]


class Matcher:
    """Indexes the open orders by reference, amount and name, then proposes per line."""

    def __init__(self, candidates: list[Candidate]):
        self.by_reference: dict[str, Candidate] = {}
        self.by_amount: dict[tuple[Decimal, str], list[Candidate]] = defaultdict(list)
        self.by_name: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in candidates:
            self.by_reference[compact(candidate.code)] = candidate
            if candidate.invoice_number:
                self.by_reference[compact(candidate.invoice_number)] = candidate
            self.by_amount[(candidate.outstanding, candidate.currency)].append(candidate)
            for name in {_name_key(candidate.name), _name_key(candidate.billing_name)} - {""}:
                self.by_name[name].append(candidate)
        self.lengths = sorted(
            {len(key) for key in self.by_reference if len(key) >= 5}, reverse=True
        )

    def find_reference(self, text: str) -> tuple[Candidate | None, str]:
        """The candidate whose longest reference occurs in ``text`` (and the reference)."""
        haystack = compact(text)
        for length in self.lengths:
            for start in range(len(haystack) - length + 1):
                candidate = self.by_reference.get(haystack[start : start + length])
                if candidate is not None:
                    return candidate, haystack[start : start + length]
        return None, ""

    def lookup(self, text: str) -> Candidate | None:
        """An open order by its exact code or invoice number, however it was typed."""
        return self.by_reference.get(compact(text))

    def propose(self, *, amount: Decimal, currency: str, remittance: str, payer: str) -> Proposal:
        candidate, _found = self.find_reference(remittance)
        name_key = _name_key(payer)
        if candidate is not None:
            label = candidate.invoice_number or candidate.code
            if candidate.currency != currency:
                return Proposal(
                    candidate,
                    40,
                    _("Reference %(ref)s found, but the order is in %(currency)s.")
                    % {"ref": label, "currency": candidate.currency},
                )
            if candidate.outstanding == amount:
                return Proposal(
                    candidate,
                    100,
                    _("Reference %(ref)s found in the remittance text; the amount is what is owed.")
                    % {"ref": label},
                )
            kind = _("a part payment") if amount < candidate.outstanding else _("an overpayment")
            return Proposal(
                candidate,
                80,
                _("Reference %(ref)s found in the remittance text; the amount differs (%(kind)s).")
                % {"ref": label, "kind": kind},
            )
        same_amount = self.by_amount.get((amount, currency), [])
        named = self.by_name.get(name_key, []) if name_key else []
        both = [c for c in same_amount if c in named]
        if len(both) == 1:
            return Proposal(
                both[0],
                75 if len(same_amount) == 1 else 70,
                _("No reference; the amount and the payer's name match this order."),
            )
        if len(same_amount) == 1:
            return Proposal(
                same_amount[0],
                50,
                _("No reference; only open order of this amount (the payer's name differs)."),
            )
        if len(named) == 1:
            return Proposal(
                named[0],
                35,
                _("No reference; the payer's name matches, the amount does not."),
            )
        if same_amount:
            return Proposal(
                None,
                0,
                _("No reference; %(count)s open orders owe this amount.")
                % {"count": len(same_amount)},
            )
        return Proposal(None, 0, _("No reference, amount or payer matches an open order."))
