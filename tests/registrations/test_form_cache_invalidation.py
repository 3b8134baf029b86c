"""The kept form page is made stale by the services (and admin screens) that change what it
shows, explicitly: no model signal, which a ``QuerySet.update()`` would slip past."""

from decimal import Decimal

import pytest
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.test import Client
from django.urls import reverse

from events_site.congresses import public_version
from events_site.congresses.models import Congress
from events_site.congresses.services import update_congress
from registrations import form_cache
from registrations.models import Question, RegistrationSettings, RegistrationType
from registrations.services.setup import save_registration_type
from tests.factories import RegistrationTypeFactory, UserFactory
from tests.tokens import without_random_tokens

from .conftest import save_question_in_admin
from .test_public_views import details_url

pytestmark = pytest.mark.django_db

QUERY = {"registration_type": "member", "delegates": 1}


def _receivers(signal, sender) -> list:
    return [entry for entry in signal.receivers if entry[0][1] == id(sender)]


@pytest.mark.parametrize("model", [Congress, RegistrationType, Question, RegistrationSettings])
def test_no_model_signal_keeps_the_form_page_fresh(model):
    assert not _receivers(post_save, model)
    assert not _receivers(post_delete, model)
    assert not _receivers(m2m_changed, Question.registration_types.through)


def test_a_write_the_signals_never_saw_shows_once_the_service_invalidates(
    client, congress, regtype
):
    """What a ``QuerySet.update()`` inside a service looks like: no ``save()``, no signal;
    the service's own call makes the next request show it."""
    assert "450" in client.get(details_url(congress), QUERY).content.decode()
    RegistrationType.objects.filter(pk=regtype.pk).update(regular_price=Decimal("475.00"))
    form_cache.invalidate()
    body = client.get(details_url(congress), QUERY).content.decode()
    assert "475" in body and "450" not in without_random_tokens(body)


def test_a_price_changed_through_the_service_shows_on_the_next_request(client, congress, regtype):
    assert "450" in client.get(details_url(congress), QUERY).content.decode()
    save_registration_type(congress=congress, instance=regtype, regular_price=Decimal("475.00"))
    body = client.get(details_url(congress), QUERY).content.decode()
    assert "475" in body and "450" not in without_random_tokens(body)


def test_a_status_changed_through_the_core_service_shows_on_the_next_request(
    client, congress, regtype
):
    assert client.get(details_url(congress), QUERY).status_code == 200
    update_congress(congress=congress, status="draft")
    assert client.get(details_url(congress), QUERY).status_code == 404


def test_the_version_changes_again_when_the_transaction_commits(
    congress, django_capture_on_commit_callbacks
):
    """A page rendered from the old rows between the change and its commit is not kept."""
    with django_capture_on_commit_callbacks() as callbacks:
        form_cache.invalidate()
        during = public_version.current()
    for callback in callbacks:
        callback()
    assert callbacks and public_version.current() != during


def test_questions_added_changed_and_deleted_in_the_admin_show_on_the_next_request(
    client, congress, regtype
):
    assert b"Arrival date" not in client.get(details_url(congress), QUERY).content
    question = save_question_in_admin(congress, label="Arrival date", kind="date")
    assert b"Arrival date" in client.get(details_url(congress), QUERY).content
    save_question_in_admin(congress, question, registration_types=[regtype.pk])
    assert b"Only for: Member." in client.get(details_url(congress), QUERY).content

    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    deleted = admin.post(
        reverse("admin:registrations_question_changelist"),
        {"action": "delete_selected", "_selected_action": [question.pk], "post": "yes"},
    )
    assert deleted.status_code == 302
    assert b"Arrival date" not in client.get(details_url(congress), QUERY).content


def test_a_type_deleted_in_the_admin_leaves_the_next_request(client, congress, regtype):
    other = RegistrationTypeFactory(congress=congress, code="student", name="Student rate")
    assert b"Student rate" in client.get(details_url(congress), QUERY).content
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    deleted = admin.post(
        reverse("admin:registrations_registrationtype_delete", args=[other.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert b"Student rate" not in client.get(details_url(congress), QUERY).content
