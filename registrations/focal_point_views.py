"""The visa focal point's page behind their secret link: the requests of their organisation's
delegation waiting for them (name, role, registration type, nationality, paid or not and the
masked passport number: no other passport data), approved or refused a few at a time. A thin
view over :mod:`.services.visa_focal_points`."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from events_site.congresses.secret_links import get_by_secret_or_404

from .document_forms import FocalPointDecisionForm
from .errors import RegistrationError
from .models import VisaFocalPoint, VisaLetterRequest
from .services import visa_focal_points
from .services.visa_focal_routing import waiting_for
from .services.visa_letters import document_settings


def _ids(request) -> list[int]:
    """The ticked ids as numbers (anything else: a 404 like another delegation's request)."""
    values = request.POST.getlist("ids")
    if (
        not values
        or len(values) > 500
        or not all(v.isascii() and v.isdigit() and len(v) < 12 for v in values)
    ):
        return []
    return sorted({int(value) for value in values})


@require_http_methods(["GET", "HEAD", "POST"])
def focal_point_page(request, congress_slug: str, focal_secret: str):
    focal = get_by_secret_or_404(
        VisaFocalPoint.objects.select_related("member_organisation__congress").filter(
            member_organisation__congress__slug=congress_slug
        ),
        secret=focal_secret,
    )
    organisation = focal.member_organisation
    congress = organisation.congress
    asked = document_settings(congress).focal_points_approve
    waiting = list(waiting_for(organisation))
    form = FocalPointDecisionForm(ids=[letter.pk for letter in waiting])
    status = 200
    if request.method == "POST":
        if not asked:
            messages.error(request, _("The congress no longer asks focal points to decide."))
            return redirect(request.path)
        wanted = _ids(request)
        ours = {
            letter.pk: letter
            for letter in VisaLetterRequest.objects.filter(
                congress=congress, focal_point_organisation=organisation, pk__in=wanted
            ).select_related("congress", "delegate")
        }
        if wanted and len(ours) != len(wanted):
            raise Http404  # another delegation's request, or none
        form = FocalPointDecisionForm(request.POST, ids=list(ours))
        if form.is_valid():
            try:
                outcome = visa_focal_points.decide_as_focal_point(
                    focal_point=focal,
                    letters=[ours[pk] for pk in form.cleaned_data["ids"]],
                    to=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                )
            except RegistrationError as error:
                form.add_error(None, error.message)
            else:
                if outcome.done:
                    messages.success(
                        request,
                        ngettext("%(n)d request decided.", "%(n)d requests decided.", outcome.done)
                        % {"n": outcome.done},
                    )
                if outcome.skipped:
                    messages.warning(
                        request,
                        ngettext(
                            "%(n)d request was already decided: nothing changed for it.",
                            "%(n)d requests were already decided: nothing changed for them.",
                            outcome.skipped,
                        )
                        % {"n": outcome.skipped},
                    )
                return redirect(request.path)
        status = 400
    response = render(
        request,
        "registrations/documents/focal_point.html",
        {
            "congress": congress,
            "organisation": organisation,
            "focal_point": focal,
            "asked": asked,
            "waiting": waiting,
            "form": form,
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    # Not "no-referrer": the browser would then send "Origin: null" with the form, which the
    # CSRF check refuses; "same-origin" still keeps the secret address from other sites.
    response["Referrer-Policy"] = "same-origin"
    return response
