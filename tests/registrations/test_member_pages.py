"""The organisers' member-list pages: list, search, add, edit, delete, export and the CSV import
with its preview (what the preview shows is exactly what is applied), without the admin."""

from __future__ import annotations

import csv
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events_site.congresses.edit_conflicts import fingerprint
from events_site.congresses.models import AuditEntry
from registrations.errors import RegistrationError
from registrations.models import MemberOrganisation
from registrations.models.vouchers import normalise_organisation_name
from registrations.services.members import (
    MEMBER_FIELDS,
    apply_member_import,
    plan_member_import,
)
from registrations.services.orders import place_order
from tests.factories import TeamMembershipFactory, UserFactory

from .conftest import order_kwargs

pytestmark = pytest.mark.django_db


def _url(name, congress, **kwargs):
    return reverse(f"registrations:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def _member(congress, name, country="", reference=""):
    return MemberOrganisation.objects.create(
        congress=congress, name=name, country=country, reference=reference
    )


def _csv(text: str | bytes, name="members.csv"):
    body = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, body, content_type="text/csv")


def _upload(client, congress, text, replace=False):
    data = {"file": _csv(text)}
    if replace:
        data["replace"] = "on"
    return client.post(_url("manage_members_import", congress), data)


def _preview(client, congress, **query):
    return client.get(_url("manage_members_import_preview", congress), query)


def _confirm(client, congress, digest):
    return client.post(_url("manage_members_import_preview", congress), {"digest": digest})


@pytest.fixture
def organiser(client, alice):
    client.force_login(alice)
    return client


# --- the plan (service) ---------------------------------------------------------------------


def test_the_plan_tells_adds_updates_unchanged_and_removals_and_writes_nothing(congress):
    _member(congress, "City of Lisbon", "PT", "M-1")
    _member(congress, "Ville de Paris", "FR", "M-2")
    _member(congress, "Comune di Roma", "IT", "M-3")
    text = (
        "name,country,reference\n"
        "CITY OF LISBON,PT,M-1\n"  # the spelling changes
        "Ville de Paris,FR,M-20\n"  # the member number changes
        "Ciudad de México,MX,M-4\n"  # new
    )
    before = list(MemberOrganisation.objects.values_list("name", "country", "reference"))
    plan = plan_member_import(congress=congress, csv_text=text, replace=True)
    assert plan.counts == {"added": 1, "updated": 2, "unchanged": 0, "removed": 1}
    assert [(r.line, r.name, r.country) for r in plan.added] == [(4, "Ciudad de México", "MX")]
    changes = {u.listed_name: u.changes for u in plan.updated}
    assert changes == {
        "City of Lisbon": [("name", "City of Lisbon", "CITY OF LISBON")],
        "Ville de Paris": [("reference", "M-2", "M-20")],
    }
    assert [r.name for r in plan.removed] == ["Comune di Roma"]
    assert not plan.errors and len(plan.digest) == 64
    assert list(MemberOrganisation.objects.values_list("name", "country", "reference")) == before


def test_without_replace_nothing_is_removed_and_a_missing_column_is_left_alone(congress):
    _member(congress, "City of Lisbon", "PT", "M-1")
    _member(congress, "Ville de Paris", "FR", "M-2")
    plan = plan_member_import(congress=congress, csv_text="name\nCity of Lisbon\n")
    assert plan.counts == {"added": 0, "updated": 0, "unchanged": 1, "removed": 0}


def test_an_import_updates_the_country_and_member_number_of_a_listed_organisation(congress):
    lisbon = _member(congress, "City of Lisbon", "", "")
    result = apply_member_import(
        congress=congress, csv_text="name,country,reference\nCity of Lisbon,PT,M-7\n"
    )
    assert result == {"added": 0, "updated": 1, "unchanged": 0, "removed": 0}
    lisbon.refresh_from_db()
    assert (lisbon.country, lisbon.reference) == ("PT", "M-7")
    entry = AuditEntry.objects.get(action="convene.member_list.imported")
    assert entry.data == {**result, "replace": False}


def test_every_error_is_reported_with_its_line_not_only_the_first_ten(congress):
    lines = ["name,country"] + [f"City {n},Portugal" for n in range(25)]
    plan = plan_member_import(congress=congress, csv_text="\n".join(lines) + "\n")
    assert len(plan.errors) == 25
    assert [e.line for e in plan.errors] == list(range(2, 27))
    assert plan.errors[-1].message == "Line 26: the country must be a two-letter code."
    assert not plan.added and not plan.digest


