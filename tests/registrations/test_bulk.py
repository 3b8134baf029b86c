"""Bulk actions: the plan counts what qualifies and why the rest is skipped (in a fixed number of
queries at 20,000 delegates); a job applies each item through the order services, audited, each
contact e-mailed exactly once; one item's failure never stops the rest; a nonce submitted twice
makes one job; only the congress's own items are touched; registrations.manage is needed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from events_site.congresses.models import AuditEntry
from registrations import bulk
from registrations.enums import BulkItemOutcome, BulkJobStatus, BulkKind
from registrations.lifecycle import OrderStatus
from registrations.models import BulkJob, Delegate, Order
from registrations.selectors import DelegateFilters
from registrations.services.orders import approve_order, place_order
from tests.factories import RegistrationTypeFactory, TeamMembershipFactory, UserFactory
from tests.registrations.conftest import order_kwargs
from tests.registrations.test_registrations_list import bulk_delegates

pytestmark = pytest.mark.django_db


@pytest.fixture
def press(congress):
    return RegistrationTypeFactory(
        congress=congress,
        code="press",
        name="Press",
        regular_price=Decimal("100.00"),
        requires_approval=True,
    )


def _awaiting(congress, rtype, n: int) -> list[Order]:
    """One order awaiting approval, of its own contact."""
    return [
        place_order(
            **order_kwargs(
                congress,
                rtype,
                contact_name=f"Contact {n}",
                email=f"contact{n}@press.example",
                client_address=f"10.0.0.{n}",
            )
        )
    ]


@pytest.fixture
def five(congress, press):
    return [_awaiting(congress, press, n)[0] for n in range(5)]


@pytest.fixture
def manager(congress):
    user = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=user, role="registration")
    return user


def _ids(orders) -> tuple[int, ...]:
    return tuple(Delegate.objects.filter(order__in=orders).values_list("pk", flat=True))


def _start(congress, by, kind, orders, capture, token=None, reason="", **selection):
    selection = bulk.Selection(delegate_ids=_ids(orders), **selection)
    with capture(execute=True):
        return bulk.start_bulk_job(
            congress=congress,
            by=by,
            kind=kind,
            selection=selection,
            token=token or bulk.new_token(),
            reason=reason,
        )


# --- the plan --------------------------------------------------------------------------------


def test_the_plan_counts_the_awaiting_orders_and_names_the_skipped(congress, press, five):
    approve_order(order=five[0])
    plan = bulk.plan(
        congress=congress,
        kind=BulkKind.APPROVE,
        selection=bulk.Selection(delegate_ids=_ids(five)),
    )
    assert (plan.total, plan.eligible, plan.skipped) == (5, 4, 1)
    assert plan.skipped_examples == [(five[0].code, "not awaiting approval (Pending payment)")]
    assert plan.skipped_by_reason == {"not awaiting approval (Pending payment)": 1}
    assert plan.delegates == 4


def test_the_cancel_plan_counts_the_paid_orders_whose_refund_is_not_automatic(
    congress, press, five
):
    free = RegistrationTypeFactory(
        congress=congress, code="guest", requires_approval=False, regular_price=Decimal("0")
    )
    paid = place_order(**order_kwargs(congress, free, email="guest@x.example"))
    Order.objects.filter(pk=paid.pk).update(status=OrderStatus.PAID, total=Decimal("250.00"))
    Order.objects.filter(pk=five[1].pk).update(status=OrderStatus.REFUNDED)
    plan = bulk.plan(
        congress=congress,
        kind=BulkKind.CANCEL_ORDERS,
        selection=bulk.Selection(delegate_ids=_ids([*five, paid])),
    )
    assert (plan.total, plan.eligible) == (6, 5)
    assert (plan.paid_orders, plan.paid_amount) == (1, Decimal("250.00"))
    assert plan.skipped_examples == [
        (five[1].code, "a refunded order cannot be cancelled (Refunded)")
    ]


def test_ids_of_another_congress_are_left_out_and_counted(congress, other_congress, press, five):
    foreign_type = RegistrationTypeFactory(congress=other_congress, requires_approval=True)
    foreign = _awaiting(other_congress, foreign_type, 9)[0]
    selection = bulk.Selection(delegate_ids=(*_ids(five[:2]), *_ids([foreign]), 999_999_999))
    plan = bulk.plan(congress=congress, kind=BulkKind.APPROVE, selection=selection)
    assert (plan.total, plan.eligible, plan.unknown) == (2, 2, 2)


# --- running a job ---------------------------------------------------------------------------


def test_a_bulk_approval_approves_each_order_once_audited_and_mailed(
    congress, manager, five, django_capture_on_commit_callbacks
):
    approve_order(order=five[0])
    mail.outbox.clear()
    job = _start(
        congress,
        manager,
        BulkKind.APPROVE,
        five,
        django_capture_on_commit_callbacks,
        reason="Welcome <b>aboard</b>",
    )
    job.refresh_from_db()
    assert job.status == BulkJobStatus.DONE
    assert (job.total, job.done, job.skipped, job.failed) == (5, 4, 1, 0)
    assert job.finished_at is not None and job.requested_by == manager
    statuses = set(Order.objects.filter(pk__in=[o.pk for o in five[1:]]).values_list("status"))
    assert statuses == {(OrderStatus.PENDING_PAYMENT,)}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in five[1:])
    assert all("Welcome <b>aboard</b>" in m.body for m in mail.outbox)
    approved = AuditEntry.objects.filter(action="convene.order.approved", actor=manager)
    assert approved.count() == 4
    assert AuditEntry.objects.filter(action="convene.registration.bulk_requested").count() == 1
    finished = AuditEntry.objects.get(action="convene.registration.bulk_finished")
    assert finished.data["done"] == 4 and finished.data["skipped"] == 1
    skipped = job.items.get(outcome=BulkItemOutcome.SKIPPED)
    assert skipped.order_id == five[0].pk and "not awaiting approval" in skipped.reason


def test_the_same_nonce_twice_makes_one_job_and_sends_each_email_once(
    congress, manager, five, django_capture_on_commit_callbacks
):
    first = _start(
        congress,
        manager,
        BulkKind.APPROVE,
        five,
        django_capture_on_commit_callbacks,
        token="nonce-1",
    )
    again = _start(
        congress,
        manager,
        BulkKind.APPROVE,
        five,
        django_capture_on_commit_callbacks,
        token="nonce-1",
    )
    assert again.pk == first.pk
    assert BulkJob.objects.count() == 1
    assert len(mail.outbox) == 5
    assert len({m.to[0] for m in mail.outbox}) == 5
    bulk.run_bulk_job(job_id=first.pk)  # a second run of a finished job does nothing
    assert len(mail.outbox) == 5
    assert AuditEntry.objects.filter(action="convene.order.approved").count() == 5


def test_an_item_that_vanished_fails_and_the_others_still_run(
    congress, manager, press, five, django_capture_on_commit_callbacks
):
    selection = bulk.Selection(delegate_ids=_ids(five))
    with django_capture_on_commit_callbacks(execute=False):  # recorded, not yet run
        job = bulk.start_bulk_job(
            congress=congress,
            by=manager,
            kind=BulkKind.REJECT,
            selection=selection,
            token="t",
            reason="Accreditation missing",
        )
    five[2].delete()  # erased meanwhile
    approve_order(order=five[3])  # decided on its page meanwhile
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk.run_bulk_job(job_id=job.pk)
    assert (job.done, job.skipped, job.failed) == (3, 1, 1)
    assert job.items.get(outcome=BulkItemOutcome.FAILED).reason == "no longer exists"
    assert job.items.get(outcome=BulkItemOutcome.SKIPPED).order_id == five[3].pk
    rejected = Order.objects.filter(status=OrderStatus.CANCELLED)
    assert rejected.count() == 3
    assert set(rejected.values_list("decision_reason", flat=True)) == {"Accreditation missing"}
    assert len(mail.outbox) == 3
    assert bulk.outcome_counts(job) == {"done": 3, "skipped": 1, "failed": 1}


def test_a_rejection_needs_a_reason(congress, manager, five, django_capture_on_commit_callbacks):
    with pytest.raises(bulk.BulkRefused):
        _start(
            congress,
            manager,
            BulkKind.REJECT,
            five,
            django_capture_on_commit_callbacks,
            reason="  ",
        )
    with pytest.raises(bulk.BulkRefused):
        _start(
            congress,
            manager,
            BulkKind.REJECT,
            five,
            django_capture_on_commit_callbacks,
            reason="x" * 10_000,
        )
    assert not BulkJob.objects.exists()


def test_cancelling_delegates_skips_the_cancelled_and_cancels_the_rest(
    congress, manager, press, django_capture_on_commit_callbacks
):
    orders = [
        place_order(
            **order_kwargs(
                congress, press, count=2, email=f"d{n}@x.example", client_address=f"10.1.0.{n}"
            )
        )
        for n in range(2)
    ]
    ids = _ids(orders)
    with django_capture_on_commit_callbacks(execute=True):
        first = bulk.start_bulk_job(
            congress=congress,
            by=manager,
            kind=BulkKind.CANCEL_DELEGATES,
            selection=bulk.Selection(delegate_ids=ids[:1]),
            token="a",
        )
    assert first.items.get().outcome == BulkItemOutcome.DONE
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk.start_bulk_job(
            congress=congress,
            by=manager,
            kind=BulkKind.CANCEL_DELEGATES,
            selection=bulk.Selection(delegate_ids=ids),
            token="b",
            reason="Visa refused",
        )
    job.refresh_from_db()
    assert (job.total, job.done, job.skipped, job.failed) == (4, 3, 1, 0)
    assert not Delegate.objects.filter(pk__in=ids, is_cancelled=False).exists()
    assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status")) == {
        (OrderStatus.CANCELLED,)
    }


def test_the_whole_filter_is_taken_and_nothing_of_another_congress(
    congress, other_congress, manager, press, five, django_capture_on_commit_callbacks
):
    foreign_type = RegistrationTypeFactory(congress=other_congress, requires_approval=True)
    foreign = _awaiting(other_congress, foreign_type, 9)[0]
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk.start_bulk_job(
            congress=congress,
            by=manager,
            kind=BulkKind.APPROVE,
            token="w",
            selection=bulk.Selection(
                filters=DelegateFilters(status=OrderStatus.AWAITING_APPROVAL), whole_filter=True
            ),
        )
    job.refresh_from_db()
    assert job.done == 5
    foreign.refresh_from_db()
    assert foreign.status == OrderStatus.AWAITING_APPROVAL


# --- the pages -------------------------------------------------------------------------------


def _bulk_url(congress):
    return reverse("registrations:manage_bulk", kwargs={"congress_slug": congress.slug})


def _query(action, orders, **extra):
    return {"action": action, "selected": [str(pk) for pk in _ids(orders)], **extra}


def test_the_confirmation_states_the_count_and_the_post_runs_the_job(
    client, congress, manager, five, django_capture_on_commit_callbacks
):
    approve_order(order=five[0])
    client.force_login(manager)
    response = client.get(_bulk_url(congress), _query("approve", five))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert (plan.eligible, plan.skipped) == (4, 1)
    body = response.content.decode()
    assert "4 orders will be handled" in body and five[0].code in body
    token = response.context["form"]["token"].value()
    data = {**_query("approve", five), "token": token, "reason": ""}
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(_bulk_url(congress), data)
    job = BulkJob.objects.get()
    assert posted.status_code == 302
    assert posted["Location"] == reverse(
        "registrations:manage_bulk_job",
        kwargs={"congress_slug": congress.slug, "bulk_job_id": job.pk},
    )
    again = client.post(_bulk_url(congress), data)  # double submit
    assert again["Location"] == posted["Location"] and BulkJob.objects.count() == 1
    page = client.get(posted["Location"])
    assert page.status_code == 200 and "Finished" in page.content.decode()
    assert "http-equiv" not in page.content.decode()
    progress = client.get(posted["Location"] + "progress.json").json()
    assert progress == {
        "status": "done",
        "status_label": "Finished",
        "finished": True,
        "total": 5,
        "done": 4,
        "skipped": 1,
        "failed": 0,
        "handled": 5,
        "percent": 100,
    }
    jobs = client.get(
        reverse("registrations:manage_bulk_jobs", kwargs={"congress_slug": congress.slug})
    )
    assert jobs.status_code == 200 and list(jobs.context["page"]) == [job]


def test_a_running_job_refreshes_itself_without_script(client, congress, manager, five):
    job = BulkJob.objects.create(congress=congress, kind=BulkKind.APPROVE, token="r", total=5)
    client.force_login(manager)
    url = reverse(
        "registrations:manage_bulk_job",
        kwargs={"congress_slug": congress.slug, "bulk_job_id": job.pk},
    )
    body = client.get(url).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in body
    assert "registrations/bulk.js" in body


def test_a_viewer_without_the_manage_role_cannot_confirm_or_start(client, congress, five):
    finance = UserFactory(username="fin")
    TeamMembershipFactory(congress=congress, user=finance, role="finance")
    client.force_login(finance)
    assert client.get(_bulk_url(congress), _query("approve", five)).status_code == 403
    data = {**_query("approve", five), "token": "x"}
    assert client.post(_bulk_url(congress), data).status_code == 403
    assert not BulkJob.objects.exists()
    # an export of the selection is theirs to take
    export = client.get(_bulk_url(congress), _query("export_csv", five))
    assert export.status_code == 302 and "/export.csv?" in export["Location"]


def test_an_outsider_sees_nothing_and_another_congress_job_is_404(
    client, congress, other_congress, charlie, manager, five
):
    client.force_login(charlie)
    assert client.get(_bulk_url(congress), _query("approve", five)).status_code == 403
    theirs = BulkJob.objects.create(congress=other_congress, kind=BulkKind.APPROVE, token="o")
    client.force_login(manager)
    url = reverse(
        "registrations:manage_bulk_job",
        kwargs={"congress_slug": congress.slug, "bulk_job_id": theirs.pk},
    )
    assert client.get(url).status_code == 404
    assert client.get(url + "progress.json").status_code == 404


@pytest.mark.parametrize(
    "reason",
    ["bad\x00reason", "x" * 10_000, "", "\x07bell"],
)
def test_a_hostile_or_missing_rejection_reason_is_refused_with_the_page(
    client, congress, manager, five, reason
):
    client.force_login(manager)
    data = {**_query("reject", five), "token": bulk.new_token(), "reason": reason}
    response = client.post(_bulk_url(congress), data)
    assert response.status_code == 400
    if "\x00" not in reason:  # a NUL is refused before any view (the site's middleware)
        assert response.context["form"].errors
    assert not BulkJob.objects.exists()
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.AWAITING_APPROVAL}


def test_markup_and_other_scripts_in_a_reason_reach_the_registrant_as_text(
    client, congress, manager, five, django_capture_on_commit_callbacks
):
    reason = "<script>alert(1)</script> سبب الرفض 証明書"
    client.force_login(manager)
    data = {**_query("reject", five[:1]), "token": bulk.new_token(), "reason": reason}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_bulk_url(congress), data).status_code == 302
    five[0].refresh_from_db()
    assert five[0].decision_reason == reason
    assert len(mail.outbox) == 1
    job = BulkJob.objects.get()
    page = client.get(
        reverse(
            "registrations:manage_bulk_job",
            kwargs={"congress_slug": congress.slug, "bulk_job_id": job.pk},
        )
    ).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_unknown_malformed_and_foreign_ids_are_left_out_and_said(
    client, congress, other_congress, manager, five
):
    foreign_type = RegistrationTypeFactory(congress=other_congress, requires_approval=True)
    foreign = _awaiting(other_congress, foreign_type, 9)[0]
    client.force_login(manager)
    query = _query("approve", five[:1])
    query["selected"] += [str(_ids([foreign])[0]), "abc", "１２", "9" * 40, "-3"]
    query["order"] = [foreign.code, "<x>"]
    response = client.get(_bulk_url(congress), query)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert (plan.total, plan.eligible, plan.unknown) == (1, 1, 7)
    assert 'id="bulk-unknown"' in response.content.decode()
    assert client.get(_bulk_url(congress), {**query, "selected": "1\x00"}).status_code == 400
    data = {**query, "token": bulk.new_token()}
    response = client.post(_bulk_url(congress), data)
    job = BulkJob.objects.get()
    assert job.total == 1 and job.items.get().order_id == five[0].pk


def test_nothing_selected_or_no_action_goes_back_to_the_list(client, congress, manager):
    client.force_login(manager)
    response = client.get(_bulk_url(congress), {"action": "approve", "status": "paid"})
    assert response.status_code == 302 and response["Location"].endswith("?status=paid")
    response = client.get(_bulk_url(congress), {"action": "drop-tables", "selected": "1"})
    assert response.status_code == 302


def test_a_message_hands_over_to_the_outbox_with_the_filter_and_the_ticked(
    client, congress, manager, five
):
    client.force_login(manager)
    response = client.get(_bulk_url(congress), _query("message", five[:2], country="PT"))
    assert response.status_code == 302
    location = response["Location"]
    ids = _ids(five[:2])
    assert location == (
        f"/{congress.slug}/manage/emails/outbox/new/?country=PT&selected={ids[0]}&selected={ids[1]}"
    )
    whole = client.get(_bulk_url(congress), {"action": "message", "scope": "filter", "q": "x"})
    assert whole["Location"] == f"/{congress.slug}/manage/emails/outbox/new/?q=x"


def test_the_export_of_a_selection_holds_only_the_ticked(client, congress, alice, five):
    client.force_login(alice)
    response = client.get(_bulk_url(congress), _query("export_csv", five[:2]))
    export = client.get(response["Location"])
    assert export.status_code == 200
    lines = export.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3  # the heading and the two ticked
    entry = AuditEntry.objects.filter(action__contains="export").latest("pk")
    assert str(entry.data["filters"]["selected"]) == "2"


def test_the_list_and_the_queue_offer_the_bulk_form(client, congress, manager, five):
    client.force_login(manager)
    body = client.get(
        reverse("registrations:manage_list", kwargs={"congress_slug": congress.slug}),
        {"status": "awaiting_approval"},
    ).content.decode()
    assert 'id="bulk-form"' in body and 'name="selected"' in body
    assert 'value="approve"' in body and 'name="status" value="awaiting_approval"' in body
    queue = client.get(
        reverse("registrations:manage_approvals", kwargs={"congress_slug": congress.slug})
    ).content.decode()
    assert f'name="order" value="{five[0].code}"' in queue


# --- at 20,000 delegates ---------------------------------------------------------------------


def test_confirming_for_20000_delegates_takes_a_fixed_number_of_queries(
    client, congress, alice, press, django_assert_max_num_queries
):
    bulk_delegates(congress, press, 20_000)
    client.force_login(alice)
    ticked = list(Delegate.objects.order_by("pk").values_list("pk", flat=True)[:50])
    for query in (
        {"action": "cancel_orders", "scope": "filter"},
        {"action": "approve", "scope": "filter", "country": "FR"},
        {"action": "cancel_delegates", "scope": "filter"},
        {"action": "cancel_orders", "selected": [str(pk) for pk in ticked]},
    ):
        with django_assert_max_num_queries(20):
            response = client.get(_bulk_url(congress), query)
        assert response.status_code == 200
    plan = client.get(_bulk_url(congress), {"action": "cancel_orders", "scope": "filter"}).context[
        "plan"
    ]
    assert plan.total == 5_000
    assert plan.eligible == sum(1 for n in range(5_000) if n % 3 != 2)
    assert plan.paid_orders == sum(1 for n in range(5_000) if n % 3 == 0)
    assert len(plan.skipped_examples) == bulk.SKIPPED_SHOWN


def test_recording_a_job_for_20000_delegates_inserts_its_items_in_batches(
    client,
    congress,
    alice,
    press,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    bulk_delegates(congress, press, 20_000)
    client.force_login(alice)
    data = {"action": "cancel_delegates", "scope": "filter", "token": bulk.new_token()}
    # a fixed number, plus the batched insert of the items (SQLite's parameter limit makes
    # batches of ~140 rows; PostgreSQL takes 2,000): never a query per item. Recorded, not run.
    with (
        django_capture_on_commit_callbacks(execute=False) as queued,
        django_assert_max_num_queries(30 + 20_000 // 100),
    ):
        response = client.post(_bulk_url(congress), data)
    assert response.status_code == 302 and len(queued) == 1
    job = BulkJob.objects.get()
    assert job.total == 20_000
    assert job.skipped == sum(1 for n in range(20_000) if n // 4 % 3 == 2)
    assert job.items.filter(outcome=BulkItemOutcome.PENDING).count() == job.total - job.skipped


def test_the_approval_queue_decides_for_the_ticked_orders(
    client, congress, manager, five, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    query = {"action": "reject", "from": "approvals", "order": [o.code for o in five[:3]]}
    response = client.get(_bulk_url(congress), query)
    assert response.status_code == 200
    assert response.context["plan"].eligible == 3
    assert response.context["back"].endswith("/manage/registrations/approvals/")
    data = {**query, "token": bulk.new_token(), "reason": "No press card attached."}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_bulk_url(congress), data)
    statuses = Order.objects.filter(pk__in=[o.pk for o in five]).values_list("status", flat=True)
    assert sorted(statuses) == sorted(
        [OrderStatus.AWAITING_APPROVAL] * 2 + [OrderStatus.CANCELLED] * 3
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in five[:3])


# --- a run whose worker died -----------------------------------------------------------------


class _WorkerDied(BaseException):
    """What a killed worker looks like from inside: not an error the run could catch."""


def _die_after(monkeypatch, n: int) -> list[int]:
    """The run records ``n`` items, then its worker dies; returns the items it was applied to."""
    applied: list[int] = []
    record = bulk._record_outcome

    def dying(job, entry, outcome, reason):
        record(job, entry, outcome, reason)
        applied.append(entry.pk)
        if len(applied) == n:
            raise _WorkerDied

    monkeypatch.setattr(bulk, "_record_outcome", dying)
    return applied


def test_a_job_whose_worker_died_is_queued_again_and_resumes_with_the_pending_items(
    congress, manager, five, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = bulk.start_bulk_job(
            congress=congress,
            by=manager,
            kind=BulkKind.APPROVE,
            selection=bulk.Selection(delegate_ids=_ids(five)),
            token=bulk.new_token(),
            reason="Welcome",
        )
    mail.outbox.clear()
    first_run = _die_after(monkeypatch, 2)
    with pytest.raises(_WorkerDied):
        bulk.run_bulk_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == BulkJobStatus.RUNNING and job.done == 2 and job.runs == 1
    beat = job.heartbeat_at
    assert beat is not None

    # not silent long enough yet: left alone
    assert bulk.requeue_stale_bulk_jobs(now=beat + dt.timedelta(minutes=9)) == 0
    monkeypatch.undo()
    applied: list[int] = []
    run_item = bulk._run_item

    def spy(job, entry):
        applied.append(entry.pk)
        return run_item(job, entry)

    monkeypatch.setattr(bulk, "_run_item", spy)
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk.requeue_stale_bulk_jobs(now=beat + dt.timedelta(minutes=11)) == 1
    job.refresh_from_db()
    assert job.status == BulkJobStatus.DONE and job.runs == 2
    assert (job.total, job.done, job.skipped, job.failed) == (5, 5, 0, 0)
    assert len(applied) == 3 and not set(applied) & set(first_run)  # the pending ones only
    assert set(Order.objects.filter(pk__in=[o.pk for o in five]).values_list("status")) == {
        (OrderStatus.PENDING_PAYMENT,)
    }
    resumed = Order.objects.filter(pk__in=job.items.filter(pk__in=applied).values("order_id"))
    # the e-mails of this run (the first run's went out on its own commits): the resumed only
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in resumed)
    assert AuditEntry.objects.filter(action="convene.order.approved").count() == 5
    requeued = AuditEntry.objects.get(action="convene.registration.bulk_requeued")
    assert requeued.data == {"kind": BulkKind.APPROVE, "runs": 1, "pending": 3}
    assert bulk.outcome_counts(job) == {BulkItemOutcome.DONE: 5}
    # a finished job is never swept again
    assert bulk.requeue_stale_bulk_jobs(now=beat + dt.timedelta(days=1)) == 0


def test_a_run_that_was_only_slow_stops_once_its_job_was_handed_on(
    congress, manager, five, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = bulk.start_bulk_job(
            congress=congress,
            by=manager,
            kind=BulkKind.APPROVE,
            selection=bulk.Selection(delegate_ids=_ids(five)),
            token=bulk.new_token(),
        )
    _die_after(monkeypatch, 1)
    with pytest.raises(_WorkerDied):
        bulk.run_bulk_job(job_id=job.pk)
    monkeypatch.undo()
    slow = BulkJob.objects.get(pk=job.pk)  # the first run, as it saw its job
    with django_capture_on_commit_callbacks(execute=False):
        assert bulk.requeue_stale_bulk_jobs(now=slow.heartbeat_at + dt.timedelta(hours=1)) == 1
    assert bulk._run_items(slow) is False  # it wakes up: not its job any more
    assert BulkJob.objects.get(pk=job.pk).done == 1


def test_a_job_that_kills_every_run_is_finished_with_its_pending_items_failed(
    congress, manager, five, monkeypatch, django_capture_on_commit_callbacks, settings
):
    settings.BULK_JOB_MAX_RUNS = 2
    with django_capture_on_commit_callbacks(execute=False):
        job = bulk.start_bulk_job(
            congress=congress,
            by=manager,
            kind=BulkKind.APPROVE,
            selection=bulk.Selection(delegate_ids=_ids(five)),
            token=bulk.new_token(),
        )
    later = dt.timedelta(hours=1)
    for _run in range(2):
        _die_after(monkeypatch, 1)
        with pytest.raises(_WorkerDied):
            bulk.run_bulk_job(job_id=job.pk)
        monkeypatch.undo()
        job.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=False) as queued:
            assert bulk.requeue_stale_bulk_jobs(now=job.heartbeat_at + later) == 1
    assert len(queued) == 0  # the second time: given up, not queued
    job.refresh_from_db()
    assert job.status == BulkJobStatus.DONE and job.runs == 2 and job.finished_at is not None
    assert (job.done, job.failed) == (2, 3)
    failed = job.items.filter(outcome=BulkItemOutcome.FAILED)
    assert failed.count() == 3 and all("stopped 2 times" in item.reason for item in failed)
    assert AuditEntry.objects.filter(action="convene.registration.bulk_abandoned").count() == 1


def test_the_sweep_is_a_periodic_task(settings):
    entry = settings.PERIODIC_TASKS["requeue_stale_bulk_jobs"]
    assert entry["task"] == "registrations.bulk.requeue_stale_bulk_jobs_task"
    assert bulk.requeue_stale_bulk_jobs_task.call() == 0
