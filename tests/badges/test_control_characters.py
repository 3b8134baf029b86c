"""Badges for names holding control characters stored before the text rule: they render, and
the characters do not reach the PDF."""

import pytest

from badges import selectors, services
from badges.models import Badge
from badges.pdf import render_chunk
from tests.badges.conftest import make_delegate, pdf_text

pytestmark = pytest.mark.django_db


def test_a_badge_renders_a_name_with_control_characters(congress, tmp_path):
    delegate = make_delegate(
        congress,
        given_name="Ana\x1b[31m\x0b",
        family_name="Sil\x0cva\x1f",
        organisation_name="City\x7f of\x85 Lisbon",
    )
    services.issue_badges(congress=congress)
    badges = Badge.objects.filter(delegate=delegate)
    [item] = selectors.print_items(congress, badges, "en")
    pdf = render_chunk([item], selectors.render_options(congress))
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path)
    assert "Ana[31m" in text.replace("\n", " ")
    assert not any(c in text for c in "\x1b\x0b\x00\x7f\x85")


def test_the_desk_name_a_scanner_sends_is_stored_without_control_characters(
    client, congress, delegate, bob
):
    from django.urls import reverse

    from badges.models import CheckIn

    client.force_login(bob)
    response = client.post(
        reverse("badges:checkin_person", args=[congress.slug, delegate.pk]),
        {"desk": "Desk\x01 A\x1b"},
    )
    assert response.status_code == 302
    assert CheckIn.objects.get().desk == "Desk A"
    # A NUL is the site-wide clear 400 (events_site/congresses/middleware.py), nothing stored.
    CheckIn.objects.all().delete()
    response = client.post(
        reverse("badges:checkin_person", args=[congress.slug, delegate.pk]),
        {"desk": "Desk\x00 A"},
    )
    assert response.status_code == 400
    assert not CheckIn.objects.exists()
