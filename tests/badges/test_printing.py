"""Batches: filters, sort orders, the record of who printed what, the command."""

import io

import pypdf
import pytest
from django.core.management import CommandError, call_command

from badges import printing, services
from badges.models import Badge, PrintJob
from events_site.congresses.models import AuditEntry
from registrations.enums import OrderStatus
from tests.badges.conftest import make_delegate
from tests.factories import RegistrationTypeFactory


@pytest.fixture
def crowd(congress):
    speaker = RegistrationTypeFactory(congress=congress, code="speaker", name="Speaker")
    people = [
        make_delegate(congress, family_name="Zola", organisation_name="Alpha", country="FR"),
        make_delegate(congress, family_name="Abe", organisation_name="Gamma", country="JP"),
        make_delegate(
            congress,
            family_name="Mota",
            organisation_name="Beta",
            country="BR",
            registration_type=speaker,
        ),
        make_delegate(congress, family_name="Unpaid", status=OrderStatus.PENDING_PAYMENT),
        make_delegate(congress, family_name="Gone", is_cancelled=True),
    ]
    return people, speaker


def _family_names(job):
    from badges.selectors import SORT_ORDERS

    badges = Badge.objects.filter(print_jobs=job).order_by(*SORT_ORDERS[job.sort])
    return [b.delegate.family_name for b in badges]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("family_name", ["Abe", "Mota", "Zola"]),
        ("organisation", ["Zola", "Mota", "Abe"]),
        ("country", ["Mota", "Zola", "Abe"]),
    ],
)
def test_batches_hold_who_may_enter_in_the_chosen_order(congress, crowd, alice, sort, expected):
    job = printing.create_print_job(congress=congress, by=alice, sort=sort, enqueue=False)
    assert job.badge_count == 3  # not the unpaid, not the cancelled
    assert _family_names(job) == expected
    out = io.BytesIO()
    printing.run_print_job(job=job, out=out)
    pages = pypdf.PdfReader(io.BytesIO(out.getvalue())).pages
    texts = [page.extract_text() for page in pages]
    assert [next(n for n in expected if n in t) for t in texts] == expected


def test_by_type_and_only_unprinted(congress, crowd, alice):
    _people, speaker = crowd
    job = printing.create_print_job(
        congress=congress, by=alice, registration_type=speaker, enqueue=False
    )
    assert _family_names(job) == ["Mota"]
    printing.run_print_job(job=job, out=io.BytesIO())
    rest = printing.create_print_job(
        congress=congress, by=alice, only_unprinted=True, enqueue=False
    )
    assert _family_names(rest) == ["Abe", "Zola"]
    assert rest.kind == "batch"


def test_every_job_is_recorded_and_audited(congress, crowd, alice):
    job = printing.create_print_job(congress=congress, by=alice, enqueue=False)
    printing.run_print_job(job=job, out=io.BytesIO())
    job.refresh_from_db()
    assert job.status == "done" and job.created_by == alice and job.finished_at
    assert job.badges.count() == 3 and job.rendered_count == 3
    assert AuditEntry.objects.filter(action="convene.badges.printed", target_id=str(job.pk))
    assert set(Badge.objects.filter(print_jobs=job).values_list("print_count", flat=True)) == {1}


def test_reprint_needs_a_reason_and_is_logged_as_reprint(congress, crowd, alice):
    job = printing.create_print_job(congress=congress, by=alice, enqueue=False)
    printing.run_print_job(job=job, out=io.BytesIO())
    with pytest.raises(printing.ReasonRequired):
        printing.create_print_job(congress=congress, by=alice, enqueue=False)
    again = printing.create_print_job(
        congress=congress, by=alice, reason="Wrong paper", enqueue=False
    )
    assert again.kind == "reprint" and again.reason == "Wrong paper"


def test_nothing_to_print(congress, alice):
    with pytest.raises(printing.NothingToPrint):
        printing.create_print_job(congress=congress, by=alice, enqueue=False)


def test_a_job_runs_once_even_if_enqueued_twice(congress, crowd, alice):
    job = printing.create_print_job(congress=congress, by=alice, enqueue=False)
    printing.run_print_job(job=job, out=io.BytesIO())
    printing.run_print_job(job=job, out=io.BytesIO())
    assert AuditEntry.objects.filter(action="convene.badges.printed").count() == 1
    assert set(Badge.objects.filter(print_jobs=job).values_list("print_count", flat=True)) == {1}


