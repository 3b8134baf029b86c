"""The delegate's documents behind their secret link (the visa letter request and letter,
certificates on demand) and the public verification page an embassy or auditor opens from a
document's QR code. Thin views over :mod:`.services.visa_letters` and
:mod:`.services.certificates`."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events_site.congresses import rate_limits
from events_site.congresses.secret_links import find_by_secret

from . import documents_pdf, selectors
from .document_forms import VisaLetterRequestForm
from .enums import CertificateKind, CertificateStatus, VisaLetterStatus
from .errors import RegistrationError
from .models import Certificate, Delegate, VisaLetterRequest
from .pdf_signing import PassphraseUnreadable, SigningFailed
from .services import certificates, visa_letters

logger = logging.getLogger(__name__)


def pdf_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def signed_pdf_download(
    request, *, congress, render_pdf: Callable[[], bytes], filename: str, organiser: bool = False
) -> HttpResponse:
    """The document as a download, or, when the congress's certificate cannot sign (its
    passphrase sealed under a key since rotated away, a certificate gone), a page saying so
    (503): logged for the organisers, never a server error."""
    try:
        content = render_pdf()
    except SigningFailed as error:
        unreadable = isinstance(error, PassphraseUnreadable)
        logger.error(
            "Congress %s: a document cannot be signed (%s): %s",
            congress.slug,
            "the stored passphrase cannot be opened" if unreadable else "signing failed",
            error,
        )
        response = render(
            request,
            "registrations/documents/cannot_sign.html",
            {"congress": congress, "organiser": organiser, "unreadable": unreadable},
            status=503,
        )
        response["Cache-Control"] = "no-store"
        response["Retry-After"] = "3600"
        return response
    return pdf_download(content, filename)


def _delegate(congress_slug: str, delegate_secret: str) -> Delegate:
    return selectors.delegate_for_link(congress_slug=congress_slug, delegate_secret=delegate_secret)


def _back(delegate: Delegate):
    return redirect(
        "registrations:visa_letter",
        congress_slug=delegate.order.congress.slug,
        delegate_secret=delegate.secret,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def visa_letter(request, congress_slug: str, delegate_secret: str):
    """The request form (while undecided) and the letter's status and download."""
    delegate = _delegate(congress_slug, delegate_secret)
    congress = delegate.order.congress
    letter = VisaLetterRequest.objects.filter(delegate=delegate).first()
    may_edit = (letter is None or letter.status == VisaLetterStatus.REQUESTED) and not (
        delegate.is_cancelled
    )
    form = None
    status = 200
    if may_edit:
        initial = {}
        if letter is not None:
            initial = {name: getattr(letter, name) for name in visa_letters.PASSPORT_FIELDS}
            initial["nationality"] = str(letter.nationality)
        else:
            initial = {
                "passport_name": f"{delegate.given_name} {delegate.family_name}".strip(),
                "nationality": str(delegate.country or ""),
            }
        form = VisaLetterRequestForm(
            request.POST if request.method == "POST" else None, congress=congress, initial=initial
        )
        if request.method == "POST":
            if form.is_valid():
                try:
                    letter = visa_letters.request_visa_letter(
                        delegate=delegate, consent=form.cleaned_data["consent"], **form.passport()
                    )
                except RegistrationError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("Your request was recorded."))
                    return _back(delegate)
            status = 400
    elif request.method == "POST":
        messages.error(request, _("Your request was already decided."))
        return _back(delegate)
    return render(
        request,
        "registrations/documents/visa_letter.html",
        {
            "congress": congress,
            "delegate": delegate,
            "letter": letter,
            "form": form,
            "delete_after": visa_letters.deletion_date(congress),
            "certificates": Certificate.objects.filter(delegate=delegate),
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD"])
def visa_letter_pdf(request, congress_slug: str, delegate_secret: str):
    delegate = _delegate(congress_slug, delegate_secret)
    letter = VisaLetterRequest.objects.filter(
        delegate=delegate, status=VisaLetterStatus.ISSUED, passport_erased_at__isnull=True
    ).first()
    if letter is None:
        raise Http404
    filename = f"visa-letter-{delegate.order.congress.slug}-{delegate.order.code}.pdf"
    return signed_pdf_download(
        request,
        congress=delegate.order.congress,
        render_pdf=lambda: documents_pdf.visa_letter_pdf(letter),
        filename=filename,
    )


@require_http_methods(["POST"])
def certificate_request(request, congress_slug: str, delegate_secret: str):
    """On demand: a certificate of the kind asked for, if the delegate's records support it."""
    delegate = _delegate(congress_slug, delegate_secret)
    kind = request.POST.get("kind", "")
    if kind not in CertificateKind.values:
        messages.error(request, _("Unknown certificate."))
        return _back(delegate)
    try:
        certificates.issue_for_delegate(delegate=delegate, kind=kind)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your certificate is ready."))
    return _back(delegate)


@require_http_methods(["GET", "HEAD"])
def certificate_pdf(request, congress_slug: str, delegate_secret: str, kind: str):
    delegate = _delegate(congress_slug, delegate_secret)
    certificate = Certificate.objects.filter(
        delegate=delegate, kind=kind, status=CertificateStatus.ISSUED
    ).first()
    if certificate is None:
        raise Http404
    filename = f"certificate-{kind}-{delegate.order.congress.slug}-{delegate.order.code}.pdf"
    return signed_pdf_download(
        request,
        congress=delegate.order.congress,
        render_pdf=lambda: documents_pdf.certificate_pdf(certificate),
        filename=filename,
    )


# --- the public verification page ------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def verify(request, token: str):
    """For a document's token: valid or revoked, the holder's name, a masked passport number,
    role and dates, and nothing else. Every check counts against the address's limit."""
    rate_limits.check(request, name="document_verification")
    letter = find_by_secret(
        VisaLetterRequest.objects.select_related("congress", "delegate"),
        secret=token,
        field="token",
    )
    certificate = None
    if letter is None:
        certificate = find_by_secret(
            Certificate.objects.select_related("congress"), secret=token, field="token"
        )
    if letter is None and certificate is None:
        response = render(request, "registrations/documents/verify.html", {"found": False})
        response.status_code = 404
    elif letter is not None:
        response = render(
            request,
            "registrations/documents/verify.html",
            {
                "found": True,
                "kind": _("Visa invitation letter"),
                "valid": letter.status == VisaLetterStatus.ISSUED,
                "status": letter.get_status_display(),
                "congress": letter.congress,
                "holder": letter.passport_name,
                "passport": letter.passport_number_masked,
                "role": letter.delegate.get_role_display(),
                "issued_at": letter.issued_at,
                "revoked_at": letter.revoked_at,
            },
        )
    else:
        response = render(
            request,
            "registrations/documents/verify.html",
            {
                "found": True,
                "kind": certificate.get_kind_display(),
                "valid": certificate.status == CertificateStatus.ISSUED,
                "status": certificate.get_status_display(),
                "congress": certificate.congress,
                "holder": certificate.holder_name,
                "passport": "",
                "role": certificate.get_kind_display(),
                "issued_at": certificate.issued_at,
                "revoked_at": certificate.revoked_at,
            },
        )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
