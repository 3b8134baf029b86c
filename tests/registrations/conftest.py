import datetime as dt
from decimal import Decimal

import pytest

from registrations.models import RegistrationSettings
from registrations.services.orders import NewDelegate
from tests.factories import RegistrationTypeFactory


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
