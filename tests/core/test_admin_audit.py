"""Team roles (the permissions) edited in the Django admin go through the team services and
leave audit entries: who, and before/after."""

import pytest
from django.test import Client
from django.urls import reverse

from events_site.congresses.models import AuditEntry, TeamMembership
from tests.admin_forms import form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(root):
    client = Client()
    client.force_login(root)
    return client


def entries(action: str):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_granting_changing_and_revoking_a_role_in_the_admin_is_audited(admin_client, congress, bob):
    dana = UserFactory(username="dana")
    added = admin_client.post(
        reverse("admin:congresses_teammembership_add"),
        {"user": dana.pk, "congress": congress.pk, "role": "registration"},
    )
    assert added.status_code == 302, added.content[:2000]
    membership = TeamMembership.objects.get(user=dana)
    (granted,) = entries("convene.team.role_granted")
    assert granted.actor.username == "root" and granted.congress == congress
    assert granted.data == {"user": "dana", "role": "registration"}

    change_url = reverse("admin:congresses_teammembership_change", args=[membership.pk])
    changed = admin_client.post(
        change_url, {"user": dana.pk, "congress": congress.pk, "role": "owner"}
    )
    assert changed.status_code == 302
    (updated,) = entries("convene.team.role_changed")
    assert updated.actor.username == "root" and updated.target_id == str(membership.pk)
    assert updated.data["role"] == ["registration", "owner"]
    assert updated.data["user"] == ["dana", "dana"]
    membership.refresh_from_db()
    assert membership.role == "owner"

    # Saving without a change writes nothing.
    admin_client.post(change_url, {"user": dana.pk, "congress": congress.pk, "role": "owner"})
    assert len(entries("convene.team.role_changed")) == 1

    delete_url = reverse("admin:congresses_teammembership_delete", args=[membership.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    (revoked,) = entries("convene.team.role_revoked")
    assert revoked.actor.username == "root"
    assert revoked.data == {"user": "dana", "role": "owner"}
    assert not TeamMembership.objects.filter(user=dana).exists()


def test_a_bulk_delete_of_roles_revokes_each_through_the_service(admin_client, congress, bob):
    memberships = list(TeamMembership.objects.filter(congress=congress))
    response = admin_client.post(
        reverse("admin:congresses_teammembership_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [m.pk for m in memberships],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not TeamMembership.objects.filter(congress=congress).exists()
    assert {e.data["user"] for e in entries("convene.team.role_revoked")} == {"bob"}


def test_team_rows_edited_inline_on_the_congress_are_audited(admin_client, congress, alice, bob):
    change_url = reverse("admin:congresses_congress_change", args=[congress.pk])
    data = form_data(admin_client.get(change_url))
    rows = int(data["team-TOTAL_FORMS"])
    bob_row = next(n for n in range(rows) if data[f"team-{n}-user"] == str(bob.pk))
    alice_row = next(n for n in range(rows) if data[f"team-{n}-user"] == str(alice.pk))
    dana = UserFactory(username="dana")
    data[f"team-{bob_row}-role"] = "programme"
    data[f"team-{alice_row}-DELETE"] = "on"
    data.update({f"team-{rows}-user": str(dana.pk), f"team-{rows}-role": "finance"})
    data["team-TOTAL_FORMS"] = str(rows + 1)

    response = admin_client.post(change_url, data)

    assert response.status_code == 302, response.content[:3000]
    (changed,) = entries("convene.team.role_changed")
    assert changed.data["role"] == ["checkin", "programme"] and changed.data["user"] == ["bob"] * 2
    (granted,) = entries("convene.team.role_granted")
    assert granted.data == {"user": "dana", "role": "finance"}
    (revoked,) = entries("convene.team.role_revoked")
    assert revoked.data == {"user": "alice", "role": "owner"}
    assert all(e.actor.username == "root" for e in (changed, granted, revoked))
    assert sorted(TeamMembership.objects.values_list("user__username", "role")) == [
        ("bob", "programme"),
        ("dana", "finance"),
    ]
