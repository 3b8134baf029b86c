"""The organisers' set-up of a call: its texts in every language of the congress (read in the
reader's language on the public pages), editing and deleting its parts (refused while proposals
or reviews use them), and reviewers limited to tracks."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from events_site.congresses.models import AuditEntry
from sessions.enums import QuestionTarget
from sessions.errors import CallSetupRefused, ProposalIncomplete
from sessions.models import (
    AccessCode,
    CallForProposals,
    CfpQuestion,
    ProposalType,
    ReviewAssignment,
    ReviewerProfile,
    ReviewPhase,
    ScoreCategory,
    Track,
)
from sessions.services import cfp, cfp_review, cfp_setup

from .cfp_world import make_call, make_proposal, make_reviewer, open_phase

pytestmark = pytest.mark.django_db


def _call_url(call, name="manage_call", **kwargs):
    return reverse(
        f"agenda:{name}",
        kwargs={"congress_slug": call.congress.slug, "call_slug": call.slug, **kwargs},
    )


def _part_url(part, kind, name="manage_call_part"):
    return _call_url(part.call, name, kind=kind, part_id=part.pk)


def _call_data(call, **changes):
    data = {
        "part": "call",
        "title": call.title,
        "slug": call.slug,
        "kind": call.kind,
        "description": call.description,
        "review_description": call.review_description,
        "opens_at": timezone.localtime(call.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "deadline": timezone.localtime(call.deadline).strftime("%Y-%m-%dT%H:%M"),
        "reviews_per_proposal": call.reviews_per_proposal,
        "max_speakers": call.max_speakers,
        "paid_speaker_policy": call.paid_speaker_policy,
    }
    data.update(changes)
    return data


def _type_data(**changes):
    data = {"type-name": "Workshop", "type-format": "workshop", "type-default_minutes": "90"}
    data.update(changes)
    return data


@pytest.fixture
def call(congress):
    return make_call(congress, description="Sessions by cities.", review_description="Blind.")


# --- the call's texts in every language ----------------------------------------------------


def test_the_call_form_has_an_input_per_language_and_saves_the_translations(client, alice, call):
    client.force_login(alice)
    page = client.get(_call_url(call)).content.decode()
    assert 'name="title__fr"' in page and 'name="description__es"' in page
    response = client.post(
        _call_url(call),
        _call_data(call, title__fr="Appel à sessions", description__fr="Des sessions des villes."),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    call.refresh_from_db()
    assert call.translations == {
        "fr": {"title": "Appel à sessions", "description": "Des sessions des villes."}
    }
    assert AuditEntry.objects.filter(action="convene.cfp.call_changed").exists()


def test_the_public_call_page_reads_the_readers_language_with_the_main_as_fallback(client, call):
    call.translations = {"fr": {"title": "Appel à sessions", "review_description": "À l'aveugle."}}
    call.save()
    panel = call.proposal_types.get()
    panel.translations = {"fr": {"name": "Table ronde"}}
    panel.save()
    url = reverse("agenda:cfp_call", args=[call.congress.slug, call.slug])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Appel à sessions" in french and "Table ronde" in french
    assert "À l&#x27;aveugle." in french
    assert "Sessions by cities." in french  # no French description: the main language's
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Call for sessions" in spanish and "Panel" in spanish


def test_the_proposal_form_asks_the_questions_in_the_readers_language(client, call):
    CfpQuestion.objects.create(
        call=call,
        text="Why this city?",
        help_text="One line.",
        translations={"fr": {"text": "Pourquoi cette ville ?", "help_text": "Une ligne."}},
    )
    url = reverse("agenda:cfp_call", args=[call.congress.slug, call.slug])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Pourquoi cette ville ?" in french and "Une ligne." in french
    assert "Why this city?" in client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_a_missing_translation_is_marked_on_the_edit_form_and_the_call_page(client, alice, call):
    panel = call.proposal_types.get()
    panel.translations = {"fr": {"name": "Table ronde"}}
    panel.save()
    client.force_login(alice)
    form = client.get(_part_url(panel, "type")).content.decode()
    assert 'value="Table ronde"' in form
    assert form.count("translation-missing") == 1  # Spanish name missing, French written
    page = client.get(_call_url(panel.call)).content.decode()
    assert "missing: es" in page
    assert "missing: es, fr" in page  # the score categories have no translation at all


# --- editing and deleting parts -------------------------------------------------------------


def test_an_organiser_edits_a_proposal_type_with_its_translations(client, alice, call):
    panel = call.proposal_types.get()
    client.force_login(alice)
    response = client.post(_part_url(panel, "type"), _type_data(**{"type-name__fr": "Atelier"}))
    assert response.status_code == 302
    panel.refresh_from_db()
    assert (panel.name, panel.default_minutes) == ("Workshop", 90)
    assert panel.translated("name", "fr") == "Atelier"
    assert AuditEntry.objects.filter(action="convene.cfp.type_changed").exists()


def test_an_edit_with_errors_shows_them_beside_the_field_and_saves_nothing(client, alice, call):
    panel = call.proposal_types.get()
    client.force_login(alice)
    response = client.post(_part_url(panel, "type"), _type_data(**{"type-default_minutes": "2"}))
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    panel.refresh_from_db()
    assert panel.default_minutes == 75


def test_an_access_code_keeps_its_own_code_when_edited_and_can_be_made_inactive(
    client, alice, call
):
    code = AccessCode.objects.create(call=call, code="CITIES", allows_late_submission=True)
    client.force_login(alice)
    response = client.post(
        _part_url(code, "code"),
        {"code-code": "cities", "code-max_uses": "3", "code-allows_late_submission": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    code.refresh_from_db()
    assert (code.max_uses, code.is_active) == (3, False)


def test_an_access_code_cannot_take_another_codes_name(client, alice, call):
    AccessCode.objects.create(call=call, code="TAKEN", allows_late_submission=False)
    code = AccessCode.objects.create(call=call, code="MINE", allows_late_submission=False)
    client.force_login(alice)
    response = client.post(_part_url(code, "code"), {"code-code": "TAKEN", "code-max_uses": "1"})
    assert response.status_code == 400
    assert "This call already has this code." in response.content.decode()


def test_a_question_keeps_its_choices_and_flags_when_edited(client, alice, call):
    question = CfpQuestion.objects.create(
        call=call, text="Room?", kind="choice", choices=["Small", "Large"]
    )
    client.force_login(alice)
    form = client.get(_part_url(question, "question")).content.decode()
    assert "Small\nLarge" in form
    soon = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _part_url(question, "question"),
        {
            "question-target": QuestionTarget.SPEAKER,
            "question-text": "Which room?",
            "question-text__fr": "Quelle salle ?",
            "question-kind": "choice",
            "question-choices_text": "Small\nLarge\nHall",
            "question-required_from": soon,
            "question-locked_after": soon,
            "question-hidden_from_reviewers": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.choices == ["Small", "Large", "Hall"]
    assert question.hidden_from_reviewers and question.required_from and question.locked_after
    assert question.translated("text", "fr") == "Quelle salle ?"


def test_an_unused_part_is_deleted_with_an_audit_entry(client, alice, call):
    workshop = ProposalType.objects.create(call=call, name="Workshop")
    client.force_login(alice)
    response = client.post(_part_url(workshop, "type", "manage_call_part_delete"))
    assert response.status_code == 302
    assert not ProposalType.objects.filter(pk=workshop.pk).exists()
    assert AuditEntry.objects.filter(action="convene.cfp.type_deleted").exists()


def test_deleting_a_type_proposals_use_is_refused_with_a_clear_message(client, alice, call):
    make_proposal(call)
    panel = call.proposal_types.get()
    client.force_login(alice)
    response = client.post(_part_url(panel, "type", "manage_call_part_delete"), follow=True)
    assert "1 proposal has this type: give it another type first." in response.content.decode()
    assert ProposalType.objects.filter(pk=panel.pk).exists()


def test_an_answered_question_a_used_code_a_scored_category_and_the_active_phase_stay(alice, call):
    question = CfpQuestion.objects.create(call=call, text="Why?")
    unanswered = CfpQuestion.objects.create(call=call, text="Anything else?")
    proposal = make_proposal(call, answers={str(question.pk): "Heat", str(unanswered.pk): ""})
    code = AccessCode.objects.create(call=call, code="USED", allows_late_submission=False)
    proposal.access_code = code
    proposal.save()
    phase = open_phase(call)
    reviewer = make_reviewer(call.congress, "rita")
    relevance, quality = call.score_categories.order_by("pk")
    cfp_review.save_review(
        proposal=proposal, reviewer=reviewer, scores={relevance.pk: 4, quality.pk: 3}, comment=""
    )
    for part, words in (
        (question, "This question has 1 answer"),
        (code, "This code was used 1 time"),
        (relevance, "Reviewers gave 1 score in this category"),
        (phase, "This is the active phase"),
    ):
        with pytest.raises(CallSetupRefused, match=words):
            cfp_setup.delete_call_part(part=part, by=alice)
    cfp_setup.delete_call_part(part=unanswered, by=alice)  # an empty answer is none
    assert not CfpQuestion.objects.filter(pk=unanswered.pk).exists()
    assert ReviewPhase.objects.filter(pk=phase.pk).exists()


def test_a_part_of_another_call_or_an_unknown_kind_is_a_404(client, alice, call):
    other = make_call(call.congress, slug="posters")
    client.force_login(alice)
    panel = other.proposal_types.get()
    assert (
        client.get(_call_url(call, "manage_call_part", kind="type", part_id=panel.pk)).status_code
        == 404
    )
    assert client.get(_part_url(panel, "venue")).status_code == 404
    assert client.get(_part_url(panel, "category")).status_code == 404


def test_the_service_refuses_a_part_of_another_call(alice, call):
    other = make_call(call.congress, slug="posters")
    with pytest.raises(CallSetupRefused):
        cfp_setup.save_call_part(
            call=call, kind="type", by=alice, part=other.proposal_types.get(), fields={}
        )
    with pytest.raises(CallSetupRefused):
        cfp_setup.save_call_part(
            call=call,
            kind="code",
            by=alice,
            fields={"code": "X", "allows_late_submission": False},
            m2m={"proposal_types": [other.proposal_types.get()]},
        )


def test_a_narrower_role_and_an_outsider_cannot_edit_or_delete(client, bob, charlie, call):
    panel = call.proposal_types.get()
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(_part_url(panel, "type")).status_code in (403, 404)
        response = client.post(_part_url(panel, "type", "manage_call_part_delete"))
        assert response.status_code in (403, 404)
    assert ProposalType.objects.filter(pk=panel.pk, name="Panel").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("type-name", "Panel\x00", "NUL character"),
        ("type-name", "Panel\x07", "control character"),
        ("type-name__fr", "Table\x00", "NUL character"),
        ("type-name__fr", "Table\x1b", "control character"),
        ("type-name", "x" * 10_240, "at most 120"),
        ("type-name__es", "x" * 10_240, "at most 120"),
        ("type-default_minutes", "9" * 10_240, ""),
    ],
)
def test_bad_input_on_a_part_edit_gets_a_message_and_saves_nothing(
    client, alice, call, field, value, message
):
    panel = call.proposal_types.get()
    client.force_login(alice)
    response = client.post(_part_url(panel, "type"), _type_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    panel.refresh_from_db()
    assert (panel.name, panel.translations) == ("Panel", {})


def test_markup_and_other_scripts_in_translations_are_kept_as_text(client, alice, call):
    panel = call.proposal_types.get()
    client.force_login(alice)
    name = "<b>ورشة</b> 工作坊"
    response = client.post(_part_url(panel, "type"), _type_data(**{"type-name__fr": name}))
    assert response.status_code == 302
    panel.refresh_from_db()
    assert panel.translated("name", "fr") == name
    page = client.get(
        reverse("agenda:cfp_call", args=[call.congress.slug, call.slug]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "&lt;b&gt;ورشة&lt;/b&gt; 工作坊" in page and "<b>ورشة" not in page


def test_bad_input_on_the_call_form_saves_nothing(client, alice, call):
    client.force_login(alice)
    for changes in ({"title__fr": "Appel\x00"}, {"description__es": "x" * 10_001}):
        response = client.post(_call_url(call), _call_data(call, **changes))
        assert response.status_code == 400
    call.refresh_from_db()
    assert call.translations == {}


def test_a_new_call_is_created_through_the_service_with_its_translations(client, alice, congress):
    client.force_login(alice)
    now = timezone.localtime()
    response = client.post(
        reverse("agenda:manage_calls", args=[congress.slug]),
        {
            "title": "Posters",
            "title__fr": "Affiches",
            "slug": "posters",
            "kind": "posters",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "deadline": (now + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M"),
            "reviews_per_proposal": "2",
            "max_speakers": "3",
            "paid_speaker_policy": "nothing",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    call = CallForProposals.objects.get(congress=congress, slug="posters")
    assert call.translated("title", "fr") == "Affiches"
    assert AuditEntry.objects.filter(action="convene.cfp.call_created").exists()


def test_a_new_part_added_on_the_call_page_gets_its_translations(client, alice, call):
    client.force_login(alice)
    response = client.post(
        _call_url(call),
        {
            "part": "category",
            "category-name": "Balance",
            "category-name__fr": "Équilibre",
            "category-weight": "1.5",
            "category-min_score": "0",
            "category-max_score": "3",
        },
    )
    assert response.status_code == 302
    category = ScoreCategory.objects.get(call=call, name="Balance")
    assert (category.weight, category.translated("name", "fr")) == (Decimal("1.5"), "Équilibre")
    assert category.position == 2


# --- reviewers limited to tracks ------------------------------------------------------------


@pytest.fixture
def tracks(congress):
    return (
        Track.objects.create(congress=congress, name="Climate", slug="climate"),
        Track.objects.create(congress=congress, name="Housing", slug="housing"),
    )


def test_an_organiser_limits_a_reviewer_to_tracks_and_they_see_only_those(
    client, alice, call, tracks
):
    climate, housing = tracks
    rita = make_reviewer(call.congress, "rita")
    on_climate = make_proposal(call, track=climate, organisation="City of Oslo")
    on_housing = make_proposal(call, track=housing, organisation="City of Lima")
    open_phase(call, blind=False)
    client.force_login(alice)
    response = client.post(
        _call_url(call, "manage_call_reviewer"),
        {
            "reviewer-reviewer": rita.pk,
            "reviewer-organisation": "City of Kyiv",
            "reviewer-country": "ua",
            "reviewer-tracks": [climate.pk],
        },
    )
    assert response.status_code == 302
    profile = ReviewerProfile.objects.get(congress=call.congress, user=rita)
    assert (profile.country, list(profile.tracks.all())) == ("UA", [climate])
    page = client.get(_call_url(call)).content.decode()
    assert "City of Kyiv" in page and "Climate" in page
    assert [p.pk for p in cfp_review.reviewable_for(call, rita)] == [on_climate.pk]
    client.force_login(rita)
    listing = client.get(reverse("agenda:review_list", args=[call.congress.slug, call.slug]))
    assert on_climate.code in listing.content.decode()
    assert on_housing.code not in listing.content.decode()


def test_automatic_assignment_gives_a_tracked_reviewer_only_their_tracks(alice, call, tracks):
    climate, housing = tracks
    call.reviews_per_proposal = 1
    call.save()
    rita = make_reviewer(call.congress, "rita")
    make_reviewer(call.congress, "omar")
    cfp_setup.save_reviewer_profile(
        congress=call.congress, user=rita, by=alice, organisation="", country="", tracks=[climate]
    )
    for n in range(3):
        make_proposal(call, track=housing, organisation=f"City {n}")
    cfp_review.assign_automatically(call=call, by=alice)
    assert not ReviewAssignment.objects.filter(reviewer=rita).exists()
    assert ReviewAssignment.objects.count() == 3


def test_a_track_of_another_congress_or_a_bad_country_is_refused(
    client, alice, call, other_congress
):
    rita = make_reviewer(call.congress, "rita")
    foreign = Track.objects.create(congress=other_congress, name="Other", slug="other")
    with pytest.raises(CallSetupRefused):
        cfp_setup.save_reviewer_profile(
            congress=call.congress,
            user=rita,
            by=alice,
            organisation="",
            country="",
            tracks=[foreign],
        )
    client.force_login(alice)
    for data in (
        {"reviewer-reviewer": rita.pk, "reviewer-tracks": [foreign.pk]},
        {"reviewer-reviewer": rita.pk, "reviewer-country": "\x00A"},
        {"reviewer-reviewer": rita.pk, "reviewer-country": "U1"},
        {"reviewer-reviewer": rita.pk, "reviewer-organisation": "x" * 10_240},
        {"reviewer-reviewer": rita.pk, "reviewer-organisation": "Kyiv\x07"},
    ):
        response = client.post(_call_url(call, "manage_call_reviewer"), data, follow=True)
        body = response.content.decode()
        # A NUL is refused site-wide before the view, with its own message.
        assert "Choose a reviewer, a two-letter country code" in body or "NUL character" in body
    profile = ReviewerProfile.objects.get(congress=call.congress, user=rita)
    assert (profile.organisation, profile.country, profile.tracks.count()) == ("", "", 0)


# --- the organisers' questions: required from, locked after, hidden from reviewers ----------


def _question(call, **fields):
    return CfpQuestion.objects.create(
        call=call, text=fields.pop("text", "Why this city?"), **fields
    )


def test_a_proposal_question_is_required_only_from_its_date(call):
    later = _question(call, required_from=timezone.now() + dt.timedelta(days=1))
    now = _question(call, text="Budget?", required_from=timezone.now() - dt.timedelta(minutes=1))
    proposal = make_proposal(call, status="draft")
    missing = cfp.missing_parts(proposal)
    assert f"question_{now.pk}" in missing and f"question_{later.pk}" not in missing
    with pytest.raises(ProposalIncomplete):
        cfp.submit_proposal(proposal=proposal)
    cfp.update_proposal(proposal=proposal, answers={str(now.pk): "Small"})
    assert cfp.submit_proposal(proposal=proposal).status == "submitted"


def test_a_locked_answer_keeps_its_value(call):
    locked = _question(call, locked_after=timezone.now() - dt.timedelta(minutes=1))
    proposal = make_proposal(call, status="draft", answers={str(locked.pk): "Before"})
    cfp.update_proposal(proposal=proposal, answers={str(locked.pk): "After"})
    proposal.refresh_from_db()
    assert proposal.answers[str(locked.pk)] == "Before"


def test_a_speaker_question_required_now_is_asked_beside_its_field(client, call):
    question = _question(
        call,
        text="Your dietary needs?",
        target=QuestionTarget.SPEAKER,
        required_from=timezone.now() - dt.timedelta(minutes=1),
    )
    person = make_proposal(call).people.first()
    url = reverse("agenda:cfp_person", args=[call.congress.slug, person.secret])
    response = client.post(url, {"bio": "Urbanist", "organisation": "Lyon"})
    assert response.status_code == 400
    assert "This question needs an answer now." in response.content.decode()
    person.refresh_from_db()
    assert person.bio == ""
    field = f"question_{question.pk}"
    response = client.post(url, {"bio": "Urbanist", "organisation": "Lyon", field: "None"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.answers[str(question.pk)] == "None"


def test_a_question_hidden_from_reviewers_is_on_no_reviewer_page_nor_the_json(client, call):
    shown = _question(call, text="Which city network?")
    hidden = _question(call, text="Internal budget line?", hidden_from_reviewers=True)
    proposal = make_proposal(
        call, answers={str(shown.pk): "Eurocities", str(hidden.pk): "Secret-7731"}
    )
    open_phase(call, blind=True)
    client.force_login(make_reviewer(call.congress, "rita"))
    args = [call.congress.slug, call.slug, proposal.code]
    for name in ("review_proposal", "review_proposal_json"):
        body = client.get(reverse(f"agenda:{name}", args=args)).content.decode()
        assert "Which city network?" in body and "Eurocities" in body
        assert "Internal budget line?" not in body and "Secret-7731" not in body


def _scored(call, alice):
    proposal = make_proposal(call)
    open_phase(call)
    reviewer = make_reviewer(call.congress, "rita")
    relevance, quality = call.score_categories.order_by("pk")  # weights 2 and 1
    review = cfp_review.save_review(
        proposal=proposal, reviewer=reviewer, scores={relevance.pk: 5, quality.pk: 2}, comment=""
    )
    assert review.score == Decimal("4.00")
    return review, relevance


def test_a_new_weight_scores_the_reviews_again(alice, call):
    review, relevance = _scored(call, alice)
    cfp_setup.save_call_part(
        call=call, kind="category", by=alice, part=relevance, fields={"weight": Decimal("1")}
    )
    review.refresh_from_db()
    assert review.score == Decimal("3.50")


def test_a_range_that_leaves_out_given_scores_is_refused(client, alice, call):
    review, relevance = _scored(call, alice)
    client.force_login(alice)
    response = client.post(
        _part_url(relevance, "category"),
        {
            "category-name": "Relevance",
            "category-weight": "2",
            "category-min_score": "0",
            "category-max_score": "3",
        },
    )
    assert response.status_code == 400
    assert "keep it from 0 to 5" in response.content.decode()
    relevance.refresh_from_db()
    assert relevance.max_score == 5


def test_a_codes_uses_cannot_drop_below_those_used(alice, call):
    code = AccessCode.objects.create(
        call=call, code="USED", max_uses=3, uses=2, allows_late_submission=False
    )
    with pytest.raises(CallSetupRefused, match="used 2 times already"):
        cfp_setup.save_call_part(
            call=call, kind="code", by=alice, part=code, fields={"max_uses": 1}
        )
    code.refresh_from_db()
    assert code.max_uses == 3


def test_the_demo_call_reads_in_french(client, congress):
    from sessions import cfp_demo

    cfp_demo.seed_demo(congress=congress, people=[], rng=random.Random(1), slug="demo-call")
    page = client.get(
        reverse("agenda:cfp_call", args=[congress.slug, "demo-call"]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Appel à sessions" in page and "Table ronde" in page and "Atelier" in page
