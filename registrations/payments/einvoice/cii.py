"""UN/CEFACT Cross Industry Invoice (D16B, the EN 16931 CII syntax) with lxml: the XML inside a
Factur-X PDF and XRechnung's CII flavour. Element order follows the Factur-X EN16931 XSD."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from ..enums import EInvoiceFormat
from .document import SPECIFICATIONS, EInvoice, Party

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}


def _el(parent, ns: str, name: str, text: str | None = None, **attrs) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ns}}}{name}", **attrs)
    if text is not None:
        node.text = text
    return node


def _ram(parent, name: str, text: str | None = None, **attrs) -> etree._Element:
    return _el(parent, RAM, name, text, **attrs)


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _date(parent, name: str, value) -> None:
    holder = _ram(parent, name)
    _el(holder, UDT, "DateTimeString", value.strftime("%Y%m%d"), format="102")


def _party(parent, name: str, party: Party) -> None:
    node = _ram(parent, name)
    _ram(node, "Name", party.name)
    if party.email or party.phone:
        contact = _ram(node, "DefinedTradeContact")
        _ram(contact, "PersonName", party.name)
        if party.phone:
            _ram(_ram(contact, "TelephoneUniversalCommunication"), "CompleteNumber", party.phone)
        if party.email:
            _ram(_ram(contact, "EmailURIUniversalCommunication"), "URIID", party.email)
    address = _ram(node, "PostalTradeAddress")
    if party.address.postcode:
        _ram(address, "PostcodeCode", party.address.postcode)
    for tag, line in zip(("LineOne", "LineTwo", "LineThree"), party.address.lines, strict=False):
        _ram(address, tag, line)
    if party.address.city:
        _ram(address, "CityName", party.address.city)
    _ram(address, "CountryID", party.address.country)
    if party.endpoint:
        _ram(
            _ram(node, "URIUniversalCommunication"),
            "URIID",
            party.endpoint[1],
            schemeID=party.endpoint[0],
        )
    if party.vat_id:
        _ram(_ram(node, "SpecifiedTaxRegistration"), "ID", party.vat_id, schemeID="VA")


def _trade_tax(parent, doc: EInvoice, *, header: bool) -> None:
    tax = _ram(parent, "ApplicableTradeTax")
    if header:
        _ram(tax, "CalculatedAmount", _amount(doc.tax))
    _ram(tax, "TypeCode", "VAT")
    if header and doc.exemption_reason:
        _ram(tax, "ExemptionReason", doc.exemption_reason)
    if header:
        _ram(tax, "BasisAmount", _amount(doc.net))
    _ram(tax, "CategoryCode", doc.category)
    if header and doc.exemption_reason:
        from .document import EXEMPTION_CODES

        _ram(tax, "ExemptionReasonCode", EXEMPTION_CODES[doc.category])
    _ram(tax, "RateApplicablePercent", _amount(doc.tax_rate))


def build_cii(doc: EInvoice, *, flavour: str = EInvoiceFormat.FACTURX) -> bytes:
    """The document as CII XML bytes (UTF-8, with declaration)."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, RSM, "ExchangedDocumentContext")
    if flavour != EInvoiceFormat.FACTURX:
        from .document import PEPPOL_PROCESS

        _ram(
            _ram(context, "BusinessProcessSpecifiedDocumentContextParameter"), "ID", PEPPOL_PROCESS
        )
    _ram(_ram(context, "GuidelineSpecifiedDocumentContextParameter"), "ID", SPECIFICATIONS[flavour])

    header = _el(root, RSM, "ExchangedDocument")
    _ram(header, "ID", doc.number)
    _ram(header, "TypeCode", doc.type_code)
    _date(header, "IssueDateTime", doc.issue_date)
    for note in doc.notes:
        _ram(_ram(header, "IncludedNote"), "Content", note)

    transaction = _el(root, RSM, "SupplyChainTradeTransaction")
    for line in doc.lines:
        item = _ram(transaction, "IncludedSupplyChainTradeLineItem")
        _ram(_ram(item, "AssociatedDocumentLineDocument"), "LineID", str(line.number))
        _ram(_ram(item, "SpecifiedTradeProduct"), "Name", line.name)
        agreement = _ram(item, "SpecifiedLineTradeAgreement")
        _ram(_ram(agreement, "NetPriceProductTradePrice"), "ChargeAmount", _amount(line.unit_price))
        _ram(
            _ram(item, "SpecifiedLineTradeDelivery"),
            "BilledQuantity",
            f"{line.quantity:f}",
            unitCode="C62",
        )
        settlement = _ram(item, "SpecifiedLineTradeSettlement")
        _trade_tax(settlement, doc, header=False)
        _ram(
            _ram(settlement, "SpecifiedTradeSettlementLineMonetarySummation"),
            "LineTotalAmount",
            _amount(line.net),
        )

    agreement = _ram(transaction, "ApplicableHeaderTradeAgreement")
    if doc.buyer_reference:
        _ram(agreement, "BuyerReference", doc.buyer_reference)
    _party(agreement, "SellerTradeParty", doc.seller)
    _party(agreement, "BuyerTradeParty", doc.buyer)
    if doc.purchase_order:
        _ram(
            _ram(agreement, "BuyerOrderReferencedDocument"), "IssuerAssignedID", doc.purchase_order
        )
    if doc.contract_reference:
        _ram(
            _ram(agreement, "ContractReferencedDocument"),
            "IssuerAssignedID",
            doc.contract_reference,
        )
    if doc.project_reference:
        project = _ram(agreement, "SpecifiedProcuringProject")
        _ram(project, "ID", doc.project_reference)
        _ram(project, "Name", "CUP")
    delivery = _ram(transaction, "ApplicableHeaderTradeDelivery")
    if doc.delivery_date:
        _date(
            _ram(delivery, "ActualDeliverySupplyChainEvent"),
            "OccurrenceDateTime",
            doc.delivery_date,
        )

    settlement = _ram(transaction, "ApplicableHeaderTradeSettlement")
    _ram(settlement, "PaymentReference", doc.payment_reference)
    _ram(settlement, "InvoiceCurrencyCode", doc.currency)
    means = _ram(settlement, "SpecifiedTradeSettlementPaymentMeans")
    _ram(means, "TypeCode", "58" if doc.iban else "1")
    if doc.iban:
        _ram(_ram(means, "PayeePartyCreditorFinancialAccount"), "IBANID", doc.iban)
        if doc.bic:
            _ram(_ram(means, "PayeeSpecifiedCreditorFinancialInstitution"), "BICID", doc.bic)
    _trade_tax(settlement, doc, header=True)
    terms = _ram(settlement, "SpecifiedTradePaymentTerms")
    _ram(terms, "Description", doc.payment_terms)
    if doc.due_date and not doc.is_credit_note:
        _date(terms, "DueDateDateTime", doc.due_date)
    totals = _ram(settlement, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _ram(totals, "LineTotalAmount", _amount(doc.net))
    _ram(totals, "TaxBasisTotalAmount", _amount(doc.net))
    _ram(totals, "TaxTotalAmount", _amount(doc.tax), currencyID=doc.currency)
    _ram(totals, "GrandTotalAmount", _amount(doc.gross))
    _ram(totals, "TotalPrepaidAmount", _amount(doc.prepaid))
    _ram(totals, "DuePayableAmount", _amount(doc.payable))
    if doc.preceding_invoice:
        reference = _ram(settlement, "InvoiceReferencedDocument")
        _ram(reference, "IssuerAssignedID", doc.preceding_invoice)
        if doc.preceding_invoice_date:
            holder = _ram(reference, "FormattedIssueDateTime")
            _el(
                holder,
                QDT,
                "DateTimeString",
                doc.preceding_invoice_date.strftime("%Y%m%d"),
                format="102",
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
