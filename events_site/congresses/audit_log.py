"""The audit log as an owner reads it: the entries of one congress (and the sign-ins of its
team), filtered, a page at a time newest first, each with a label for people and its changes as
before and after; and the filtered set as CSV or XLSX.

Pages are keyset-paginated on ``(created_at, id)``, so the hundredth page costs what the first
does, whatever the size of the log."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exporters import CSVExporter, SpreadsheetExporter, XLSXExporter
from .models import AuditEntry, Congress, TeamMembership
from .text import printable

PAGE_SIZE = 50
SHOWN_TEXT = 300  # characters of one value on the page; the export has them all
EXPORT_CELL = 32_000  # under XLSX's 32,767 characters per cell

# Human-readable names of the known actions; an action not listed is shown as written.
ACTION_LABELS: dict[str, Any] = {
    "convene.agenda.attendance_refused": _("Refused at a session's door"),
    "convene.agenda.changes_notified": _("Delegates told about agenda changes"),
    "convene.agenda.feed_token_regenerated": _("Personal calendar link renewed"),
    "convene.agenda.feed_token_revoked": _("Personal calendar link revoked"),
    "convene.agenda.room_saved": _("Room saved"),
    "convene.agenda.session_cancelled": _("Session cancelled"),
    "convene.agenda.session_changed": _("Session changed"),
    "convene.agenda.session_created": _("Session created"),
    "convene.agenda.signed_up": _("Signed up for a session"),
    "convene.agenda.signup_cancelled": _("Session sign-up cancelled"),
    "convene.agenda.speaker_changed": _("Speaker changed"),
    "convene.agenda.speaker_created": _("Speaker created"),
    "convene.agenda.track_changed": _("Track changed"),
    "convene.agenda.track_created": _("Track created"),
    "convene.agenda.waiting_list_promoted": _("Moved up from a session's waiting list"),
    "convene.api_token.used": _("API token used"),
    "convene.audit.redacted": _("Personal data taken out of audit entries"),
    "convene.badge.secret_reissued": _("Badge code reissued"),
    "convene.badge_layout.created": _("Badge layout created"),
    "convene.badge_layout.updated": _("Badge layout changed"),
    "convene.badge_layout.deleted": _("Badge layout deleted"),
    "convene.badges.print_job_created": _("Print job created"),
    "convene.badges.print_job_failed": _("Print job failed"),
    "convene.badges.print_job_retried": _("Print job retried"),
    "convene.badges.printed": _("Badges printed"),
    "convene.badges.printed_at_desk": _("Badge printed at the desk"),
    "convene.billing.details_saved": _("Billing details saved"),
    "convene.billing.settings_updated": _("Invoicing settings changed"),
    "convene.checkin.checked_in": _("Checked in"),
    "convene.checkin.scan_refused": _("Scan refused at the desk"),
    "convene.congress.created": _("Congress created"),
    "convene.congress.updated": _("Congress changed"),
    "convene.delegate.cancelled": _("Delegate cancelled"),
    "convene.delegate.updated": _("Delegate details changed"),
    "convene.export.downloaded": _("Personal data exported"),
    "convene.invoice.credited": _("Invoice credited"),
    "convene.invoice.issued": _("Invoice issued"),
    "convene.member_list.imported": _("Member list imported"),
    "convene.order.approved": _("Order approved"),
    "convene.order.cancelled": _("Order cancelled"),
    "convene.order.contact_updated": _("Order contact changed"),
    "convene.order.expired": _("Order expired"),
    "convene.order.paid": _("Order paid"),
    "convene.order.placed": _("Order placed"),
    "convene.order.reminded": _("Payment reminder sent"),
    "convene.order.seats_retaken": _("Seats taken again"),
    "convene.payment.failed": _("Payment failed"),
    "convene.payment.flagged": _("Payment flagged for review"),
    "convene.payment.recovered": _("Payment recovered"),
    "convene.payment.started": _("Payment started"),
    "convene.payment.succeeded": _("Payment succeeded"),
    "convene.payment.transfer_recorded": _("Bank transfer recorded"),
    "convene.question.created": _("Question created"),
    "convene.question.updated": _("Question changed"),
    "convene.question.deleted": _("Question deleted"),
    "convene.refund.confirmed": _("Refund confirmed"),
    "convene.refund.failed": _("Refund failed"),
    "convene.refund.requested": _("Refund requested"),
    "convene.registration_settings.deleted": _("Registration settings deleted"),
    "convene.registration_type.created": _("Registration type created"),
    "convene.registration_type.updated": _("Registration type changed"),
    "convene.registration_type.moved": _("Registration type moved"),
    "convene.registration_type.deleted": _("Registration type deleted"),
    "convene.room.created": _("Room created"),
    "convene.schedule.published": _("Agenda published"),
    "convene.team.role_changed": _("Team role changed"),
    "convene.team.role_granted": _("Team role granted"),
    "convene.team.role_revoked": _("Team role revoked"),
    "convene.venue.created": _("Venue created"),
    "convene.voucher.created": _("Voucher created"),
    "convene.voucher.updated": _("Voucher changed"),
    "convene.voucher.deleted": _("Voucher deleted"),
    "convene.waiting_list.joined": _("Joined the waiting list"),
    "convene.waiting_list.offer_expired": _("Waiting list offer expired"),
    "convene.waiting_list.offered": _("Waiting list offer made"),
}

# The filter's groups: an action belongs to the group its name starts with.
ACTION_GROUPS: dict[str, Any] = {
    "convene.account.": _("Sign-ins and accounts"),
    "convene.agenda.": _("Agenda"),
    "convene.api_token.": _("API tokens"),
    "convene.badge": _("Badges and printing"),
    "convene.billing.": _("Invoicing settings"),
    "convene.checkin.": _("Check-in"),
    "convene.congress.": _("Congress"),
    "convene.delegate.": _("Delegates"),
    "convene.export.": _("Exports"),
    "convene.invoice.": _("Invoices"),
    "convene.order.": _("Orders"),
    "convene.payment.": _("Payments"),
    "convene.refund.": _("Refunds"),
    "convene.team.": _("Team"),
    "convene.waiting_list.": _("Waiting list"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


_ACTION = re.compile(r"^[a-z0-9_.]*$")
_TARGET_TYPE = re.compile(r"^[a-z0-9_.]*$")


class AuditFilterForm(forms.Form):
    """The query string of the audit page: who, which action (a group or one action), which
    target, a date range in the congress's time zone and free text over who and target id."""

    actor = forms.TypedChoiceField(label=_("Who"), coerce=int, required=False, empty_value=None)
    action = forms.CharField(label=_("Action"), max_length=120, required=False)
    target_type = forms.CharField(label=_("Target type"), max_length=80, required=False)
    target_id = forms.CharField(label=_("Target id"), max_length=64, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput({"type": "date"})
    )
    q = forms.CharField(label=_("Search"), max_length=100, required=False)

    def __init__(self, *args, congress: Congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        team = (
            TeamMembership.objects.filter(congress=congress)
            .order_by("user__username")
            .values_list("user_id", "user__username")
            .distinct()
        )
        self.fields["actor"].choices = [("", _("Anyone")), *team]
        self.fields["action"].widget = forms.Select(choices=action_choices())

    def clean_action(self) -> str:
        value = self.cleaned_data["action"].strip()
        if not _ACTION.match(value):
            raise forms.ValidationError(_("An action is written in lower case, with dots."))
        return value

    def clean_target_type(self) -> str:
        value = self.cleaned_data["target_type"].strip().lower()
        if not _TARGET_TYPE.match(value):
            raise forms.ValidationError(_("A target type looks like registrations.order."))
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the range is before its start."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid field is left out, its error shown beside it)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


def action_choices() -> list:
    groups = list(ACTION_GROUPS.items())
    actions = sorted(ACTION_LABELS.items(), key=lambda item: str(item[1]))
    return [
        ("", _("Any action")),
        (_("Groups"), groups),
        (_("Actions"), actions),
    ]


def _start_of(day: dt.date, congress: Congress) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=congress.tz)


