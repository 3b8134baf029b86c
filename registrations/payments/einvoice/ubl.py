"""OASIS UBL 2.1 Invoice and CreditNote with lxml, for Peppol BIS Billing 3.0 and XRechnung UBL
(the same EN 16931 content; they differ in BT-24 and in the national rules, e.g. XRechnung's
Leitweg-ID in BT-10 and the seller's contact). Element order follows the UBL 2.1 XSDs."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ..enums import EInvoiceFormat
from .document import EXEMPTION_CODES, PEPPOL_PROCESS, SPECIFICATIONS, EInvoice, Party

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _cac(parent, name: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _cbc(parent, name: str, text: str, **attrs) -> etree._Element:
    node = etree.SubElement(parent, f"{{{CBC}}}{name}", **attrs)
    node.text = text
    return node


def _money(parent, name: str, value: Decimal, currency: str) -> None:
    _cbc(parent, name, f"{value:.2f}", currencyID=currency)


def _party(parent, name: str, party: Party, *, seller: bool) -> None:
    node = _cac(_cac(parent, name), "Party")
    if party.endpoint:
        _cbc(node, "EndpointID", party.endpoint[1], schemeID=party.endpoint[0])
    _cbc(_cac(node, "PartyName"), "Name", party.name)
    address = _cac(node, "PostalAddress")
    if party.address.lines:
        _cbc(address, "StreetName", party.address.lines[0])
    if len(party.address.lines) > 1:
        _cbc(address, "AdditionalStreetName", party.address.lines[1])
    if party.address.city:
        _cbc(address, "CityName", party.address.city)
    if party.address.postcode:
        _cbc(address, "PostalZone", party.address.postcode)
    if len(party.address.lines) > 2:
        _cbc(_cac(address, "AddressLine"), "Line", party.address.lines[2])
    _cbc(_cac(address, "Country"), "IdentificationCode", party.address.country)
    if party.vat_id:
        scheme = _cac(node, "PartyTaxScheme")
        _cbc(scheme, "CompanyID", party.vat_id)
        _cbc(_cac(scheme, "TaxScheme"), "ID", "VAT")
    _cbc(_cac(node, "PartyLegalEntity"), "RegistrationName", party.name)
    if seller and (party.email or party.phone):
        contact = _cac(node, "Contact")
        _cbc(contact, "Name", party.name)
        if party.phone:
            _cbc(contact, "Telephone", party.phone)
        if party.email:
            _cbc(contact, "ElectronicMail", party.email)


def _category(parent, name: str, doc: EInvoice, *, with_reason: bool) -> None:
    category = _cac(parent, name)
    _cbc(category, "ID", doc.category)
    _cbc(category, "Percent", f"{doc.tax_rate:.2f}")
    if with_reason and doc.exemption_reason:
        _cbc(category, "TaxExemptionReasonCode", EXEMPTION_CODES[doc.category])
        _cbc(category, "TaxExemptionReason", doc.exemption_reason)
    _cbc(_cac(category, "TaxScheme"), "ID", "VAT")


def build_ubl(doc: EInvoice, *, flavour: str = EInvoiceFormat.PEPPOL) -> bytes:
    """The document as a UBL Invoice (type 380) or CreditNote (381), UTF-8 bytes."""
    credit = doc.is_credit_note
    namespace = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(
        f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: namespace, "cac": CAC, "cbc": CBC},
    )
    currency = doc.currency
    _cbc(root, "CustomizationID", SPECIFICATIONS[flavour])
    _cbc(root, "ProfileID", PEPPOL_PROCESS)
    _cbc(root, "ID", doc.number)
    _cbc(root, "IssueDate", doc.issue_date.isoformat())
    if doc.due_date and not credit:
        _cbc(root, "DueDate", doc.due_date.isoformat())
    _cbc(root, "CreditNoteTypeCode" if credit else "InvoiceTypeCode", doc.type_code)
    for note in doc.notes:
        _cbc(root, "Note", note)
    _cbc(root, "DocumentCurrencyCode", currency)
    if doc.buyer_reference:
        _cbc(root, "BuyerReference", doc.buyer_reference)
    if doc.purchase_order:
        _cbc(_cac(root, "OrderReference"), "ID", doc.purchase_order)
    if doc.preceding_invoice:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", doc.preceding_invoice)
        if doc.preceding_invoice_date:
            _cbc(reference, "IssueDate", doc.preceding_invoice_date.isoformat())
    if doc.contract_reference:
        _cbc(_cac(root, "ContractDocumentReference"), "ID", doc.contract_reference)
    if doc.project_reference:
        _cbc(_cac(root, "ProjectReference"), "ID", doc.project_reference)
    _party(root, "AccountingSupplierParty", doc.seller, seller=True)
    _party(root, "AccountingCustomerParty", doc.buyer, seller=False)
    if doc.delivery_date:
        _cbc(_cac(root, "Delivery"), "ActualDeliveryDate", doc.delivery_date.isoformat())

    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", "58" if doc.iban else "1")
    _cbc(means, "PaymentID", doc.payment_reference)
    if doc.iban:
        account = _cac(means, "PayeeFinancialAccount")
        _cbc(account, "ID", doc.iban)
        if doc.bic:
            _cbc(_cac(account, "FinancialInstitutionBranch"), "ID", doc.bic)
    _cbc(_cac(root, "PaymentTerms"), "Note", doc.payment_terms)

    tax_total = _cac(root, "TaxTotal")
    _money(tax_total, "TaxAmount", doc.tax, currency)
    subtotal = _cac(tax_total, "TaxSubtotal")
    _money(subtotal, "TaxableAmount", doc.net, currency)
    _money(subtotal, "TaxAmount", doc.tax, currency)
    _category(subtotal, "TaxCategory", doc, with_reason=True)

    totals = _cac(root, "LegalMonetaryTotal")
    _money(totals, "LineExtensionAmount", doc.net, currency)
    _money(totals, "TaxExclusiveAmount", doc.net, currency)
    _money(totals, "TaxInclusiveAmount", doc.gross, currency)
    if doc.prepaid:
        _money(totals, "PrepaidAmount", doc.prepaid, currency)
    _money(totals, "PayableAmount", doc.payable, currency)

    for line in doc.lines:
        node = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(node, "ID", str(line.number))
        _cbc(
            node,
            "CreditedQuantity" if credit else "InvoicedQuantity",
            f"{line.quantity:f}",
            unitCode="C62",
        )
        _money(node, "LineExtensionAmount", line.net, currency)
        item = _cac(node, "Item")
        _cbc(item, "Name", line.name)
        _category(item, "ClassifiedTaxCategory", doc, with_reason=False)
        _money(_cac(node, "Price"), "PriceAmount", line.unit_price, currency)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
