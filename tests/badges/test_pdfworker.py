"""The worker's memory saving (fonts read lazily) leaves WeasyPrint's output byte for byte alone."""

import pickle
import subprocess
import sys

from django.conf import settings

from badges.pdf import RenderOptions, badge_html
from badges.pdfworker import render_html
from events_site.congresses.pdf_fetcher import pdf_sources

NAMES = ["王小明", "山田 太郎", "김민준", "محمد العبدالله", "राहुल शर्मा", "Jérôme Lefèvre", "Ζωή"]

PLAIN = """
import pickle, sys
from weasyprint import HTML
from events_site.congresses.pdf_fetcher import PdfURLFetcher
html, base = sys.argv[1:]
fetcher = PdfURLFetcher(pickle.load(sys.stdin.buffer))
sys.stdout.buffer.write(HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf())
"""


def test_lazy_font_files_give_the_same_pdf_as_weasyprint_alone():
    from weasyprint.pdf import fonts

    items = [
        {"name": name, "qr": f"{n:043d}", "label": "Delegate", "organisation": "上海市人民政府"}
        for n, name in enumerate(NAMES)
    ]
    html = badge_html(items, RenderOptions(congress_name="Congress"))
    sources = pdf_sources()
    ours = render_html(html, sources.base_url, sources)
    assert fonts.Font._convene_lazy_file
    plain = subprocess.run(
        [sys.executable, "-c", PLAIN, html, sources.base_url],
        input=pickle.dumps(sources),
        capture_output=True,
        check=True,
        cwd=settings.BASE_DIR,
    ).stdout
    assert ours == plain
