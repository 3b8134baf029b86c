"""Organiser pages of the documents governments ask for: the visa officer's queue (filters,
bulk approval, decisions, the export for the host country's immigration office; passport data
is shown only here, to the visa officer role), the document settings, and certificates
(issued in bulk after the congress, revoked by hand). Thin views over the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from events_site.congresses import audit
from events_site.congresses.enums import Perm
from events_site.congresses.exporters import CSVExporter, XLSXExporter
from events_site.congresses.models import AuditEntry, Congress
from events_site.congresses.permissions import congress_perm_required, has_congress_perm

from . import documents_pdf, lifecycle
from .document_forms import (
    CertificateRevokeForm,
    DocumentSettingsForm,
    VisaBulkForm,
    VisaDecisionForm,
    VisaQueueFilterForm,
)
from .document_views import signed_pdf_download
from .enums import CertificateKind, CertificateStatus, VisaLetterStatus
from .errors import RegistrationError
from .models import Certificate, DocumentSettings, VisaLetterRequest
from .pdf_signing import passphrase_unreadable
from .services import certificates, visa_letters

PER_PAGE = 50


# --- selectors -------------------------------------------------------------------------------


def visa_queue(congress: Congress, filters: dict) -> QuerySet[VisaLetterRequest]:
    rows = VisaLetterRequest.objects.filter(congress=congress).select_related(
        "delegate__order", "delegate__registration_type", "focal_point_organisation"
    )
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("nationality"):
        rows = rows.filter(nationality=filters["nationality"])
    if filters.get("embassy"):
        rows = rows.filter(embassy_city__icontains=filters["embassy"].strip())
    if filters.get("paid") == "yes":
        rows = rows.filter(delegate__order__status__in=lifecycle.PAID_STATUSES)
    elif filters.get("paid") == "no":
        rows = rows.exclude(delegate__order__status__in=lifecycle.PAID_STATUSES)
    search = (filters.get("q") or "").strip()
    if search:
        rows = rows.filter(
            Q(passport_name__icontains=search)
            | Q(delegate__search_text__icontains=search.casefold())
            | Q(delegate__order__code__iexact=search)
        )
    return rows.order_by("status", "-requested_at", "-id")


def _filters(request) -> tuple[VisaQueueFilterForm, dict]:
    form = VisaQueueFilterForm(request.GET)
    return form, (form.cleaned_data if form.is_valid() else {})


def _queue_url(congress: Congress, query: str = "") -> str:
    url = reverse("registrations:manage_visa_letters", kwargs={"congress_slug": congress.slug})
    return f"{url}?{query}" if query else url


# --- the visa officer's queue ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_VISA_LETTERS)
def queue(request, congress: Congress):
    form, data = _filters(request)
    page = Paginator(visa_queue(congress, data), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = dict(
        VisaLetterRequest.objects.filter(congress=congress)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    return render(
        request,
        "registrations/manage/documents/visa_queue.html",
        {
            "congress": congress,
            "filters": form,
            "page": page,
            "query": query.urlencode(),
            "paid_statuses": lifecycle.PAID_STATUSES,
            "counts": [(status.label, counts.get(status.value, 0)) for status in VisaLetterStatus],
            "bulk_form": VisaBulkForm(),
        },
    )


@require_http_methods(["POST"])
@congress_perm_required(Perm.MANAGE_VISA_LETTERS)
def bulk(request, congress: Congress):
    ids = list(VisaLetterRequest.objects.filter(congress=congress).values_list("pk", flat=True))
    form = VisaBulkForm(request.POST, ids=ids)
    next_query = request.POST.get("next_query", "")[:2000]
    if not form.is_valid():
        messages.error(request, _("Tick at least one request and choose what to do."))
        return redirect(_queue_url(congress, next_query))
    letters = VisaLetterRequest.objects.filter(
        congress=congress, pk__in=form.cleaned_data["ids"]
    ).select_related("congress", "delegate")
    outcome = visa_letters.decide_many(
        letters=letters, to=form.cleaned_data["decision"], by=request.user
    )
    messages.success(
        request,
        ngettext("%(n)d request changed.", "%(n)d requests changed.", outcome.done)
        % {"n": outcome.done},
    )
    if outcome.skipped:
        messages.warning(
            request,
            ngettext(
                "%(n)d request skipped: its status does not allow this.",
                "%(n)d requests skipped: their status does not allow this.",
                outcome.skipped,
            )
            % {"n": outcome.skipped},
        )
    return redirect(_queue_url(congress, next_query))


@require_http_methods(["POST"])
@congress_perm_required(Perm.MANAGE_VISA_LETTERS)
def apply_rules(request, congress: Congress):
    approved = visa_letters.apply_rules(congress=congress)
    messages.success(
        request,
        ngettext(
            "%(n)d request approved by the congress's rules.",
            "%(n)d requests approved by the congress's rules.",
            approved,
        )
        % {"n": approved},
    )
    return redirect(_queue_url(congress))


def _letter(congress: Congress, request_id: int) -> VisaLetterRequest:
    return get_object_or_404(
        VisaLetterRequest.objects.select_related(
            "congress",
            "delegate__order",
            "delegate__registration_type",
            "decided_by",
            "focal_point_organisation",
        ),
        congress=congress,
        pk=request_id,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_VISA_LETTERS)
def detail(request, congress: Congress, request_id: int):
    letter = _letter(congress, request_id)
    form = VisaDecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                visa_letters.decide(
                    letter=letter,
                    to=form.cleaned_data["decision"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request, _("The request is now %(s)s.") % {"s": letter.get_status_display()}
                )
                return redirect(
                    "registrations:manage_visa_letter",
                    congress_slug=congress.slug,
                    request_id=letter.pk,
                )
        status = 400
    history = AuditEntry.objects.filter(
        congress=congress, target_type=VisaLetterRequest._meta.label_lower, target_id=str(letter.pk)
    ).order_by("-id")[:50]
    return render(
        request,
        "registrations/manage/documents/visa_detail.html",
        {
            "congress": congress,
            "letter": letter,
            "form": form,
            "rule": visa_letters.rule_approving(letter),
            "history": history,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_VISA_LETTERS)
def letter_pdf(request, congress: Congress, request_id: int):
    """The letter as the delegate gets it (a preview while approved)."""
    letter = _letter(congress, request_id)
    if not letter.letter_ready:
        raise Http404
    return signed_pdf_download(
        request,
        congress=congress,
        render_pdf=lambda: documents_pdf.visa_letter_pdf(letter),
        filename=f"visa-letter-{letter.pk}.pdf",
        organiser=True,
    )


class _ImmigrationExport:
    identifier = "visa-letters"
    header = [
        gettext_lazy("Status"),
        gettext_lazy("Name as in the passport"),
        gettext_lazy("Nationality"),
        gettext_lazy("Passport number"),
        gettext_lazy("Passport issued on"),
        gettext_lazy("Passport expires on"),
        gettext_lazy("Date of birth"),
        gettext_lazy("Place of birth"),
        gettext_lazy("Embassy or consulate city"),
        gettext_lazy("Role"),
        gettext_lazy("Organisation"),
        gettext_lazy("Order"),
        gettext_lazy("Issued on"),
        gettext_lazy("Verification code"),
    ]

    @classmethod
    def rows(cls, letters):
        yield [str(name) for name in cls.header]
        for letter in letters:
            d = letter.delegate
            yield [
                letter.get_status_display(),
                letter.passport_name,
                letter.nationality.code,
                letter.passport_number,
                letter.passport_issued_on.isoformat() if letter.passport_issued_on else "",
                letter.passport_expires_on.isoformat() if letter.passport_expires_on else "",
                letter.birth_date.isoformat() if letter.birth_date else "",
                letter.birth_place,
                letter.embassy_city,
                d.get_role_display(),
                d.organisation_name,
                d.order.code,
                letter.issued_at.date().isoformat() if letter.issued_at else "",
                letter.token,
            ]


EXPORTERS = {"csv": CSVExporter(), "xlsx": XLSXExporter()}


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_VISA_LETTERS)
def export(request, congress: Congress):
    """What is filtered, for the host country's immigration office (CSV or XLSX)."""
    exporter = EXPORTERS.get(request.GET.get("format", "csv"))
    if exporter is None:
        raise Http404
    _form, data = _filters(request)
    letters = list(visa_queue(congress, data))
    content = exporter.write(_ImmigrationExport.rows(letters))
    audit.record_export(
        congress=congress,
        actor=request.user,
        export=_ImmigrationExport.identifier,
        fmt=exporter.identifier,
        rows=len(letters),
        filters=data,
    )
    response = exporter.attachment(
        content, filename=exporter.filename_for(f"visa-letters-{congress.slug}")
    )
    response["Cache-Control"] = "no-store"
    return response


