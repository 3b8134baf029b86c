"""The e-mail that carries a finance document (an invoice, a credit note, a quote, an e-invoice)
to the buyer: rendered at once, in the order's language, and written to the e-mail log inside
the caller's transaction; a worker renders the attachment and sends it after the commit."""

from __future__ import annotations

from typing import Any

from events_site.congresses.mail import email_language, record_email, render_email


def prepare_document_email(*, document, template: str, kind: str, context: dict) -> dict[str, Any]:
    """Render the message for ``document`` (anything with ``order``, ``buyer``, ``congress``)
    and log it; return what the sending task needs besides the document's id."""
    order = document.order
    to = document.buyer.get("email") or order.email
    subject, text, html = render_email(
        template=template,
        context={**context, "order": order, "congress": document.congress},
        language=order.language,
    )
    log_id = record_email(
        log={
            "congress_id": document.congress_id,
            "order_id": order.pk,
            "kind": kind,
            "has_attachment": True,
        },
        to=[to],
        subject=subject,
        text=text,
        html=html,
        language=email_language(order.language),
    )
    return {"to": [to], "subject": subject, "text": text, "html": html, "log_id": log_id}
