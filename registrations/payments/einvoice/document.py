"""The EN 16931 semantic model of one issued invoice or credit note, read from its frozen
snapshot, so every syntax (CII, UBL) and the PDF print the same numbers.

Prices in Convene include tax; EN 16931 states lines net. Each line's net is its share of the
document's frozen net (largest remainder), so lines add up to BT-106 exactly and the tax
breakdown (BT-116/117) is the document's own net and tax: the figures printed on the PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..enums import EInvoiceFormat

CENT = Decimal("0.01")

# VAT category codes (UNTDID 5305) and the exemption reason codes (VATEX) they need.
CATEGORY_STANDARD = "S"
CATEGORY_REVERSE_CHARGE = "AE"
CATEGORY_EXEMPT = "E"
EXEMPTION_CODES = {CATEGORY_REVERSE_CHARGE: "VATEX-EU-AE", CATEGORY_EXEMPT: "VATEX-EU-132"}

# BT-24: the specification each format follows; BT-23: the business process (Peppol's).
EN16931 = "urn:cen.eu:en16931:2017"
XRECHNUNG = f"{EN16931}#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_BIS = f"{EN16931}#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
SPECIFICATIONS = {
    EInvoiceFormat.FACTURX: EN16931,
    EInvoiceFormat.XRECHNUNG_CII: XRECHNUNG,
    EInvoiceFormat.XRECHNUNG_UBL: XRECHNUNG,
    EInvoiceFormat.PEPPOL: PEPPOL_BIS,
}
PEPPOL_PROCESS = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

# Electronic address schemes (EAS code list): e-mail, Leitweg-ID, Italian IPA office code.
EAS_EMAIL = "EM"
EAS_LEITWEG = "0204"
EAS_IPA = "0201"

_POSTCODE_CITY = re.compile(r"^(?P<code>[A-Z]{0,2}-?\d[\dA-Z -]{1,9}?)\s+(?P<city>\S.*)$")


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]
    postcode: str
    city: str
    country: str


@dataclass(frozen=True)
class Party:
    name: str
    address: Address
    vat_id: str = ""
    email: str = ""
    phone: str = ""
    endpoint: tuple[str, str] | None = None  # (scheme, id): BT-34 / BT-49


@dataclass(frozen=True)
class Line:
    number: int
    name: str
    quantity: Decimal
    net: Decimal  # BT-131

    @property
    def unit_price(self) -> Decimal:  # BT-146
        return (self.net / self.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class EInvoice:
    number: str
    type_code: str  # 380 invoice, 381 credit note
    issue_date: dt.date
    due_date: dt.date | None
    currency: str
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    net: Decimal  # BT-106 = BT-109 = BT-116
    tax: Decimal  # BT-110 = BT-117
    gross: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    tax_rate: Decimal
    category: str
    exemption_reason: str = ""
    buyer_reference: str = ""  # BT-10
    purchase_order: str = ""  # BT-13
    contract_reference: str = ""  # BT-12 (Italy: CIG)
    project_reference: str = ""  # BT-11 (Italy: CUP)
    preceding_invoice: str = ""  # BT-25
    preceding_invoice_date: dt.date | None = None
    payment_reference: str = ""  # BT-83
    iban: str = ""
    bic: str = ""
    payment_terms: str = ""  # BT-20
    delivery_date: dt.date | None = None  # BT-72: the congress's first day
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def payable(self) -> Decimal:  # BT-115
        return self.gross - self.prepaid

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == "381"


def parse_address(text: str, country: str) -> Address:
    """Street lines, postcode and city from a free-text address: the last line that reads
    "<postcode> <city>" gives both; without one the last line is the city."""
    lines = [" ".join(line.split()) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    postcode = city = ""
    for index in range(len(lines) - 1, -1, -1):
        match = _POSTCODE_CITY.match(lines[index])
        if match:
            postcode, city = match["code"].strip(), match["city"].strip()
            del lines[index]
            break
    if not city and lines:
        city = lines.pop()
    return Address(lines=tuple(lines[:3]), postcode=postcode, city=city, country=country or "")


def _line_nets(amounts: list[Decimal], net: Decimal) -> list[Decimal]:
    """Split the document's ``net`` over lines in proportion to their gross ``amounts``; the
    rounding remainder goes to the largest line, so the nets add up to ``net`` exactly."""
    total = sum(amounts, Decimal("0"))
    if not total:
        return [Decimal("0.00") for _ in amounts]
    nets = [(net * amount / total).quantize(CENT, rounding=ROUND_HALF_UP) for amount in amounts]
    if nets:
        largest = max(range(len(nets)), key=lambda i: abs(amounts[i]))
        nets[largest] += net - sum(nets, Decimal("0"))
    return nets


def _buyer_endpoint(buyer: dict) -> tuple[str, str] | None:
    if buyer.get("ipa_office_code"):
        return (EAS_IPA, buyer["ipa_office_code"])
    if buyer.get("buyer_reference") and buyer.get("country") == "DE" and buyer.get("public_body"):
        return (EAS_LEITWEG, buyer["buyer_reference"])
    if buyer.get("email"):
        return (EAS_EMAIL, buyer["email"])
    return None


def build(invoice) -> EInvoice:
    """The semantic model of ``invoice`` (an issued ``Invoice``): amounts of a credit note are
    stated positive, as both syntaxes want them for type 381."""
    sign = Decimal(-1) if invoice.is_credit_note else Decimal(1)
    seller, buyer = invoice.seller, invoice.buyer
    amounts = [sign * Decimal(line["amount"]) for line in invoice.lines]
    net, tax, gross = sign * invoice.net, sign * invoice.tax, sign * invoice.gross
    nets = _line_nets(amounts, net)
    lines = tuple(
        Line(
            number=index,
            name=" ".join(str(line["description"]).split())[:300] or "-",
            # BR-27: a price is never negative; a discount line is a negative quantity
            quantity=Decimal(str(line.get("quantity") or 1)).copy_sign(line_net or Decimal(1)),
            net=line_net,
        )
        for index, (line, line_net) in enumerate(zip(invoice.lines, nets, strict=True), 1)
    )
    if invoice.reverse_charge:
        category, rate = CATEGORY_REVERSE_CHARGE, Decimal("0")
        reason = seller.get("reverse_charge_note") or "Reverse charge"
    elif invoice.tax_rate:
        category, rate, reason = CATEGORY_STANDARD, invoice.tax_rate, ""
    else:
        category, rate, reason = CATEGORY_EXEMPT, Decimal("0"), "Exempt from VAT"
    issue_date = invoice.issued_at.astimezone(invoice.congress.tz).date()
    order_code = invoice.order.code
    corrects = invoice.corrects
    seller_email = seller.get("email", "")
    return EInvoice(
        number=invoice.full_number,
        type_code="381" if invoice.is_credit_note else "380",
        issue_date=issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        seller=Party(
            name=seller.get("name", ""),
            address=parse_address(seller.get("address", ""), seller.get("country", "")),
            vat_id=seller.get("vat_id", ""),
            email=seller_email,
            phone=seller.get("phone", ""),
            endpoint=(EAS_EMAIL, seller_email) if seller_email else None,
        ),
        buyer=Party(
            name=buyer.get("name", ""),
            address=parse_address(buyer.get("address", ""), buyer.get("country", "")),
            vat_id=buyer.get("vat_number", ""),
            email=buyer.get("email", ""),
            endpoint=_buyer_endpoint(buyer),
        ),
        lines=lines,
        net=net,
        tax=tax,
        gross=gross,
        prepaid=gross if invoice.paid_at_issue else Decimal("0.00"),
        tax_rate=rate,
        category=category,
        exemption_reason=reason,
        buyer_reference=buyer.get("buyer_reference") or buyer.get("purchase_order") or order_code,
        purchase_order=buyer.get("purchase_order", ""),
        contract_reference=buyer.get("cig", ""),
        project_reference=buyer.get("cup", ""),
        preceding_invoice=corrects.full_number if corrects else "",
        preceding_invoice_date=(
            corrects.issued_at.astimezone(invoice.congress.tz).date() if corrects else None
        ),
        payment_reference=f"{invoice.full_number} / {order_code}",
        iban=seller.get("iban", "").replace(" ", ""),
        bic=seller.get("bic", ""),
        payment_terms=(
            f"Due {invoice.due_date.isoformat()}" if invoice.due_date else "Paid at issue"
        ),
        notes=tuple(note for note in (invoice.reason,) if note),
        delivery_date=invoice.congress.start_date,
    )
