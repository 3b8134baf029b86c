"""Factories for the core and the registration objects every app's tests build on."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from events_site.congresses.enums import CongressStatus
from events_site.congresses.models import Congress, Organisation, Room, TeamMembership, Venue
from registrations.enums import OrderStatus
from registrations.models import Delegate, Order, RegistrationType


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Association {n}")
    slug = factory.Sequence(lambda n: f"association-{n}")


class CongressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Congress

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"World Congress {n}")
    slug = factory.Sequence(lambda n: f"congress-{n}")
    start_date = dt.date(2027, 5, 10)
    end_date = dt.date(2027, 5, 13)
    time_zone = "Asia/Seoul"
    currency = "EUR"
    languages = ["en", "fr", "es"]
    status = CongressStatus.REGISTRATION_OPEN


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    congress = factory.SubFactory(CongressFactory)
    name = "Convention Centre"
    city = "Daejeon"
    country = "KR"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    venue = factory.SubFactory(VenueFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 100


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    congress = factory.SubFactory(CongressFactory)
    user = factory.SubFactory(UserFactory)
    role = "owner"


class RegistrationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationType

    congress = factory.SubFactory(CongressFactory)
    code = factory.Sequence(lambda n: f"type-{n}")
    name = factory.Sequence(lambda n: f"Member local government {n}")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    congress = factory.SubFactory(CongressFactory)
    contact_name = "Ana Müller"
    email = factory.Sequence(lambda n: f"buyer{n}@city.example")
    currency = factory.LazyAttribute(lambda o: o.congress.currency)
    total = Decimal("450.00")
    status = OrderStatus.PAID


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    order = factory.SubFactory(OrderFactory)
    registration_type = factory.SubFactory(
        RegistrationTypeFactory, congress=factory.SelfAttribute("..order.congress")
    )
    given_name = "Ana"
    family_name = factory.Sequence(lambda n: f"Müller{n}")
    email = factory.Sequence(lambda n: f"delegate{n}@city.example")
    organisation_name = "City of Lisbon"
    city = "Lisbon"
    country = "PT"
    price = Decimal("450.00")


def api_key(user, congress, role: str = "checkin", **fields) -> str:
    """A new API token's key for ``user`` in ``congress`` (through the service, so the role
    must be one the person holds there)."""
    from events_site.congresses import api_tokens

    return api_tokens.create_token(
        congress=congress, by=user, name=fields.pop("name", "Test scanner"), role=role, **fields
    ).key
