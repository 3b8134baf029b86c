import subprocess
from pathlib import Path

import pytest

from registrations.enums import OrderStatus
from tests.factories import DelegateFactory, OrderFactory

# Demo-like people, one per script the badges must print.
PEOPLE = [
    {"given_name": "João", "family_name": "Gonçalves", "language": "pt", "script": "latin"},
    {"given_name": "Дмитрий", "family_name": "Иванов", "language": "ru", "script": "cyrillic"},
    {"given_name": "Ζωή", "family_name": "Παπαδοπούλου", "language": "el", "script": "greek"},
    {"given_name": "محمد", "family_name": "العبدالله", "language": "ar", "script": "arabic"},
    {
        "given_name": "小明",
        "family_name": "王",
        "badge_name": "王小明",
        "language": "zh-hans",
        "script": "chinese",
    },
    {
        "given_name": "太郎",
        "family_name": "山田",
        "badge_name": "山田 太郎",
        "language": "ja",
        "script": "japanese",
    },
    {
        "given_name": "민준",
        "family_name": "김",
        "badge_name": "김민준",
        "language": "ko",
        "script": "korean",
    },
    {"given_name": "अनन्या", "family_name": "शर्मा", "language": "hi", "script": "devanagari"},
]


def make_delegate(congress, *, status=OrderStatus.PAID, **fields):
    order = OrderFactory(congress=congress, status=status)
    return DelegateFactory(order=order, **fields)


@pytest.fixture
def people(congress):
    """One paid delegate per script, with badges."""
    from badges import services

    delegates = []
    for person in PEOPLE:
        fields = {k: v for k, v in person.items() if k != "script"}
        delegates.append(make_delegate(congress, **fields))
    services.issue_badges(congress=congress)
    return delegates


@pytest.fixture
def delegate(congress):
    from badges import services

    d = make_delegate(congress, given_name="Ana", family_name="Silva", email="ana@city.example")
    services.badge_for(delegate=d)
    return d


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages_png(pdf: bytes, tmp_path: Path, *, dpi: int = 100) -> list[Path]:
    path = tmp_path / "render.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(path), str(tmp_path / "page")], check=True
    )
    return sorted(tmp_path.glob("page-*.png"))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
