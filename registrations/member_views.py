"""The organisers' pages of the member list (who gets the member rate): the list with search,
add, edit, delete and export, and the CSV import with a preview. Thin views over
``services.members`` and ``selectors``.

The import keeps the uploaded text in the session between the preview and the confirmation;
the confirmation carries the preview's digest, and the service refuses when the plan made
again under the lock is not the one previewed (another upload, or the list changed)."""

from __future__ import annotations

import base64
import zlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required

from . import selectors
from .document_forms import VisaFocalPointForm
from .errors import RegistrationError
from .exports import MemberOrganisationCSVExport
from .member_forms import (
    MemberFilterForm,
    MemberImportConfirmForm,
    MemberOrganisationForm,
    MemberUploadForm,
)
from .models import MemberOrganisation, VisaFocalPoint
from .services import members as member_services
from .services import visa_focal_points, visa_letters

MEMBERS_PER_PAGE = 50
ERRORS_PER_PAGE = 100
# The preview lists this many rows of each kind of change, then says how many more.
CHANGES_SHOWN = 200


def _members_url(congress: Congress) -> str:
    return reverse("registrations:manage_members", kwargs={"congress_slug": congress.slug})


def _import_session_key(congress: Congress) -> str:
    return f"registrations.member_import.{congress.pk}"


def _kept(text: str) -> str:
    """The file's text as the session keeps it: compressed (a member list shrinks tenfold), as
    every request of the organiser loads the session while a preview waits."""
    return base64.b64encode(zlib.compress(text.encode("utf-8", "surrogatepass"), 6)).decode()


def _unkept(value: str) -> str:
    return zlib.decompress(base64.b64decode(value)).decode("utf-8", "surrogatepass")


def _organisation(congress: Congress, member_id: int) -> MemberOrganisation:
    return get_object_or_404(MemberOrganisation, congress=congress, pk=member_id)