def test_a_quoted_cell_over_two_lines_does_not_shift_the_line_numbers(congress):
    text = 'name,country\n"City of\nLisbon",PT\nVille de Paris,XX\n'
    plan = plan_member_import(congress=congress, csv_text=text)
    assert [(e.line, e.message) for e in plan.errors] == [
        (4, "Line 4: the country must be a two-letter code.")
    ]


def test_the_same_organisation_twice_in_the_file_is_an_error_naming_both_lines(congress):
    plan = plan_member_import(
        congress=congress, csv_text="name\nVille de Montréal\nVILLE DE MONTREAL\n"
    )
    assert [e.message for e in plan.errors] == ["Line 3 names the same organisation as line 2."]


def test_apply_is_all_or_nothing(congress):
    _member(congress, "City of Lisbon", "PT")
    text = "name,country\nCity of Lisbon,ES\nVille de Paris,FR\n,IT\n"
    with pytest.raises(RegistrationError) as refused:
        apply_member_import(congress=congress, csv_text=text, replace=True)
    assert "Line 4: the name is empty." in str(refused.value.message)
    assert list(MemberOrganisation.objects.values_list("name", "country")) == [
        ("City of Lisbon", "PT")
    ]
    assert not AuditEntry.objects.filter(action="convene.member_list.imported").exists()


def test_apply_refuses_a_plan_other_than_the_one_previewed(congress):
    plan = plan_member_import(congress=congress, csv_text="name\nCity of Lisbon\n", replace=True)
    _member(congress, "Ville de Paris")  # the list changed since: the replace would remove it
    with pytest.raises(RegistrationError, match="changed since the preview"):
        apply_member_import(
            congress=congress,
            csv_text="name\nCity of Lisbon\n",
            replace=True,
            previewed_digest=plan.digest,
        )
    assert list(MemberOrganisation.objects.values_list("name", flat=True)) == ["Ville de Paris"]


def test_names_match_without_regard_to_accents_case_or_punctuation():
    assert normalise_organisation_name("Ville de Montréal!") == "ville de montreal"
    assert normalise_organisation_name("ZÜRICH") == normalise_organisation_name("zurich")
    assert normalise_organisation_name("서울특별시") == "서울특별시"
    assert normalise_organisation_name("مدينة الرياض") == "مدينة الرياض"


def test_the_migration_recomputes_keys_and_keeps_a_row_whose_new_key_is_taken(congress):
    from importlib import import_module

    migration = import_module("registrations.migrations.0005_member_names_match_without_accents")
    montreal, accented, zurich = MemberOrganisation.objects.bulk_create(
        MemberOrganisation(congress=congress, name=name, normalised_name=old_key)
        for name, old_key in (
            ("Montreal", "montreal"),
            ("Montréal", "montréal"),
            ("Zürich", "zürich"),
        )
    )
    migration.recompute_keys(apps, None)
    keys = dict(MemberOrganisation.objects.values_list("pk", "normalised_name"))
    assert keys == {montreal.pk: "montreal", accented.pk: "montréal", zurich.pk: "zurich"}


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role,status",
    [("owner", 200), ("registration", 200), ("finance", 403), ("checkin", 403), ("programme", 403)],
)
def test_only_owners_and_registration_managers_reach_the_member_pages(
    client, congress, role, status
):
    user = UserFactory(username=f"team-{role}")
    TeamMembershipFactory(congress=congress, user=user, role=role)
    client.force_login(user)
    org = _member(congress, "City of Lisbon")
    for name, kwargs in (
        ("manage_members", {}),
        ("manage_members_export", {}),
        ("manage_member_new", {}),
        ("manage_member_edit", {"member_id": org.pk}),
        ("manage_member_delete", {"member_id": org.pk}),
        ("manage_members_import", {}),
    ):
        assert client.get(_url(name, congress, **kwargs)).status_code == status, name
    response = client.post(_url("manage_member_delete", congress, member_id=org.pk))
    assert response.status_code == (302 if status == 200 else 403)
    assert MemberOrganisation.objects.exists() is (status != 200)


