"""Registration e-mails: one function per message, each queued after the transaction commits;
the queue task of each message is defined beside the function it calls."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django_tasks import task

from events_site.congresses.mail import send_composed_email, send_templated_email

from .. import automatic_emails
from ..models import Delegate, Order, Refund, WaitingListEntry


def _order_context(order: Order) -> dict:
    return {
        "order": order,
        "congress": order.congress,
        "delegates": list(order.delegates.select_related("registration_type").order_by("id")),
        "order_url": settings.SITE_URL + order.get_absolute_url(),
    }


def _log(*, congress_id, kind: str, order=None, delegate=None, by_id=None) -> dict:
    """What the e-mail log records a message as (see ``services.email_log``)."""
    return {
        "congress_id": congress_id,
        "order_id": order.pk if order is not None else None,
        "delegate_id": delegate.pk if delegate is not None else None,
        "kind": kind,
        "sent_by_id": by_id,
    }


def _by_id(by) -> int | None:
    return by.pk if getattr(by, "is_authenticated", False) else None


def queue_order_email(*, order: Order, template: str, by=None) -> None:
    """Queue the e-mail once the transaction commits: the worker fetches the order by id and
    renders it in the order's language, so the request renders nothing (and never while the
    capacity lock is held), and a rolled-back order sends nothing. ``by``: the organiser who
    asked for it (a resend), recorded in the e-mail log."""
    order_id, by_id = order.pk, _by_id(by)
    transaction.on_commit(
        lambda: send_order_email_task.enqueue(order_id=order_id, template=template, by_id=by_id)
    )


def _reply_to(congress) -> list[str] | None:
    return [congress.contact_email] if congress.contact_email else None


def _send_congress_wording(
    *, to: list[str], congress, key: str, language: str, values, log: dict
) -> bool:
    """Send the congress's own wording of ``key`` in ``language`` if it has one (True), else
    nothing (False: the caller sends the default template)."""
    if key not in automatic_emails.PLACEHOLDERS:
        return False
    composed = automatic_emails.compose(
        congress=congress, key=key, language=language, values=values
    )
    if composed is None:
        return False
    _language, subject, text = composed
    send_composed_email(
        to=to,
        subject=subject,
        text=text,
        reply_to=_reply_to(congress),
        log=log,
        language=_language,
    )
    return True


def send_order_email(*, order: Order, template: str, by_id: int | None = None) -> None:
    """E-mail the order's contact in the order's language: the congress's own wording of the
    e-mail if it has one for that language, else the template under registrations/emails."""
    congress = order.congress
    log = _log(congress_id=congress.pk, kind=template, order=order, by_id=by_id)
    if _send_congress_wording(
        to=[order.email],
        congress=congress,
        key=template,
        language=order.language,
        values=lambda: automatic_emails.order_values(order),
        log=log,
    ):
        return
    send_templated_email(
        to=[order.email],
        template=f"registrations/emails/{template}",
        context=_order_context(order),
        language=order.language,
        reply_to=[congress.contact_email] if congress.contact_email else None,
        log=log,
    )


@task(queue_name="emails")
def send_order_email_task(*, order_id: int, template: str, by_id: int | None = None) -> None:
    """Render (in the order's language) and send one of the order's e-mails."""
    order = Order.objects.select_related("congress").filter(pk=order_id).first()
    if order is not None:
        send_order_email(order=order, template=template, by_id=by_id)


def queue_delegate_confirmations(*, order: Order) -> None:
    """Once an order is confirmed, each delegate with an e-mail of their own (other than the
    contact's) gets a personal confirmation in their own language, with their agenda link.
    Rendered by the worker, like :func:`queue_order_email`."""
    order_id = order.pk
    transaction.on_commit(lambda: send_delegate_confirmations_task.enqueue(order_id=order_id))


def send_delegate_confirmations(*, order: Order) -> None:
    contact = order.email.casefold()
    for delegate in order.delegates.select_related("registration_type").order_by("id"):
        if delegate.is_cancelled or not delegate.email or delegate.email.casefold() == contact:
            continue
        send_templated_email(
            to=[delegate.email],
            template="registrations/emails/delegate_confirmation",
            context={
                "order": order,
                "delegate": delegate,
                "congress": order.congress,
                "site_url": settings.SITE_URL,
            },
            language=delegate.language,
            log=_log(
                congress_id=order.congress_id,
                kind="delegate_confirmation",
                order=order,
                delegate=delegate,
            ),
        )


@task(queue_name="emails")
def send_delegate_confirmations_task(*, order_id: int) -> None:
    """Each delegate's own confirmation, in the delegate's language."""
    order = Order.objects.select_related("congress").filter(pk=order_id).first()
    if order is not None:
        send_delegate_confirmations(order=order)


def queue_delegate_cancelled_email(*, delegate: Delegate, fee: Decimal) -> None:
    """Once one delegate's cancellation commits: tell the order's contact and the delegate.
    Rendered by the worker, like :func:`queue_order_email`."""
    delegate_id, fee_text = delegate.pk, str(fee)
    transaction.on_commit(
        lambda: send_delegate_cancelled_task.enqueue(delegate_id=delegate_id, fee=fee_text)
    )


def send_delegate_cancelled(*, delegate: Delegate, fee: Decimal) -> None:
    """The contact in the order's language (with the fee and who is still registered); the
    delegate, if they have an e-mail of their own, in theirs."""
    order = delegate.order
    congress = order.congress
    reply_to = [congress.contact_email] if congress.contact_email else None
    context = {
        **_order_context(order),
        "delegates": list(
            order.delegates.filter(is_cancelled=False)
            .select_related("registration_type")
            .order_by("id")
        ),
        "delegate": delegate,
        "fee": fee,
    }
    send_templated_email(
        to=[order.email],
        template="registrations/emails/delegate_cancelled",
        context=context,
        language=order.language,
        reply_to=reply_to,
        log=_log(congress_id=congress.pk, kind="delegate_cancelled", order=order),
    )
    if delegate.email and delegate.email.casefold() != order.email.casefold():
        send_templated_email(
            to=[delegate.email],
            template="registrations/emails/delegate_cancelled_personal",
            context=context,
            language=delegate.language,
            reply_to=reply_to,
            log=_log(
                congress_id=congress.pk,
                kind="delegate_cancelled_personal",
                order=order,
                delegate=delegate,
            ),
        )


@task(queue_name="emails")
def send_delegate_cancelled_task(*, delegate_id: int, fee: str) -> None:
    """One delegate cancelled out of a delegation: the contact's and the delegate's e-mails."""
    delegate = (
        Delegate.objects.select_related("order__congress", "registration_type")
        .filter(pk=delegate_id)
        .first()
    )
    if delegate is not None:
        send_delegate_cancelled(delegate=delegate, fee=Decimal(fee))


def send_offer_email(*, entry: WaitingListEntry, register_url: str) -> None:
    transaction.on_commit(lambda: _send_offer_email(entry=entry, register_url=register_url))


def _send_offer_email(*, entry: WaitingListEntry, register_url: str) -> None:
    url = settings.SITE_URL + register_url
    log = _log(congress_id=entry.congress_id, kind="waiting_list_offer")
    if _send_congress_wording(
        to=[entry.email],
        congress=entry.congress,
        key="waiting_list_offer",
        language=entry.language,
        values=lambda: automatic_emails.offer_values(entry, url),
        log=log,
    ):
        return
    send_templated_email(
        to=[entry.email],
        template="registrations/emails/waiting_list_offer",
        context={"entry": entry, "congress": entry.congress, "register_url": url},
        language=entry.language,
        log=log,
    )


def send_waiting_list_email(*, entry: WaitingListEntry, template: str) -> None:
    """A waiting-list notice without a link (an offer withdrawn, a removal), after commit."""
    transaction.on_commit(lambda: _send_waiting_list_email(entry=entry, template=template))


def _send_waiting_list_email(*, entry: WaitingListEntry, template: str) -> None:
    send_templated_email(
        to=[entry.email],
        template=f"registrations/emails/{template}",
        context={"entry": entry, "congress": entry.congress},
        language=entry.language,
        log=_log(congress_id=entry.congress_id, kind=template),
    )


def queue_refund_email(*, refund: Refund) -> None:
    """Once a refund is final (called exactly once per refund, by the compare-and-set that
    confirms it): tell the order's contact what went back, how, and the credit note if one
    was issued. Rendered by the worker in the order's language."""
    refund_id = refund.pk
    transaction.on_commit(lambda: send_refund_email_task.enqueue(refund_id=refund_id))


def send_refund_email(*, refund: Refund) -> None:
    order = refund.order
    congress = order.congress
    log = _log(congress_id=congress.pk, kind="refund", order=order)
    if _send_congress_wording(
        to=[order.email],
        congress=congress,
        key="refund",
        language=order.language,
        values=lambda: automatic_emails.refund_values(refund),
        log=log,
    ):
        return
    send_templated_email(
        to=[order.email],
        template="registrations/emails/refund",
        context={
            **_order_context(order),
            "refund": refund,
            "method": refund.payment.get_provider_display(),
            "credit_note": getattr(refund, "credit_note", None),
            "credit_note_url": automatic_emails.credit_note_url(refund),
        },
        language=order.language,
        reply_to=_reply_to(congress),
        log=log,
    )


@task(queue_name="emails")
def send_refund_email_task(*, refund_id: int) -> None:
    """The contact's e-mail for one confirmed refund."""
    refund = (
        Refund.objects.select_related("order__congress", "payment", "credit_note")
        .filter(pk=refund_id)
        .first()
    )
    if refund is not None:
        send_refund_email(refund=refund)
