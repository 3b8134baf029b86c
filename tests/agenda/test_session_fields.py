"""A session's editable fields are listed once (``SESSION_FIELDS``): the organiser form, the
admin form, the API serializer and the services all read that list, in its order."""

import pytest

from sessions.admin import SessionAdminForm
from sessions.api import ProgrammeSessionSerializer
from sessions.forms import SessionForm
from sessions.services.programme import SESSION_FIELDS


def test_the_list_is_one_ordered_tuple():
    assert isinstance(SESSION_FIELDS, tuple) and len(set(SESSION_FIELDS)) == len(SESSION_FIELDS)
    assert SESSION_FIELDS[:2] == ("title", "abstract")


def test_the_admin_form_edits_exactly_those_fields():
    assert list(SessionAdminForm._meta.fields) == ["congress", *SESSION_FIELDS]


def test_the_api_writes_exactly_those_fields_and_the_speakers():
    meta = ProgrammeSessionSerializer.Meta
    writable = [name for name in meta.fields if name not in meta.read_only_fields]
    assert writable == [*SESSION_FIELDS, "speakers"]


@pytest.mark.django_db
def test_the_organiser_form_hands_the_services_exactly_those_fields(congress):
    form = SessionForm(congress=congress)
    assert set(SESSION_FIELDS) <= set(form.fields)
    form.cleaned_data = {}
    assert tuple(form.session_fields()) == SESSION_FIELDS
