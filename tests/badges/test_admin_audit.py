"""Badge layouts edited in the Django admin go through the layout services: audited, with who
and each changed field before and after."""

import pytest
from django.test import Client
from django.urls import reverse

from badges.models import BadgeLayout
from events_site.congresses.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def layout_form(congress, **extra) -> dict:
    return {
        "congress": congress.pk,
        "name": "Speakers",
        "registration_type": "",
        "role": "speaker",
        "label": "SPEAKER",
        "band_colour": "#aa0000",
        "band_text_colour": "#ffffff",
        "back_text": "Wi-Fi: wcg / 2027",
        "extra_css": "",
        "position": "0",
        **extra,
    }


def entries(action: str):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_creating_changing_and_deleting_a_layout_is_audited(admin_client, congress):
    added = admin_client.post(reverse("admin:badges_badgelayout_add"), layout_form(congress))
    assert added.status_code == 302, added.content[:2000]
    layout = BadgeLayout.objects.get(name="Speakers")
    (created,) = entries("convene.badge_layout.created")
    assert created.actor.username == "root" and created.congress == congress
    assert created.target_id == str(layout.pk)
    assert created.data["changed"]["band_colour"] == ["#0b5cad", "#aa0000"]

    change_url = reverse("admin:badges_badgelayout_change", args=[layout.pk])
    hostile = "<script>x</script>\u202e" + "é" * 40
    changed = admin_client.post(
        change_url, layout_form(congress, band_colour="#00aa00", back_text=hostile)
    )
    assert changed.status_code == 302, changed.content[:2000]
    (updated,) = entries("convene.badge_layout.updated")
    assert updated.data["changed"] == {
        "band_colour": ["#aa0000", "#00aa00"],
        "back_text": ["Wi-Fi: wcg / 2027", hostile],
    }
    layout.refresh_from_db()
    assert layout.band_colour == "#00aa00"

    # Saving without a change writes nothing.
    admin_client.post(change_url, layout_form(congress, band_colour="#00aa00", back_text=hostile))
    assert len(entries("convene.badge_layout.updated")) == 1

    delete_url = reverse("admin:badges_badgelayout_delete", args=[layout.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    (deleted,) = entries("convene.badge_layout.deleted")
    assert deleted.data["object"] == "Speakers" and deleted.actor.username == "root"
    assert not BadgeLayout.objects.exists()


def test_a_bulk_delete_of_layouts_audits_each_one(admin_client, congress):
    layouts = [BadgeLayout.objects.create(congress=congress, name=f"L{n}") for n in range(3)]
    response = admin_client.post(
        reverse("admin:badges_badgelayout_changelist"),
        {"action": "delete_selected", "_selected_action": [x.pk for x in layouts], "post": "yes"},
    )
    assert response.status_code == 302
    assert not BadgeLayout.objects.exists()
    assert {e.target_id for e in entries("convene.badge_layout.deleted")} == {
        str(x.pk) for x in layouts
    }


def test_a_refused_layout_writes_no_audit_entry(admin_client, congress):
    response = admin_client.post(
        reverse("admin:badges_badgelayout_add"), layout_form(congress, band_colour="red")
    )
    assert response.status_code == 200
    assert not BadgeLayout.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="convene.badge_layout").exists()
