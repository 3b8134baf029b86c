"""The automatic e-mails organisers may reword (``MailTemplate``): which ones, the placeholders
each may use, and how a wording becomes a message.

An organiser's text is never a Django template: it is plain text with ``{placeholder}`` fields
from a short list per e-mail, filled by plain substitution (``{{`` and ``}}`` write a brace).
Anything else in braces (an unknown name, an attribute, an index, a format spec) is refused
when the wording is saved, so nothing an organiser types can reach an object or run a tag.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events_site.congresses.mail import email_language
from events_site.congresses.models import Congress
from events_site.congresses.money import format_money

from .enums import MailKey
from .models import MailTemplate, Order, Refund, WaitingListEntry


@dataclass(frozen=True)
class Placeholder:
    name: str
    help: Promise


NAME = Placeholder("name", _("the contact’s (or the person’s) name"))
CONGRESS = Placeholder("congress", _("the congress’s name"))
ORDER_CODE = Placeholder("order_code", _("the order’s reference"))
ORDER_LINK = Placeholder("order_link", _("the link to the order page"))
TOTAL = Placeholder("total", _("the order’s total"))
DELEGATES = Placeholder("delegates", _("the delegates, one a line, with their types"))
PAY_BY = Placeholder("pay_by", _("the date by which to pay (empty if none)"))
HELD_UNTIL = Placeholder("held_until", _("when the seats stop being held (empty if never)"))
REGISTRATION_TYPE = Placeholder("registration_type", _("the registration type offered"))
OFFER_LINK = Placeholder("offer_link", _("the link to register with the offer"))
OFFER_UNTIL = Placeholder("offer_until", _("when the offer ends"))
AMOUNT = Placeholder("amount", _("the amount refunded"))
METHOD = Placeholder("method", _("how the money goes back (card, bank transfer)"))
CREDIT_NOTE = Placeholder("credit_note", _("the credit note’s number and link (empty if none)"))

_ORDER = (NAME, CONGRESS, ORDER_CODE, ORDER_LINK, TOTAL)
PLACEHOLDERS: dict[str, tuple[Placeholder, ...]] = {
    MailKey.CONFIRMATION: (*_ORDER, DELEGATES),
    MailKey.APPROVED: (*_ORDER, PAY_BY),
    MailKey.PAYMENT_REMINDER: (*_ORDER, HELD_UNTIL),
    MailKey.WAITING_LIST_OFFER: (NAME, CONGRESS, REGISTRATION_TYPE, OFFER_LINK, OFFER_UNTIL),
    MailKey.REFUND: (NAME, CONGRESS, ORDER_CODE, ORDER_LINK, AMOUNT, METHOD, CREDIT_NOTE),
}


class WordingError(ValueError):
    """A wording that cannot be filled: unknown placeholders or a brace left open."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _fields(text: str) -> list[tuple[str, str | None]]:
    """(literal, field) pairs of ``text``; a field with a conversion, a format spec, an
    attribute or an index comes back whole so that it is refused as unknown."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise WordingError(
            gettext("A brace is not closed: write {{ and }} for a brace itself.")
        ) from exc
    pairs = []
    for literal, field, spec, conversion in parsed:
        if field is not None and (spec or conversion):
            field = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        pairs.append((literal, field))
    return pairs


def check_wording(text: str, key: str) -> None:
    """Raise ``WordingError`` naming every placeholder ``key`` does not offer."""
    check_placeholders(text, PLACEHOLDERS[key])


def check_placeholders(text: str, placeholders: tuple[Placeholder, ...]) -> None:
    """Raise ``WordingError`` naming every placeholder of ``text`` not in ``placeholders``."""
    allowed = {placeholder.name for placeholder in placeholders}
    unknown = [field for _literal, field in _fields(text) if field is not None]
    unknown = list(dict.fromkeys(f for f in unknown if f not in allowed))
    if unknown:
        raise WordingError(
            gettext("Unknown placeholders: %(unknown)s. This e-mail can use: %(allowed)s.")
            % {
                "unknown": ", ".join("{" + field + "}" for field in unknown),
                "allowed": ", ".join("{" + p.name + "}" for p in placeholders),
            }
        )


def fill(text: str, values: dict[str, str]) -> str:
    """The wording with each placeholder replaced by its value (plain substitution)."""
    return "".join(
        literal + (str(values.get(field, "")) if field is not None else "")
        for literal, field in _fields(text)
    )


def starter_wording(key: str, language: str) -> tuple[str, str]:
    """The default e-mail's words with placeholders, in ``language``: what the edit form
    starts from when the congress has no wording of its own (the default templates stay
    the source of the e-mails sent without one)."""
    with translation.override(email_language(language)):
        dear = gettext("Dear %(name)s,") % {"name": "{name}"}
        total = gettext("Total") + ": {total}"
        pay = gettext("Pay here:") + " {order_link}"
        if key == MailKey.CONFIRMATION:
            subject = gettext("%(congress)s: registration %(code)s confirmed")
            lines = [
                gettext("Your registration for %(congress)s is confirmed (reference %(code)s)."),
                "{delegates}",
                total,
                gettext("Your confirmation (PDF), personal agendas and details are here:")
                + " {order_link}",
            ]
        elif key == MailKey.APPROVED:
            subject = gettext("%(congress)s: registration %(code)s approved")
            lines = [
                gettext("Your registration for %(congress)s was approved."),
                total + "\n" + gettext("Please pay by %(until)s.") % {"until": "{pay_by}"},
                pay,
            ]
        elif key == MailKey.PAYMENT_REMINDER:
            subject = gettext("%(congress)s: reminder, order %(code)s is not paid yet")
            lines = [
                gettext("Your order %(code)s is still waiting for payment."),
                total
                + "\n"
                + gettext("Your seats are held until %(until)s.") % {"until": "{held_until}"},
                pay,
            ]
        elif key == MailKey.WAITING_LIST_OFFER:
            subject = gettext("%(congress)s: a seat is free for you")
            lines = [
                gettext(
                    "A seat (%(type)s) has become free for %(congress)s. It is reserved for "
                    "you until the time below; register with this link:"
                )
                % {"type": "{registration_type}", "congress": "{congress}"},
                "{offer_link}",
                gettext("Offer valid until %(until)s.") % {"until": "{offer_until}"},
            ]
        else:
            subject = gettext("%(congress)s: refund for order %(code)s")
            lines = [
                gettext("%(amount)s of order %(code)s has been refunded (%(method)s).")
                % {"amount": "{amount}", "code": "%(code)s", "method": "{method}"},
                "{credit_note}",
                gettext("Your order:") + " {order_link}",
            ]
        names = {"congress": "{congress}", "code": "{order_code}"}
        body = "\n\n".join([dear, *(line % names if "%(" in line else line for line in lines)])
    return subject % names, body + "\n"


# --- the values of one message ----------------------------------------------------------------


def _when(value, congress: Congress, fmt: str) -> str:
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value, congress.tz), fmt)


def order_values(order: Order) -> dict[str, str]:
    """Call with the message's language active (money and dates as its readers write them)."""
    congress = order.congress
    delegates = order.delegates.select_related("registration_type").order_by("id")
    return {
        "name": order.contact_name,
        "congress": congress.translated("name"),
        "order_code": order.code,
        "order_link": settings.SITE_URL + order.get_absolute_url(),
        "total": format_money(order.total, order.currency),
        "delegates": "\n".join(
            f"- {d.full_name} ({d.registration_type.translated('name')})" for d in delegates
        ),
        "pay_by": _when(order.hold_expires_at, congress, "j F Y"),
        "held_until": _when(order.hold_expires_at, congress, "j F Y H:i"),
    }


