"""Templated, translated e-mail sent through the task queue.

Callers render nothing themselves: they name a template pair (``<name>_subject.txt`` and
``<name>.txt``, optionally ``<name>.html``) and a language; the message is rendered in that
language now and delivered by a worker after the surrounding transaction commits.

Every message leaves through :func:`send_email`. A message given ``log`` (what it is about:
congress, order, delegate, kind, by whom, as the app that sends it names them) is written to
the e-mail log when it is queued and marked sent or failed there when it leaves; the log
itself belongs to an app, named by the ``EMAIL_LOG`` setting (the core imports no app).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

Log = Mapping[str, Any]


def _email_log():
    """The module that keeps the e-mail log (``record``, ``claim``, ``mark_sent``,
    ``mark_failed``), or None when the site keeps none."""
    path = getattr(settings, "EMAIL_LOG", "")
    # a module path: import_module, since import_string finds a submodule only once something
    # else has imported it (a notice task in a fresh worker found no e-mail log)
    return importlib.import_module(path) if path else None


def record_email(
    *,
    log: Log | None,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: list[str] | None = None,
    language: str = "",
) -> int | None:
    """Write one queued message to the e-mail log (in the caller's transaction, so a rolled
    back action logs nothing); its id, which :func:`send_email` is given, or None."""
    email_log = _email_log()
    if log is None or email_log is None:
        return None
    return email_log.record(
        log=dict(log),
        to=list(to),
        subject=subject,
        text=text,
        html=html,
        reply_to=list(reply_to or []),
        language=language,
    )


def email_language(language: str | None) -> str:
    """The language a message is rendered in: ``language`` if the site has it, else the default."""
    supported = {code for code, _name in settings.LANGUAGES}
    return language if language in supported else settings.LANGUAGE_CODE


def render_email(
    *, template: str, context: dict[str, Any], language: str | None
) -> tuple[str, str, str]:
    """Return (subject, text, html) rendered in ``language`` (falls back to the default)."""
    language = email_language(language)
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
    log: Log | None = None,
) -> None:
    """Render now, enqueue delivery once the current transaction commits.

    A message with an attachment (an invoice PDF) is the app's own task: it renders the text
    with :func:`render_email`, queues its task with plain ids, and the task builds the file and
    calls :func:`send_email`, so that PDFs are never rendered inside a request's transaction.
    """
    subject, text, html = render_email(template=template, context=context, language=language)
    send_composed_email(
        to=to,
        subject=subject,
        text=text,
        html=html,
        reply_to=reply_to,
        log=log,
        language=email_language(language),
    )


def send_templated_emails(*, messages: list[dict[str, Any]]) -> None:
    """Many messages at once (a notice to every delegate concerned): each rendered now like
    :func:`send_templated_email` (``to``, ``template``, ``context``, ``language``, ``log``),
    the logged ones written to the e-mail log in one query, each delivered by its own task."""
    rendered = []
    for message in messages:
        language = message.get("language")
        subject, text, html = render_email(
            template=message["template"], context=message["context"], language=language
        )
        rendered.append(
            {
                "log": message.get("log"),
                "to": list(message["to"]),
                "subject": subject,
                "text": text,
                "html": html,
                "reply_to": list(message.get("reply_to") or []),
                "language": email_language(language),
            }
        )
    email_log = _email_log()
    logged = [entry for entry in rendered if entry["log"] is not None]
    ids = iter(email_log.record_many(logged) if email_log is not None and logged else [])
    payloads = [
        {
            "to": entry["to"],
            "subject": entry["subject"],
            "text": entry["text"],
            "html": entry["html"],
            "reply_to": entry["reply_to"],
            "log_id": next(ids) if entry["log"] is not None and email_log is not None else None,
        }
        for entry in rendered
    ]

    def enqueue() -> None:
        for payload in payloads:
            deliver_email.enqueue(**payload)

    transaction.on_commit(enqueue)


def send_composed_email(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: list[str] | None = None,
    log: Log | None = None,
    language: str = "",
) -> None:
    """Enqueue delivery of a message already written (e.g. from an organiser's wording) once
    the current transaction commits; logged (queued) now if ``log`` says what it is about."""
    payload = {
        "to": list(to),
        "subject": subject,
        "text": text,
        "html": html,
        "reply_to": list(reply_to or []),
        "log_id": record_email(
            log=log,
            to=to,
            subject=subject,
            text=text,
            html=html,
            reply_to=reply_to,
            language=language,
        ),
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
    log_id: int | None = None,
) -> int:
    """Send one rendered message now (from a worker); ``attachments`` are plain
    ``(filename, content, mimetype)`` triples the caller built. A logged message (``log_id``)
    is claimed first, so a task that runs twice sends it once, and marked sent or failed."""
    email_log = _email_log() if log_id is not None else None
    if email_log is not None and not email_log.claim(log_id):
        return 0
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
    )
    if html:
        message.attach_alternative(html, "text/html")
    try:
        for filename, content, mimetype in attachments:
            message.attach(filename, content, mimetype)
        sent = message.send()
    except Exception as exc:
        if email_log is not None:
            email_log.mark_failed(log_id, error=f"{type(exc).__name__}: {exc}")
        raise
    if email_log is not None:
        email_log.mark_sent(log_id)
    return sent


@task(queue_name="emails")
def deliver_email(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    reply_to: list[str] | None = None,
    log_id: int | None = None,
) -> int:
    return send_email(
        to=to, subject=subject, text=text, html=html, reply_to=reply_to, log_id=log_id
    )
