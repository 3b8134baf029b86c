"""The speakers picker's search and the merge of duplicate speakers."""

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions import services
from sessions.enums import SpeakerRole
from sessions.errors import InvalidProgrammeData
from sessions.models import SessionSpeaker, Speaker
from sessions.services import blocks
from sessions.services.speaker_merge import merge_speakers, plan_merge
from tests.factories import TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


@pytest.fixture
def programme(congress):
    user = UserFactory(username="pia")
    TeamMembershipFactory(congress=congress, user=user, role="programme")
    return user


@pytest.fixture
def namesakes(congress, alice):
    return [
        services.create_speaker(
            congress=congress, by=alice, name="Maria Silva", organisation=org, country=country
        )
        for org, country in (("City of Porto", "PT"), ("USP", "BR"))
    ]


def test_the_search_tells_namesakes_apart_by_organisation_and_country(
    client, programme, congress, namesakes
):
    client.force_login(programme)
    data = client.get(_url("manage_speaker_search", congress), {"q": "maria"}).json()
    labels = [r["label"] for r in data["results"]]
    assert labels == ["Maria Silva — City of Porto, Portugal", "Maria Silva — USP, Brazil"]
    by_org = client.get(_url("manage_speaker_search", congress), {"q": "USP"}).json()
    assert [r["code"] for r in by_org["results"]] == [namesakes[1].code]


def test_the_search_keeps_to_the_congress_and_twenty_results(
    client, programme, congress, other_congress, alice, django_assert_max_num_queries
):
    Speaker.objects.bulk_create(
        Speaker(congress=congress, code=f"S{n:04d}", name=f"Speaker {n}") for n in range(300)
    )
    services.create_speaker(congress=other_congress, by=alice, name="Speaker elsewhere")
    client.force_login(programme)
    with django_assert_max_num_queries(8):
        data = client.get(_url("manage_speaker_search", congress), {"q": "speaker"}).json()
    assert len(data["results"]) == 20
    assert all(r["name"] != "Speaker elsewhere" for r in data["results"])


@pytest.mark.parametrize("query", ["", "\x00\x01", "<script>", "x" * 10_000, "%", "_", "山田"])
def test_hostile_searches_answer_json(client, programme, congress, kenji, query):
    client.force_login(programme)
    response = client.get(_url("manage_speaker_search", congress), {"q": query})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        data = response.json()
        assert len(data["query"]) <= 100
        assert [r["name"] for r in data["results"]] == (["山田 健二"] if query == "山田" else [])


def test_the_search_is_for_programme_organisers_only(client, bob, charlie, congress):
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(_url("manage_speaker_search", congress), {"q": "a"}).status_code == 403


def test_the_session_form_offers_the_picker_over_a_plain_select(
    client, programme, congress, namesakes
):
    client.force_login(programme)
    page = client.get(_url("manage_session_create", congress)).content.decode()
    assert "data-speaker-picker" in page and "speaker-picker.js" in page
    assert "Maria Silva — USP, Brazil" in page  # the plain select tells them apart too
    assert 'name="chairs"' in page


def test_a_merge_re_points_sessions_and_contributions_and_is_audited(
    congress, alice, ana, make_session
):
    duplicate = services.create_speaker(
        congress=congress, by=alice, name="Ana Muller", bio="Urbanist", country="PT"
    )
    both = make_session(start=(9, 0), speakers=[(ana, "speaker"), (duplicate, "panellist")])
    only_dup = make_session(start=(11, 0), speakers=[(duplicate, SpeakerRole.MODERATOR)])
    contribution = blocks.add_contribution(
        session=only_dup, by=alice, title="Talk", minutes=10, speakers=[duplicate]
    )
    plan = plan_merge(survivor=ana, duplicate=duplicate)
    assert [r.session for r in plan.moved_roles] == [only_dup]
    assert [r.session for r in plan.dropped_roles] == [both]
    assert plan.filled == {"country": "PT", "bio": "Urbanist"}
    merge_speakers(survivor=ana, duplicate=duplicate, by=alice)
    assert not Speaker.objects.filter(pk=duplicate.pk).exists()
    assert list(SessionSpeaker.objects.filter(session=both).values_list("speaker", flat=True)) == [
        ana.pk
    ]
    assert SessionSpeaker.objects.get(session=only_dup).speaker == ana
    assert list(contribution.speakers.all()) == [ana]
    ana.refresh_from_db()
    assert ana.bio == "Urbanist" and ana.organisation == "City of Lisbon"
    entry = AuditEntry.objects.get(action="convene.agenda.speakers_merged")
    assert entry.data["duplicate"] == duplicate.code and entry.data["dropped"] == [both.code]


def test_a_speaker_cannot_be_merged_into_itself_or_across_congresses(
    congress, other_congress, alice, ana
):
    with pytest.raises(InvalidProgrammeData):
        plan_merge(survivor=ana, duplicate=ana)
    stranger = services.create_speaker(congress=other_congress, by=alice, name="Ana")
    with pytest.raises(InvalidProgrammeData):
        plan_merge(survivor=ana, duplicate=stranger)


def test_the_merge_page_previews_then_merges(client, programme, congress, alice, ana, make_session):
    duplicate = services.create_speaker(congress=congress, by=alice, name="Ana M.")
    session = make_session(speakers=[(duplicate, "speaker")])
    client.force_login(programme)
    url = _url("manage_speaker_merge", congress)
    page = client.get(url, {"survivor": ana.code, "duplicate": duplicate.code}).content.decode()
    assert session.code in page and "is deleted" in page
    assert Speaker.objects.filter(pk=duplicate.pk).exists()  # a preview changes nothing
    response = client.post(url, {"survivor": ana.code, "duplicate": duplicate.code})
    assert response.status_code == 302
    assert not Speaker.objects.filter(pk=duplicate.pk).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"survivor": "SAME", "duplicate": "SAME"},
        {"survivor": "NOPE", "duplicate": "<script>"},
        {"survivor": "x" * 10_000, "duplicate": ""},
    ],
)
def test_hostile_merges_change_nothing(client, programme, congress, ana, data):
    data = {k: (ana.code if v == "SAME" else v) for k, v in data.items()}
    client.force_login(programme)
    response = client.post(_url("manage_speaker_merge", congress), data)
    assert response.status_code == 200
    assert Speaker.objects.filter(pk=ana.pk).exists()


def test_check_in_staff_may_not_merge(client, bob, congress, ana, alice):
    duplicate = services.create_speaker(congress=congress, by=alice, name="Ana M.")
    client.force_login(bob)
    response = client.post(
        _url("manage_speaker_merge", congress), {"survivor": ana.code, "duplicate": duplicate.code}
    )
    assert response.status_code == 403
    assert Speaker.objects.filter(pk=duplicate.pk).exists()