def offer_values(entry: WaitingListEntry, register_url: str) -> dict[str, str]:
    return {
        "name": entry.name,
        "congress": entry.congress.translated("name"),
        "registration_type": entry.registration_type.name,
        "offer_link": register_url,
        "offer_until": _when(entry.offer_expires_at, entry.congress, "j F Y H:i"),
    }


def credit_note_url(refund: Refund) -> str:
    """The credit note's PDF behind the order's secret link ('' when none was issued)."""
    note = getattr(refund, "credit_note", None)
    if note is None:
        return ""
    order = refund.order
    return settings.SITE_URL + reverse(
        "payments:invoice_pdf",
        kwargs={
            "congress_slug": order.congress.slug,
            "code": order.code,
            "secret": order.secret,
            "number": note.full_number,
        },
    )


def refund_values(refund: Refund) -> dict[str, str]:
    order = refund.order
    note = getattr(refund, "credit_note", None)
    return {
        "name": order.contact_name,
        "congress": order.congress.translated("name"),
        "order_code": order.code,
        "order_link": settings.SITE_URL + order.get_absolute_url(),
        "amount": format_money(refund.amount, refund.currency),
        "method": str(refund.payment.get_provider_display()),
        "credit_note": (
            gettext("Credit note %(number)s: %(url)s")
            % {"number": note.full_number, "url": credit_note_url(refund)}
            if note is not None
            else ""
        ),
    }


def sample_values(key: str, congress: Congress) -> dict[str, str]:
    """What the preview fills the wording with: a made-up delegate of this congress."""
    link = settings.SITE_URL + "/…"
    sample_name = gettext("Alex Sample")
    values = {
        "name": sample_name,
        "congress": congress.name,
        "order_code": "ABC123",
        "order_link": link,
        "total": format_money(450, congress.currency),
        "delegates": f"- {sample_name} ({gettext('Delegate')})",
        "pay_by": _when(timezone.now(), congress, "j F Y"),
        "held_until": _when(timezone.now(), congress, "j F Y H:i"),
        "registration_type": gettext("Delegate"),
        "offer_link": link,
        "offer_until": _when(timezone.now(), congress, "j F Y H:i"),
        "amount": format_money(150, congress.currency),
        "method": str(gettext("Bank transfer")),
        "credit_note": gettext("Credit note %(number)s: %(url)s")
        % {"number": "CN-0001", "url": link},
    }
    allowed = {p.name for p in PLACEHOLDERS[key]}
    return {name: value for name, value in values.items() if name in allowed}


# --- the wording used -------------------------------------------------------------------------


def congress_wording(*, congress: Congress, key: str, language: str) -> MailTemplate | None:
    return MailTemplate.objects.filter(congress=congress, key=key, language=language).first()


def compose(
    *, congress: Congress, key: str, language: str | None, values: Any
) -> tuple[str, str, str] | None:
    """(language, subject, text) from the congress's own wording of ``key`` in the message's
    language, or ``None`` when it has none (the caller sends the default template).
    ``values`` is called with that language active."""
    language = email_language(language)
    wording = congress_wording(congress=congress, key=key, language=language)
    if wording is None:
        return None
    with translation.override(language):
        filled = values()
    subject = " ".join(fill(wording.subject, filled).splitlines()).strip()
    return language, subject, fill(wording.body, filled)