def _filter_q(congress: Congress, filters: dict[str, Any]) -> Q:
    q = Q()
    if "actor" in filters:
        q &= Q(actor_id=filters["actor"])
    if action := filters.get("action"):
        q &= Q(action=action) if action in ACTION_LABELS else Q(action__startswith=action)
    if "target_type" in filters:
        q &= Q(target_type=filters["target_type"])
    if "target_id" in filters:
        q &= Q(target_id=filters["target_id"])
    if "date_from" in filters:
        q &= Q(created_at__gte=_start_of(filters["date_from"], congress))
    if "date_to" in filters:
        q &= Q(created_at__lt=_start_of(filters["date_to"] + dt.timedelta(days=1), congress))
    if text := filters.get("q"):
        q &= Q(actor_label__icontains=text) | Q(target_id__icontains=text)
    return q


def _branches(congress: Congress, filters: dict[str, Any]) -> list[QuerySet]:
    """The congress's own entries, and the entries of no congress (sign-ins) by its team."""
    team = TeamMembership.objects.filter(congress=congress).values("user_id")
    condition = _filter_q(congress, filters)
    return [
        AuditEntry.objects.filter(condition, congress=congress),
        AuditEntry.objects.filter(condition, congress__isnull=True, actor_id__in=team),
    ]


