"""Organisers' content per language (the ``translations`` sidecar) and names in their culture's
order: fallback, the organiser form's indicator, e-mails, the API, badges, bad input, queries."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from badges.models import Badge
from badges.selectors import print_item
from events_site.congresses.edit_conflicts import fingerprint
from registrations.enums import NameOrder
from registrations.models import RegistrationType
from registrations.services.orders import place_order
from registrations.services.setup import TYPE_EDIT_FIELDS
from tests.factories import DelegateFactory, RegistrationTypeFactory
from tests.registrations.conftest import order_kwargs

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(congress):
    return RegistrationTypeFactory(
        congress=congress,
        code="member",
        name="Member city",
        description="Local governments on the member list",
        regular_price=Decimal("450.00"),
        translations={"fr": {"name": "Ville membre", "description": "Collectivités membres"}},
    )


def _edit_url(congress, rtype):
    return reverse(
        "registrations:manage_type_edit",
        kwargs={"congress_slug": congress.slug, "type_id": rtype.pk},
    )


def _form(rtype, **overrides):
    data = {
        "code": rtype.code,
        "name": rtype.name,
        "description": rtype.description,
        "default_role": "delegate",
        "is_active": "on",
        "regular_price": "450.00",
        "name__fr": "Ville membre",
        "description__fr": "Collectivités membres",
        "name__es": "",
        "description__es": "",
    }
    data["fingerprint"] = fingerprint(rtype, TYPE_EDIT_FIELDS)
    data.update(overrides)
    return data


# --- reading: fallback --------------------------------------------------------------------


def test_a_field_reads_in_the_language_asked_and_falls_back_to_the_main_language(member):
    assert member.translated("name", "fr") == "Ville membre"
    assert member.translated("name", "es") == "Member city"  # not written in Spanish
    assert member.translated("name", "en") == "Member city"
    with translation.override("fr"):
        assert member.translated("name") == "Ville membre"


def test_a_blank_translation_falls_back_and_a_regional_code_reads_its_language(member):
    member.translations = {"es": {"name": "  "}, "pt": {"name": "Cidade membro"}}
    assert member.translated("name", "es") == "Member city"
    assert member.translated("name", "pt-br") == "Cidade membro"


def test_missing_translations_name_each_language_and_field(member):
    assert member.missing_translations(["fr", "es"]) == {"es": ["name", "description"]}


# --- the organiser form --------------------------------------------------------------------


def test_the_form_has_an_input_per_language_and_marks_the_missing_ones(client, alice, member):
    client.force_login(alice)
    response = client.get(_edit_url(member.congress, member))
    form = response.context["form"]
    assert [n for n in form.fields if n.startswith("name")] == ["name", "name__fr", "name__es"]
    assert form["name__fr"].value() == "Ville membre"
    assert "translation-missing" not in form["name__fr"].css_classes()
    assert "translation-missing" in form["name__es"].css_classes()
    html = response.content.decode()
    assert 'lang="es"' in html
    assert "Missing: readers of Español see the English text." in html


def test_saving_the_form_keeps_each_language_and_an_emptied_input_removes_it(client, alice, member):
    client.force_login(alice)
    data = _form(member, name__es="Ciudad miembro", description__fr="")
    response = client.post(_edit_url(member.congress, member), data)
    assert response.status_code == 302, response.context["form"].errors
    member.refresh_from_db()
    assert member.translations == {
        "fr": {"name": "Ville membre"},
        "es": {"name": "Ciudad miembro"},
    }
    assert member.name == "Member city"


def test_a_nul_in_a_translation_input_is_refused_site_wide_and_loses_nothing(client, alice, member):
    client.force_login(alice)
    data = _form(member, name__fr="Ville\x00membre")
    response = client.post(_edit_url(member.congress, member), data)
    assert response.status_code == 400
    member.refresh_from_db()
    assert member.translations["fr"]["name"] == "Ville membre"


@pytest.mark.parametrize(
    "value, message",
    [
        ("x" * 10_240, "at most 120 characters"),
        ("Ville\x1bmembre", "U+001B"),
    ],
)
def test_bad_text_in_a_translation_input_is_refused_with_a_message_and_loses_nothing(
    client, alice, member, value, message
):
    client.force_login(alice)
    response = client.post(_edit_url(member.congress, member), _form(member, name__fr=value))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors["name__fr"])
    member.refresh_from_db()
    assert member.translations["fr"]["name"] == "Ville membre"


def test_markup_in_a_translation_is_shown_as_text(client, member):
    member.translations = {"fr": {"name": "<b>Ville</b>"}}
    member.save()
    response = client.get(
        reverse("registrations:start", kwargs={"congress_slug": member.congress.slug}),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "&lt;b&gt;Ville&lt;/b&gt;" in response.content.decode()


# --- public pages, e-mails, invoices ---------------------------------------------------------


def test_the_public_form_shows_the_type_in_the_readers_language(client, member):
    url = reverse("registrations:start", kwargs={"congress_slug": member.congress.slug})
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ville membre" in french and "Member city" not in french
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Member city" in spanish and "Ville membre" not in spanish


def test_the_public_type_list_costs_the_same_queries_in_every_language(client, congress):
    for n in range(5):
        RegistrationTypeFactory(
            congress=congress, code=f"t{n}", translations={"fr": {"name": f"Type {n} fr"}}
        )
    url = reverse("registrations:start", kwargs={"congress_slug": congress.slug})
    client.get(url)  # warm the form cache alike for both
    counts = {}
    for language in ("en", "fr"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
        counts[language] = len(queries)
    assert counts["fr"] == counts["en"]


def test_the_organiser_type_list_costs_the_same_queries_with_translations(
    client, alice, congress, django_assert_max_num_queries
):
    url = reverse("registrations:manage_types", kwargs={"congress_slug": congress.slug})
    client.force_login(alice)
    RegistrationTypeFactory(congress=congress, code="plain")
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for n in range(5):
        RegistrationTypeFactory(
            congress=congress, code=f"t{n}", translations={"fr": {"name": f"Type {n} fr"}}
        )
    with django_assert_max_num_queries(len(before)):
        assert client.get(url).status_code == 200


def test_the_confirmation_e_mail_names_the_type_in_the_delegates_language(
    congress, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        place_order(**order_kwargs(congress, member, language="fr"))
    assert mail.outbox
    text = "\n".join(message.body for message in mail.outbox)
    assert "Ville membre" in text
    assert "Member city" not in text


def test_the_e_mail_in_a_language_without_a_translation_uses_the_main_language(
    congress, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        place_order(**order_kwargs(congress, member, language="es"))
    text = "\n".join(message.body for message in mail.outbox)
    assert "Member city" in text


# --- the API ---------------------------------------------------------------------------------


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def _types_url(congress):
    return f"/api/v1/congresses/{congress.slug}/registration-types/"


def test_the_api_accepts_and_returns_every_language(api, congress):
    created = api.post(
        _types_url(congress),
        {
            "code": "observer",
            "regular_price": "100.00",
            "name_translations": {"en": "Observer", "fr": "Observateur", "es": "Observador"},
            "description_translations": {"fr": "Sans droit de vote"},
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = api.get(f"{_types_url(congress)}{created.json()['id']}/").json()
    assert body["name"] == "Observer"
    assert body["name_translations"] == {"en": "Observer", "es": "Observador", "fr": "Observateur"}
    assert body["description_translations"] == {"en": "", "fr": "Sans droit de vote"}
    assert "translations" not in body
    rtype = RegistrationType.objects.get(code="observer")
    assert rtype.translated("name", "es") == "Observador"

    changed = api.patch(
        f"{_types_url(congress)}{rtype.pk}/",
        {"name_translations": {"es": ""}},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["name_translations"] == {"en": "Observer", "fr": "Observateur"}


@pytest.mark.parametrize(
    "translations, field",
    [
        ({"de": "Beobachter"}, "name_translations"),  # not one of the congress's languages
        ({"fr": "Obs\x00ervateur"}, "translations"),
        ({"fr": "x" * 10_240}, "name_translations"),
    ],
)
def test_the_api_refuses_bad_translations_with_a_field_message(api, congress, translations, field):
    response = api.post(
        _types_url(congress),
        {"code": "observer", "name": "Observer", "name_translations": translations},
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json() or "name_translations" in response.json()
    assert not RegistrationType.objects.filter(code="observer").exists()


# --- names in their culture's order ------------------------------------------------------------


def _badge_name(delegate) -> str:
    badge = Badge.objects.create(delegate=delegate, congress=delegate.order.congress)
    return print_item(badge, None)["name"]


def test_a_chinese_name_prints_family_name_first_without_a_space(member):
    delegate = DelegateFactory(
        order__congress=member.congress,
        registration_type=member,
        given_name="伟",
        family_name="王",
        country="CN",
    )
    assert delegate.full_name == "王伟"
    assert _badge_name(delegate) == "王伟"


def test_a_hungarian_name_prints_family_name_first_unless_the_delegate_chooses(member):
    delegate = DelegateFactory(
        order__congress=member.congress,
        registration_type=member,
        given_name="Zoltán",
        family_name="Nagy",
        country="HU",
    )
    assert _badge_name(delegate) == "Nagy Zoltán"
    delegate.name_order = NameOrder.GIVEN_FIRST
    assert delegate.full_name == "Zoltán Nagy"


def test_other_names_print_given_name_first_and_a_choice_wins(member):
    delegate = DelegateFactory(
        order__congress=member.congress,
        registration_type=member,
        given_name="Ana",
        family_name="Silva",
        country="PT",
    )
    assert delegate.full_name == "Ana Silva"
    delegate.name_order = NameOrder.FAMILY_FIRST
    assert delegate.full_name == "Silva Ana"


def test_the_organisers_list_writes_names_in_their_order(client, alice, member):
    DelegateFactory(
        order__congress=member.congress,
        registration_type=member,
        given_name="Zoltán",
        family_name="Nagy",
        country="HU",
    )
    client.force_login(alice)
    response = client.get(
        reverse("registrations:manage_list", kwargs={"congress_slug": member.congress.slug})
    )
    assert "Nagy Zoltán" in response.content.decode()
