"""Finance's bank statement pages: upload a statement, review the proposed matches, confirm
them, and match what is left from the queue. Thin: every change is a service of
:mod:`.services.bank_statements` (audited there)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required

from .. import lifecycle
from ..models import BankStatement, BankStatementLine, Invoice, Order
from . import selectors
from .bank_matching import ACCEPT_BY_DEFAULT, compact
from .enums import BankLineStatus, InvoiceKind
from .forms import BankLineSearchForm, BankStatementUploadForm
from .services import bank_statements as bank_services

LINES_PER_PAGE = 200
QUEUE_PER_PAGE = 50
OPEN = (BankLineStatus.PROPOSED, BankLineStatus.UNMATCHED)


def _queue_count(congress: Congress) -> int:
    return BankStatementLine.objects.filter(congress=congress, status__in=OPEN).count()


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_FINANCE)
def bank_import(request, congress: Congress):
    """Upload a CAMT.053, MT940 or CSV statement; the recent statements below."""
    saved = bank_services.saved_csv_mapping(congress)
    bound = request.method == "POST"
    form = BankStatementUploadForm(
        request.POST if bound else None, request.FILES if bound else None, saved=saved
    )
    if bound and form.is_valid():
        try:
            statement = bank_services.import_statement(
                congress=congress,
                upload=form.cleaned_data["statement"],
                fmt=form.cleaned_data["format"],
                mapping=form.csv_mapping(),
                by=request.user,
            )
        except DomainError as exc:
            form.add_error("statement", exc.message)
        else:
            lines = statement.lines.count()
            messages.success(
                request,
                ngettext(
                    "%(n)d line imported; check the proposed matches below.",
                    "%(n)d lines imported; check the proposed matches below.",
                    lines,
                )
                % {"n": lines},
            )
            if statement.duplicates_skipped:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)d line was imported before and was skipped.",
                        "%(n)d lines were imported before and were skipped.",
                        statement.duplicates_skipped,
                    )
                    % {"n": statement.duplicates_skipped},
                )
            return redirect(
                "payments:manage_bank_statement",
                congress_slug=congress.slug,
                statement_id=statement.pk,
            )
    statements = (
        BankStatement.objects.filter(congress=congress)
        .select_related("uploaded_by")
        .annotate(
            line_count=Count("lines"),
            open_count=Count("lines", filter=Q(lines__status__in=OPEN)),
            matched_count=Count("lines", filter=Q(lines__status=BankLineStatus.MATCHED)),
        )[:20]
    )
    return render(
        request,
        "registrations/payments/manage/bank_import.html",
        {
            "congress": congress,
            "form": form,
            "statements": statements,
            "queue_count": _queue_count(congress),
            "csv_fields": [form[name] for name in BankStatementUploadForm.CSV_FIELDS],
        },
        status=400 if bound and form.errors else 200,
    )


def _statement(congress: Congress, statement_id: int) -> BankStatement:
    return get_object_or_404(BankStatement, pk=statement_id, congress=congress)


@require_safe
@congress_perm_required(Perm.MANAGE_FINANCE)
def bank_statement(request, congress: Congress, statement_id: int):
    """The statement's lines with their proposals, a page at a time, for confirmation."""
    statement = _statement(congress, statement_id)
    status = request.GET.get("status", "")
    if status not in BankLineStatus.values:
        status = ""
    lines = statement.lines.select_related(
        "proposed_order", "proposed_invoice", "matched_order", "matched_invoice"
    ).order_by("position")
    if status:
        lines = lines.filter(status=status)
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    counts = dict(
        statement.lines.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    for line in page.object_list:
        line.accept_by_default = (
            line.status == BankLineStatus.PROPOSED and line.confidence >= ACCEPT_BY_DEFAULT
        )
        line.is_open = line.status in OPEN
    return render(
        request,
        "registrations/payments/manage/bank_statement.html",
        {
            "congress": congress,
            "statement": statement,
            "page": page,
            "lines": page.object_list,
            "status": status,
            "statuses": BankLineStatus,
            "status_choices": [
                (value, label, counts.get(value, 0)) for value, label in BankLineStatus.choices
            ],
            "open_on_page": any(line.is_open for line in page.object_list),
            "query": urlencode({"status": status} if status else {}),
        },
    )


def find_open_order(congress: Congress, text: str) -> Order | None:
    """The congress's order an organiser named by its code or an invoice number, however
    they typed it (spaces, case and separators ignored)."""
    key = compact(text)[:40]
    if not key:
        return None
    order = Order.objects.filter(congress=congress, code=key).select_related("congress").first()
    if order is not None:
        return order
    invoice = (
        Invoice.objects.filter(congress=congress, kind=InvoiceKind.INVOICE)
        .filter(full_number__iexact=text.strip()[:40])
        .select_related("order__congress")
        .first()
    )
    if invoice is not None:
        return invoice.order
    for number, order_id in Invoice.objects.filter(
        congress=congress, kind=InvoiceKind.INVOICE
    ).values_list("full_number", "order_id"):
        if compact(number) == key:
            return Order.objects.select_related("congress").get(pk=order_id)
    return None


@require_POST
@congress_perm_required(Perm.MANAGE_FINANCE)
def bank_confirm(request, congress: Congress, statement_id: int):
    """Each line of the page: accept the proposal, another order named by its reference, or
    leave it unmatched (in the queue)."""
    statement = _statement(congress, statement_id)
    ids = []
    for raw in request.POST.getlist("line")[:LINES_PER_PAGE]:
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    lines = {
        line.pk: line
        for line in statement.lines.filter(pk__in=ids, status__in=OPEN).select_related(
            "proposed_order__congress"
        )
    }
    decisions: dict[int, Order | None] = {}
    problems: list[str] = []
    for line_id, line in lines.items():
        choice = request.POST.get(f"decision-{line_id}", "leave")
        if choice == "accept" and line.proposed_order is not None:
            decisions[line_id] = line.proposed_order
        elif choice == "other":
            text = request.POST.get(f"other-{line_id}", "")[:200]
            order = find_open_order(congress, text)
            if order is None:
                problems.append(
                    _("Line %(line)s: no order or invoice “%(ref)s” in this congress.")
                    % {"line": line.position, "ref": text[:60]}
                )
                continue
            decisions[line_id] = order
        elif choice == "leave":
            decisions[line_id] = None
    outcome = bank_services.confirm_lines(congress=congress, decisions=decisions, by=request.user)
    if outcome.recorded:
        messages.success(
            request,
            ngettext("%(n)d transfer recorded.", "%(n)d transfers recorded.", outcome.recorded)
            % {"n": outcome.recorded},
        )
    if outcome.left:
        messages.info(
            request,
            ngettext(
                "%(n)d line left unmatched in the queue.",
                "%(n)d lines left unmatched in the queue.",
                outcome.left,
            )
            % {"n": outcome.left},
        )
    for text in outcome.skipped + outcome.errors + problems:
        messages.error(request, text)
    url = reverse(
        "payments:manage_bank_statement",
        kwargs={"congress_slug": congress.slug, "statement_id": statement.pk},
    )
    back = {k: request.GET[k] for k in ("status", "page") if request.GET.get(k, "").isalnum()}
    return redirect(url + ("?" + urlencode(back) if back else ""))


@require_safe
@congress_perm_required(Perm.MANAGE_FINANCE)
def bank_queue(request, congress: Congress):
    """Every line still waiting for a decision, oldest booking first, across statements."""
    lines = (
        BankStatementLine.objects.filter(congress=congress, status__in=OPEN)
        .select_related("statement", "proposed_order")
        .order_by("booked_on", "pk")
    )
    page = Paginator(lines, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/payments/manage/bank_queue.html",
        {"congress": congress, "page": page, "lines": page.object_list, "statuses": BankLineStatus},
    )


def _open_orders(congress: Congress, line: BankStatementLine, q: str):
    today = timezone.localdate(timezone=congress.tz)
    orders = selectors.finance_orders(congress=congress, today=today).filter(
        status__in=lifecycle.PAYABLE_STATUSES, outstanding__gt=0
    )
    if q:
        try:
            amount = Decimal(q.replace(",", "."))
        except InvalidOperation:
            amount = None
        if amount is not None and amount.is_finite() and abs(amount) < Decimal("1e10"):
            return orders.filter(outstanding=amount).order_by("pk")[:20]
        return selectors.search_finance_orders(
            orders, filters={"q": q}, congress=congress, today=today
        )[:20]
    return orders.filter(outstanding=line.amount).order_by("pk")[:20]


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_FINANCE)
def bank_line(request, congress: Congress, line_id: int):
    """One waiting line: search the open orders and record it against one, or ignore it."""
    line = get_object_or_404(
        BankStatementLine.objects.select_related("statement", "proposed_order", "matched_order"),
        pk=line_id,
        congress=congress,
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "ignore":
                bank_services.ignore_line(line_id=line.pk, congress=congress, by=request.user)
                messages.success(request, _("Line ignored."))
            else:
                order = find_open_order(congress, request.POST.get("order", "")[:200])
                if order is None:
                    messages.error(request, _("No such order or invoice in this congress."))
                    return redirect(request.path)
                bank_services.match_line(
                    line_id=line.pk, congress=congress, order=order, by=request.user
                )
                messages.success(
                    request,
                    _("Transfer recorded against order %(code)s.") % {"code": order.code},
                )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        return redirect("payments:manage_bank_queue", congress_slug=congress.slug)
    form = BankLineSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "") if form.is_valid() else ""
    return render(
        request,
        "registrations/payments/manage/bank_line.html",
        {
            "congress": congress,
            "line": line,
            "form": form,
            "q": q,
            "orders": _open_orders(congress, line, q) if line.status in OPEN else [],
            "is_open": line.status in OPEN,
        },
    )