# --- settings --------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_CONGRESS)
def document_settings(request, congress: Congress):
    row = DocumentSettings.objects.filter(congress=congress).first() or DocumentSettings(
        congress=congress
    )
    form = DocumentSettingsForm(request.POST or None, request.FILES or None, instance=row)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                visa_letters.update_document_settings(congress=congress, form=form, by=request.user)
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Document settings saved."))
                return redirect(
                    "registrations:manage_document_settings", congress_slug=congress.slug
                )
        status = 400
    return render(
        request,
        "registrations/manage/documents/settings.html",
        {
            "congress": congress,
            "form": form,
            "passphrase_unreadable": passphrase_unreadable(row),
        },
        status=status,
    )


# --- certificates ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.VIEW_REGISTRATIONS)
def certificate_list(request, congress: Congress):
    rows = Certificate.objects.filter(congress=congress).select_related("delegate__order")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind in CertificateKind.values:
        rows = rows.filter(kind=kind)
    if status in CertificateStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows.order_by("-issued_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrations/manage/documents/certificates.html",
        {
            "congress": congress,
            "page": page,
            "query": query.urlencode(),
            "kind": kind,
            "status": status,
            "kinds": CertificateKind.choices,
            "statuses": CertificateStatus.choices,
            "may_manage": has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, congress),
            "revoke_form": CertificateRevokeForm(),
        },
    )


@require_http_methods(["POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def certificates_issue(request, congress: Congress):
    outcome = certificates.issue_all(congress=congress, by=request.user)
    messages.success(
        request,
        ngettext("%(n)d certificate issued.", "%(n)d certificates issued.", outcome.issued)
        % {"n": outcome.issued},
    )
    return redirect("registrations:manage_certificates", congress_slug=congress.slug)


@require_http_methods(["POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def certificate_revoke(request, congress: Congress, certificate_id: int):
    certificate = get_object_or_404(Certificate, congress=congress, pk=certificate_id)
    form = CertificateRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason (at most 200 characters)."))
    else:
        try:
            certificates.revoke(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
        except RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The certificate is revoked."))
    return redirect("registrations:manage_certificates", congress_slug=congress.slug)
