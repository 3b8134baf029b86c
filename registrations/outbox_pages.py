"""The outbox (registrations.manage): compose a message to the delegates or order contacts of
a filter of the registrations list (the same query string, plus ``selected`` delegate ids from
the bulk actions), preview it for one recipient, review how many get it, send it through the
task queue; the history of what was sent, and one message's recipients. Thin views over
``services.outbox``; the order page's e-mail log and its resend are at the end."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required

from . import order_review, selectors
from .enums import OutboxAudience
from .list_forms import DelegateListForm
from .models import OutboxMessage, SentEmail
from .outbox_forms import OutboxForm
from .services import email_log, outbox

PREVIEW_CHOICES = 100
RECIPIENTS_PER_PAGE = 100
MESSAGES_PER_PAGE = 50
SELECTED_MAX = 20000
AUDIENCE_PARAMETERS = ("page", "selected", "col")


def _selected(query: QueryDict) -> list[int]:
    """The delegate ids of a selection (``selected=<pk>`` repeated); anything else ignored."""
    ids = []
    for value in query.getlist("selected")[:SELECTED_MAX]:
        if value.isascii() and value.isdigit() and len(value) < 12:
            ids.append(int(value))
    return ids


def _describe(list_form: DelegateListForm, selected: list[int]) -> str:
    """The filter in words, as the history shows it ("Status: Confirmed · Search: smith")."""
    parts = []
    for name, value in list_form.described().items():
        if name == "sort":
            continue
        field = list_form.fields[name]
        shown = dict(getattr(field, "choices", ())).get(value, value)
        parts.append(f"{field.label}: {shown}")
    if selected:
        parts.append(_("%(n)s selected") % {"n": len(selected)})
    return " · ".join(str(part) for part in parts) or _("Everyone registered")


def _list_query(query: QueryDict) -> str:
    """The registrations list's own parameters (for the link back to the list)."""
    kept = query.copy()
    for name in AUDIENCE_PARAMETERS:
        kept.pop(name, None)
    return kept.urlencode()


def _detail_url(congress: Congress, message: OutboxMessage) -> str:
    return reverse(
        "registrations:manage_outbox_message",
        kwargs={"congress_slug": congress.slug, "message_id": message.pk},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def outbox_compose(request, congress: Congress):
    """GET: the form for the filter in the query string. POST ``preview``: the message for one
    recipient, exactly as sent; ``review``: how many get it, to confirm; ``send``: send."""
    list_form = DelegateListForm(request.GET, types=selectors.registration_types(congress))
    selected = _selected(request.GET)
    kind = request.POST.get("recipients", OutboxAudience.DELEGATES)
    if kind not in OutboxAudience.values:
        kind = OutboxAudience.DELEGATES
    audience = outbox.audience(
        congress=congress, filters=list_form.filters(), recipients_kind=kind, selected=selected
    )
    recipients = {r.key: r for r in audience.recipients[:PREVIEW_CHOICES]}
    form = OutboxForm(
        request.POST if request.method == "POST" else None,
        languages=outbox.outbox_languages(congress),
        preview_choices=[
            (key, f"{r.name} <{r.address}> ({r.language})") for key, r in recipients.items()
        ],
    )
    context = {
        "congress": congress,
        "form": form,
        "audience": audience,
        "description": _describe(list_form, selected),
        "list_query": _list_query(request.GET),
        "placeholders": outbox.PLACEHOLDERS,
        "preview": None,
    }
    step = next((s for s in ("send", "review", "preview") if s in request.POST), "edit")
    if request.method == "POST" and form.is_valid():
        wording = form.wording()
        if step in ("review", "send") and not audience.recipients:
            form.add_error(
                None, _("No one to write to: the filter holds no one with an e-mail address.")
            )
        elif step == "send":
            try:
                message, created = outbox.send_outbox_message(
                    congress=congress,
                    by=request.user,
                    nonce=form.cleaned_data["nonce"],
                    wording=wording,
                    recipients_kind=kind,
                    recipients=audience.recipients,
                    query=request.GET.urlencode(),
                    description=context["description"],
                )
            except outbox.OutboxError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                if created:
                    count = len(audience.recipients)
                    messages.success(
                        request,
                        ngettext(
                            "The message is on its way to %(n)s recipient.",
                            "The message is on its way to %(n)s recipients.",
                            count,
                        )
                        % {"n": count},
                    )
                else:
                    messages.info(request, _("This message was already sent; here it is."))
                return redirect(_detail_url(congress, message))
        elif step == "review":
            return render(
                request,
                "registrations/manage/outbox_review.html",
                {**context, "wording": wording},
            )
        elif audience.recipients:
            chosen = recipients.get(form.cleaned_data.get("preview_for") or "")
            chosen = chosen or audience.recipients[0]
            context["preview"] = outbox.preview(
                congress=congress, wording=wording, recipient=chosen
            )
            context["preview_recipient"] = chosen
    return render(
        request,
        "registrations/manage/outbox_compose.html",
        context,
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def outbox_history(request, congress: Congress):
    """What was sent, newest first: who, when, to whom (the filter), how many sent and failed."""
    page = Paginator(outbox.outbox_messages(congress), MESSAGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "registrations/manage/outbox.html", {"congress": congress, "page": page})


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def outbox_message(request, congress: Congress, message_id: int):
    """One message: its words and versions, and its recipients with where each stands."""
    message = get_object_or_404(outbox.outbox_messages(congress), pk=message_id)
    recipients = (
        SentEmail.objects.filter(outbox_message=message)
        .select_related("order")
        .only(
            "id",
            "recipient",
            "language",
            "status",
            "error",
            "sent_at",
            "erased_at",
            "order__code",
            "delegate_id",
        )
        .order_by("id")
    )
    page = Paginator(recipients, RECIPIENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/manage/outbox_message.html",
        {"congress": congress, "message": message, "page": page},
    )


@require_POST
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def order_email_resend(request, congress: Congress, code: str, email_id: int):
    """Send one logged e-mail of the order again, word for word (a new row of the log)."""
    order = order_review.organiser_order(congress, code)
    try:
        email = email_log.order_email(order, email_id)
    except SentEmail.DoesNotExist as exc:
        raise Http404 from exc
    try:
        email_log.resend_email(email=email, by=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The e-mail is on its way again."))
    return redirect(
        reverse("registrations:manage_order", kwargs={"congress_slug": congress.slug, "code": code})
        + "#emails"
    )
