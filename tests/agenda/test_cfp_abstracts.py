"""The book of abstracts: accepted proposals only, grouped by track, hostile text escaped, every
script rendered in the PDF, the programme team only, and a fixed number of queries."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sessions import services
from sessions.abstracts import book_of_abstracts
from sessions.enums import DecisionOutcome, InvitationStatus, ProposalStatus, SessionFormat
from sessions.models import ProposalDecision

from .cfp_world import make_call, make_proposal

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def call(congress):
    return make_call(congress)


@pytest.fixture
def book_world(congress, alice, call, track):
    water = services.create_track(congress=congress, by=alice, name="Water", slug="water")
    make_proposal(
        call,
        status=ProposalStatus.ACCEPTED,
        title="Heat islands",
        track=track,
        names=("Amara Okonkwo", "Björn Lindqvist"),
    )
    make_proposal(
        call,
        status=ProposalStatus.ACCEPTED,
        title="Rivers " + HOSTILE,
        track=water,
        organisation="مدينة الرباط",
        country="MA",
        names=("ليلى بنعلي", "陈晓明", "Declined Person"),
    )
    make_proposal(call, status=ProposalStatus.REJECTED, title="Rejected idea", track=track)
    make_proposal(call, status=ProposalStatus.SUBMITTED, title="Still in review", track=water)
    rivers = call.proposals.get(title__startswith="Rivers")
    rivers.abstract = "Line one\n" + HOSTILE
    rivers.save(update_fields=["abstract"])
    rivers.people.filter(name="Declined Person").update(status=InvitationStatus.DECLINED)
    return call


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_book_holds_only_accepted_proposals_grouped_by_track(congress, book_world):
    book = book_of_abstracts(congress=congress, call=book_world)
    assert [t.name for t in book.tracks] == ["Climate", "Water"]
    titles = [e.title for t in book.tracks for e in t.entries]
    assert titles == ["Heat islands", "Rivers " + HOSTILE]
    rivers = book.tracks[1].entries[0]
    assert [p.name for p in rivers.people] == ["ليلى بنعلي", "陈晓明"]
    assert rivers.people[0].country == "Morocco"
    assert rivers.people[0].organisation == "مدينة الرباط"
    assert rivers.format == SessionFormat.PARALLEL.label


def test_a_proposal_accepted_as_another_format_shows_that_format(congress, book_world, alice):
    from django.utils import timezone

    heat = book_world.proposals.get(title="Heat islands")
    ProposalDecision.objects.create(
        proposal=heat,
        outcome=DecisionOutcome.ACCEPT_AS,
        format=SessionFormat.WORKSHOP,
        decided_by=alice,
        decided_at=timezone.now(),
        sent_at=timezone.now(),
    )
    book = book_of_abstracts(congress=congress, call=book_world)
    assert book.tracks[0].entries[0].format == SessionFormat.WORKSHOP.label


def test_the_whole_congress_book_gathers_every_call(congress, book_world):
    other = make_call(congress, slug="posters", title="Call for posters")
    make_proposal(other, status=ProposalStatus.ACCEPTED, title="A poster")
    book = book_of_abstracts(congress=congress)
    assert book.count == 3
    assert book.tracks[-1].entries[0].title == "A poster"  # no track: last
    assert book_of_abstracts(congress=congress, call=other).count == 1


def test_the_page_escapes_markup_and_lists_the_speakers(client, alice, congress, book_world):
    client.force_login(alice)
    url = reverse("agenda:manage_abstracts", args=[congress.slug])
    response = client.get(url, {"call": book_world.slug})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "ليلى بنعلي" in html and "陈晓明" in html and "Morocco" in html
    assert "Declined Person" not in html and "Rejected idea" not in html
    assert "Still in review" not in html
    assert html.index("Heat islands") < html.index("Rivers")


def test_the_pdf_reads_back_with_every_script_and_real_fonts(
    client, alice, congress, book_world, tmp_path
):
    client.force_login(alice)
    url = reverse("agenda:manage_abstracts_pdf", args=[congress.slug])
    response = client.get(url, {"call": book_world.slug})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    text = _pdf_text(response.content)
    assert "Heat islands" in text and "Amara Okonkwo" in text and "Björn Lindqvist" in text
    assert "陈晓明" in text
    assert '<script>alert("x")</script>' in text  # printed as text, not interpreted
    assert "Rejected idea" not in text and "Declined Person" not in text
    path = tmp_path / "book.pdf"
    path.write_bytes(response.content)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.replace("-", "")
    assert "NotoSansArabic" in fonts and "NotoSansCJK" in fonts


def test_an_unknown_or_hostile_call_is_not_found(client, alice, congress, book_world):
    client.force_login(alice)
    for name in ("agenda:manage_abstracts", "agenda:manage_abstracts_pdf"):
        url = reverse(name, args=[congress.slug])
        for value in ("nope", "a\x00b", "x" * 10_000, "<b>"):
            assert client.get(url, {"call": value}).status_code in (400, 404)  # NUL: 400


def test_only_the_programme_team_sees_the_book(client, bob, charlie, congress, book_world):
    for name in ("agenda:manage_abstracts", "agenda:manage_abstracts_pdf"):
        url = reverse(name, args=[congress.slug])
        assert client.get(url).status_code == 302  # to the login
        for user in (bob, charlie):
            client.force_login(user)
            assert client.get(url).status_code in (403, 404)
        client.logout()


def test_the_call_page_links_to_its_book(client, alice, congress, book_world):
    client.force_login(alice)
    page = client.get(reverse("agenda:manage_call", args=[congress.slug, book_world.slug]))
    link = reverse("agenda:manage_abstracts", args=[congress.slug]) + f"?call={book_world.slug}"
    assert link in page.content.decode()


def test_the_book_takes_a_fixed_number_of_queries(
    client, alice, congress, call, track, django_assert_max_num_queries
):
    water = services.create_track(congress=congress, by=alice, name="Water", slug="water")
    for n in range(60):
        make_proposal(
            call,
            status=ProposalStatus.ACCEPTED,
            title=f"Session {n}",
            track=track if n % 2 else water,
            organisation=f"City {n}",
        )
    client.force_login(alice)
    url = reverse("agenda:manage_abstracts", args=[congress.slug])
    with django_assert_max_num_queries(20):
        response = client.get(url, {"call": call.slug})
    assert response.status_code == 200
    assert response.content.decode().count('class="abstract"') == 60
    with django_assert_max_num_queries(6):
        book_of_abstracts(congress=congress, call=call)
