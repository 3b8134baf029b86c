"""The organisers' question pages: list, add, edit, order, stop asking, delete, and the
preview of the delegate form beside them (built by the public form's own code)."""

import re

import pytest
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from registrations.enums import QuestionKind
from registrations.models import Answer, Question
from registrations.services import questions as services
from tests.factories import (
    DelegateFactory,
    OrderFactory,
    RegistrationTypeFactory,
    TeamMembershipFactory,
    UserFactory,
)

from .test_public_views import details_url, form_data

pytestmark = pytest.mark.django_db

QUERY = {"registration_type": "member", "delegates": 1}


def _url(name, congress, **kwargs):
    return reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def _question(congress, **fields):
    fields.setdefault("label", "Dietary needs")
    return services.save_question(congress=congress, **fields)


def _form(**overrides):
    data = {
        "label": "T-shirt size",
        "help_text": "",
        "kind": "text",
        "choices": "",
        "is_active": "on",
        "personal_data_kind": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _member(congress, role):
    user = UserFactory(username=f"member-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    return user


def _preview_html(client, congress, question=None, **form):
    url = (
        _url("manage_question_preview", congress, question_id=question.pk)
        if question
        else _url("manage_question_new_preview", congress)
    )
    response = client.post(url, _form(**form))
    assert response.status_code == 200
    return response.content.decode()


def _answered(question, value="Vegan"):
    delegate = DelegateFactory(order=OrderFactory(congress=question.congress))
    return Answer.objects.create(delegate=delegate, question=question, value=value)


# --- permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "registration"])
def test_owners_and_registration_managers_use_every_page(client, congress, role):
    question = _question(congress)
    client.force_login(_member(congress, role))
    assert client.get(_url("manage_questions", congress)).status_code == 200
    assert client.get(_url("manage_question_new", congress)).status_code == 200
    edit = _url("manage_question_edit", congress, question_id=question.pk)
    assert client.get(edit).status_code == 200
    shown = _fingerprint(client, congress, question)
    assert client.post(edit, _form(label="Diet", fingerprint=shown)).status_code == 302
    assert _preview_html(client, congress, question, label="Diet?")


@pytest.mark.parametrize("role", ["finance", "checkin", "programme"])
def test_other_roles_are_refused_every_page(client, congress, role):
    question = _question(congress)
    client.force_login(_member(congress, role))
    ids = {"question_id": question.pk}
    for name, kwargs in [
        ("manage_questions", {}),
        ("manage_question_new", {}),
        ("manage_question_edit", ids),
        ("manage_question_delete", ids),
    ]:
        assert client.get(_url(name, congress, **kwargs)).status_code == 403, name
    for name, kwargs in [
        ("manage_question_new", {}),
        ("manage_question_new_preview", {}),
        ("manage_question_edit", ids),
        ("manage_question_preview", ids),
        ("manage_question_move", ids),
        ("manage_question_stop", ids),
        ("manage_question_delete", ids),
    ]:
        assert client.post(_url(name, congress, **kwargs), _form()).status_code == 403, name
    question.refresh_from_db()
    assert (question.label, question.is_active) == ("Dietary needs", True)


def test_another_congress_s_question_is_not_found(client, alice, congress, other_congress):
    theirs = _question(other_congress, label="Theirs")
    client.force_login(alice)
    ids = {"question_id": theirs.pk}
    for name in ("manage_question_edit", "manage_question_delete"):
        assert client.get(_url(name, congress, **ids)).status_code == 404, name
    for name in (
        "manage_question_edit",
        "manage_question_preview",
        "manage_question_move",
        "manage_question_stop",
        "manage_question_delete",
    ):
        assert client.post(_url(name, congress, **ids), _form()).status_code == 404, name
    theirs.refresh_from_db()
    assert (theirs.label, theirs.is_active) == ("Theirs", True)
    assert Question.objects.filter(pk=theirs.pk).exists()


def test_another_congress_s_type_cannot_be_chosen(client, alice, congress, other_congress):
    theirs = RegistrationTypeFactory(congress=other_congress)
    client.force_login(alice)
    response = client.post(
        _url("manage_question_new", congress), _form(registration_types=[theirs.pk])
    )
    assert response.status_code == 200
    assert "registration_types" in response.context["form"].errors
    assert not Question.objects.exists()


# --- the list ---------------------------------------------------------------------------


def test_an_owner_adds_a_question_placed_last_and_audited(client, alice, congress, regtype):
    first = _question(congress)
    client.force_login(alice)
    response = client.post(
        _url("manage_question_new", congress),
        _form(required="on", registration_types=[regtype.pk]),
    )
    assert response.status_code == 302, response.content.decode()
    question = Question.objects.get(congress=congress, label="T-shirt size")
    assert question.required and question.position > first.position
    assert list(question.registration_types.all()) == [regtype]
    entry = AuditEntry.objects.get(action="convene.question.created", target_id=str(question.pk))
    assert entry.actor == alice and entry.data["registration_types"] == ["Member"]
    page = client.get(_url("manage_questions", congress)).content.decode()
    assert "T-shirt size" in page and "Member" in page


def test_a_change_is_audited_with_before_and_after(client, alice, congress, regtype):
    question = _question(congress, kind=QuestionKind.TEXT)
    client.force_login(alice)
    client.get(_url("manage_question_edit", congress, question_id=question.pk))
    response = client.post(
        _url("manage_question_edit", congress, question_id=question.pk),
        _form(
            label="Diet",
            kind="choice",
            choices="Vegan\nHalal",
            registration_types=[regtype.pk],
            fingerprint=_fingerprint(client, congress, question),
        ),
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="convene.question.updated")
    changed = entry.data["changed"]
    assert changed["label"] == ["Dietary needs", "Diet"]
    assert changed["kind"] == ["text", "choice"]
    assert changed["registration_types"] == [[], ["Member"]]


def test_the_list_filters_by_search_kind_required_and_type(client, alice, congress, regtype):
    press = RegistrationTypeFactory(congress=congress, code="press", name="Press")
    _question(congress, label="Arrival date", kind=QuestionKind.DATE, required=True)
    _question(congress, label="Outlet", registration_types=[press])
    _question(congress, label="Member number", registration_types=[regtype])
    client.force_login(alice)

    def labels(**query):
        page = client.get(_url("manage_questions", congress), query)
        return sorted(q.label for q in page.context["page"])

    assert labels(q="arriv") == ["Arrival date"]
    assert labels(kind="date") == ["Arrival date"]
    assert labels(required="yes") == ["Arrival date"]
    assert labels(required="no") == ["Member number", "Outlet"]
    assert labels(type=press.pk) == ["Arrival date", "Outlet"]  # every type's, and its own
    assert labels(kind="nonsense") == ["Arrival date", "Member number", "Outlet"]


def test_the_list_of_200_questions_is_paginated_in_a_fixed_number_of_queries(
    client, alice, congress, regtype, django_assert_max_num_queries
):
    press = RegistrationTypeFactory(congress=congress, code="press", name="Press")
    for n in range(200):
        question = Question.objects.create(
            congress=congress, label=f"Question {n:03}", position=n, kind=QuestionKind.TEXT
        )
        if n % 3 == 0:
            question.registration_types.set([regtype, press])
        if n % 7 == 0:
            _answered(question)
    client.force_login(alice)
    with django_assert_max_num_queries(16):
        response = client.get(_url("manage_questions", congress))
    page = response.content.decode()
    assert page.count('class="question-row') == 50
    assert "Page 1 of 4" in page
    # the preview beside the list shows the whole form: every one of the 200 questions
    assert len(re.findall(r'name="preview-q_\d+"', page)) == 200
    with django_assert_max_num_queries(16):
        last = client.get(_url("manage_questions", congress), {"page": 4, "preview_as": press.pk})
    assert last.content.decode().count('class="question-row') == 50


def test_questions_move_up_and_down(client, alice, congress):
    first, second, third = (_question(congress, label=label) for label in ("A", "B", "C"))
    client.force_login(alice)
    move = _url("manage_question_move", congress, question_id=third.pk)
    assert client.post(move, {"direction": "up"}).status_code == 302
    order = list(Question.objects.order_by("position").values_list("label", flat=True))
    assert order == ["A", "C", "B"]
    client.post(_url("manage_question_move", congress, question_id=first.pk), {"direction": "down"})
    order = list(Question.objects.order_by("position").values_list("label", flat=True))
    assert order == ["C", "A", "B"]
    client.post(move, {"direction": "up"})  # already first: nothing changes
    client.post(move, {"direction": "sideways"})
    order = list(Question.objects.order_by("position").values_list("label", flat=True))
    assert order == ["C", "A", "B"]
    assert AuditEntry.objects.filter(action="convene.question.moved").count() == 2


# --- delete, or stop asking -------------------------------------------------------------


def test_an_unanswered_question_is_deleted_after_confirming(client, alice, congress):
    question = _question(congress)
    client.force_login(alice)
    url = _url("manage_question_delete", congress, question_id=question.pk)
    assert "Nobody answered it yet" in client.get(url).content.decode()
    assert Question.objects.filter(pk=question.pk).exists()  # asking deletes nothing
    assert client.post(url).status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()
    assert AuditEntry.objects.filter(action="convene.question.deleted").exists()


def test_an_answered_question_is_not_deleted_but_can_stop_being_asked(client, alice, congress):
    question = _question(congress)
    answer = _answered(question)
    client.force_login(alice)
    url = _url("manage_question_delete", congress, question_id=question.pk)
    page = client.get(url).content.decode()
    assert "1 delegate answered this question" in page and "Stop asking it" in page
    response = client.post(url, follow=True)
    assert "stop asking it instead" in response.content.decode()
    assert Answer.objects.filter(pk=answer.pk).exists()
    response = client.post(_url("manage_question_stop", congress, question_id=question.pk))
    assert response.status_code == 302
    question.refresh_from_db()
    assert not question.is_active
    assert Answer.objects.filter(pk=answer.pk).exists()


def test_a_question_no_longer_asked_leaves_the_public_form(client, congress, regtype):
    question = _question(congress, label="Arrival date")
    assert b"Arrival date" in client.get(details_url(congress), QUERY).content
    services.stop_asking_question(question=question)
    assert b"Arrival date" not in client.get(details_url(congress), QUERY).content


# --- the form: errors beside the fields, hostile text, conflicts ------------------------


@pytest.mark.parametrize("kind", ["choice", "multiple_choice"])
@pytest.mark.parametrize("choices", ["", "Only one", "Only one\n\n  \nOnly one"])
def test_a_choice_question_with_fewer_than_two_choices_is_refused_beside_the_field(
    client, alice, congress, kind, choices
):
    client.force_login(alice)
    response = client.post(_url("manage_question_new", congress), _form(kind=kind, choices=choices))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "choices" in errors
    assert not Question.objects.exists()
    page = response.content.decode()
    assert 'value="T-shirt size"' in page  # nothing typed is lost


def test_choices_are_kept_one_per_line_without_blank_lines(client, alice, congress):
    client.force_login(alice)
    response = client.post(
        _url("manage_question_new", congress),
        _form(kind="choice", choices="  S \r\n\r\nM\nL  \n"),
    )
    assert response.status_code == 302
    assert Question.objects.get().choices == "S\nM\nL"


def test_a_choice_given_twice_is_refused(client, alice, congress):
    client.force_login(alice)
    response = client.post(
        _url("manage_question_new", congress), _form(kind="choice", choices="S\nS\nM")
    )
    assert "Give each choice once" in str(response.context["form"].errors["choices"])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"label": "Size\x1b[31m"}, "label"),
        ({"help_text": "Bell\x07"}, "help_text"),
        ({"label": "x" * 10_000}, "label"),
        ({"label": ""}, "label"),
        ({"kind": "essay"}, "kind"),
        ({"kind": "choice", "choices": "S\n" + "M" * 300}, "choices"),
        ({"kind": "choice", "choices": "S\nM\n" + "L" * 10_000}, "choices"),
    ],
)
def test_hostile_text_is_refused_beside_the_field(client, alice, congress, overrides, field):
    client.force_login(alice)
    response = client.post(_url("manage_question_new", congress), _form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Question.objects.exists()


def test_nul_is_refused_before_any_view(client, alice, congress):
    client.force_login(alice)
    for url in (
        _url("manage_question_new", congress),
        _url("manage_question_new_preview", congress),
    ):
        response = client.post(url, _form(label="Size\x00"))
        assert response.status_code == 400
        assert "NUL" in response.content.decode()
    assert not Question.objects.exists()


def test_rtl_and_cjk_text_is_kept(client, alice, congress):
    client.force_login(alice)
    label = "ما هو مقاسك؟ 你的尺码？"
    response = client.post(
        _url("manage_question_new", congress), _form(label=label, kind="choice", choices="小\nكبير")
    )
    assert response.status_code == 302
    assert Question.objects.get().label == label
    assert label in client.get(_url("manage_questions", congress)).content.decode()


def test_a_save_over_someone_else_s_change_is_refused(client, alice, congress, regtype):
    question = _question(congress)
    client.force_login(alice)
    shown = _fingerprint(client, congress, question)
    # meanwhile a colleague limits it to one type (only the types change)
    services.save_question(congress=congress, instance=question, registration_types=[regtype])
    response = client.post(
        _url("manage_question_edit", congress, question_id=question.pk),
        _form(label="Mine", fingerprint=shown),
    )
    assert response.status_code == 200
    assert "Someone else changed this" in response.content.decode()
    assert 'value="Mine"' in response.content.decode()  # what was typed is still there
    question.refresh_from_db()
    assert question.label == "Dietary needs"
    # with the current version shown, the same save goes through
    response = client.post(
        _url("manage_question_edit", congress, question_id=question.pk),
        _form(label="Mine", fingerprint=_fingerprint(client, congress, question)),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.label == "Mine"


def _fingerprint(client, congress, question) -> str:
    page = client.get(_url("manage_question_edit", congress, question_id=question.pk))
    return page.context["form"].initial["fingerprint"]


# --- the preview --------------------------------------------------------------------------

KIND_MARKUP = {
    "text": r'<input type="text" name="preview-q_0"',
    "number": r'<input type="number" name="preview-q_0"',
    "choice": (
        r'<select name="preview-q_0"[^>]*>\s*<option value=""[^>]*>—</option>\s*'
        r'<option value="S">S'
    ),
    "multiple_choice": r'<input type="checkbox" name="preview-q_0" value="M"',
    "yes_no": r'<input type="radio" name="preview-q_0" value="yes"',
    "country": (
        r'<select [^>]*name="preview-q_0"><option value="">—</option>.*'
        r'<option value="PT">Portugal<'
    ),
    "date": r'<input type="date" name="preview-q_0"',
}


@pytest.mark.parametrize("kind", QuestionKind.values)
def test_each_kind_is_previewed_with_the_public_form_s_own_field(client, alice, congress, kind):
    assert set(KIND_MARKUP) == set(QuestionKind.values)
    client.force_login(alice)
    html = _preview_html(
        client, congress, label="Typed, not saved", kind=kind, choices="S\nM", help_text="Hint"
    )
    assert "Typed, not saved" in html and "Hint" in html
    assert re.search(KIND_MARKUP[kind], html, re.S), html
    assert 'class="card delegate-form"' in html  # the public form's own template
    assert not Question.objects.exists()


def test_the_preview_follows_the_edited_question_in_place(client, alice, congress):
    first = _question(congress, label="First")
    _question(congress, label="Second")
    client.force_login(alice)
    html = _preview_html(client, congress, first, label="First, retyped")
    assert html.index("First, retyped") < html.index("Second")
    assert "First<" not in html
    first.refresh_from_db()
    assert first.label == "First"


def test_the_preview_escapes_markup(client, alice, congress):
    client.force_login(alice)
    html = _preview_html(
        client,
        congress,
        label='<script>alert("x")</script>',
        help_text="<b>bold</b>",
        kind="choice",
        choices="<i>S</i>\nM",
    )
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;i&gt;S&lt;/i&gt;" in html


def test_a_refused_field_is_said_in_the_preview_and_nothing_breaks(client, alice, congress):
    client.force_login(alice)
    html = _preview_html(client, congress, label="Size", kind="choice", choices="S")
    assert "Some fields are refused" in html
    assert "Size" in html


def test_the_preview_button_renders_the_preview_without_saving(client, alice, congress):
    question = _question(congress)
    client.force_login(alice)
    response = client.post(
        _url("manage_question_edit", congress, question_id=question.pk),
        _form(label="Diet, previewed", preview="1", fingerprint="stale"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "nothing was saved yet" in page
    assert re.search(r'id="question-preview".*Diet, previewed', page, re.S)
    question.refresh_from_db()
    assert question.label == "Dietary needs"


def test_a_question_not_asked_is_left_out_of_the_preview(client, alice, congress):
    client.force_login(alice)
    html = _preview_html(client, congress, label="Hidden one", is_active=None)
    assert "This question is not asked" in html and 'name="preview-q_0"' not in html


def test_the_preview_as_one_type_shows_only_the_questions_asked_of_it(
    client, alice, congress, regtype
):
    press = RegistrationTypeFactory(congress=congress, code="press", name="Press")
    _question(congress, label="Everyone's")
    _question(congress, label="Outlet", registration_types=[press])
    client.force_login(alice)
    every = client.get(_url("manage_questions", congress)).content.decode()
    assert "Outlet" in every and "Only for: Press." in every
    as_member = client.get(_url("manage_questions", congress), {"preview_as": regtype.pk})
    preview = as_member.content.decode().split('id="question-preview"')[1]
    assert "Everyone&#x27;s" in preview and "Outlet" not in preview
    as_press = client.get(_url("manage_questions", congress), {"preview_as": press.pk})
    assert "Outlet" in as_press.content.decode().split('id="question-preview"')[1]
    # the edit page's preview follows the same choice, with the typed question
    html = _preview_html(client, congress, label="Badge name", preview_as=str(regtype.pk))
    assert "Badge name" in html and "Outlet" not in html


# --- the public form ----------------------------------------------------------------------


def test_a_per_type_question_is_asked_only_of_its_type_on_the_public_form(
    client, alice, congress, regtype
):
    press = RegistrationTypeFactory(congress=congress, code="press", name="Press")
    outlet = _question(congress, label="Outlet", required=True, registration_types=[press])
    page = client.get(details_url(congress), QUERY).content.decode()
    assert "Outlet" in page and "Only for: Press." in page
    member = client.post(details_url(congress), form_data(regtype, token="tok-m"))
    assert member.status_code == 302  # a member is not asked
    refused = client.post(details_url(congress), form_data(press, token="tok-p"))
    assert refused.status_code == 400
    assert "Please answer this question." in refused.content.decode()
    answered = client.post(
        details_url(congress),
        form_data(press, token="tok-p2", **{f"delegates-0-q_{outlet.pk}": "Daily Planet"}),
    )
    assert answered.status_code == 302
    assert Answer.objects.filter(question=outlet, value="Daily Planet").exists()


def test_a_question_added_on_the_page_is_on_the_public_form_at_once(
    client, alice, congress, regtype
):
    public = details_url(congress)
    assert b"Arrival date" not in client.get(public, QUERY).content  # now kept in the cache
    assert b"Arrival date" not in client.get(public, QUERY).content
    client.force_login(alice)
    client.post(_url("manage_question_new", congress), _form(label="Arrival date", kind="date"))
    client.logout()
    assert b"Arrival date" in client.get(public, QUERY).content
    question = Question.objects.get(label="Arrival date")
    client.force_login(alice)
    client.post(
        _url("manage_question_edit", congress, question_id=question.pk),
        _form(
            label="Arrival day", kind="date", fingerprint=_fingerprint(client, congress, question)
        ),
    )
    client.logout()
    body = client.get(public, QUERY).content
    assert b"Arrival day" in body and b"Arrival date" not in body
    client.force_login(alice)
    client.post(_url("manage_question_delete", congress, question_id=question.pk))
    client.logout()
    assert b"Arrival day" not in client.get(public, QUERY).content


def test_a_move_shows_on_the_public_form_at_once(client, alice, congress, regtype):
    _question(congress, label="Alpha question")
    second = _question(congress, label="Omega question")
    public = details_url(congress)
    body = client.get(public, QUERY).content.decode()
    assert body.index("Alpha question") < body.index("Omega question")
    services.move_question(question=second, offset=-1)
    body = client.get(public, QUERY).content.decode()
    assert body.index("Omega question") < body.index("Alpha question")


def test_an_organiser_s_markup_is_text_on_the_public_form(client, congress, regtype):
    """Django prints a field's help text as markup; the organisers' help text is text."""
    press = RegistrationTypeFactory(congress=congress, code="press", name="<em>Press</em>")
    _question(congress, label="<b>Size</b>", help_text='<a href="//evil.example">x</a>')
    _question(congress, label="Outlet", help_text="<u>u</u>", registration_types=[press])
    body = client.get(details_url(congress), QUERY).content.decode()
    for markup in ("<b>Size", '<a href="//evil', "<u>u", "<em>Press"):
        assert markup not in body
    assert "&lt;a href=&quot;//evil.example&quot;&gt;x&lt;/a&gt;" in body
    assert "&lt;u&gt;u&lt;/u&gt; Only for: &lt;em&gt;Press&lt;/em&gt;." in body


def test_the_preview_endpoint_wants_the_csrf_token(congress, alice):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    url = _url("manage_question_new_preview", congress)
    assert client.post(url, _form()).status_code == 403
    token = client.get(_url("manage_question_new", congress)).context["csrf_token"]
    response = client.post(url, {**_form(label="With the token"), "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and "With the token" in response.content.decode()
    assert not Question.objects.exists()
