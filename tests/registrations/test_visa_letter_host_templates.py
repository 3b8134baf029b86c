"""The letter's template is looked up by the host country: the demo congress's host (the
Republic of Korea) has its own wording; any other host gets the generic letter."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from registrations.documents_pdf import visa_letter_pdf
from registrations.enums import VisaLetterStatus
from registrations.models import DocumentSettings
from registrations.services import visa_letters
from tests.registrations.test_visa_letters import _request, delegate  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _text(congress, delegate, host: str) -> str:  # noqa: F811
    DocumentSettings.objects.create(congress=congress, host_country=host)
    letter = _request(delegate)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.APPROVED, by=None)
    visa_letters.decide(letter=letter, to=VisaLetterStatus.ISSUED, by=None)
    reader = PdfReader(io.BytesIO(visa_letter_pdf(letter)))
    return " ".join(page.extract_text() for page in reader.pages).replace("\n", " ")


def test_a_congress_hosted_in_korea_gets_the_korean_embassies_wording(congress, delegate):  # noqa: F811
    delegate.language = "en"
    delegate.save(update_fields=["language"])
    text = _text(congress, delegate, "KR")
    assert "C-3-1" in text and "Republic of Korea" in text and "Period of stay" in text
    assert "20AB12345" in text and "Abidjan" in text


def test_another_host_country_gets_the_generic_letter(congress, delegate):  # noqa: F811
    delegate.language = "en"
    delegate.save(update_fields=["language"])
    text = _text(congress, delegate, "FR")
    assert "C-3-1" not in text and "Visa invitation letter" in text
