"""Templated, translated e-mail sent through the task queue.

Callers render nothing themselves: they name a template pair (``<name>_subject.txt`` and
``<name>.txt``, optionally ``<name>.html``) and a language; the message is rendered in that
language now and delivered by a worker after the surrounding transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


def render_email(
    *, template: str, context: dict[str, Any], language: str | None
) -> tuple[str, str, str]:
    """Return (subject, text, html) rendered in ``language`` (falls back to the default)."""
    supported = {code for code, _name in settings.LANGUAGES}
    language = language if language in supported else settings.LANGUAGE_CODE
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        subject = " ".join(subject.splitlines())
        text = render_to_string(f"{template}.txt", context)
        try:
            html = render_to_string(f"{template}.html", context)
        except TemplateDoesNotExist:
            html = ""
    return subject, text, html


def send_templated_email(
    *,
    to: list[str],
    template: str,
    context: dict[str, Any],
    language: str | None = None,
    reply_to: list[str] | None = None,
) -> None:
    """Render now, enqueue delivery once the current transaction commits.

    A message with an attachment (an invoice PDF) is the app's own task: it renders the text
    with :func:`render_email`, queues its task with plain ids, and the task builds the file and
    calls :func:`send_email`, so that PDFs are never rendered inside a request's transaction.
    """
    subject, text, html = render_email(template=template, context=context, language=language)
    payload = {
        "to": list(to),
        "subject": subject,
        "text": text,
        "html": html,
        "reply_to": list(reply_to or []),
    }
    transaction.on_commit(lambda: deliver_email.enqueue(**payload))


def send_email(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: list[str] | None = None,
    attachments: Iterable[tuple[str, bytes, str]] = (),
) -> int:
    """Send one rendered message now (from a worker); ``attachments`` are plain
    ``(filename, content, mimetype)`` triples the caller built."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
    )
    if html:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message.send()


@task(queue_name="emails")
def deliver_email(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: list[str] | None = None,
) -> int:
    return send_email(to=to, subject=subject, text=text, html=html, reply_to=reply_to)
