"""The one text rule (events_site/congresses/text.py): what it refuses, what it keeps, and that
every form, admin form and API body of the project goes through it."""

import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from rest_framework.test import APIClient

from events_site.congresses import text
from events_site.congresses.forms import Form, TextRuleMixin
from events_site.congresses.models import Congress

HOSTILE_KEPT = [
    "Ana\tMaria",  # TAB
    "Line one\nLine two",  # LF
    "<b>bold</b><script>alert(1)</script>&amp;",  # markup is text
    "عبد الله بن محمد",  # RTL
    "\u200fמרים\u200e",  # bidi marks are not control characters (Cf)
    "山田 健二 · 김민준 · देवनागरी",  # CJK, Hangul, Devanagari
    "x" * 10_000,  # 10 kB
    "Zoë 🎉 \u00a0non-breaking",
]
PROJECT_PACKAGES = {"registrations", "sessions", "badges", "events_site"}
REFUSED = ["\x00", "\x1b", "\x0b", "\x0c", "\x7f", "\x85", "\x9f", "\r", "\ufffe", "\ud800"]


@pytest.mark.parametrize("value", HOSTILE_KEPT, ids=range(len(HOSTILE_KEPT)))
def test_the_rule_keeps_tab_lf_markup_and_every_script(value):
    assert text.forbidden_characters(value) == []
    assert text.normalise_line_ends(value) == value
    assert text.printable(value) == value
    assert text.spreadsheet_text(value).lstrip("'") == value


@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_the_rule_refuses_control_characters_naming_the_field(char):
    found = text.forbidden_characters(f"Ana{char}Maria")
    assert found == [char]
    message = text.refusal_message("Given name", found)
    assert "“Given name”" in message and f"U+{ord(char):04X}" in message
    assert text.printable(f"Ana{char}Maria") in ("AnaMaria", "Ana\nMaria")


def test_crlf_line_ends_are_read_as_lf():
    assert text.normalise_line_ends("one\r\ntwo\r\n") == "one\ntwo\n"
    assert text.forbidden_characters("one\r\ntwo") == []
    assert text.forbidden_characters("one\rtwo") == ["\r"]
    assert text.printable("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_a_formula_hidden_behind_a_control_character_is_still_neutralised():
    assert text.spreadsheet_text("\x1b=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert text.spreadsheet_text("\tx") == "'\tx"
    assert text.spreadsheet_text(None) == ""


def test_a_form_refuses_control_characters_in_every_text_field_and_reads_crlf_as_lf():
    class Example(Form):
        name = forms.CharField(label="Your name")
        notes = forms.CharField(widget=forms.Textarea, required=False)
        email = forms.EmailField(required=False)
        extra = forms.JSONField(required=False)

    bad = Example({"name": "Ana\x1b", "notes": "a\x0cb", "extra": '{"k": "v\\u000b"}'})
    assert not bad.is_valid()
    assert "“Your name” contains an invisible control character (U+001B)" in bad.errors["name"][0]
    assert "“Notes”" in bad.errors["notes"][0]
    assert "U+000B" in bad.errors["extra"][0]
    assert Example({"name": "Ana\x00"}).is_valid() is False
    good = Example({"name": "Ana", "notes": "one\r\ntwo"})
    assert good.is_valid(), good.errors
    assert good.cleaned_data["notes"] == "one\ntwo"


def test_fields_added_in_init_follow_the_rule_too():
    class Dynamic(Form):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["answer"] = forms.CharField(label="Which city?")

    form = Dynamic({"answer": "Lis\x0bbon"})
    assert not form.is_valid() and "“Which city?”" in form.errors["answer"][0]


def _project_modules(suffix: str):
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in PROJECT_PACKAGES:
            continue
        for name in (f"{config.name}.{suffix}", f"{config.name}.payment_{suffix}"):
            try:
                yield importlib.import_module(name)
            except ModuleNotFoundError:
                continue


# Below the core (import-linter layers), the accounts app cannot use its Form base: its forms
# hold a password (taken as typed) and a code, which refuses every control character by its own
# shape rule (tests/accounts/test_two_factor.py).
BELOW_THE_CORE = {"events_site.accounts.forms"}


def test_every_form_of_the_project_follows_the_text_rule():
    found = []
    for module in _project_modules("forms"):
        if module.__name__ in BELOW_THE_CORE:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)
                assert issubclass(cls, TextRuleMixin), f"{cls.__module__}.{cls.__qualname__}"
    assert len(found) >= 15


def test_every_admin_form_and_inline_follows_the_text_rule(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_config.name.split(".")[0] not in PROJECT_PACKAGES:
            continue  # Django's and libraries' own admin screens
        label = f"{model._meta.label} admin"
        assert issubclass(model_admin.get_form(request), TextRuleMixin), label
        for inline in model_admin.get_inline_instances(request):
            formset = inline.get_formset(request)
            assert issubclass(formset.form, TextRuleMixin), f"{label}: {type(inline).__name__}"


def _api_views(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _api_views(pattern.url_patterns)
        elif hasattr(pattern.callback, "cls"):
            yield pattern.callback.cls


def test_every_api_view_parses_bodies_with_the_text_rule():
    from django.urls import get_resolver

    from events_site.congresses.api_parsers import TextRuleParser

    views = set(_api_views(get_resolver().url_patterns))
    assert len(views) >= 10
    for view in views:
        for parser in view.parser_classes:
            assert issubclass(parser, TextRuleParser), f"{view.__name__}: {parser.__name__}"


@pytest.fixture
def owner_api(congress, alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def test_the_api_refuses_control_characters_in_a_json_body_naming_the_field(owner_api, congress):
    url = f"/api/v1/congresses/{congress.slug}/"
    response = owner_api.patch(url, {"name": "World\x1b Congress"}, format="json")
    assert response.status_code == 400
    assert "U+001B" in response.json()["name"][0]
    assert "“name”" in response.json()["name"][0]
    nul = owner_api.patch(url, {"tagline": "a\x00b"}, format="json")
    assert nul.status_code == 400 and "U+0000" in nul.json()["tagline"][0]
    nested = owner_api.patch(url, {"languages": ["en", "f\x0br"]}, format="json")
    assert nested.status_code == 400 and "U+000B" in nested.json()["languages"]["1"][0]
    congress.refresh_from_db()
    assert congress.name == "World Congress 2027"


def test_the_api_refuses_control_characters_in_form_bodies_and_reads_crlf_as_lf(
    owner_api, congress
):
    url = f"/api/v1/congresses/{congress.slug}/"
    bad = owner_api.patch(url, {"tagline": "a\x0cb"}, format="multipart")
    assert bad.status_code == 400 and "U+000C" in bad.json()["tagline"][0]
    ok = owner_api.patch(url, {"description": "one\r\ntwo"}, format="json")
    assert ok.status_code == 200, ok.json()
    assert Congress.objects.get(pk=congress.pk).description == "one\ntwo"


def test_the_django_admin_refuses_control_characters(client, congress, admin_user):
    client.force_login(admin_user)
    url = f"/admin/congresses/organisation/{congress.organisation.pk}/change/"
    response = client.post(url, {"name": "Org\x1b", "slug": congress.organisation.slug})
    assert response.status_code == 200
    assert "contains an invisible control character (U+001B)" in response.content.decode()
    congress.organisation.refresh_from_db()
    assert "\x1b" not in congress.organisation.name
