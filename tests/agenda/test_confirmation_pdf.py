"""The registration confirmation PDF (#17) carries each delegate's badge QR code, the venue and
their chosen sessions (read through CONFIRMATION_BADGE_CODES and CONFIRMATION_SESSIONS)."""

import subprocess

import pytest
import zxingcpp
from PIL import Image

from badges.models import Badge
from registrations.pdf import confirmation_pdf
from sessions.confirmation import chosen_sessions
from sessions.enums import SessionStatus, SignupStatus
from sessions.models import AgendaItem, PersonalAgenda, SessionSignup
from tests.factories import DelegateFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _pdf_text_and_pages(data: bytes, tmp_path):
    path = tmp_path / "confirmation.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "p")], check=True)
    return text, sorted(tmp_path.glob("p-*.png"))


def test_the_confirmation_carries_qr_codes_venue_and_chosen_sessions(
    congress, hall, make_session, tmp_path
):
    order = OrderFactory(congress=congress)
    leila = DelegateFactory(order=order, given_name="Leila", family_name="Haddad")
    jun = DelegateFactory(order=order, given_name="Jun", family_name="Park")
    heat = make_session(title="Urban heat", start=(10, 0))
    water = make_session(title="Water in cities", start=(14, 0), capacity=20)
    gone = make_session(title="Cancelled talk", start=(16, 0), status=SessionStatus.CANCELLED)
    agenda = PersonalAgenda.objects.create(delegate=leila, congress=congress)
    AgendaItem.objects.create(agenda=agenda, session=heat)
    AgendaItem.objects.create(agenda=agenda, session=gone)
    SessionSignup.objects.create(session=water, delegate=leila, status=SignupStatus.SEAT)

    text, pages = _pdf_text_and_pages(
        confirmation_pdf(order=order, delegates=list(order.delegates.all())), tmp_path
    )
    assert hall.venue.name in text and "Daejeon" in text
    assert "Urban heat" in text and "Water in cities" in text and "seat booked" in text
    assert "Cancelled talk" not in text
    assert "Asia/Seoul" in text and "10:00" in text  # times in the congress's zone, named
    assert "No sessions chosen yet" in text  # Jun has none
    decoded = set()
    for png in pages:
        decoded |= {r.text for r in zxingcpp.read_barcodes(Image.open(png))}
    badges = dict(Badge.objects.values_list("delegate_id", "secret"))
    assert decoded == {badges[leila.pk], badges[jun.pk]}  # badges made once, codes scan back


def test_chosen_sessions_take_two_queries_for_any_number_of_delegates(
    congress, make_session, django_assert_num_queries
):
    session = make_session()
    delegates = [DelegateFactory(order=OrderFactory(congress=congress)) for _ in range(5)]
    for delegate in delegates:
        SessionSignup.objects.create(session=session, delegate=delegate, status=SignupStatus.SEAT)
    with django_assert_num_queries(2):
        rows = chosen_sessions([d.pk for d in delegates])
    assert all(rows[d.pk][0]["seat"] == "seat" for d in delegates)
