"""Badges print correctly in every script, names fit, QR codes scan back."""

import pytest
import zxingcpp
from PIL import Image, ImageOps
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from badges import selectors
from badges.enums import PageFormat
from badges.models import Badge
from badges.pdf import RenderOptions, badge_html, name_language, render_chunk
from events_site.congresses.pdf_fetcher import PdfURLFetcher, pdf_sources
from tests.badges.conftest import PEOPLE, pdf_fonts, pdf_pages_png, pdf_text

EXPECTED_FONT = {
    "latin": "Noto-Sans-Bold",
    "cyrillic": "Noto-Sans-Bold",
    "greek": "Noto-Sans-Bold",
    "arabic": "Noto-Sans-Arabic-Bold",
    "chinese": "Noto-Sans-CJK-SC-Bold",
    "japanese": "Noto-Sans-CJK-JP-Bold",
    "korean": "Noto-Sans-CJK-KR-Bold",
    "devanagari": "Noto-Sans-Devanagari-Bold",
}


def _items(congress, delegates):
    badges = Badge.objects.filter(delegate__in=delegates).order_by("delegate__pk")
    return list(selectors.print_items(congress, badges, "en"))


@pytest.mark.parametrize("person", PEOPLE, ids=[p["script"] for p in PEOPLE])
def test_each_script_prints_with_its_noto_font_embedded(congress, people, person, tmp_path):
    delegate = next(d for d in people if d.given_name == person["given_name"])
    [item] = _items(congress, [delegate])
    pdf = render_chunk([item], selectors.render_options(congress))
    fonts = pdf_fonts(pdf, tmp_path)
    assert EXPECTED_FONT[person["script"]] in fonts
    # Every font is embedded (the "emb" column says yes): no reliance on the printer's fonts.
    for line in fonts.splitlines()[2:]:
        assert " yes " in line, line
    # And the name is really drawn: the name area of the page image has ink.
    [png] = pdf_pages_png(pdf, tmp_path, dpi=72)
    page = ImageOps.grayscale(Image.open(png))
    width, height = page.size
    name_area = page.crop(
        (int(width * 0.06), int(height * 0.19), int(width * 0.94), int(height * 0.45))
    )
    dark = sum(name_area.histogram()[:100])
    assert dark > 150, f"name area looks empty for {person['script']}"


def test_names_carry_lang_and_dir_auto(congress, people):
    html = badge_html(_items(congress, people), selectors.render_options(congress))
    assert 'lang="ar" dir="auto"' in html
    assert 'lang="ja" dir="auto"' in html
    assert 'lang="ko" dir="auto"' in html
    assert 'lang="zh-Hans" dir="auto"' in html
    assert 'lang="hi" dir="auto"' in html


@pytest.mark.parametrize(
    ("name", "hint", "expected"),
    [
        ("山田 太郎", "ja", "ja"),
        ("やまだ", "", "ja"),
        ("王小明", "", "zh-Hans"),
        ("王小明", "zh-hant", "zh-Hant"),
        ("김민준", "", "ko"),
        ("محمد", "", "ar"),
        ("अनन्या", "", "hi"),
        ("Ζωή", "", "el"),
        ("Иван", "uk", "uk"),
        ("João", "pt", "pt"),
    ],
)
def test_name_language_follows_the_script(name, hint, expected):
    assert name_language(name, hint) == expected


def test_all_demo_badges_qr_codes_scan_back_to_their_secret(congress, people, tmp_path):
    items = _items(congress, people)
    pdf = render_chunk(items, selectors.render_options(congress))
    pages = pdf_pages_png(pdf, tmp_path, dpi=150)
    assert len(pages) == len(people)
    secrets = [b.secret for b in Badge.objects.filter(delegate__in=people).order_by("delegate__pk")]
    for png, secret in zip(pages, secrets, strict=True):
        results = zxingcpp.read_barcodes(Image.open(png))
        assert [r.text for r in results] == [secret]


def test_sheet_of_four_with_backs_scans_and_mirrors(congress, people, tmp_path):
    items = _items(congress, people[:4])
    options = selectors.render_options(
        congress, page_format=PageFormat.A4_SHEET_4, back_side=True, crop_marks=True
    )
    pdf = render_chunk(items, options)
    pages = pdf_pages_png(pdf, tmp_path, dpi=150)
    assert len(pages) == 2  # one front sheet, one back sheet
    front = Image.open(pages[0])
    assert front.size[0] < front.size[1]  # A4 portrait
    decoded = {r.text for r in zxingcpp.read_barcodes(front)}
    assert decoded == {item["qr"] for item in items}
    assert not zxingcpp.read_barcodes(Image.open(pages[1]))  # backs carry no QR code
    # The back of the first badge (top left) sits top right, behind it when turned over.
    html = badge_html(items, options)
    back = html.split('class="sheet back"')[1]
    assert back.index("left: 105.00mm; top: 0.00mm") < back.index("left: 0.00mm; top: 0.00mm")