def test_another_congresss_organisation_is_not_found(organiser, congress, other_congress):
    foreign = _member(other_congress, "Ville de Paris")
    for name in ("manage_member_edit", "manage_member_delete"):
        url = _url(name, congress, member_id=foreign.pk)
        assert organiser.get(url).status_code == 404
        assert organiser.post(url, {"name": "Taken over"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Ville de Paris"


def test_the_nav_links_the_member_list_and_the_pages_never_link_to_the_admin(organiser, congress):
    _member(congress, "City of Lisbon")
    manage = organiser.get(f"/{congress.slug}/manage/").content.decode()
    assert _url("manage_members", congress) in manage
    for name in ("manage_members", "manage_members_import", "manage_member_new"):
        assert "/admin/" not in organiser.get(_url(name, congress)).content.decode()


# --- the list -------------------------------------------------------------------------------


def test_search_ignores_accents_and_case_and_finds_member_numbers(organiser, congress):
    _member(congress, "Ville de Montréal", "CA", "QC-12")
    _member(congress, "City of Lisbon", "PT", "PT-7")
    _member(congress, "東京都", "JP", "JP-1")

    def names(**query):
        response = organiser.get(_url("manage_members", congress), query)
        return [org.name for org, _n in response.context["rows"]]

    assert names(q="MONTREAL") == ["Ville de Montréal"]
    assert names(q="qc-1") == ["Ville de Montréal"]
    assert names(q="東京") == ["東京都"]
    assert names(country="PT") == ["City of Lisbon"]
    assert names(q="lisbon", country="JP") == []


def test_the_list_counts_the_live_delegates_of_each_organisation(organiser, congress, regtype):
    _member(congress, "City of Lisbon")
    _member(congress, "Ville de Paris")
    place_order(**order_kwargs(congress, regtype, count=3))  # "City of Lisbon"
    response = organiser.get(_url("manage_members", congress))
    assert {org.name: n for org, n in response.context["rows"]} == {
        "City of Lisbon": 3,
        "Ville de Paris": 0,
    }


def test_two_thousand_organisations_answer_in_a_fixed_number_of_queries(
    organiser, congress, regtype, django_assert_max_num_queries
):
    MemberOrganisation.objects.bulk_create(
        MemberOrganisation(
            congress=congress,
            name=f"Município {n:04d}",
            normalised_name=normalise_organisation_name(f"Município {n:04d}"),
            country="PT",
            reference=f"M-{n}",
        )
        for n in range(2000)
    )
    place_order(**order_kwargs(congress, regtype, count=2))
    organiser.get(_url("manage_members", congress))  # warm the session and the caches
    for query in ({}, {"q": "municipio 19"}, {"page": "40"}, {"country": "PT", "page": "7"}):
        with django_assert_max_num_queries(12):
            response = organiser.get(_url("manage_members", congress), query)
        assert response.status_code == 200
    assert response.context["page"].paginator.count == 2000
    with django_assert_max_num_queries(12):
        export = organiser.get(_url("manage_members_export", congress))
    assert len(export.content.decode().splitlines()) == 2001


# --- add, edit, delete ----------------------------------------------------------------------


def test_an_organiser_adds_edits_and_deletes_an_organisation(organiser, congress):
    response = organiser.post(
        _url("manage_member_new", congress),
        {"name": "Ciudad de México", "country": "MX", "reference": "MX-1"},
    )
    assert response.status_code == 302
    org = MemberOrganisation.objects.get()
    assert (org.normalised_name, org.country) == ("ciudad de mexico", "MX")
    shown = fingerprint(org, MEMBER_FIELDS)
    response = organiser.post(
        _url("manage_member_edit", congress, member_id=org.pk),
        {"name": "Ciudad de México", "country": "MX", "reference": "MX-2", "fingerprint": shown},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.reference == "MX-2"
    confirm = organiser.get(_url("manage_member_delete", congress, member_id=org.pk))
    assert "Remove “Ciudad de México” from the member list?" in confirm.content.decode()
    assert MemberOrganisation.objects.exists()
    organiser.post(_url("manage_member_delete", congress, member_id=org.pk))
    assert not MemberOrganisation.objects.exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == [
        "convene.member_organisation.created",
        "convene.member_organisation.updated",
        "convene.member_organisation.deleted",
    ]


def test_a_save_over_someone_elses_change_is_refused(organiser, congress):
    org = _member(congress, "City of Lisbon", "PT", "M-1")
    shown = fingerprint(org, MEMBER_FIELDS)
    MemberOrganisation.objects.filter(pk=org.pk).update(reference="M-99")
    response = organiser.post(
        _url("manage_member_edit", congress, member_id=org.pk),
        {"name": "City of Lisbon", "country": "PT", "reference": "M-2", "fingerprint": shown},
    )
    assert response.status_code == 200
    assert "Someone else changed this since you opened it." in response.content.decode()
    org.refresh_from_db()
    assert org.reference == "M-99"


def test_a_second_organisation_of_the_same_name_is_refused_beside_the_name(organiser, congress):
    _member(congress, "Ville de Montréal")
    response = organiser.post(
        _url("manage_member_new", congress), {"name": "VILLE DE MONTREAL", "country": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "This organisation is already on the member list."
    ]
    assert MemberOrganisation.objects.count() == 1


@pytest.mark.parametrize(
    "name,field_error",
    [
        ("Ville\x00 de Paris", None),  # the middleware's 400
        ("Ville\x1b de Paris", "U+001B"),
        ("x" * 10_000, "at most 200 characters"),
        ("", "This field is required."),
        ("!!!", "Enter the organisation’s name."),
    ],
)
def test_hostile_names_are_refused_beside_the_field(organiser, congress, name, field_error):
    response = organiser.post(_url("manage_member_new", congress), {"name": name})
    if field_error is None:
        assert response.status_code == 400
    else:
        assert response.status_code == 200
        assert field_error in " ".join(response.context["form"].errors["name"])
    assert not MemberOrganisation.objects.exists()


@pytest.mark.parametrize("name", ["مدينة الرياض", "東京都", '<script>alert("x")</script>'])
def test_any_script_and_markup_are_kept_and_shown_escaped(organiser, congress, name):
    organiser.post(_url("manage_member_new", congress), {"name": name})
    assert MemberOrganisation.objects.get().name == name
    page = organiser.get(_url("manage_members", congress)).content.decode()
    assert "<script>alert" not in page
    assert ("&lt;script&gt;" in page) if "<" in name else (name in page)


# --- export ---------------------------------------------------------------------------------


def test_the_export_guards_formulas_and_reads_back_as_the_same_list(organiser, congress):
    _member(congress, '=HYPERLINK("http://x")', "PT", "+1")
    _member(congress, "@SUM(A1)", "", "-2")
    _member(congress, "City of Lisbon", "PT", "M-1")
    response = organiser.get(_url("manage_members_export", congress))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["name", "country", "reference"]
    assert ['\'=HYPERLINK("http://x")', "PT", "'+1"] in rows
    assert ["'@SUM(A1)", "", "'-2"] in rows
    plan = plan_member_import(congress=congress, csv_text=response.content.decode(), replace=True)
    assert plan.counts == {"added": 0, "updated": 0, "unchanged": 3, "removed": 0}


# --- the import page ------------------------------------------------------------------------


def test_the_preview_shows_adds_updates_and_removals_and_confirm_applies_them(organiser, congress):
    _member(congress, "City of Lisbon", "PT", "M-1")
    _member(congress, "Comune di Roma", "IT", "M-3")
    response = _upload(
        organiser,
        congress,
        "name,country,reference\nCity of Lisbon,PT,M-10\nCiudad de México,MX,M-4\n",
        replace=True,
    )
    assert response.status_code == 302
    preview = _preview(organiser, congress)
    page = preview.content.decode()
    assert "1 organisation to add" in page and "Ciudad de México" in page
    assert "1 organisation to update" in page and "<del>M-1</del> → <ins>M-10</ins>" in page
    assert "1 organisation to remove" in page and "Comune di Roma" in page
    assert MemberOrganisation.objects.count() == 2  # nothing yet
    digest = preview.context["plan"].digest
    response = _confirm(organiser, congress, digest)
    assert response.status_code == 302
    assert dict(MemberOrganisation.objects.values_list("name", "reference")) == {
        "City of Lisbon": "M-10",
        "Ciudad de México": "M-4",
    }
    followed = organiser.get(response["Location"]).content.decode()
    assert "1 added, 1 updated, 0 unchanged, 1 removed." in followed
    assert _preview(organiser, congress).status_code == 302  # the kept file is gone


def test_a_file_uploaded_again_between_preview_and_confirm_is_refused(organiser, congress):
    _upload(organiser, congress, "name\nCity of Lisbon\n")
    digest = _preview(organiser, congress).context["plan"].digest
    _upload(organiser, congress, "name\nVille de Paris\n")  # another tab, another file
    response = _confirm(organiser, congress, digest)
    assert response.status_code == 200
    assert "changed since the preview" in response.content.decode()
    assert not MemberOrganisation.objects.exists()
    digest = response.context["plan"].digest  # the page previews the file kept now
    assert _confirm(organiser, congress, digest).status_code == 302
    assert list(MemberOrganisation.objects.values_list("name", flat=True)) == ["Ville de Paris"]


def test_a_confirm_without_a_preview_does_nothing(organiser, congress):
    response = _confirm(organiser, congress, "0" * 64)
    assert response.status_code == 302
    assert not MemberOrganisation.objects.exists()


def test_errors_are_shown_by_line_paginated_and_nothing_can_be_confirmed(organiser, congress):
    lines = ["name,country"] + [f"City {n},Portugal" for n in range(150)] + ["Good City,PT"]
    _upload(organiser, congress, "\n".join(lines))
    preview = _preview(organiser, congress)
    page = preview.content.decode()
    assert "150 errors: nothing can be imported" in page
    assert "Line 2: the country must be a two-letter code." in page
    assert "Line 151:" not in page and "Page 1 of 2" in page
    assert "Line 151: the country" in _preview(organiser, congress, page=2).content.decode()
    assert 'name="digest"' not in page
    response = _confirm(organiser, congress, preview.context["plan"].digest)
    assert response.status_code == 200
    assert not MemberOrganisation.objects.exists()


def test_excels_semicolon_separated_windows_csv_is_read(organiser, congress):
    body = "name;country;reference\r\nZürich;CH;Z-1\r\nSão Paulo;BR;SP-2\r\n".encode("cp1252")
    _upload(organiser, congress, body)
    plan = _preview(organiser, congress).context["plan"]
    assert [(r.name, r.country, r.reference) for r in plan.added] == [
        ("Zürich", "CH", "Z-1"),
        ("São Paulo", "BR", "SP-2"),
    ]


def test_a_utf8_file_with_a_bom_and_tabs_is_read(organiser, congress):
    body = "\ufeffname\tcountry\nΔήμος Αθηναίων\tGR\n".encode()
    _upload(organiser, congress, body)
    plan = _preview(organiser, congress).context["plan"]
    assert [(r.name, r.country) for r in plan.added] == [("Δήμος Αθηναίων", "GR")]


@pytest.mark.parametrize(
    "body,message",
    [
        (b"", "The submitted file is empty."),
        (b"name\nCity of Lisbon\x00\n", "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"PK\x03\x04\x14\x00\x06\x00", "binary data"),
    ],
)
def test_an_empty_or_binary_upload_is_refused_beside_the_field(organiser, congress, body, message):
    response = _upload(organiser, congress, body)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])


def test_an_upload_over_the_size_cap_is_refused(organiser, congress, settings):
    settings.UPLOAD_MAX_CSV_BYTES = 100
    response = _upload(organiser, congress, "name\n" + "City of Lisbon\n" * 20)
    assert "larger than" in " ".join(response.context["form"].errors["file"])


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "name,country\nVille\x0b de Paris,FR\n",
            "“line 2, column name” contains an invisible control character (U+000B)",
        ),
        ("name\n" + "x" * 10_000 + "\n", "Line 2: the name is longer than 200 characters."),
        (
            "name,reference\nLisbon," + "9" * 10_000 + "\n",
            "Line 2: the member number is longer than 60 characters.",
        ),
        ("name,country\nLisbon,PT,extra,cells\n", "Line 2 has more cells than the header row."),
        (
            "organisation,country\nLisbon,PT\n",
            "The CSV file needs a header row with a “name” column.",
        ),
        ("\n\n  \n", "The file is empty."),
        ("name,country\n,PT\n", "Line 2: the name is empty."),
    ],
)
def test_hostile_files_are_refused_with_the_line_and_import_nothing(
    organiser, congress, text, expected
):
    _member(congress, "City of Lisbon", "PT")
    _upload(organiser, congress, text, replace=True)
    preview = _preview(organiser, congress)
    assert any(expected in str(e.message) for e in preview.context["plan"].errors)
    _confirm(organiser, congress, "x" * 64)
    assert list(MemberOrganisation.objects.values_list("name", flat=True)) == ["City of Lisbon"]


def test_markup_and_every_script_in_a_file_are_imported_as_text(organiser, congress):
    text = (
        'name,country\n"<img src=x onerror=alert(1)>",\nمدينة الرياض,SA\n東京都,JP\n서울특별시,KR\n'
    )
    _upload(organiser, congress, text)
    preview = _preview(organiser, congress)
    page = preview.content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "مدينة الرياض" in page and "東京都" in page
    assert _confirm(organiser, congress, preview.context["plan"].digest).status_code == 302
    assert MemberOrganisation.objects.count() == 4
