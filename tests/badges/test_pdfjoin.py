"""Chunks rendered apart (and in parallel) join into one valid PDF, in order."""

import io

import pypdf

from badges.pdf import RenderOptions, render_badges_pdf
from badges.pdfjoin import StreamingPdfJoiner


def _items(count):
    return [
        {"name": f"Person {n:04d}", "qr": f"{n:043d}", "label": "Delegate", "organisation": "Org"}
        for n in range(count)
    ]


def _names(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [
        next(line for line in page.extract_text().splitlines() if line.startswith("Person"))
        for page in reader.pages
    ]


def test_parallel_chunks_join_into_one_pdf_in_order():
    out = io.BytesIO()
    progress = []
    count = render_badges_pdf(
        _items(23), out, RenderOptions(), workers=2, chunk_size=5, on_progress=progress.append
    )
    assert count == 23
    assert progress == [5, 10, 15, 20, 23]
    assert _names(out.getvalue()) == [f"Person {n:04d}" for n in range(23)]


def test_single_process_and_parallel_give_the_same_pages():
    one, two = io.BytesIO(), io.BytesIO()
    render_badges_pdf(_items(9), one, RenderOptions(), workers=1, chunk_size=4)
    render_badges_pdf(_items(9), two, RenderOptions(), workers=2, chunk_size=4)
    assert _names(one.getvalue()) == _names(two.getvalue())


def test_sheets_chunks_keep_sheets_full():
    out = io.BytesIO()
    render_badges_pdf(_items(10), out, RenderOptions(page_format="a4x4"), workers=2, chunk_size=6)
    # Chunks of 4 (6 rounded down to a whole sheet): 4 + 4 + 2 badges -> 3 sheets.
    assert len(pypdf.PdfReader(io.BytesIO(out.getvalue())).pages) == 3


def test_joined_file_is_valid_for_poppler(tmp_path):
    import subprocess

    out = io.BytesIO()
    render_badges_pdf(_items(6), out, RenderOptions(), workers=2, chunk_size=2)
    path = tmp_path / "joined.pdf"
    path.write_bytes(out.getvalue())
    result = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert "Pages:           6" in result.stdout
    assert result.stderr == ""


def test_joiner_with_no_parts_writes_an_empty_but_valid_pdf():
    out = io.BytesIO()
    joiner = StreamingPdfJoiner(out)
    joiner.close()
    assert len(pypdf.PdfReader(io.BytesIO(out.getvalue())).pages) == 0