def test_single_badges_have_their_page_size_and_crop_marks_add_bleed(congress, people, tmp_path):
    import io

    import pypdf

    items = _items(congress, people[:1])
    a6 = pypdf.PdfReader(io.BytesIO(render_chunk(items, selectors.render_options(congress))))
    width, height = (float(v) for v in a6.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (105, 148)
    inches = pypdf.PdfReader(
        io.BytesIO(render_chunk(items, selectors.render_options(congress, page_format="4x6in")))
    )
    width, height = (float(v) for v in inches.pages[0].mediabox.upper_right)
    assert (round(width / 72, 2), round(height / 72, 2)) == (4.0, 6.0)
    marked = pypdf.PdfReader(
        io.BytesIO(render_chunk(items, selectors.render_options(congress, crop_marks=True)))
    )
    assert float(marked.pages[0].mediabox.width) > float(a6.pages[0].mediabox.width)


LONG_NAMES = [
    "Maria Fernanda de los Ángeles Gutiérrez-Villanueva y Santa Cruz de la Torre",
    "Hubert Blaine Wolfeschlegelsteinhausenbergerdorff",
    "Αικατερίνη Παπαδημητροπούλου-Χατζηγεωργίου",
    "Константин Константинопольский-Преображенский",
    "عبد الرحمن بن محمد بن عبد العزيز آل سعود الفيصل",
    "अनन्या कृष्णमूर्ति वेंकटरामन सुब्रह्मण्यम",
    "欧阳诸葛司马上官东方皇甫尉迟公羊",
    "W" * 40,
]


def _boxes_of_class(box, cls):
    element = getattr(box, "element", None)
    classes = (element.get("class") or "").split() if element is not None else []
    if isinstance(box, boxes.BlockBox) and cls in classes:
        yield box
    for child in getattr(box, "children", []):
        yield from _boxes_of_class(child, cls)


def _text_boxes(box):
    if isinstance(box, boxes.TextBox):
        yield box
    for child in getattr(box, "children", []):
        yield from _text_boxes(child)


@pytest.mark.parametrize("page_format", [PageFormat.A6, PageFormat.IN_4X6])
def test_long_names_shrink_to_fit_and_are_never_cut(page_format):
    items = [
        {"name": name, "qr": "x" * 43, "label": "Delegate", "organisation": "City"}
        for name in LONG_NAMES
    ]
    options = RenderOptions(congress_name="Congress", page_format=page_format)
    html = badge_html(items, options)
    document = HTML(string=html, url_fetcher=PdfURLFetcher(pdf_sources())).render()
    assert len(document.pages) == len(LONG_NAMES)
    for page, name in zip(document.pages, LONG_NAMES, strict=True):
        [name_box] = _boxes_of_class(page._page_box, "name-box")
        [name_div] = _boxes_of_class(name_box, "name")
        left = name_box.content_box_x()
        right = left + name_box.width
        bottom = name_box.content_box_y() + name_box.height
        texts = list(_text_boxes(name_div))
        printed = "".join(t.text for t in texts).replace(" ", "")
        assert printed == name.replace(" ", "")  # nothing dropped
        for text in texts:  # no line sticks out sideways
            assert text.position_x >= left - 0.5, name
            assert text.position_x + text.width <= right + 0.5, name
        lines = [c for c in name_div.children if isinstance(c, boxes.LineBox)]
        assert 1 <= len(lines) <= 3, name
        assert lines[-1].position_y + lines[-1].height <= bottom + 0.5, name  # nor downwards
        assert name_div.style["font_size"] >= 12  # 9 pt, in CSS pixels


def test_short_names_print_large():
    from badges.namefit import fit_name

    assert fit_name("Ana Silva", width_pt=250, height_pt=100).size_pt == 34
    assert fit_name("W" * 40, width_pt=250, height_pt=100).size_pt < 20


def test_markup_in_a_name_prints_as_text(congress, tmp_path):
    from badges import services
    from tests.badges.conftest import make_delegate

    delegate = make_delegate(
        congress,
        given_name='<b>Bold</b><img src="file:///etc/passwd">',
        family_name="<script>alert(1)</script>",
        organisation_name="<style>*{display:none}</style>Org",
    )
    services.issue_badges(congress=congress)
    [item] = _items(congress, [delegate])
    html = badge_html([item], selectors.render_options(congress))
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert "<script>" not in html and "<style>*" not in html
    text = pdf_text(render_chunk([item], selectors.render_options(congress)), tmp_path)
    assert "<b>Bold</b>" in text.replace("\n", "")
    assert "<style>*{display:none}</style>Org" in text.replace("\n", "")
