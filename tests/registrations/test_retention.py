"""Retention per congress: a dry run says what would go and when; the nightly job erases it."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from events_site.congresses.models import AuditEntry
from events_site.scheduler.schedule import load_schedule
from registrations.models import Answer, BillingDetails, Delegate, Invoice, RetentionPolicy
from registrations.services.personal_data import apply_retention, retention_report
from registrations.tasks import apply_retention_task
from tests.factories import TeamMembershipFactory, UserFactory
from tests.registrations.personal_data_setup import two_delegate_order

pytestmark = pytest.mark.django_db

# The congress (tests' factory) ends on 13 May 2027, Asia/Seoul: its end is 14 May 00:00 there.
BEFORE = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)
AFTER = dt.datetime(2027, 6, 20, tzinfo=dt.UTC)


@pytest.fixture
def policy(congress):
    return RetentionPolicy.objects.create(
        congress=congress, identity_documents_days=30, accessibility_needs_days=30
    )


def test_the_dry_run_says_how_many_and_when_and_changes_nothing(congress, policy):
    two_delegate_order(congress)
    lines = {line.group.key: line for line in retention_report(now=BEFORE)}
    assert set(lines) == {"identity_documents", "accessibility_needs"}
    assert lines["identity_documents"].count == 2
    assert lines["identity_documents"].erase_on == dt.date(2027, 6, 13)
    assert not lines["identity_documents"].due
    assert apply_retention(now=BEFORE) == []
    assert Answer.objects.filter(value__startswith="P-").count() == 2


def test_the_real_run_after_the_delay_erases_only_the_groups_set(congress, policy):
    order, ana, bea, invoice = two_delegate_order(congress)
    applied = {line.group.key: line.count for line in apply_retention(now=AFTER)}
    assert applied == {"identity_documents": 2, "accessibility_needs": 2}
    assert not Answer.objects.filter(value__startswith="P-").exists()
    assert Answer.objects.filter(value="M").exists()  # an ordinary answer stays
    assert set(Delegate.objects.values_list("accessibility_needs", flat=True)) == {""}
    assert set(Delegate.objects.values_list("dietary_needs", flat=True)) == {"vegan", "halal"}
    assert BillingDetails.objects.get(order=order).address == "Rua 1\nLisboa"  # not set
    assert Invoice.objects.get(pk=invoice.pk).buyer == invoice.buyer
    entries = AuditEntry.objects.filter(action="convene.personal_data.retention_applied")
    assert sorted((e.data["group"], e.data["count"]) for e in entries) == [
        ("accessibility_needs", 2),
        ("identity_documents", 2),
    ]
    assert "P-ANA" not in str([e.data for e in entries])


def test_the_run_is_idempotent(congress, policy):
    two_delegate_order(congress)
    apply_retention(now=AFTER)
    assert apply_retention(now=AFTER) == []
    assert AuditEntry.objects.filter(action="convene.personal_data.retention_applied").count() == 2


def test_other_congresses_are_untouched(congress, other_congress, policy):
    two_delegate_order(congress)
    _order, other_ana, _other_bea, _invoice = two_delegate_order(other_congress)
    apply_retention(now=AFTER)
    other_ana.refresh_from_db()
    assert other_ana.accessibility_needs == "wheelchair"
    assert Answer.objects.filter(delegate=other_ana, value="P-ANA-123").exists()


def test_billing_addresses_of_private_buyers_only(congress):
    RetentionPolicy.objects.create(congress=congress, billing_addresses_days=0)
    private, *_ = two_delegate_order(congress)
    business, *_ = two_delegate_order(congress)
    BillingDetails.objects.filter(order=business).update(is_business=True)
    apply_retention(now=AFTER)
    assert BillingDetails.objects.get(order=private).address == ""
    assert BillingDetails.objects.get(order=business).address == "Rua 1\nLisboa"


def test_the_command_prints_the_dry_run_and_then_applies(congress, policy):
    two_delegate_order(congress)
    out = StringIO()
    with freeze_time(BEFORE):
        call_command("apply_retention", "--dry-run", stdout=out)
        text = out.getvalue()
        assert (
            "wcg-2027: 2 would have passport and ID document numbers erased on 2027-06-13" in text
        )
        assert Answer.objects.filter(value__startswith="P-").count() == 2
        call_command("apply_retention", stdout=StringIO())
        assert Answer.objects.filter(value__startswith="P-").count() == 2  # not due yet
    out = StringIO()
    with freeze_time(AFTER):
        call_command("apply_retention", stdout=out)
    assert "4 record(s) erased." in out.getvalue()
    assert not Answer.objects.filter(value__startswith="P-").exists()


def test_the_nightly_job_is_scheduled_and_runs_the_service(congress, policy):
    jobs = {job.name: job for job in load_schedule()}
    assert jobs["apply_retention"].task_path == "registrations.tasks.apply_retention_task"
    assert jobs["apply_retention"].cron == "30 3 * * *"
    two_delegate_order(congress)
    with freeze_time(BEFORE):
        assert apply_retention_task.enqueue().return_value == 0
    with freeze_time(AFTER):
        assert apply_retention_task.enqueue().return_value == 4
        assert apply_retention_task.enqueue().return_value == 0


# --- the owner's form ------------------------------------------------------------------------


def _url(congress):
    return reverse("registrations:manage_retention", kwargs={"congress_slug": congress.slug})


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_owner_sets_the_schedule_and_sees_the_dry_run(congress, alice):
    two_delegate_order(congress)
    client = _signed_in(alice)
    response = client.post(_url(congress), {"accessibility_needs_days": "30"})
    assert response.status_code == 302
    policy = RetentionPolicy.objects.get(congress=congress)
    assert policy.accessibility_needs_days == 30 and policy.identity_documents_days is None
    page = client.get(  # today is before the congress: nothing is due yet
        reverse("registrations:manage_personal_data", kwargs={"congress_slug": congress.slug})
    ).content.decode()
    assert "2 delegates would have accessibility needs erased on" in page
    entry = AuditEntry.objects.get(action="convene.personal_data.retention_changed")
    assert entry.data["changed"]["accessibility_needs_days"] == ["", "30"]


@pytest.mark.parametrize("value", ["-1", "3651", "abc", "1\x00", "<b>9</b>", "٣٠"])
def test_bad_days_are_refused_beside_the_field(congress, alice, value):
    response = _signed_in(alice).post(_url(congress), {"dietary_needs_days": value})
    if value == "٣٠":  # Arabic-Indic digits are a number to Python: 30 days, accepted
        assert response.status_code == 302
        return
    assert response.status_code == 400
    if "\x00" not in value:  # a NUL is refused by the middleware before the form
        assert "errorlist" in response.content.decode()
    assert not RetentionPolicy.objects.filter(congress=congress, dietary_needs_days__gt=0).exists()


def test_a_registration_manager_sees_the_dry_run_but_cannot_change_the_schedule(congress):
    manager = UserFactory(username="rita")
    TeamMembershipFactory(congress=congress, user=manager, role="registration")
    client = _signed_in(manager)
    page = client.get(
        reverse("registrations:manage_personal_data", kwargs={"congress_slug": congress.slug})
    )
    assert page.status_code == 200 and 'id="retention-form"' not in page.content.decode()
    assert client.post(_url(congress), {"dietary_needs_days": "1"}).status_code == 403
    assert not RetentionPolicy.objects.exists()


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_others_cannot_change_the_schedule(congress, who, request):
    user = request.getfixturevalue(who)
    assert _signed_in(user).post(_url(congress), {"dietary_needs_days": "1"}).status_code == 403
    assert not RetentionPolicy.objects.exists()
