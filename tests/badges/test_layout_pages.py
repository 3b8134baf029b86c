"""The organiser's badge layout pages: list, create, edit with a rendered preview, delete."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from badges.layouts import LAYOUT_FIELDS, save_badge_layout
from badges.models import BadgeLayout
from events_site.congresses.colours import contrast_ratio
from events_site.congresses.edit_conflicts import fingerprint
from events_site.congresses.models import AuditEntry
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory

from .conftest import make_delegate

pytestmark = pytest.mark.django_db


def _form(**overrides):
    data = {
        "name": "Speakers",
        "registration_type": "",
        "role": "speaker",
        "label": "SPEAKER",
        "band_colour": "#7a1f5c",
        "band_text_colour": "#ffffff",
        "back_text": "Wi-Fi: congress",
        "extra_css": "",
        "position": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def badges_manager(congress):
    user = UserFactory(username="regina")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    return user


@pytest.fixture
def layout(congress):
    return save_badge_layout(congress=congress, name="Press", role="press", label="PRESS")


def _url(name, congress, **kwargs):
    return reverse(f"badges:{name}", kwargs={"congress_slug": congress.slug, **kwargs})


def test_contrast_ratio_is_the_wcag_one():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)
    assert contrast_ratio("#0b5cad", "#ffffff") > 4.5


def test_an_owner_creates_a_layout_and_it_is_audited(client, alice, congress):
    client.force_login(alice)
    response = client.post(_url("layout_new", congress), _form())
    layout = BadgeLayout.objects.get(congress=congress, name="Speakers")
    assert response.status_code == 302
    assert response["Location"] == _url("layout_edit", congress, layout_id=layout.pk)
    entry = AuditEntry.objects.get(action="convene.badge_layout.created")
    assert entry.actor == alice and entry.congress == congress


def test_the_list_counts_the_delegates_of_each_layout(
    client, alice, congress, layout, django_assert_max_num_queries
):
    for _ in range(3):
        make_delegate(congress, role="press")
    make_delegate(congress, role="delegate")
    speakers = RegistrationTypeFactory(congress=congress, code="SPK", name="Speaker pass")
    save_badge_layout(congress=congress, name="Speaker type", registration_type=speakers)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(_url("layouts", congress))
    page = response.content.decode()
    assert response.status_code == 200
    rows = {layout.name: count for layout, count in response.context["rows"]}
    assert rows == {"Press": 3, "Speaker type": 0}
    assert response.context["built_in_count"] == 1
    assert "Registration type: Speaker pass" in page
    assert "/admin/" not in page


def test_low_contrast_colours_are_refused_beside_the_field(client, alice, congress):
    client.force_login(alice)
    response = client.post(
        _url("layout_new", congress), _form(band_colour="#ffff00", band_text_colour="#ffffff")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "band_text_colour" in errors and "contrast" in errors["band_text_colour"][0]
    assert not BadgeLayout.objects.filter(name="Speakers").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Press\x07"),
        ("name", "x" * 10_000),
        ("band_colour", "red; background: url(http://evil.example/)"),
        ("back_text", "y" * 10_000),
        ("extra_css", "z" * 30_000),
    ],
)
def test_hostile_input_is_refused_and_nothing_is_saved(client, alice, congress, field, value):
    client.force_login(alice)
    response = client.post(_url("layout_new", congress), _form(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not BadgeLayout.objects.filter(congress=congress).exists()


def test_markup_and_other_scripts_in_a_name_are_kept_and_shown_escaped(client, alice, congress):
    client.force_login(alice)
    name = "<script>alert(1)</script> شارة 名札"
    client.post(_url("layout_new", congress), _form(name=name))
    response = client.get(_url("layouts", congress))
    page = response.content.decode()
    assert BadgeLayout.objects.filter(name=name).exists()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; شارة 名札" in page


def test_a_duplicate_name_is_refused_beside_the_field(client, alice, congress, layout):
    client.force_login(alice)
    response = client.post(_url("layout_new", congress), _form(name="press"))
    assert "name" in response.context["form"].errors


def test_a_registration_type_of_another_congress_cannot_be_chosen(
    client, alice, congress, other_congress
):
    foreign = RegistrationTypeFactory(congress=other_congress, code="OTH")
    client.force_login(alice)
    response = client.post(
        _url("layout_new", congress), _form(registration_type=str(foreign.pk), role="")
    )
    assert "registration_type" in response.context["form"].errors


def test_the_later_of_two_concurrent_edits_is_refused(client, alice, congress, layout):
    client.force_login(alice)
    shown = client.get(_url("layout_edit", congress, layout_id=layout.pk))
    version = shown.context["form"].initial["fingerprint"]
    # Someone else saves first.
    save_badge_layout(congress=congress, layout=layout, label="MEDIA", **{"name": "Press"})
    response = client.post(
        _url("layout_edit", congress, layout_id=layout.pk),
        _form(name="Press", role="press", label="JOURNALIST", fingerprint=version),
    )
    assert response.status_code == 200
    assert "Someone else changed this" in response.content.decode()
    layout.refresh_from_db()
    assert layout.label == "MEDIA"


def test_an_edit_with_the_current_version_saves(client, alice, congress, layout):
    client.force_login(alice)
    version = fingerprint(layout, LAYOUT_FIELDS)
    response = client.post(
        _url("layout_edit", congress, layout_id=layout.pk),
        _form(name="Press", role="press", label="MEDIA", fingerprint=version),
    )
    assert response.status_code == 302
    layout.refresh_from_db()
    assert layout.label == "MEDIA"


def _png_size(content: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(content))
    assert image.format == "PNG"
    return image.size


def test_the_preview_is_a_png_of_a_real_badge(client, alice, congress, layout):
    make_delegate(congress, role="press", given_name="Zoë", family_name="Martin")
    client.force_login(alice)
    response = client.get(_url("layout_preview", congress, layout_id=layout.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    width, height = _png_size(response.content)
    assert height > width  # an A6 badge stands upright
    sheet = client.get(_url("layout_preview", congress, layout_id=layout.pk) + "?page_format=a4x4")
    sheet_width, _height = _png_size(sheet.content)
    assert sheet_width > width  # the A4 sheet is wider than one badge


def test_the_band_colour_shows_in_the_preview(client, alice, congress):
    layout = save_badge_layout(
        congress=congress, name="Green", is_default=True, band_colour="#006400"
    )
    client.force_login(alice)
    response = client.get(_url("layout_preview", congress, layout_id=layout.pk))
    image = Image.open(io.BytesIO(response.content)).convert("RGB")
    colours = {colour for _count, colour in image.getcolors(maxcolors=1_000_000)}
    assert (0, 100, 0) in colours


def test_preview_without_saving_saves_nothing(client, alice, congress, layout):
    client.force_login(alice)
    version = fingerprint(layout, LAYOUT_FIELDS)
    response = client.post(
        _url("layout_edit", congress, layout_id=layout.pk),
        _form(name="Press", role="press", label="CHANGED", fingerprint=version, preview="1"),
    )
    assert response.status_code == 200
    assert response.context["preview_uri"].startswith("data:image/png;base64,")
    layout.refresh_from_db()
    assert layout.label == "PRESS"


def test_delete_asks_first_then_deletes(client, alice, congress, layout):
    client.force_login(alice)
    assert client.get(_url("layout_delete", congress, layout_id=layout.pk)).status_code == 200
    assert BadgeLayout.objects.filter(pk=layout.pk).exists()
    response = client.post(_url("layout_delete", congress, layout_id=layout.pk))
    assert response.status_code == 302
    assert not BadgeLayout.objects.filter(pk=layout.pk).exists()
    assert AuditEntry.objects.filter(action="convene.badge_layout.deleted").exists()


def test_the_registration_role_manages_layouts(client, badges_manager, congress, layout):
    client.force_login(badges_manager)
    assert client.get(_url("layouts", congress)).status_code == 200


@pytest.mark.parametrize("name", ["layouts", "layout_new"])
def test_check_in_staff_and_outsiders_are_refused(client, bob, charlie, congress, name):
    for person in (bob, charlie):
        client.force_login(person)
        assert client.get(_url(name, congress)).status_code == 403


@pytest.mark.parametrize("name", ["layout_edit", "layout_delete", "layout_preview"])
def test_a_layout_of_another_congress_is_not_found(client, alice, congress, other_congress, name):
    foreign = save_badge_layout(congress=other_congress, name="Theirs")
    client.force_login(alice)
    assert client.get(_url(name, congress, layout_id=foreign.pk)).status_code == 404
    if name != "layout_preview":
        assert client.post(_url(name, congress, layout_id=foreign.pk)).status_code == 404
