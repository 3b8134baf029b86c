"""Registration e-mails: one function per message, each queued after the transaction commits;
the queue task of each message is defined beside the function it calls."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django_tasks import task

from events_site.congresses.mail import send_templated_email

from ..models import Delegate, Order, WaitingListEntry


def _order_context(order: Order) -> dict:
    return {
        "order": order,
        "congress": order.congress,
        "delegates": list(order.delegates.select_related("registration_type").order_by("id")),
        "order_url": settings.SITE_URL + order.get_absolute_url(),
    }


def queue_order_email(*, order: Order, template: str) -> None:
    """Queue the e-mail once the transaction commits: the worker fetches the order by id and
    renders it in the order's language, so the request renders nothing (and never while the
    capacity lock is held), and a rolled-back order sends nothing."""
    order_id = order.pk
    transaction.on_commit(
        lambda: send_order_email_task.enqueue(order_id=order_id, template=template)
    )


def send_order_email(*, order: Order, template: str) -> None:
    """E-mail the order's contact in the order's language (templates under registrations/emails)."""
    congress = order.congress
    send_templated_email(
        to=[order.email],
        template=f"registrations/emails/{template}",
        context=_order_context(order),
        language=order.language,
        reply_to=[congress.contact_email] if congress.contact_email else None,
    )


@task(queue_name="emails")
def send_order_email_task(*, order_id: int, template: str) -> None:
    """Render (in the order's language) and send one of the order's e-mails."""
    order = Order.objects.select_related("congress").filter(pk=order_id).first()
    if order is not None:
        send_order_email(order=order, template=template)


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
    )
    if delegate.email and delegate.email.casefold() != order.email.casefold():
        send_templated_email(
            to=[delegate.email],
            template="registrations/emails/delegate_cancelled_personal",
            context=context,
            language=delegate.language,
            reply_to=reply_to,
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
    send_templated_email(
        to=[entry.email],
        template="registrations/emails/waiting_list_offer",
        context={
            "entry": entry,
            "congress": entry.congress,
            "register_url": settings.SITE_URL + register_url,
        },
        language=entry.language,
    )
