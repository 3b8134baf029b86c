"""Badge PDFs: Convene (WeasyPrint, chunked, both cores) beside reportlab, in the same run.

    .venv/bin/python bench/badges.py [--quick]

Builds a throwaway SQLite database under bench/out/ with a demo-like congress of 2,000 paid
delegates (names in Latin, Cyrillic, Greek, Arabic, Chinese, Japanese, Korean, Devanagari),
then measures, each in a fresh Django process of its own on that database (as a print task
runs in a task worker), so that nothing one measurement leaves behind counts against the next:

* the 2,000-badge batch through the same code path as the print task and ``render_badges``
  (``printing.create_print_job`` + ``printing.run_print_job``), seconds and peak memory of the
  whole process tree (sampled PSS and RSS of that process + its workers);
* reportlab drawing the same content (same names, QR codes, colour bands), one process;
* 20,000 badges through the same renderer (memory must stay flat);
* one badge at the desk (``printing.print_at_desk``).

Targets (issue 6): at most half of reportlab's time; peak under 300 MB at 2,000 and 20,000;
desk badge under 1 s. ``main()`` runs the measurement in a fresh interpreter so that other
benchmarks in the same ``bench/run.py`` process do not distort the memory figures.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

GIVEN = {
    "pt": ["João", "Maria", "Conceição", "Inês", "Luís"],
    "fr": ["Jérôme", "Françoise", "Hélène", "Loïc"],
    "ru": ["Дмитрий", "Анастасия", "Сергей", "Екатерина"],
    "el": ["Ζωή", "Γιώργος", "Αικατερίνη", "Νίκος"],
    "ar": ["محمد", "فاطمة", "عبد الرحمن", "ليلى"],
    "zh-hans": ["小明", "丽华", "建国", "秀英"],
    "ja": ["太郎", "花子", "健一", "さくら"],
    "ko": ["민준", "서연", "지훈", "하은"],
    "hi": ["अनन्या", "राहुल", "प्रिया", "विक्रम"],
    "es": ["María Fernanda", "José Ángel", "Begoña"],
}
FAMILY = {
    "pt": ["Gonçalves", "Araújo", "Conceição Mendes"],
    "fr": ["Lefèvre", "Dupont-Moreau", "Bérard"],
    "ru": ["Иванов", "Смирнова", "Константинопольский"],
    "el": ["Παπαδοπούλου", "Οικονόμου", "Χατζηγεωργίου"],
    "ar": ["العبدالله", "الحسيني", "بن سعيد"],
    "zh-hans": ["王", "李", "欧阳"],
    "ja": ["山田", "佐藤", "高橋"],
    "ko": ["김", "이", "박"],
    "hi": ["शर्मा", "कृष्णमूर्ति", "वर्मा"],
    "es": ["Gutiérrez-Villanueva", "Núñez", "de la Torre y Santa Cruz"],
}
EAST_ASIAN = {"zh-hans", "ja", "ko"}
COUNTRIES = ["PT", "FR", "RU", "GR", "MA", "CN", "JP", "KR", "IN", "ES", "BR", "SN"]
ORGS = [
    "City of Lisbon",
    "Métropole de Lyon",
    "Город Казань",
    "Δήμος Αθηναίων",
    "بلدية الرباط",
    "上海市人民政府",
    "横浜市",
    "서울특별시",
    "पुणे महानगरपालिका",
    "Ayuntamiento de Bilbao",
]
ROLES = ["delegate"] * 14 + ["speaker", "speaker", "press", "exhibitor", "staff"]


def _setup_django(create: bool = True) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "badges-bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "events_site.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["TEST_DATABASE_NAME"] = str(db)
    os.environ["MEDIA_ROOT"] = str(OUT / "media")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DATABASES["default"]["TEST"]["MIGRATE"] = False
    if create:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)


def _seed(count: int):
    """A congress with ``count`` paid delegates, one layout per role, badges issued."""
    import datetime as dt
    from decimal import Decimal

    from badges import demo
    from events_site.congresses.models import Congress, Organisation
    from registrations.models import Delegate, Order, RegistrationType

    rng = random.Random(2027)
    organisation = Organisation.objects.create(name="UCLG", slug="uclg")
    congress = Congress.objects.create(
        organisation=organisation,
        name="World Congress of Local and Regional Governments 2027",
        slug="wcg-2027",
        start_date=dt.date(2027, 5, 10),
        end_date=dt.date(2027, 5, 13),
        time_zone="Asia/Seoul",
        currency="EUR",
        languages=["en", "fr", "es"],
        status="registration_open",
    )
    types = [
        RegistrationType.objects.create(congress=congress, code=code, name=name)
        for code, name in [
            ("member", "Member"),
            ("non-member", "Non-member"),
            ("speaker", "Speaker"),
        ]
    ]
    orders = Order.objects.bulk_create(
        Order(
            congress=congress,
            code=f"B{n:07d}",
            secret=f"bench-order-{n}",
            status="paid",
            contact_name="Bench",
            email=f"o{n}@bench.example",
            currency="EUR",
            total=Decimal("450.00"),
        )
        for n in range(count)
    )
    delegates = []
    for n, order in enumerate(orders):
        language = rng.choice(list(GIVEN))
        given, family = rng.choice(GIVEN[language]), rng.choice(FAMILY[language])
        badge_name = f"{family}{given}" if language in ("zh-hans", "ko") else ""
        if language == "ja":
            badge_name = f"{family} {given}"
        delegates.append(
            Delegate(
                order=order,
                registration_type=rng.choice(types),
                secret=f"bench-delegate-{n}",
                given_name=given,
                family_name=family,
                badge_name=badge_name,
                title=rng.choice(["Mayor", "Deputy Mayor", "Councillor", "Director", ""]),
                organisation_name=rng.choice(ORGS),
                city=rng.choice(["Lisbon", "Lyon", "Daejeon", "Pune", "Rabat"]),
                country=rng.choice(COUNTRIES),
                email=f"d{n}@bench.example",
                language=language,
                role=rng.choice(ROLES),
            )
        )
    Delegate.objects.bulk_create(delegates, batch_size=1000)
    demo.seed_demo(congress=congress, rng=rng)
    return congress


class TreeMemory:
    """Peak memory of this process plus its worker processes, sampled every 50 ms.

    ``peak`` is the sum of PSS (proportional set size: a page shared by n processes, such as
    the font files every worker maps or the parent's memory a forked worker has not touched,
    counts 1/n in each), i.e. what the tree really occupies. ``peak_rss`` sums plain RSS, which
    counts shared pages once per process (an upper bound).
    """

    def __init__(self):
        import psutil

        self.process = psutil.Process()
        self.peak = 0
        self.peak_rss = 0
        self.parent_pss = 0
        self.worker_pss = 0
        self.worker_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        pss = rss = 0
        for proc in [self.process, *self.process.children(recursive=True)]:
            try:
                info = proc.memory_full_info()
            except Exception:  # noqa: S112 - a worker may exit between listing and reading
                continue
            pss += info.pss
            rss += info.rss
            if proc.pid == self.process.pid:
                self.parent_pss = max(self.parent_pss, info.pss)
            else:
                self.worker_pss = max(self.worker_pss, info.pss)
                self.worker_rss = max(self.worker_rss, info.rss)
        self.peak = max(self.peak, pss)
        self.peak_rss = max(self.peak_rss, rss)

    def _run(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.05)

    def __enter__(self):
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()


BATCH_MEMORY: list = []  # TreeMemory of each _convene_batch run, in order


def _mb(value: int) -> float:
    return value / 1024 / 1024


def _convene_batch(congress, path: Path, reason: str = "") -> tuple[float, float, float, int]:
    from badges import printing

    with TreeMemory() as memory:
        started = time.perf_counter()
        job = printing.create_print_job(congress=congress, by=None, enqueue=False, reason=reason)
        with open(path, "wb") as handle:
            printing.run_print_job(job=job, out=handle)
        seconds = time.perf_counter() - started
    BATCH_MEMORY.append(memory)
    return seconds, _mb(memory.peak), _mb(memory.peak_rss), job.badge_count


def _convene_items(congress, count: int, path: Path) -> tuple[float, float]:
    """``count`` badges (the congress's badges repeated) through the same renderer."""
    from itertools import islice

    from badges import selectors
    from badges.models import Badge
    from badges.pdf import render_badges_pdf

    options = selectors.render_options(congress)
    items = list(selectors.print_items(congress, Badge.objects.filter(congress=congress), "en"))

    def cycle():
        while True:
            yield from items

    with TreeMemory() as memory:
        started = time.perf_counter()
        with open(path, "wb") as handle:
            render_badges_pdf(islice(cycle(), count), handle, options)
        seconds = time.perf_counter() - started
    return seconds, _mb(memory.peak), _mb(memory.peak_rss)


def _reportlab(congress, path: Path) -> tuple[float, float, int]:
    """reportlab (what pretix uses) drawing the same content: QR widget, fonts, band, name."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import HexColor
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from badges import selectors

    fonts = "/usr/share/fonts/truetype/noto/"
    for name, file in [
        ("NotoSans", "NotoSans-Regular.ttf"),
        ("NotoSans-Bold", "NotoSans-Bold.ttf"),
        ("NotoSansArabic-Bold", "NotoSansArabic-Bold.ttf"),
        ("NotoSansDevanagari-Bold", "NotoSansDevanagari-Bold.ttf"),
    ]:
        pdfmetrics.registerFont(TTFont(name, fonts + file))
    for cid in ("HeiseiKakuGo-W5", "HYGothic-Medium", "STSong-Light"):
        pdfmetrics.registerFont(UnicodeCIDFont(cid))
    name_font = {
        "ar": "NotoSansArabic-Bold",
        "hi": "NotoSansDevanagari-Bold",
        "ja": "HeiseiKakuGo-W5",
        "ko": "HYGothic-Medium",
        "zh-Hans": "STSong-Light",
    }

    with TreeMemory() as memory:
        started = time.perf_counter()
        options = selectors.render_options(congress)
        badges = selectors.badges_for_printing(congress)
        items = selectors.print_items(congress, badges, "en")
        width, height = 105 * mm, 148 * mm
        pdf = canvas.Canvas(str(path), pagesize=(width, height))
        count = 0
        for item in items:
            pdf.setFont("NotoSans-Bold", 9)
            pdf.setFillColor(HexColor("#5b6475"))
            pdf.drawString(7 * mm, height - 10 * mm, options.congress_name[:60])
            font = name_font.get(item["lang"], "NotoSans-Bold")
            size = 34.0
            while size > 9 and pdfmetrics.stringWidth(item["name"], font, size) > width - 14 * mm:
                size -= 0.5
            pdf.setFont(font, size)
            pdf.setFillColor(HexColor("#1d2433"))
            pdf.drawString(7 * mm, height - 30 * mm - size, item["name"])
            pdf.setFont("NotoSans", 10.5)
            y = height - 75 * mm
            for line in (item["title"], item["organisation"], item["place"]):
                if line:
                    pdf.drawString(7 * mm, y, line)
                    y -= 5 * mm
            widget = QrCodeWidget(item["qr"], barLevel="M")
            x1, y1, x2, y2 = widget.getBounds()
            side = 27 * mm
            drawing = Drawing(
                side, side, transform=[side / (x2 - x1), 0, 0, side / (y2 - y1), 0, 0]
            )
            drawing.add(widget)
            renderPDF.draw(drawing, pdf, width - 6 * mm - side, 19 * mm)
            pdf.setFillColor(HexColor(item["band_colour"] or "#0b5cad"))
            pdf.rect(0, 0, width, 15 * mm, stroke=0, fill=1)
            pdf.setFillColor(HexColor(item["band_text_colour"] or "#ffffff"))
            pdf.setFont("NotoSans-Bold", 15)
            pdf.drawCentredString(width / 2, 5.5 * mm, str(item["label"]).upper())
            pdf.showPage()
            count += 1
        pdf.save()
        seconds = time.perf_counter() - started
    return seconds, _mb(memory.peak), count


def _desk(congress) -> tuple[float, float]:
    from badges import printing
    from badges.models import Badge

    badges = list(Badge.objects.filter(congress=congress)[:2])
    timings = []
    for badge in badges:
        started = time.perf_counter()
        printing.print_at_desk(badge=badge, by=None, reason="bench")
        timings.append(time.perf_counter() - started)
    return timings[0], timings[1]


def _step(name: str, *args: str, env: dict | None = None) -> list:
    """Run one measurement in a fresh interpreter on the seeded database.

    Each one gets its own process, as a print task gets a task worker: memory left behind by
    an earlier measurement (reportlab's fonts and canvas, a previous batch) is not counted
    against the next, and the tree sampled is that process and its workers only.
    """
    command = [sys.executable, str(Path(__file__).resolve()), "--step", name, *args]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_step(name: str, args: list[str]) -> list:
    _setup_django(create=False)
    from events_site.congresses.models import Congress

    congress = Congress.objects.get(slug="wcg-2027")
    if name == "reportlab":
        return list(_reportlab(congress, OUT / "badges-reportlab.pdf"))
    if name == "batch":
        seconds, peak, rss, count = _convene_batch(congress, Path(args[0]), reason=args[1])
        memory = BATCH_MEMORY[-1]
        return [
            seconds,
            peak,
            rss,
            count,
            _mb(memory.parent_pss),
            _mb(memory.worker_pss),
            _mb(memory.worker_rss),
        ]
    if name == "big":
        return list(_convene_items(congress, int(args[0]), OUT / "badges-big.pdf"))
    if name == "desk":
        return list(_desk(congress))
    raise ValueError(name)


def measure(quick: bool = False) -> list[dict]:
    _setup_django()

    count = int(os.environ.get("BENCH_BADGES", 200 if quick else 2000))
    big = int(os.environ.get("BENCH_BADGES_BIG", 2000 if quick else 20000))
    _seed(count)
    from django.conf import settings
    from django.db import connection

    chunk_size = settings.BADGES_CHUNK_SIZE
    connection.close()
    rows = []
    load_before = os.getloadavg()[0]
    # Shared machines are noisy: run both twice, interleaved, and keep each one's best time
    # (memory: the highest peak seen).
    rl_runs, cv_runs = [], []
    for attempt in range(1 if quick else 2):
        rl_runs.append(_step("reportlab"))
        cv_runs.append(_step("batch", str(OUT / "badges-convene.pdf"), f"bench run {attempt}"))
    rl_seconds = min(r[0] for r in rl_runs)
    rl_peak, rl_count = max(r[1] for r in rl_runs), rl_runs[0][2]
    cv_seconds = min(r[0] for r in cv_runs)
    cv_peak, cv_rss, cv_count = (
        max(r[1] for r in cv_runs),
        max(r[2] for r in cv_runs),
        cv_runs[0][3],
    )
    assert cv_count == rl_count == count, (cv_count, rl_count)
    rows.append(
        {
            "metric": f"batch_{count}_seconds",
            "convene": round(cv_seconds, 2),
            "reportlab": round(rl_seconds, 2),
            "ratio": round(cv_seconds / rl_seconds, 2),
            "target": "<= 0.5 x reportlab",
            "ok": cv_seconds <= rl_seconds / 2,
        }
    )
    rows.append(
        {
            "metric": f"batch_{count}_peak_mb",
            "convene": round(cv_peak),
            "convene_rss_sum": round(cv_rss),
            "reportlab": round(rl_peak),
            "target": "< 300",
            "ok": cv_peak < 300,
        }
    )
    one = _step(
        "batch",
        str(OUT / "badges-convene-1.pdf"),
        "bench: one worker",
        env={"BADGES_RENDER_WORKERS": "1"},
    )
    one_seconds, one_peak, one_rss = one[:3]
    rows.append(
        {
            "metric": f"batch_{count}_one_worker",
            "seconds": round(one_seconds, 2),
            "ratio_to_reportlab": round(one_seconds / rl_seconds, 2),
            "peak_mb": round(one_peak),
            "rss_sum_mb": round(one_rss),
        }
    )
    big_seconds, big_peak, big_rss = _step("big", str(big))
    rows.append(
        {
            "metric": f"batch_{big}_seconds",
            "convene": round(big_seconds, 1),
            "reportlab_estimate": round(rl_seconds * big / count, 1),
            "badges_per_second": round(big / big_seconds, 1),
        }
    )
    rows.append(
        {
            "metric": f"batch_{big}_peak_mb",
            "convene": round(big_peak),
            "convene_rss_sum": round(big_rss),
            "target": "< 300",
            "ok": big_peak < 300,
        }
    )
    first, warm = _step("desk")
    rows.append(
        {
            "metric": "desk_single_badge_seconds",
            "convene_first": round(first, 3),
            "convene_warm": round(warm, 3),
            "target": "< 1",
            "ok": max(first, warm) < 1,
        }
    )
    rows.append(
        {
            "metric": f"batch_{count}_per_process_peak_mb",
            "parent_pss": round(max(r[4] for r in cv_runs)),
            "worker_pss": round(max(r[5] for r in cv_runs)),
            "worker_rss": round(max(r[6] for r in cv_runs)),
            "target": "< 300 each",
            "cpus": os.cpu_count(),
            "chunk_size": chunk_size,
        }
    )
    rows.append(
        {
            "metric": "bench_children_maxrss_mb",
            "largest": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            "note": "largest single process among the measurement processes and their workers",
        }
    )
    rows.append(
        {
            "metric": "machine_load_average",
            "before": round(load_before, 1),
            "after": round(os.getloadavg()[0], 1),
        }
    )
    return rows


def main(quick: bool = False) -> list[dict]:
    """Run in a fresh interpreter (clean memory figures) and return its rows."""
    command = [sys.executable, str(Path(__file__).resolve()), "--json"]
    if quick:
        command.append("--quick")
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    if "--step" in sys.argv:
        at = sys.argv.index("--step")
        print(json.dumps(run_step(sys.argv[at + 1], sys.argv[at + 2 :])))
        sys.exit(0)
    quick = "--quick" in sys.argv
    rows = measure(quick=quick)
    if "--json" in sys.argv:
        print(json.dumps(rows))
    else:
        for row in rows:
            print("  ".join(f"{key}={value}" for key, value in row.items()))
