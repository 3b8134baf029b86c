"""Registration questions in Chromium: an owner who is not a superuser looks at the list with
the form's preview beside it, adds a choice question and watches the preview follow the
typing before saving. ``CONVENE_SCREENSHOTS=docs/screenshots`` refreshes the pictures."""

import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from registrations.enums import QuestionKind
from registrations.models import Question
from registrations.services.questions import save_question
from tests.browser import screenshot, signed_in, wait_ready
from tests.factories import RegistrationTypeFactory

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser


@pytest.fixture
def questions(congress):
    member = RegistrationTypeFactory(
        congress=congress, code="member", name="Member", regular_price=Decimal("450.00")
    )
    press = RegistrationTypeFactory(congress=congress, code="press", name="Press", position=1)
    save_question(
        congress=congress,
        label="Arrival date",
        kind=QuestionKind.DATE,
        help_text="For the airport shuttle.",
    )
    save_question(congress=congress, label="Member number", registration_types=[member])
    save_question(
        congress=congress,
        label="Media outlet",
        required=True,
        registration_types=[press],
    )
    save_question(
        congress=congress, label="Join the study tour?", kind=QuestionKind.YES_NO, required=True
    )
    return member, press


def _preview(page):
    return page.locator("#question-preview")


def test_an_owner_adds_a_question_and_the_preview_follows_the_typing(
    page, live_server, congress, alice, questions
):
    assert not alice.is_superuser
    _member, press = questions
    page = signed_in(page, live_server, alice, width=1280, height=900)
    page.goto(f"{live_server.url}/{congress.slug}/manage/")
    page.get_by_role("link", name="Registration questions").first.click()
    expect(page.locator("tr.question-row")).to_have_count(4)
    expect(_preview(page)).to_contain_text("Only for: Press.")
    screenshot(page, "manage-questions.png")

    page.get_by_role("link", name="Add a question").click()
    # typing before the preview script listens would update no preview
    wait_ready(page, "#question-form")
    page.fill("#id_label", "Dietary <b>needs</b>")
    page.select_option("#id_kind", "multiple_choice")
    page.fill("#id_choices", "Vegetarian\nVegan\nHalal\nKosher")
    page.fill("#id_help_text", "Tick all that apply.")
    page.locator("#id_registration_types").get_by_label("Press").check()
    page.select_option("#id_preview_as", str(press.pk))
    preview = _preview(page)
    expect(preview).to_contain_text("Dietary <b>needs</b>")  # markup shown as text
    expect(preview.locator("input[type=checkbox]")).to_have_count(4)
    expect(preview).to_contain_text("Only for: Press.")
    expect(preview).to_contain_text("Media outlet")
    expect(preview).not_to_contain_text("Member number")  # not asked of the press
    assert preview.locator("b").count() == 0
    assert int(preview.evaluate("el => Number(el.dataset.updates || 0)")) >= 1
    assert not Question.objects.filter(label__startswith="Dietary").exists()  # not saved yet
    screenshot(page, "manage-question-edit.png")

    page.get_by_role("button", name="Save").click()
    page.locator(".messages").wait_for()
    question = Question.objects.get(label="Dietary <b>needs</b>")
    assert question.kind == QuestionKind.MULTIPLE_CHOICE
    assert list(question.registration_types.all()) == [press]
    expect(page.locator("tr.question-row")).to_have_count(5)
