"""Choices of a call's choice questions in every language of the congress: entered on the
question's edit page, shown in the reader's language on the proposal and speaker forms and to
reviewers, stored as the stable (main-language) choice whatever language was used."""

import pytest
from django.urls import reverse

from sessions.enums import QuestionKind, QuestionTarget
from sessions.models import CfpQuestion, Proposal
from sessions.services import cfp_review

from .cfp_world import make_call, make_proposal, make_reviewer, open_phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(congress):
    return make_call(congress)


def _room_question(call, target=QuestionTarget.PROPOSAL, **fields):
    return CfpQuestion.objects.create(
        call=call,
        target=target,
        text="Which room?",
        kind=QuestionKind.CHOICE,
        choices=["Small room", "Large hall"],
        translations={"fr": {"text": "Quelle salle ?", "choices": "Petite salle\nGrand amphi"}},
        **fields,
    )


def _start(client, call, question, value, language):
    return client.post(
        reverse("agenda:cfp_call", args=[call.congress.slug, call.slug]),
        {
            "proposer_name": "Paulette",
            "proposer_email": "p@example.org",
            "language": "fr",
            f"question_{question.pk}": value,
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_a_french_reader_sees_french_labels_and_stores_the_same_answer_as_an_english_one(
    client, call
):
    question = _room_question(call)
    url = reverse("agenda:cfp_call", args=[call.congress.slug, call.slug])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<option value="Large hall">Grand amphi</option>' in french
    assert ">Large hall<" not in french
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="Large hall">Large hall</option>' in english
    assert _start(client, call, question, "Large hall", "fr").status_code == 302
    assert _start(client, call, question, "Large hall", "en").status_code == 302
    stored = [p.answers[str(question.pk)] for p in Proposal.objects.order_by("pk")]
    assert stored == ["Large hall", "Large hall"]


def test_a_choice_without_its_translation_falls_back_to_the_main_label(client, call):
    question = _room_question(call)
    question.translations = {"fr": {"choices": "Petite salle"}, "es": {}}  # second line missing
    question.save()
    url = reverse("agenda:cfp_call", args=[call.congress.slug, call.slug])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<option value="Small room">Petite salle</option>' in french
    assert '<option value="Large hall">Large hall</option>' in french
    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<option value="Small room">Small room</option>' in spanish
    missing = question.missing_translations(["fr", "es"])
    assert "choices" in missing["fr"] and "choices" in missing["es"]


def test_a_choice_not_offered_is_refused_with_a_message_and_nothing_is_saved(client, call):
    question = _room_question(call)
    # The French label is not a value: only the stable choice is accepted.
    response = _start(client, call, question, "Grand amphi", "fr")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Grand amphi" in body and "errorlist" in body
    assert not Proposal.objects.exists()


def test_hostile_text_in_choice_labels_is_escaped(client, call):
    question = _room_question(call)
    question.choices = ["<b>Small</b>", "Large"]
    question.translations = {"fr": {"choices": "<script>alert(1)</script>\nمدرج كبير 大厅"}}
    question.save()
    url = reverse("agenda:cfp_call", args=[call.congress.slug, call.slug])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<script>alert(1)</script>" not in french
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in french
    assert 'value="&lt;b&gt;Small&lt;/b&gt;"' in french
    assert "مدرج كبير 大厅" in french


def test_the_speaker_form_shows_the_readers_labels_and_stores_the_stable_choice(client, call):
    question = _room_question(call, target=QuestionTarget.SPEAKER)
    person = make_proposal(call).people.first()
    url = reverse("agenda:cfp_person", args=[call.congress.slug, person.secret])
    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<option value="Small room">Petite salle</option>' in french
    response = client.post(
        url,
        {"bio": "Urbaniste", "organisation": "Lyon", f"question_{question.pk}": "Small room"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.answers[str(question.pk)] == "Small room"
    response = client.post(
        url, {"bio": "x", f"question_{question.pk}": "Petite salle"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.bio == "Urbaniste"


def test_reviewers_read_the_answer_in_their_own_language(client, call):
    question = _room_question(call)
    proposal = make_proposal(call, answers={str(question.pk): "Large hall"})
    open_phase(call, blind=True)
    client.force_login(make_reviewer(call.congress, "rita"))
    args = [call.congress.slug, call.slug, proposal.code]
    page = client.get(reverse("agenda:review_proposal", args=args), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Grand amphi" in page.content.decode()
    data = client.get(reverse("agenda:review_proposal_json", args=args), HTTP_ACCEPT_LANGUAGE="en")
    assert ["Which room?", "Large hall"] in data.json()["answers"]
    phase = call.review_phases.get()
    assert cfp_review.reviewer_view(proposal, phase).answers  # the one view-model


def test_an_answer_stored_before_translations_still_reads(call):
    question = _room_question(call)
    question.translations = {}
    question.save()
    assert question.answer_label("Large hall", "fr") == "Large hall"
    assert question.answer_label("Gone choice", "fr") == "Gone choice"
    assert question.answer_label(None, "fr") == ""


def test_the_organiser_enters_the_choices_in_every_language(client, alice, call):
    question = _room_question(call)
    url = reverse(
        "agenda:manage_call_part",
        args=[call.congress.slug, call.slug, "question", question.pk],
    )
    client.force_login(alice)
    form = client.get(url).content.decode()
    assert 'name="question-choices__fr"' in form and 'name="question-choices__es"' in form
    assert "Petite salle\nGrand amphi" in form
    data = {
        "question-target": QuestionTarget.PROPOSAL,
        "question-text": "Which room?",
        "question-kind": "choice",
        "question-choices_text": "Small room\nLarge hall",
        "question-choices__fr": "Petite salle\r\nGrand amphithéâtre",
        "question-choices__es": "Sala pequeña\nSala grande",
    }
    assert client.post(url, data).status_code == 302
    question.refresh_from_db()
    assert question.choices == ["Small room", "Large hall"]
    assert question.choice_labels("fr") == [
        ("Small room", "Petite salle"),
        ("Large hall", "Grand amphithéâtre"),
    ]
    assert question.choice_labels("es")[1] == ("Large hall", "Sala grande")
    assert not question.choices_missing_in("fr") and not question.choices_missing_in("es")


@pytest.mark.parametrize(
    "value, message",
    [
        ("Un\nDeux\nTrois", "Give at most 2 lines"),
        ("Un\x00\nDeux", "NUL character"),
        ("Un\x07\nDeux", "U+0007"),
        ("x" * 10001, "at most 4000 characters"),
    ],
)
def test_bad_translated_choices_are_refused_beside_the_field(client, alice, call, value, message):
    question = _room_question(call)
    url = reverse(
        "agenda:manage_call_part",
        args=[call.congress.slug, call.slug, "question", question.pk],
    )
    client.force_login(alice)
    response = client.post(
        url,
        {
            "question-target": QuestionTarget.PROPOSAL,
            "question-text": "Which room?",
            "question-kind": "choice",
            "question-choices_text": "Small room\nLarge hall",
            "question-choices__fr": value,
        },
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    question.refresh_from_db()
    assert question.translations["fr"]["choices"] == "Petite salle\nGrand amphi"
