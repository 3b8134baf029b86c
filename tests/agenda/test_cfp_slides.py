"""Slides: a confirmed speaker of an accepted proposal uploads them on their own link through
the upload pipeline (type from the content, random name, size limit); the public session page
lists them marked before/after and serves them as downloads; the programme team removes any,
a speaker their own."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from events_site.congresses.models import AuditEntry
from sessions.enums import InvitationStatus, SlidesMoment
from sessions.models import Session, SessionSlides

from .cfp_world import accept_and_publish, make_call, make_proposal

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<<>>\n%%EOF\n"


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


PPTX = _zip([("[Content_Types].xml", b"<Types/>"), ("ppt/presentation.xml", b"<p/>")])
ODP = _zip(
    [("mimetype", b"application/vnd.oasis.opendocument.presentation"), ("content.xml", b"<x/>")]
)
DOCX = _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>")])


@pytest.fixture
def accepted(congress, alice, hall):
    """A proposal accepted, its session placed on the first day and published."""
    proposal = make_proposal(make_call(congress), title="Cities and heat")
    accept_and_publish(proposal, by=alice, room=hall)
    return proposal


def person_of(proposal, position=1):
    return proposal.people.order_by("position")[position]


def upload(client, person, data: bytes, name="talk.pdf", title="", ctype="application/pdf"):
    url = reverse(
        "agenda:cfp_person_slides", args=[person.proposal.call.congress.slug, person.secret]
    )
    return client.post(
        url,
        {"slides-file": SimpleUploadedFile(name, data, content_type=ctype), "slides-title": title},
    )


def session_page(client, proposal):
    congress = proposal.call.congress
    return client.get(reverse("agenda:session", args=[congress.slug, proposal.session.code]))


@pytest.mark.parametrize(
    ("data", "name", "extension"),
    [(PDF, "../../etc/passwd.pdf", "pdf"), (PPTX, "talk.pptx", "pptx"), (ODP, "talk.odp", "odp")],
)
def test_a_confirmed_speaker_uploads_slides_stored_under_a_random_name(
    client, accepted, data, name, extension
):
    person = person_of(accepted)
    response = upload(client, person, data, name=name, title="Heat maps")
    assert response.status_code == 302 and response["Location"].endswith("#slides")
    slides = SessionSlides.objects.get()
    assert slides.file.name.startswith("slides/") and slides.file.name.endswith(f".{extension}")
    assert "passwd" not in slides.file.name and "talk" not in slides.file.name
    assert slides.moment == SlidesMoment.BEFORE and slides.speaker == person.speaker
    assert slides.size == len(data)
    page = client.get(
        reverse("agenda:cfp_person", args=[accepted.call.congress.slug, person.secret])
    )
    assert "Heat maps" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "slides.pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "slides.pdf"),
        (DOCX, "slides.pptx"),
        (b"PK\x03\x04 not really a zip", "slides.pptx"),
        (b"%PDF-1.4 truncated without an end", "slides.pdf"),
        (b"", "slides.pdf"),
    ],
)
def test_what_is_not_a_presentation_is_refused_and_nothing_is_stored(client, accepted, data, name):
    response = upload(client, person_of(accepted), data, name=name)
    assert response.status_code == 400
    page = response.content.decode()
    assert "send a PDF, PPTX or ODP file" in page or "The submitted file is empty" in page
    assert not SessionSlides.objects.exists()


def test_a_file_over_the_limit_is_refused_from_its_size(client, accepted, settings):
    settings.UPLOAD_MAX_SLIDES_BYTES = 50
    response = upload(client, person_of(accepted), PDF)
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not SessionSlides.objects.exists()


@pytest.mark.parametrize(
    ("title", "message"),
    [("Heat\x1b", "control character"), ("x" * 10_000, "at most 200 characters")],
)
def test_a_hostile_title_is_refused(client, accepted, title, message):
    response = upload(client, person_of(accepted), PDF, title=title)
    assert response.status_code == 400 and message in response.content.decode()
    assert not SessionSlides.objects.exists()


def test_before_acceptance_or_unconfirmed_no_slides_are_taken(client, congress, accepted):
    pending = make_proposal(accepted.call, title="Not decided")
    response = upload(client, person_of(pending), PDF)
    assert response.status_code == 302
    person = person_of(accepted)
    person.status = InvitationStatus.DECLINED
    person.save()
    assert upload(client, person, PDF).status_code == 302
    assert not SessionSlides.objects.exists()
    page = client.get(reverse("agenda:cfp_person", args=[congress.slug, person_of(pending).secret]))
    assert 'id="slides-form"' not in page.content.decode()


def test_the_public_page_lists_slides_marked_before_and_after_and_serves_them(client, accepted):
    person = person_of(accepted)
    upload(client, person, PDF, title="<b>Draft</b> مسودة")
    session = accepted.session
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=2),
    )
    upload(client, person, PPTX, name="final.pptx", title="Final")
    before, after = SessionSlides.objects.order_by("uploaded_at", "pk")
    assert (before.moment, after.moment) == (SlidesMoment.BEFORE, SlidesMoment.AFTER)
    html = session_page(client, accepted).content.decode()
    assert "&lt;b&gt;Draft&lt;/b&gt; مسودة" in html and "Final" in html
    assert "Before the session" in html and "After the session" in html
    congress = accepted.call.congress
    url = reverse("agenda:session_slides", args=[congress.slug, session.code, before.code])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_slides_of_an_unpublished_session_or_another_congress_are_not_found(
    client, accepted, other_congress
):
    upload(client, person_of(accepted), PDF)
    slides = SessionSlides.objects.get()
    code = accepted.session.code
    foreign = reverse("agenda:session_slides", args=[other_congress.slug, code, slides.code])
    assert client.get(foreign).status_code == 404
    congress = accepted.call.congress
    wrong = reverse("agenda:session_slides", args=[congress.slug, code, "nope"])
    assert client.get(wrong).status_code == 404
    Session.objects.filter(pk=accepted.session_id).update(code="ZZZZ")  # not in the version
    moved = reverse("agenda:session_slides", args=[congress.slug, "ZZZZ", slides.code])
    assert client.get(moved).status_code == 404


def test_the_programme_team_removes_slides_and_their_file(
    client, accepted, alice, bob, charlie, django_capture_on_commit_callbacks
):
    upload(client, person_of(accepted), PDF)
    slides = SessionSlides.objects.get()
    storage, name = slides.file.storage, slides.file.name
    congress = accepted.call.congress
    url = reverse(
        "agenda:manage_session_slides_remove",
        args=[congress.slug, accepted.session.code, slides.code],
    )
    for outsider in (bob, charlie):
        client.force_login(outsider)
        assert client.post(url).status_code == 403
    assert storage.exists(name)
    client.force_login(alice)
    edit = reverse("agenda:manage_session_edit", args=[congress.slug, accepted.session.code])
    assert slides.code in client.get(edit).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not SessionSlides.objects.exists() and not storage.exists(name)
    assert 'id="session-slides"' not in session_page(client, accepted).content.decode()


def test_a_declared_size_that_lies_is_still_cut_at_the_limit(settings):
    from events_site.congresses.uploads import UploadRefused, accept_slides

    settings.UPLOAD_MAX_SLIDES_BYTES = 100
    lying = SimpleUploadedFile("a.pdf", PDF + b"x" * 200, content_type="application/pdf")
    lying.size = 10
    with pytest.raises(UploadRefused, match="larger than"):
        accept_slides(lying)


def own_remove_url(person, code):
    return reverse(
        "agenda:cfp_person_slides_remove",
        args=[person.proposal.call.congress.slug, person.secret, code],
    )


def test_a_speaker_removes_their_own_slides_and_the_file_goes_on_commit(
    client, accepted, django_capture_on_commit_callbacks
):
    person = person_of(accepted)
    upload(client, person, PDF, title="Heat maps")
    slides = SessionSlides.objects.get()
    storage, name = slides.file.storage, slides.file.name
    page = reverse("agenda:cfp_person", args=[accepted.call.congress.slug, person.secret])
    assert own_remove_url(person, slides.code) in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(own_remove_url(person, slides.code))
    assert response.status_code == 302 and response["Location"].endswith("#slides")
    assert not SessionSlides.objects.exists() and not storage.exists(name)
    entry = AuditEntry.objects.filter(action="convene.agenda.slides_removed").get()
    assert entry.actor_label == "speaker" and entry.data["slides"] == slides.code


def test_a_co_speakers_slides_show_without_a_remove_button_and_cannot_be_removed(client, accepted):
    uploader, other = person_of(accepted, 1), person_of(accepted, 0)
    upload(client, uploader, PDF, title="Heat maps")
    slides = SessionSlides.objects.get()
    page = reverse("agenda:cfp_person", args=[accepted.call.congress.slug, other.secret])
    html = client.get(page).content.decode()
    assert "Heat maps" in html and own_remove_url(other, slides.code) not in html
    assert client.post(own_remove_url(other, slides.code)).status_code == 404
    assert SessionSlides.objects.filter(pk=slides.pk).exists()


def test_another_sessions_speaker_or_a_bad_code_cannot_remove_slides(
    client, congress, alice, small_room, accepted
):
    upload(client, person_of(accepted), PDF)
    slides = SessionSlides.objects.get()
    other = make_proposal(accepted.call, title="Water", names=("Dana Díaz", "Eve Ek"))
    accept_and_publish(other, by=alice, room=small_room)
    stranger = person_of(other)
    assert client.post(own_remove_url(stranger, slides.code)).status_code == 404
    for code in ("nope", "a\x00b", "x" * 300):
        assert client.post(own_remove_url(person_of(accepted), code)).status_code in (400, 404)
    wrong_congress = reverse(
        "agenda:cfp_person_slides_remove",
        args=["another-congress", person_of(accepted).secret, slides.code],
    )
    assert client.post(wrong_congress).status_code == 404
    assert client.get(own_remove_url(person_of(accepted), slides.code)).status_code == 405
    assert SessionSlides.objects.filter(pk=slides.pk).exists()


def test_a_speaker_who_declined_since_can_no_longer_remove_slides(client, accepted):
    person = person_of(accepted)
    upload(client, person, PDF)
    slides = SessionSlides.objects.get()
    person.status = InvitationStatus.DECLINED
    person.save()
    response = client.post(own_remove_url(person, slides.code), follow=True)
    assert "Slides can be removed while the proposal is accepted" in response.content.decode()
    assert SessionSlides.objects.filter(pk=slides.pk).exists()
