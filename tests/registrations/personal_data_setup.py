"""A congress's order with two delegates, payments, an invoice, answers, an agenda and a badge:
what the personal-data tests export, erase and retain."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from badges import services as badge_services
from registrations.enums import PersonalDataKind
from registrations.models import Answer, BillingDetails, Payment, Question
from registrations.payments.enums import PaymentProvider, PaymentState
from registrations.payments.services.invoicing import issue_invoice
from sessions.models import PersonalAgenda
from tests.factories import DelegateFactory, OrderFactory, RegistrationTypeFactory


def two_delegate_order(congress, *, contact_is_first: bool = True):
    """Ana (who placed the order, same e-mail as the contact) and Bea on one paid order."""
    rtype = RegistrationTypeFactory(congress=congress, regular_price=Decimal("450.00"))
    order = OrderFactory(
        congress=congress,
        contact_name="Ana Contact",
        email="ana@city.example" if contact_is_first else "office@city.example",
        total=Decimal("900.00"),
    )
    ana = DelegateFactory(
        order=order,
        registration_type=rtype,
        given_name="Ana",
        family_name="Silva",
        email="ana@city.example",
        dietary_needs="vegan",
        accessibility_needs="wheelchair",
        price=Decimal("450.00"),
    )
    bea = DelegateFactory(
        order=order,
        registration_type=rtype,
        given_name="Bea",
        family_name="Costa",
        email="bea@city.example",
        dietary_needs="halal",
        accessibility_needs="hearing loop",
        price=Decimal("450.00"),
    )
    BillingDetails.objects.create(
        order=order, name="Ana Silva", address="Rua 1\nLisboa", country="PT", is_business=False
    )
    Payment.objects.create(
        order=order,
        provider=PaymentProvider.BANK_TRANSFER,
        amount=Decimal("900.00"),
        currency="EUR",
        state=PaymentState.SUCCEEDED,
        succeeded_at=timezone.now(),
        received_on=dt.date(2027, 1, 5),
    )
    invoice = issue_invoice(order=order, send=False)
    passport = Question.objects.create(
        congress=congress,
        label="Passport number",
        personal_data_kind=PersonalDataKind.IDENTITY_DOCUMENT,
    )
    shirt = Question.objects.create(congress=congress, label="T-shirt size")
    Answer.objects.create(delegate=ana, question=passport, value="P-ANA-123")
    Answer.objects.create(delegate=ana, question=shirt, value="M")
    Answer.objects.create(delegate=bea, question=passport, value="P-BEA-456")
    PersonalAgenda.objects.create(delegate=ana, congress=congress)
    badge_services.badge_for(delegate=ana)
    badge_services.badge_for(delegate=bea)
    return order, ana, bea, invoice
