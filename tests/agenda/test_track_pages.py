"""The programme organiser's track pages: create, edit, order, delete, without the admin."""

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions import services
from sessions.models import Track
from tests.factories import TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


@pytest.fixture
def programme(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


def _form(**overrides):
    data = {"name": "Water", "slug": "water", "colour": "#1f5fa8", "description": ""}
    data.update(overrides)
    return data


def test_a_programme_organiser_creates_tracks_in_order(client, programme, congress):
    client.force_login(programme)
    client.post(_url("manage_track_create", congress), _form())
    client.post(_url("manage_track_create", congress), _form(name="Housing", slug="housing"))
    order = list(Track.objects.filter(congress=congress).values_list("slug", flat=True))
    assert order == ["water", "housing"]
    assert AuditEntry.objects.filter(action="convene.agenda.track_created").count() == 2


def test_the_list_counts_sessions_in_a_fixed_number_of_queries(
    client, programme, congress, track, make_session, django_assert_max_num_queries
):
    for n in range(30):
        services.create_track(congress=congress, by=programme, name=f"T{n}", slug=f"t{n}")
    make_session(track=track)
    client.force_login(programme)
    with django_assert_max_num_queries(10):
        response = client.get(_url("manage_tracks", congress))
    rows = {t.slug: t.session_count for t in response.context["tracks"]}
    assert rows["climate"] == 1 and rows["t0"] == 0
    assert "/admin/" not in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"colour": "#ffff66"}, "colour"),  # too pale on white
        ({"colour": "red"}, "colour"),
        ({"slug": "not a slug"}, "slug"),
        ({"name": "x" * 10_000}, "name"),
        ({"name": "Wa\x0bter"}, "name"),
        ({"description": "y" * 10_000}, "description"),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, programme, congress, overrides, field):
    client.force_login(programme)
    response = client.post(_url("manage_track_create", congress), _form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Track.objects.filter(congress=congress).exists()


def test_a_slug_taken_in_the_congress_is_refused(client, programme, congress, track):
    client.force_login(programme)
    response = client.post(_url("manage_track_create", congress), _form(slug="climate"))
    assert "slug" in response.context["form"].errors


def test_the_later_of_two_edits_is_refused(client, programme, congress, track):
    client.force_login(programme)
    shown = client.get(_url("manage_track_edit", congress, track_id=track.pk))
    version = shown.context["form"].initial["fingerprint"]
    services.update_track(track=track, by=None, name="Climate action")
    response = client.post(
        _url("manage_track_edit", congress, track_id=track.pk),
        _form(name="Climate and energy", slug="climate", fingerprint=version),
    )
    assert "Someone else changed this" in response.content.decode()
    track.refresh_from_db()
    assert track.name == "Climate action"


def test_tracks_move_and_a_used_track_cannot_be_deleted(
    client, programme, congress, track, make_session
):
    other = services.create_track(congress=congress, by=programme, name="B", slug="b", position=1)
    make_session(track=track)
    client.force_login(programme)
    client.post(_url("manage_track_move", congress, track_id=other.pk), {"direction": "up"})
    assert list(Track.objects.values_list("slug", flat=True)) == ["b", "climate"]
    response = client.post(_url("manage_track_delete", congress, track_id=track.pk), follow=True)
    assert "1 session belongs to this track" in response.content.decode()
    assert Track.objects.filter(pk=track.pk).exists()
    client.post(_url("manage_track_delete", congress, track_id=other.pk))
    assert not Track.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("role", ["registration", "finance", "checkin"])
def test_other_roles_are_refused(client, congress, track, role):
    user = UserFactory(username=f"only-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client.force_login(user)
    assert client.get(_url("manage_tracks", congress)).status_code == 403
    assert client.post(_url("manage_track_delete", congress, track_id=track.pk)).status_code == 403
    assert Track.objects.filter(pk=track.pk).exists()


def test_a_track_of_another_congress_is_not_found(client, alice, congress, other_congress):
    theirs = services.create_track(congress=other_congress, by=None, name="Theirs", slug="t")
    client.force_login(alice)
    assert client.get(_url("manage_track_edit", congress, track_id=theirs.pk)).status_code == 404
    response = client.post(_url("manage_track_delete", congress, track_id=theirs.pk))
    assert response.status_code == 404
    assert Track.objects.filter(pk=theirs.pk).exists()