def _filters(request) -> tuple[MemberFilterForm, str, str]:
    filters = MemberFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    return filters, data.get("q") or "", data.get("country") or ""


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_members(request, congress: Congress):
    filters, search, country = _filters(request)
    organisations = selectors.member_organisations(congress, search=search, country=country)
    page = Paginator(organisations, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    delegates = selectors.delegates_by_member_key(congress)
    rows = [(org, delegates.get(org.normalised_name, 0)) for org in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registrations/manage/members.html",
        {
            "congress": congress,
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "export_query": urlencode({"q": search, "country": country})
            if search or country
            else "",
        },
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_members_export(request, congress: Congress):
    """The list (filtered as shown) as a CSV the import reads back."""
    _form, search, country = _filters(request)
    organisations = selectors.member_organisations(congress, search=search, country=country)
    return MemberOrganisationCSVExport().response(
        congress=congress, organisations=organisations, fields=member_services.MEMBER_FIELDS
    )


def _save(request, form, save, success: str) -> MemberOrganisation | None:
    try:
        saved = save()
    except EditConflict as error:
        form.add_error(None, error.message)
    except member_services.MemberNameTaken as error:
        form.add_error("name", error.message)
    else:
        messages.success(request, success)
        return saved
    return None


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_member_edit(request, congress: Congress, member_id: int | None = None):
    organisation = _organisation(congress, member_id) if member_id else None
    form = MemberOrganisationForm(
        request.POST or None, instance=organisation or MemberOrganisation(congress=congress)
    )
    if request.method == "POST" and form.is_valid():
        if organisation is None:
            saved = _save(
                request,
                form,
                lambda: member_services.add_member_organisation(
                    congress=congress, by=request.user, **form.member_fields()
                ),
                _("Organisation added to the member list."),
            )
        else:
            saved = _save(
                request,
                form,
                lambda: member_services.update_member_organisation(
                    organisation=organisation,
                    by=request.user,
                    shown_fingerprint=form.cleaned_data.get("fingerprint"),
                    **form.member_fields(),
                ),
                _("Member organisation saved."),
            )
        if saved is not None:
            return redirect(_members_url(congress))
    return render(
        request,
        "registrations/manage/member_form.html",
        {"congress": congress, "organisation": organisation, "form": form},
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_member_delete(request, congress: Congress, member_id: int):
    organisation = _organisation(congress, member_id)
    if request.method == "POST":
        member_services.delete_member_organisation(organisation=organisation, by=request.user)
        messages.success(request, _("Organisation removed from the member list."))
        return redirect(_members_url(congress))
    return render(
        request,
        "registrations/manage/member_delete.html",
        {"congress": congress, "organisation": organisation},
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_members_import(request, congress: Congress):
    """Upload: the text is kept in the session and the preview shown."""
    form = MemberUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        request.session[_import_session_key(congress)] = {
            "text": _kept(form.cleaned_data["file"]),
            "replace": form.cleaned_data["replace"],
            "file_name": request.FILES["file"].name[:200],
        }
        return redirect(
            reverse(
                "registrations:manage_members_import_preview",
                kwargs={"congress_slug": congress.slug},
            )
        )
    return render(
        request,
        "registrations/manage/members_import.html",
        {"congress": congress, "form": form},
    )


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_members_import_preview(request, congress: Congress):
    """GET: what the kept file would change (errors by line, paginated). POST: apply it, if
    the plan is still the one previewed."""
    key = _import_session_key(congress)
    pending = request.session.get(key)
    if not pending:
        messages.error(request, _("Upload the CSV file first."))
        return redirect(
            reverse("registrations:manage_members_import", kwargs={"congress_slug": congress.slug})
        )
    if request.method == "POST":
        confirm = MemberImportConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                result = member_services.apply_member_import(
                    congress=congress,
                    csv_text=_unkept(pending["text"]),
                    replace=pending["replace"],
                    previewed_digest=confirm.cleaned_data["digest"],
                    by=request.user,
                )
            except RegistrationError as error:
                messages.error(request, error.message)
            else:
                del request.session[key]
                messages.success(
                    request,
                    _(
                        "Member list imported: %(added)s added, %(updated)s updated, "
                        "%(unchanged)s unchanged, %(removed)s removed."
                    )
                    % result,
                )
                return redirect(_members_url(congress))
        else:
            messages.error(request, _("Confirm the import from its preview."))
    plan = member_services.plan_member_import(
        congress=congress, csv_text=_unkept(pending["text"]), replace=pending["replace"]
    )
    errors = Paginator(plan.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/manage/members_import_preview.html",
        {
            "congress": congress,
            "plan": plan,
            "counts": plan.counts,
            "file_name": pending.get("file_name", ""),
            "errors": errors,
            "added": plan.added[:CHANGES_SHOWN],
            "updated": plan.updated[:CHANGES_SHOWN],
            "removed": plan.removed[:CHANGES_SHOWN],
            "more": {
                kind: max(0, len(getattr(plan, kind)) - CHANGES_SHOWN)
                for kind in ("added", "updated", "removed")
            },
            "confirm": MemberImportConfirmForm(initial={"digest": plan.digest}),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_member_focal_point(request, congress: Congress, member_id: int):
    """Name (or remove) the organisation's visa focal point; a new address gets the link."""
    organisation = _organisation(congress, member_id)
    focal = VisaFocalPoint.objects.filter(member_organisation=organisation).first()
    initial = (
        {"name": focal.name, "email": focal.email, "language": focal.language} if focal else {}
    )
    form = VisaFocalPointForm(request.POST or None, congress=congress, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = visa_focal_points.set_visa_focal_point(
                    organisation=organisation, by=request.user, **form.cleaned_data
                )
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Visa focal point saved.") if saved else _("No visa focal point any more."),
                )
                return redirect(
                    "registrations:manage_member_focal_point",
                    congress_slug=congress.slug,
                    member_id=organisation.pk,
                )
        status = 400
    return render(
        request,
        "registrations/manage/member_focal_point.html",
        {
            "congress": congress,
            "organisation": organisation,
            "focal_point": focal,
            "form": form,
            "asked": visa_letters.document_settings(congress).focal_points_approve,
        },
        status=status,
    )


@require_http_methods(["POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def manage_member_focal_point_send(request, congress: Congress, member_id: int):
    organisation = _organisation(congress, member_id)
    try:
        focal = visa_focal_points.send_focal_point_link(organisation=organisation, by=request.user)
    except RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The link was sent again to %(email)s.") % {"email": focal.email}
        )
    return redirect(
        "registrations:manage_member_focal_point",
        congress_slug=congress.slug,
        member_id=organisation.pk,
    )
