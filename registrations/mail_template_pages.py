"""Organiser pages for the automatic e-mails (registrations.manage): the list of the e-mails
with the congress's languages, and one e-mail in one language to reword (with a preview for a
sample delegate) or reset to the default. Thin views over ``services.mail_templates``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from events_site.congresses.edit_conflicts import EditConflict
from events_site.congresses.enums import Perm
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congress_perm_required

from .automatic_emails import PLACEHOLDERS, fill, sample_values, starter_wording
from .enums import MailKey
from .mail_template_forms import MailTemplateForm
from .models import MailTemplate
from .services import mail_templates as services


def _language_names() -> dict[str, str]:
    return {code: str(name) for code, name in settings.LANGUAGES}


def _checked(congress: Congress, key: str, language: str) -> None:
    """404 for an e-mail that cannot be reworded or a language the congress is not held in."""
    if key not in PLACEHOLDERS or language not in congress.languages:
        raise Http404


def _list_url(congress: Congress) -> str:
    return reverse("registrations:manage_emails", kwargs={"congress_slug": congress.slug})


def _edit_url(congress: Congress, key: str, language: str) -> str:
    return reverse(
        "registrations:manage_email_edit",
        kwargs={"congress_slug": congress.slug, "key": key, "language": language},
    )


@require_http_methods(["GET", "HEAD"])
@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def email_list(request, congress: Congress):
    """Every automatic e-mail by the congress's languages: its own wording or the default."""
    own = {
        (wording.key, wording.language): wording
        for wording in MailTemplate.objects.filter(congress=congress).select_related("updated_by")
    }
    names = _language_names()
    rows = [
        {
            "key": key,
            "label": label,
            "languages": [
                {
                    "code": code,
                    "name": names.get(code, code),
                    "wording": own.get((key, code)),
                    "url": _edit_url(congress, key, code),
                }
                for code in congress.languages
            ],
        }
        for key, label in MailKey.choices
    ]
    return render(request, "registrations/manage/emails.html", {"congress": congress, "rows": rows})


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
def email_edit(request, congress: Congress, key: str, language: str):
    """GET: the wording in force (the congress's or the default's words); POST ``preview``:
    the typed text filled for a sample delegate, nothing saved; POST: save."""
    _checked(congress, key, language)
    wording = services.congress_wording(congress=congress, key=key, language=language)
    if request.method == "POST":
        form = MailTemplateForm(request.POST, key=key)
    else:
        subject, body = (
            (wording.subject, wording.body) if wording else starter_wording(key, language)
        )
        form = MailTemplateForm(
            initial={
                "subject": subject,
                "body": body,
                "fingerprint": services.wording_fingerprint(wording),
            },
            key=key,
        )
    preview = None
    if form.is_bound and form.is_valid():
        if "preview" not in request.POST:
            try:
                services.save_wording(
                    congress=congress,
                    key=key,
                    language=language,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    by=request.user,
                    shown_fingerprint=form.cleaned_data.get("fingerprint") or None,
                )
            except EditConflict as error:
                form.add_error(None, error.message)
            except services.WordingRefused as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, _("The e-mail’s wording was saved."))
                return redirect(_edit_url(congress, key, language))
        else:
            preview = _preview(congress, key, language, **form.cleaned_data)
    elif not form.is_bound:
        preview = _preview(congress, key, language, **form.initial)
    return render(
        request,
        "registrations/manage/email_form.html",
        {
            "congress": congress,
            "form": form,
            "key": key,
            "label": MailKey(key).label,
            "language": language,
            "language_name": _language_names().get(language, language),
            "wording": wording,
            "placeholders": PLACEHOLDERS[key],
            "preview": preview,
        },
        status=400 if form.errors else 200,
    )


def _preview(congress: Congress, key: str, language: str, *, subject: str, body: str, **_rest):
    with translation.override(language):
        values = sample_values(key, congress)
    return {"subject": " ".join(fill(subject, values).splitlines()), "body": fill(body, values)}


@congress_perm_required(Perm.MANAGE_REGISTRATIONS)
@require_POST
def email_reset(request, congress: Congress, key: str, language: str):
    """Back to the default wording (the congress's own is deleted, audited)."""
    _checked(congress, key, language)
    try:
        reset = services.reset_wording(
            congress=congress,
            key=key,
            language=language,
            by=request.user,
            shown_fingerprint=request.POST.get("fingerprint", "")[:64] or None,
        )
    except EditConflict as error:
        messages.error(request, error.message)
        return redirect(_edit_url(congress, key, language))
    if reset:
        messages.success(request, _("The e-mail is back to the default wording."))
    return redirect(_list_url(congress))