def entries(congress: Congress, filters: dict[str, Any]) -> QuerySet:
    """Every entry the owner may read, filtered, newest first (for the export)."""
    first, second = _branches(congress, filters)
    return (first | second).order_by("-created_at", "-id")


@dataclass
class Cursor:
    created_at: dt.datetime
    id: int

    def __str__(self) -> str:
        return f"{self.created_at.astimezone(dt.UTC).isoformat()}~{self.id}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        stamp, _sep, pk = (text or "").partition("~")
        try:
            at = dt.datetime.fromisoformat(stamp)
            number = int(pk)
        except ValueError:
            return None
        if at.tzinfo is None or number < 0:
            return None
        return cls(created_at=at, id=number)

    def q(self) -> Q:
        return Q(created_at__lt=self.created_at) | Q(created_at=self.created_at, id__lt=self.id)


@dataclass
class Page:
    entries: list[AuditEntry]
    next_cursor: Cursor | None
    is_first: bool


def page_of(
    congress: Congress, filters: dict[str, Any], *, before: Cursor | None, size: int = PAGE_SIZE
) -> Page:
    """One page, newest first: two index-ordered queries of ``size + 1`` rows each (one per
    branch), merged; the last entry shown is the cursor of the next page."""
    rows: list[AuditEntry] = []
    for branch in _branches(congress, filters):
        if before is not None:
            branch = branch.filter(before.q())
        rows += list(branch.order_by("-created_at", "-id")[: size + 1])
    rows.sort(key=lambda e: (e.created_at, e.id), reverse=True)
    shown = rows[:size]
    more = len(rows) > size
    cursor = Cursor(shown[-1].created_at, shown[-1].id) if more and shown else None
    return Page(entries=shown, next_cursor=cursor, is_first=before is None)


# --- Showing one entry -----------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _short(value: Any) -> str:
    text = printable(_text(value))
    return text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT] + "…"


@dataclass
class ShownEntry:
    entry: AuditEntry
    label: str
    at: dt.datetime
    who: str = ""
    action: str = ""
    target: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)


def _is_change(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) == 2


def shown(entry: AuditEntry, congress: Congress) -> ShownEntry:
    """An entry for the page: its label, its local time, each change (the ``changes()``
    format ``{field: [before, after]}`` under ``changed``) as before and after, and every other
    value of its data as text, each cut to ``SHOWN_TEXT`` characters (escaped by the template)."""
    data = entry.data if isinstance(entry.data, dict) else {"data": entry.data}
    result = ShownEntry(
        entry=entry,
        label=_short(action_label(entry.action)),
        at=timezone.localtime(entry.created_at, congress.tz),
        who=_short(entry.actor_label),
        action=_short(entry.action),
        target=" ".join(_short(part) for part in (entry.target_type, entry.target_id) if part),
    )
    for key, value in data.items():
        if key == "changed" and isinstance(value, dict):
            for name, change in value.items():
                if _is_change(change):
                    result.changes.append((_short(name), _short(change[0]), _short(change[1])))
                else:
                    result.details.append((_short(f"changed.{name}"), _short(change)))
        else:
            result.details.append((_short(key), _short(value)))
    return result


# --- The export ------------------------------------------------------------------------------


class AuditExport(SpreadsheetExporter):
    """The filtered audit log, one row per entry; the details as JSON."""

    name = _("Audit log")

    def rows(self, congress: Congress, queryset: QuerySet, counter: list[int]) -> Iterator[list]:
        yield [
            str(_("Time")),
            str(_("Who")),
            str(_("Action")),
            str(_("Description")),
            str(_("Target type")),
            str(_("Target id")),
            str(_("Details")),
        ]
        zone = congress.tz
        fields = ("created_at", "actor_label", "action", "target_type", "target_id", "data")
        for at, who, action, target_type, target_id, data in queryset.values_list(*fields).iterator(
            chunk_size=2000
        ):
            counter[0] += 1
            yield [
                at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                who,
                action,
                action_label(action),
                target_type,
                target_id,
                _text(data)[:EXPORT_CELL],
            ]

    def render(self, *, congress: Congress, queryset: QuerySet) -> tuple[bytes, int]:
        counter = [0]
        content = self.write(self.rows(congress, queryset, counter))
        return content, counter[0]

    def filename(self, congress: Congress) -> str:
        stamp = timezone.now().astimezone(congress.tz).strftime("%Y%m%d-%H%M")
        return self.filename_for(f"{congress.slug}-audit-{stamp}")


class AuditCSVExport(AuditExport, CSVExporter):
    pass


class AuditXLSXExport(AuditExport, XLSXExporter):
    def sheet_title(self) -> str:
        return "audit"


EXPORTS: dict[str, AuditExport] = {
    export.identifier: export for export in (AuditCSVExport(), AuditXLSXExport())
}