def test_background_job_writes_a_private_file_under_media_root(
    congress, crowd, alice, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = printing.create_print_job(congress=congress, by=alice)
    job.refresh_from_db()
    assert job.status == "done"
    path = settings.MEDIA_ROOT / job.file.name
    assert path.read_bytes().startswith(b"%PDF")
    assert job.file.name.startswith(f"badge-prints/{congress.slug}/")
    token = job.file.name.split("/")[2]
    assert len(token) >= 20  # an unguessable folder, even if /media/ were served


def test_command_renders_with_the_page_options(congress, crowd, tmp_path):
    output = tmp_path / "badges.pdf"
    out = io.StringIO()
    call_command(
        "render_badges",
        congress.slug,
        "--output",
        str(output),
        "--format",
        "a4x4",
        "--sort",
        "organisation",
        "--type",
        "speaker",
        "--back-side",
        "--crop-marks",
        stdout=out,
    )
    reader = pypdf.PdfReader(output)
    assert len(reader.pages) == 2  # one sheet front, one back
    assert "Mota" in reader.pages[0].extract_text()
    job = PrintJob.objects.get()
    assert job.created_by_label == "manage.py render_badges" and job.back_side
    assert "1 badges" in out.getvalue()


def test_command_refuses_unknown_congress_and_type(congress, crowd, tmp_path):
    with pytest.raises(CommandError):
        call_command("render_badges", "nope", "--output", str(tmp_path / "x.pdf"))
    with pytest.raises(CommandError):
        call_command(
            "render_badges", congress.slug, "--output", str(tmp_path / "x.pdf"), "--type", "nope"
        )


def test_command_reprint_without_reason_fails_clearly(congress, crowd, tmp_path):
    call_command("render_badges", congress.slug, "--output", str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match="reason"):
        call_command("render_badges", congress.slug, "--output", str(tmp_path / "b.pdf"))


def test_layout_by_type_then_role_then_default(congress, crowd):
    from badges.models import BadgeLayout
    from badges.selectors import print_items

    people, speaker = crowd
    BadgeLayout.objects.create(
        congress=congress,
        name="Default",
        is_default=True,
        band_colour="#111111",
        label="Participant",
    )
    BadgeLayout.objects.create(congress=congress, name="Press", role="press", band_colour="#00aa00")
    BadgeLayout.objects.create(
        congress=congress,
        name="Speakers",
        registration_type=speaker,
        band_colour="#aa0000",
        label="Speaker",
    )
    zola, abe, mota = people[:3]
    abe.role = "press"
    abe.save()
    services.issue_badges(congress=congress)
    items = {
        i["name"]: i
        for i in print_items(congress, Badge.objects.filter(delegate__in=[zola, abe, mota]), "en")
    }
    assert items[mota.printed_name]["band_colour"] == "#aa0000"
    assert items[mota.printed_name]["label"] == "Speaker"
    assert items[abe.printed_name]["band_colour"] == "#00aa00"
    assert items[abe.printed_name]["label"] == "Press"  # no label: the role's name
    assert items[zola.printed_name]["label"] == "Participant"
    assert items[zola.printed_name]["qr"] == Badge.objects.get(delegate=zola).secret


def test_print_data_carries_no_email_or_money(congress, crowd):
    from badges.selectors import print_items

    people, _speaker = crowd
    services.issue_badges(congress=congress)
    [item] = print_items(congress, Badge.objects.filter(delegate=people[0]), "en")
    values = " ".join(str(v) for v in item.values())
    assert people[0].email not in values and "450" not in values


def test_a_batch_split_over_worker_processes_keeps_its_order(congress, crowd, alice, settings):
    settings.BADGES_CHUNK_SIZE = 1
    settings.BADGES_RENDER_WORKERS = 2
    job = printing.create_print_job(congress=congress, by=alice, sort="country", enqueue=False)
    out = io.BytesIO()
    printing.run_print_job(job=job, out=out)
    texts = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(out.getvalue())).pages]
    assert [next(n for n in ("Mota", "Zola", "Abe") if n in t) for t in texts] == [
        "Mota",
        "Zola",
        "Abe",
    ]
    job.refresh_from_db()
    assert job.status == "done" and job.rendered_count == 3
