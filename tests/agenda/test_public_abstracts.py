"""The public book of abstracts: only accepted proposals whose session is in the published
programme, of calls that publish their abstracts; nothing private (e-mails, reviews, answers,
unpublished titles); every script printed; a fixed number of queries; cached per version."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from sessions import services
from sessions.enums import DecisionOutcome, ProposalStatus, SessionStatus
from sessions.models import Review, Session
from sessions.services import cfp_decisions
from sessions.services.editor import place_session

from .cfp_world import make_call, make_proposal

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script>'


def _accept(proposals, *, by):
    for proposal in proposals:
        cfp_decisions.decide(proposal=proposal, by=by, outcome=DecisionOutcome.ACCEPT)
    cfp_decisions.send_decisions(call=proposals[0].call, by=by)


def _schedule(proposal, *, by, room, hour):
    proposal.refresh_from_db()
    session = Session.objects.get(pk=proposal.session_id)
    start = dt.datetime.combine(proposal.call.congress.start_date, dt.time(hour))
    place_session(session=session, by=by, room=room, start=start, minutes=60)
    services.update_session(session=session, by=by, status=SessionStatus.CONFIRMED)
    return session


@pytest.fixture
def book(congress, alice, hall, track):
    call = make_call(congress, public_abstracts=True)
    heat = make_proposal(
        call, title="Heat islands", track=track, names=("Amara Okonkwo", "Björn Lindqvist")
    )
    rivers = make_proposal(
        call,
        title="Rivers " + HOSTILE,
        organisation="مدينة الرباط",
        country="MA",
        names=("ليلى بنعلي", "陈晓明"),
    )
    unpublished = make_proposal(call, title="Unpublished-title-5521")
    make_proposal(call, status=ProposalStatus.REJECTED, title="Rejected-idea-8830")
    make_proposal(call, status=ProposalStatus.WITHDRAWN, title="Withdrawn-idea-2290")
    make_proposal(call, status=ProposalStatus.DRAFT, title="Draft-idea-6613")
    private_call = make_call(congress, slug="posters", title="Posters")  # does not publish
    poster = make_proposal(private_call, title="Private-call-poster-3307")
    _accept([heat, rivers], by=alice)
    _accept([poster], by=alice)
    _schedule(heat, by=alice, room=hall, hour=10)
    _schedule(rivers, by=alice, room=hall, hour=11)
    _schedule(poster, by=alice, room=hall, hour=12)
    Review.objects.create(proposal=heat, reviewer=alice, comment="Reviewer-remark-4417")
    services.publish_schedule(congress=congress, by=alice)
    _accept([unpublished], by=alice)  # accepted after the version: in the draft only
    return {"call": call, "heat": heat, "rivers": rivers}


def _url(congress, name="agenda:abstracts"):
    return reverse(name, kwargs={"congress_slug": congress.slug})


def test_only_published_sessions_of_publishing_calls_appear(client, congress, book):
    response = client.get(_url(congress))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Heat islands" in html and "Amara Okonkwo" in html and "陈晓明" in html
    assert html.count('class="abstract"') == 2
    for absent in (
        "Unpublished-title-5521",
        "Rejected-idea-8830",
        "Withdrawn-idea-2290",
        "Draft-idea-6613",
        "Private-call-poster-3307",
    ):
        assert absent not in html


def test_nothing_private_leaks(client, congress, book):
    html = client.get(_url(congress)).content.decode()
    heat = book["heat"]
    assert heat.proposer_email not in html and "@example.org" not in html
    assert "Reviewer-remark-4417" not in html
    assert "Paulette Proposer" not in html  # the proposer is not a speaker
    assert heat.secret not in html and heat.code not in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_the_programme_links_to_the_book_only_when_a_call_publishes_it(client, congress, book):
    schedule = reverse("agenda:schedule", kwargs={"congress_slug": congress.slug})
    assert 'id="book-of-abstracts"' in client.get(schedule).content.decode()
    call = book["call"]
    call.public_abstracts = False
    call.save(update_fields=["public_abstracts"])
    from events_site.congresses import public_version

    public_version.bump()  # what save_call does on commit
    assert 'id="book-of-abstracts"' not in client.get(schedule).content.decode()
    assert client.get(_url(congress)).status_code == 404
    assert client.get(_url(congress, "agenda:abstracts_pdf")).status_code == 404


def test_an_unknown_congress_or_one_without_a_published_programme_is_a_404(client, congress):
    assert client.get("/no-such-congress/schedule/abstracts/").status_code == 404
    assert client.get("/no-such-congress/schedule/abstracts.pdf").status_code == 404
    make_call(congress, public_abstracts=True)
    assert client.get(_url(congress)).status_code == 404  # nothing published yet


def test_the_page_takes_a_fixed_number_of_queries_and_is_cached(
    client, congress, book, django_assert_max_num_queries
):
    # the page cache's row, the congress, the version, its snapshot, the proposals, the tracks
    with django_assert_max_num_queries(6):
        first = client.get(_url(congress))
    assert first["X-Convene-Page-Cache"] == "miss" and first.has_header("ETag")
    with django_assert_max_num_queries(1):
        again = client.get(_url(congress))
    assert again["X-Convene-Page-Cache"] == "hit"
    assert client.get(_url(congress), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_the_pdf_prints_every_script_with_real_fonts(client, congress, book, tmp_path):
    response = client.get(_url(congress, "agenda:abstracts_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Heat islands" in text and "陈晓明" in text
    assert "Unpublished-title-5521" not in text and "Reviewer-remark-4417" not in text
    path = tmp_path / "book.pdf"
    path.write_bytes(response.content)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.replace("-", "")
    assert "NotoSansArabic" in fonts and "NotoSansCJK" in fonts
    again = client.get(_url(congress, "agenda:abstracts_pdf"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and not again.content
