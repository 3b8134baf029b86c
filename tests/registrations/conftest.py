import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from registrations.models import Question, RegistrationSettings
from registrations.services.orders import NewDelegate
from tests.factories import RegistrationTypeFactory, UserFactory


@pytest.fixture
def regtype(congress):
    return RegistrationTypeFactory(
        congress=congress, code="member", name="Member", regular_price=Decimal("450.00")
    )


@pytest.fixture
def reg_settings(congress):
    return RegistrationSettings.objects.create(congress=congress)


def person(n: int = 0, **extra) -> dict:
    return {
        "given_name": f"Ana{n}",
        "family_name": f"Silva{n}",
        "email": f"ana{n}@city.example",
        "organisation_name": "City of Lisbon",
        "country": "PT",
        **extra,
    }


def delegation(rtype, count: int = 1, **extra) -> list[NewDelegate]:
    return [NewDelegate(registration_type=rtype, details=person(n, **extra)) for n in range(count)]


def order_kwargs(congress, rtype, count: int = 1, **kwargs) -> dict:
    return {
        "congress": congress,
        "contact_name": "Ana Silva",
        "email": "contact@city.example",
        "language": "en",
        "delegates": delegation(rtype, count),
        **kwargs,
    }


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def save_question_in_admin(congress, question=None, **fields):
    """Add (or change) a question the way organisers do, through the Django admin."""
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    data = {"congress": congress.pk, "kind": "text", "position": "0", "is_active": "on"}
    if question is not None:
        data.update(label=question.label, kind=question.kind)
        data["registration_types"] = [t.pk for t in question.registration_types.all()]
    data.update(fields)
    url = (
        reverse("admin:registrations_question_change", args=[question.pk])
        if question
        else reverse("admin:registrations_question_add")
    )
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return Question.objects.get(pk=question.pk) if question else Question.objects.latest("pk")
