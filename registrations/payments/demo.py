"""Demo payments for the demo congress: billing settings, invoices for orders paying by
transfer, transfers received (one partial), a refund with its credit note. Idempotent: an
order that already has an invoice or a payment is left alone, so re-running changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from events_site.congresses.models import Congress

from ..lifecycle import OrderStatus
from ..models import BillingSettings, Order, Payment, Quote
from ..services.orders import expire_order
from .enums import EInvoiceFormat, PaymentProvider, PaymentState
from .services import invoicing as invoice_services
from .services import payments as payment_services
from .services import quotes as quote_services
from .services import refunds as refund_services

BUYERS = [
    ("Ville de Lyon – Direction des finances", "1 place de la Comédie\n69001 Lyon", "FR"),
    ("Câmara Municipal de Lisboa", "Praça do Município\n1100-038 Lisboa", "PT"),
    ("Ayuntamiento de Bilbao", "Plaza Ernesto Erkoreka 1\n48007 Bilbao", "ES"),
    ("Stadt Wien – MA 6", "Rathausplatz 1\n1010 Wien", "AT"),
    ("Municipalidad de Rosario", "Buenos Aires 711\nS2000 Rosario", "AR"),
    ("Daejeon Metropolitan City", "100 Dunsan-ro, Seo-gu\nDaejeon 35242", "KR"),
]


def seed_demo(*, congress: Congress, rng: random.Random) -> dict:
    summary = {"billing_settings": 0, "invoices": 0, "transfers": 0, "refunds": 0}
    if not BillingSettings.objects.filter(congress=congress).exists():
        invoice_services.update_billing_settings(
            congress=congress,
            seller_name=f"{congress.organisation.name}",
            seller_address="Carrer Avinyó 15\n08002 Barcelona\nSpain",
            seller_country="ES",
            seller_vat_id="ESG12345678",
            bank_name="Banco de Ejemplo",
            iban="ES9121000418450200051332",
            bic="CAIXESBBXXX",
            tax_label="VAT",
            tax_rate=Decimal("21.00"),
            payment_terms_days=30,
            invoice_prefix=f"{congress.slug.upper()}-",
            footer="Registered association, Barcelona. Thank you for joining the congress.",
        )
        summary["billing_settings"] = 1
    fresh = not Quote.objects.filter(congress=congress).exists()
    if fresh:
        _public_body_settings(congress)
        # Before every other invoice, so that the numbers follow the dates of issue.
        summary["invoices"] += _seed_overdue_public_body(congress=congress, rng=rng)
    orders = Order.objects.filter(congress=congress, total__gt=0, invoices__isnull=True)
    paid = list(orders.filter(status=OrderStatus.PAID, payments__isnull=True).order_by("id"))
    # Every third pending order (by age, a choice that does not change on re-runs) pays by invoice.
    all_pending = Order.objects.filter(
        congress=congress, total__gt=0, status=OrderStatus.PENDING_PAYMENT
    ).order_by("id")
    chosen = [order for position, order in enumerate(all_pending) if position % 3 == 0]

    # Paid orders: money received by card or transfer before the demo started, with an invoice.
    for index, order in enumerate(paid):
        with transaction.atomic():
            provider = PaymentProvider.STRIPE if index % 3 else PaymentProvider.BANK_TRANSFER
            Payment.objects.create(
                order=order,
                provider=provider,
                provider_id=f"pi_demo_{order.code}" if provider == PaymentProvider.STRIPE else None,
                amount=order.total,
                currency=order.currency,
                state=PaymentState.SUCCEEDED,
                succeeded_at=order.paid_at or timezone.now(),
                received_on=(order.paid_at or timezone.now()).date()
                if provider == PaymentProvider.BANK_TRANSFER
                else None,
                reference=f"SEPA {order.code}" if provider == PaymentProvider.BANK_TRANSFER else "",
            )
            invoice_services.issue_invoice(order=order, actor_label="demo", send=False)
        summary["invoices"] += 1
        summary["transfers"] += provider == PaymentProvider.BANK_TRANSFER

    # One of them has paid half so far.
    for index, order in enumerate(chosen):
        if order.invoices.exists() or order.payments.exists():
            continue
        name, address, country = rng.choice(BUYERS)
        billing = {
            "name": name,
            "address": address,
            "country": country,
            "vat_number": f"{country}{rng.randrange(10**8, 10**9)}" if index % 2 else "",
            "purchase_order": f"PO-{rng.randrange(1000, 9999)}",
            "is_business": True,
            "email": order.email,
        }
        payment_services.request_invoice_payment(order=order, billing=billing)
        summary["invoices"] += 1
        if index == 0:
            payment_services.record_bank_transfer(
                order=order,
                amount=(order.total / 2).quantize(Decimal("0.01")),
                received_on=timezone.localdate() - dt.timedelta(days=2),
                reference=f"Partial {order.code}",
            )
            summary["transfers"] += 1

    summary.update(_seed_quotes_and_public_bodies(congress=congress, rng=rng, fresh=fresh))

    # One transfer-paid order got part of its fee back (a credit note shows it).
    already = Order.objects.filter(congress=congress, refunds__isnull=False).exists()
    candidate = (
        Order.objects.filter(
            congress=congress,
            status=OrderStatus.PAID,
            payments__provider=PaymentProvider.BANK_TRANSFER,
            total__gt=50,
        )
        .order_by("id")
        .first()
    )
    if not already and candidate is not None:
        refund_services.request_refund(
            order=candidate, amount=Decimal("50.00"), reason="Workshop cancelled"
        )
        summary["refunds"] += 1
    return summary


# Public buyers with the routing ids their e-invoices need (German Leitweg-ID, Italian IPA
# office code with CIG/CUP, a Peppol buyer), and the e-invoice each asks for.
PUBLIC_BUYERS = [
    {
        "name": "Bundesstadt Bonn – Amt für Finanzen",
        "address": "Berliner Platz 2\n53111 Bonn",
        "country": "DE",
        "buyer_reference": "05314000-BONN1-33",
        "einvoice_format": EInvoiceFormat.XRECHNUNG_UBL,
    },
    {
        "name": "Roma Capitale – Ragioneria Generale",
        "address": "Piazza del Campidoglio 1\n00186 Roma",
        "country": "IT",
        "ipa_office_code": "UFY9MH",
        "cig": "Z1A2B3C4D5",
        "cup": "J81B21000010007",
        "einvoice_format": EInvoiceFormat.PEPPOL,
    },
    {
        "name": "Gemeente Utrecht – Financiën",
        "address": "Stadsplateau 1\n3521 AZ Utrecht",
        "country": "NL",
        "einvoice_format": EInvoiceFormat.PEPPOL,
    },
    {
        "name": "Ville de Lyon – Direction des finances",
        "address": "1 place de la Comédie\n69001 Lyon",
        "country": "FR",
        "einvoice_format": EInvoiceFormat.FACTURX,
    },
]


def _public_body_settings(congress: Congress) -> None:
    BillingSettings.objects.filter(congress=congress).update(
        seller_email="finance@wcg.example",
        seller_phone="+34 93 000 00 00",
        public_body_terms_days=PUBLIC_BODY_TERMS_DAYS,
        quote_prefix=f"{congress.slug.upper()}-Q",
    )


PUBLIC_BODY_TERMS_DAYS = 120
OVERDUE_BUYER = {
    "name": "Stad Gent – Departement Financiën",
    "address": "Botermarkt 1\n9000 Gent",
    "country": "BE",
    "einvoice_format": EInvoiceFormat.PEPPOL,
}


def _seed_overdue_public_body(*, congress: Congress, rng: random.Random) -> int:
    """A public body whose terms have passed: its quote was accepted with a purchase order
    ``PUBLIC_BODY_TERMS_DAYS`` + 10 days ago, so the invoice is ten days overdue (finance's
    *Overdue* view) while its delegates stay admitted. The newest pending order plays it,
    registered just before; returns the number of invoices issued (0 or 1)."""
    now = timezone.now()
    order = (
        Order.objects.filter(
            congress=congress,
            total__gt=0,
            status=OrderStatus.PENDING_PAYMENT,
            invoices__isnull=True,
            hold_expires_at__gt=now,
        )
        .order_by("-id")
        .first()
    )
    if order is None:
        return 0
    issued = now - dt.timedelta(days=PUBLIC_BODY_TERMS_DAYS + 10)
    Order.objects.filter(pk=order.pk).update(created_at=issued - dt.timedelta(days=3))
    billing = {
        "vat_number": "",
        "purchase_order": "",
        "is_business": True,
        "email": order.email,
        "public_body": True,
        "buyer_reference": "",
        "ipa_office_code": "",
        "cig": "",
        "cup": "",
        **OVERDUE_BUYER,
    }
    quote = quote_services.create_quote(
        order=order, billing=billing, requested_by_buyer=True, now=issued - dt.timedelta(days=2)
    )
    quote_services.accept_quote(
        quote=quote,
        references={"purchase_order": f"OC-{rng.randrange(10000, 99999)}"},
        now=issued,
    )
    return 1


def _seed_quotes_and_public_bodies(*, congress: Congress, rng: random.Random, fresh: bool) -> dict:
    """Quotes in every state (open, accepted, expired, withdrawn) and public bodies' invoices
    unpaid-but-admitted, paid and credited. Only on a congress without quotes yet."""
    summary = {"quotes": 0}
    if not fresh:
        return summary
    now = timezone.now()
    free = list(
        Order.objects.filter(
            congress=congress,
            total__gt=0,
            status=OrderStatus.PENDING_PAYMENT,
            invoices__isnull=True,
            hold_expires_at__gt=now,
        ).order_by("id")[:7]
    )
    states = [
        "accepted",
        "accepted_paid",
        "accepted_credited",
        "open",
        "expired",
        "withdrawn",
        "accepted",
    ]
    for index, (order, shown) in enumerate(zip(free, states, strict=False)):
        buyer = PUBLIC_BUYERS[index % len(PUBLIC_BUYERS)]
        billing = {
            "address": "",
            "vat_number": "",
            "purchase_order": "",
            "is_business": True,
            "email": order.email,
            "public_body": True,
            "buyer_reference": "",
            "ipa_office_code": "",
            "cig": "",
            "cup": "",
            **buyer,
        }
        when = now - dt.timedelta(days=45) if shown == "expired" else now
        quote = quote_services.create_quote(
            order=order, billing=billing, requested_by_buyer=index % 2 == 0, now=when
        )
        summary["quotes"] += 1
        if shown.startswith("accepted"):
            invoice = quote_services.accept_quote(
                quote=quote, references={"purchase_order": f"PO-{rng.randrange(10000, 99999)}"}
            )
            if shown == "accepted_paid":
                payment_services.record_bank_transfer(
                    order=order,
                    amount=order.total,
                    received_on=timezone.localdate(),
                    reference=f"SEPA {invoice.full_number}",
                )
            elif shown == "accepted_credited":
                invoice_services.issue_credit_note(
                    invoice=invoice,
                    amount=min(Decimal("50.00"), invoice.gross),
                    reason="Delegation one person smaller",
                    actor_label="demo",
                )
        elif shown == "expired":
            expire_order(order=order, now=now)
            quote_services.expire_quotes(now=now)
        elif shown == "withdrawn":
            quote_services.withdraw_quote(quote=quote, by=None)
    return summary
