"""Moving a call's parts up and down (proposal types, questions, score categories, review
phases): POST buttons on the call's page, one service that locks, re-reads and audits, and the
order read wherever the parts are listed."""

from decimal import Decimal

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from sessions.enums import QuestionTarget
from sessions.errors import CallSetupRefused
from sessions.models import CfpQuestion, ProposalType, ScoreCategory
from sessions.services import cfp_setup

from .cfp_world import make_call, make_proposal, make_reviewer, open_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(congress):
    call = make_call(congress)  # has the type "Panel" at position 0
    ProposalType.objects.create(call=call, name="Workshop", position=1)
    ProposalType.objects.create(call=call, name="Poster", position=2)
    return call


def _move_url(part, kind):
    call = part.call
    return reverse(
        "agenda:manage_call_part_move",
        kwargs={
            "congress_slug": call.congress.slug,
            "call_slug": call.slug,
            "kind": kind,
            "part_id": part.pk,
        },
    )


def _names(call):
    return list(ProposalType.objects.filter(call=call).values_list("name", flat=True))


def test_moving_a_type_up_changes_the_order_on_the_public_form_with_an_audit_entry(
    client, alice, call
):
    poster = call.proposal_types.get(name="Poster")
    client.force_login(alice)
    response = client.post(_move_url(poster, "type"), {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith("#parts-type")
    assert _names(call) == ["Panel", "Poster", "Workshop"]
    entry = AuditEntry.objects.get(action="convene.cfp.type_moved")
    assert entry.actor == alice and entry.data["direction"] == "up"
    client.logout()
    page = client.get(reverse("agenda:cfp_call", args=[call.congress.slug, call.slug]))
    body = page.content.decode()
    assert body.index(">Panel<") < body.index(">Poster<") < body.index(">Workshop<")


def test_moving_the_first_up_or_the_last_down_changes_nothing_and_says_so(client, alice, call):
    client.force_login(alice)
    first = call.proposal_types.get(name="Panel")
    response = client.post(_move_url(first, "type"), {"direction": "up"}, follow=True)
    assert "This is already the first." in response.content.decode()
    last = call.proposal_types.get(name="Poster")
    response = client.post(_move_url(last, "type"), {"direction": "down"}, follow=True)
    assert "This is already the last." in response.content.decode()
    assert _names(call) == ["Panel", "Workshop", "Poster"]
    assert not AuditEntry.objects.filter(action="convene.cfp.type_moved").exists()


def test_a_bad_direction_is_refused_with_a_message(client, alice, call):
    client.force_login(alice)
    workshop = call.proposal_types.get(name="Workshop")
    for direction in ("", "sideways", "<script>", "up\x00", "x" * 10000):
        response = client.post(_move_url(workshop, "type"), {"direction": direction}, follow=True)
        assert response.status_code in (200, 400)
    response = client.post(_move_url(workshop, "type"), {"direction": "left"}, follow=True)
    assert "Choose to move it up or down." in response.content.decode()
    assert _names(call) == ["Panel", "Workshop", "Poster"]


def test_equal_positions_of_older_rows_are_numbered_again(alice, call):
    ProposalType.objects.filter(call=call).update(position=0)  # ordered by name then
    poster = call.proposal_types.get(name="Poster")
    cfp_setup.move_call_part(part=poster, direction=cfp_setup.DOWN, by=alice)
    assert _names(call) == ["Panel", "Workshop", "Poster"]
    assert list(ProposalType.objects.filter(call=call).values_list("position", flat=True)) == [
        0,
        1,
        2,
    ]


def test_questions_move_among_those_asked_of_the_same_people(client, alice, call):
    first = CfpQuestion.objects.create(call=call, text="Budget?", position=0)
    speaker = CfpQuestion.objects.create(
        call=call, text="Diet?", target=QuestionTarget.SPEAKER, position=1
    )
    second = CfpQuestion.objects.create(call=call, text="City network?", position=2)
    with pytest.raises(CallSetupRefused, match="already the first"):
        cfp_setup.move_call_part(part=speaker, direction=cfp_setup.UP, by=alice)
    cfp_setup.move_call_part(part=second, direction=cfp_setup.UP, by=alice)
    form = client.get(reverse("agenda:cfp_call", args=[call.congress.slug, call.slug]))
    body = form.content.decode()
    assert body.index("City network?") < body.index("Budget?")
    first.refresh_from_db()
    assert first.position == 1


def test_score_categories_are_in_the_chosen_order_on_the_reviewer_page(client, alice, call):
    ScoreCategory.objects.create(call=call, name="Originality", weight=Decimal("1"), position=2)
    quality = call.score_categories.get(name="Quality")  # Relevance, Quality, Originality
    cfp_setup.move_call_part(part=quality, direction=cfp_setup.UP, by=alice)
    proposal = make_proposal(call)
    open_phase(call)
    client.force_login(make_reviewer(call.congress, "rita"))
    page = client.get(
        reverse("agenda:review_proposal", args=[call.congress.slug, call.slug, proposal.code])
    ).content.decode()
    assert page.index("Quality") < page.index("Relevance") < page.index("Originality")


def test_the_call_page_has_buttons_without_the_impossible_moves(client, alice, call):
    client.force_login(alice)
    page = client.get(
        reverse("agenda:manage_call", args=[call.congress.slug, call.slug])
    ).content.decode()
    panel, poster = (call.proposal_types.get(name=n) for n in ("Panel", "Poster"))
    assert page.count(f'action="{_move_url(panel, "type")}"') == 1  # down only
    assert page.count(f'action="{_move_url(poster, "type")}"') == 1  # up only
    assert 'name="csrfmiddlewaretoken"' in page


def test_another_congresss_part_or_an_unordered_kind_is_a_404(client, alice, call, other_congress):
    foreign = make_call(other_congress).proposal_types.get()
    client.force_login(alice)
    url = reverse(
        "agenda:manage_call_part_move",
        kwargs={
            "congress_slug": call.congress.slug,
            "call_slug": call.slug,
            "kind": "type",
            "part_id": foreign.pk,
        },
    )
    assert client.post(url, {"direction": "up"}).status_code == 404
    code = call.access_codes.create(code="LATE", allows_late_submission=True)
    assert client.post(_move_url(code, "code"), {"direction": "up"}).status_code == 404
    assert client.get(_move_url(call.proposal_types.first(), "type")).status_code == 405


def test_a_narrower_role_and_an_outsider_cannot_move(client, bob, charlie, call):
    poster = call.proposal_types.get(name="Poster")
    for person in (bob, charlie):
        client.force_login(person)
        assert client.post(_move_url(poster, "type"), {"direction": "up"}).status_code in (
            403,
            404,
        )
    assert _names(call) == ["Panel", "Workshop", "Poster"]


def test_the_csrf_token_is_required(alice, call):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice)
    poster = call.proposal_types.get(name="Poster")
    assert strict.post(_move_url(poster, "type"), {"direction": "up"}).status_code == 403
    assert _names(call) == ["Panel", "Workshop", "Poster"]
