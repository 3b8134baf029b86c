"""The outbox: an organiser's message to the delegates (or the order contacts) of a filter of
the registrations list, with placeholders, in each recipient's language where the organiser
wrote one. Sending writes one logged e-mail per recipient (rendered as it will leave) and
queues one task that sends them one by one; a failure of one leaves the others going.

Exactly once: the form carries a nonce (a resubmitted send finds the message already made),
and each row is claimed queued -> sending before it leaves (a task run twice sends nothing
twice)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from events_site.congresses import audit
from events_site.congresses.mail import email_language, send_email
from events_site.congresses.models import Congress, Venue

from ..automatic_emails import (
    CONGRESS,
    NAME,
    ORDER_CODE,
    Placeholder,
    WordingError,
    check_placeholders,
    fill,
)
from ..enums import EmailStatus, OutboxAudience
from ..errors import RegistrationError
from ..models import Delegate, OutboxMessage, SentEmail
from ..models.emails import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from ..selectors import DelegateFilters, organiser_delegates
from .email_log import ERASED_DOMAIN

ORDER_LINK = Placeholder(
    "order_link",
    _("the link to the order page (for the order’s contact; empty for the other delegates)"),
)
AGENDA_LINK = Placeholder(
    "agenda_link", _("the link to the delegate’s own agenda (the congress’s agenda for a contact)")
)
BADGE_PICKUP = Placeholder("badge_pickup", _("where and from when to collect the badge"))
PLACEHOLDERS: tuple[Placeholder, ...] = (
    NAME,
    CONGRESS,
    ORDER_CODE,
    ORDER_LINK,
    AGENDA_LINK,
    BADGE_PICKUP,
)
KIND = "outbox"


class OutboxError(RegistrationError):
    code = "outbox"

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


def new_nonce() -> str:
    return secrets.token_urlsafe(32)


def outbox_languages(congress: Congress) -> list[tuple[str, str]]:
    """The congress's languages the site speaks, as (code, name): one optional version each."""
    names = {code: str(name) for code, name in settings.LANGUAGES}
    return [(code, names[code]) for code in congress.languages if code in names]


# --- the text --------------------------------------------------------------------------------


def check_text(text: str, *, subject: bool) -> None:
    """Refuse what no e-mail should carry: NUL and other control characters (a subject takes
    no line break either: it would start a new mail header), and more than the field holds."""
    allowed = set() if subject else {"\n", "\r", "\t"}
    if any((ord(ch) < 32 or ord(ch) == 127) and ch not in allowed for ch in text):
        raise OutboxError(
            _("Remove the control characters (or the line breaks of a subject) from the text.")
        )
    limit = SUBJECT_MAX_LENGTH if subject else BODY_MAX_LENGTH
    if len(text) > limit:
        raise OutboxError(_("The text is too long (at most %(n)s characters).") % {"n": limit})


def check_wording(text: str) -> None:
    """Raise ``OutboxError`` for an unknown placeholder or an unclosed brace."""
    try:
        check_placeholders(text, PLACEHOLDERS)
    except WordingError as error:
        raise OutboxError(error.message) from error


@dataclass(frozen=True)
class Wording:
    """The main subject and body, and the versions by language code ({code: (subject, body)})."""

    subject: str
    body: str
    translations: dict[str, tuple[str, str]] = field(default_factory=dict)

    def for_language(self, language: str) -> tuple[str, str, str]:
        """(language used, subject, body): the recipient's version if written, else the main
        text (recorded under the congress's first language, ``main``)."""
        if language in self.translations:
            subject, body = self.translations[language]
            return language, subject, body
        return "", self.subject, self.body

    def check(self) -> None:
        for name, text, subject in self.texts():
            try:
                check_text(text, subject=subject)
                check_wording(text)
            except OutboxError as error:
                raise OutboxError(error.message, field=name) from error

    def texts(self):
        yield "subject", self.subject, True
        yield "body", self.body, False
        for code, (subject, body) in self.translations.items():
            yield f"subject_{code}", subject, True
            yield f"body_{code}", body, False


# --- the recipients --------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str
    language: str
    order_id: int
    order_code: str
    order_secret: str
    delegate_id: int | None = None
    delegate_secret: str = ""
    is_contact: bool = True  # the order's contact (a delegate may be it too)

    @property
    def key(self) -> str:
        return f"{'d' if self.delegate_id else 'o'}{self.delegate_id or self.order_id}"


@dataclass(frozen=True)
class Audience:
    recipients: list[Recipient]
    without_address: int  # delegates of the filter with no address of their own (or erased)
    duplicates: int  # addresses written to once though the filter holds them more often

    def by_language(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = {}
        for recipient in self.recipients:
            counts[recipient.language] = counts.get(recipient.language, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def audience_delegates(
    *, congress: Congress, filters: DelegateFilters, selected: list[int] | None = None
) -> QuerySet[Delegate]:
    """The registrations list's delegates for ``filters`` (the same selector), narrowed to
    ``selected`` when the bulk-actions selection gives one."""
    delegates = organiser_delegates(congress=congress, filters=filters)
    if selected:
        delegates = delegates.filter(pk__in=selected)
    return delegates


def _erased(address: str) -> bool:
    return address.casefold().endswith("@" + ERASED_DOMAIN)


def audience(
    *,
    congress: Congress,
    filters: DelegateFilters,
    recipients_kind: str,
    selected: list[int] | None = None,
) -> Audience:
    """Everyone the message goes to, in the list's order, one per address (case ignored):
    each delegate with an address, or each order's contact. One query."""
    delegates = audience_delegates(congress=congress, filters=filters, selected=selected).only(
        "id",
        "given_name",
        "family_name",
        "name_order",
        "country",
        "badge_name",
        "email",
        "language",
        "secret",
        "erased_at",
        "order__id",
        "order__code",
        "order__secret",
        "order__email",
        "order__contact_name",
        "order__language",
        "registration_type__id",
    )
    contacts = recipients_kind == OutboxAudience.CONTACTS
    seen: set[str] = set()
    orders_seen: set[int] = set()
    recipients: list[Recipient] = []
    without = duplicates = 0
    for delegate in delegates.iterator(chunk_size=2000):
        order = delegate.order
        if contacts:
            if order.pk in orders_seen:  # the order's other delegates: one contact
                continue
            orders_seen.add(order.pk)
            address, name, language, delegate_id = (
                order.email,
                order.contact_name,
                order.language,
                None,
            )
        else:
            address = "" if delegate.erased_at else delegate.email
            name, language, delegate_id = delegate.printed_name, delegate.language, delegate.pk
        if not address or _erased(address):
            without += 1
            continue
        folded = address.casefold()
        if folded in seen:
            duplicates += 1
            continue
        seen.add(folded)
        recipients.append(
            Recipient(
                address=address,
                name=name,
                language=language or order.language,
                order_id=order.pk,
                order_code=order.code,
                order_secret=order.secret,
                delegate_id=delegate_id,
                delegate_secret=delegate.secret if delegate_id else "",
                is_contact=contacts or folded == order.email.casefold(),
            )
        )
    return Audience(recipients=recipients, without_address=without, duplicates=duplicates)


# --- one message for one recipient -----------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """What ``{badge_pickup}`` says: the congress's first venue and first day."""

    venue: Venue | None
    congress: Congress


def place_of(congress: Congress) -> Place:
    return Place(venue=congress.venues.order_by("id").first(), congress=congress)


def _badge_pickup(place: Place, recipient: Recipient) -> str:
    congress = place.congress
    day = formats.date_format(congress.start_date, "j F Y")
    if place.venue is None:
        where = gettext("the registration desk")
    else:
        parts = [place.venue.name, " ".join(place.venue.address.split()), place.venue.city]
        where = gettext("the registration desk, %(venue)s") % {
            "venue": ", ".join(part for part in parts if part)
        }
    return gettext(
        "Collect your badge at %(where)s from %(day)s; give your name and reference %(code)s."
    ) % {"where": where, "day": day, "code": recipient.order_code}


def _agenda_link(congress: Congress, recipient: Recipient) -> str:
    try:
        if recipient.delegate_id:
            path = reverse(
                "agenda:personal",
                kwargs={
                    "congress_slug": congress.slug,
                    "delegate_secret": recipient.delegate_secret,
                },
            )
        else:
            path = reverse("agenda:schedule", kwargs={"congress_slug": congress.slug})
    except NoReverseMatch:  # the agenda app is not installed
        return ""
    return settings.SITE_URL + path


def values_for(place: Place, recipient: Recipient, *, is_contact: bool) -> dict[str, str]:
    """The placeholders' values for one recipient (call with the message's language active).
    A delegate who is not the order's contact gets no order link: the order is not theirs."""
    congress = place.congress
    order_link = ""
    if is_contact:
        order_link = settings.SITE_URL + reverse(
            "registrations:order",
            kwargs={
                "congress_slug": congress.slug,
                "code": recipient.order_code,
                "secret": recipient.order_secret,
            },
        )
    return {
        "name": recipient.name,
        "congress": congress.name,
        "order_code": recipient.order_code,
        "order_link": order_link,
        "agenda_link": _agenda_link(congress, recipient),
        "badge_pickup": _badge_pickup(place, recipient),
    }


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str


def render_for(*, wording: Wording, place: Place, recipient: Recipient) -> Rendered:
    """The message exactly as ``recipient`` gets it: their language's version if written (else
    the main text), the placeholders filled in that language."""
    version, subject, body = wording.for_language(recipient.language)
    language = version or email_language(place.congress.languages[0])
    with translation.override(email_language(recipient.language)):
        values = values_for(place, recipient, is_contact=recipient.is_contact)
    subject = " ".join(fill(subject, values).splitlines()).strip()
    return Rendered(language=language, subject=subject[:400], text=fill(body, values))


def preview(*, congress: Congress, wording: Wording, recipient: Recipient) -> Rendered:
    """One recipient's message, rendered by the same function as the one sent."""
    wording.check()
    return render_for(wording=wording, place=place_of(congress), recipient=recipient)


# --- sending ---------------------------------------------------------------------------------


def send_outbox_message(
    *,
    congress: Congress,
    by,
    nonce: str,
    wording: Wording,
    recipients_kind: str,
    recipients: list[Recipient],
    query: str,
    description: str,
) -> tuple[OutboxMessage, bool]:
    """Write the message and one queued e-mail per recipient, audited, then queue the sending
    after the commit. (message, False) when ``nonce`` was already used: nothing is sent again."""
    existing = OutboxMessage.objects.filter(nonce=nonce).first()
    if existing is not None:
        if existing.congress_id != congress.pk:
            raise OutboxError(_("This form was already used; write the message again."))
        return existing, False
    wording.check()
    if recipients_kind not in OutboxAudience.values:
        raise OutboxError(_("Choose who gets the message."), field="recipients")
    if not recipients:
        raise OutboxError(_("No one to write to: the filter holds no one with an e-mail address."))
    if not nonce or len(nonce) > 64:
        raise OutboxError(_("This form has expired; open the outbox again."))
    user = by if getattr(by, "is_authenticated", False) else None
    place = place_of(congress)
    reply_to = [congress.contact_email] if congress.contact_email else []
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                congress=congress,
                nonce=nonce,
                audience=recipients_kind,
                query=query[:4000],
                audience_description=description[:2000],
                subject=wording.subject,
                body=wording.body,
                translations={
                    code: {"subject": subject, "body": body}
                    for code, (subject, body) in wording.translations.items()
                },
                created_by=user,
            )
            rows = []
            for recipient in recipients:
                rendered = render_for(wording=wording, place=place, recipient=recipient)
                rows.append(
                    SentEmail(
                        congress=congress,
                        order_id=recipient.order_id,
                        delegate_id=recipient.delegate_id,
                        outbox_message=message,
                        recipient=recipient.address,
                        reply_to=reply_to,
                        subject=rendered.subject,
                        text=rendered.text,
                        language=rendered.language,
                        kind=KIND,
                        sent_by=user,
                    )
                )
            SentEmail.objects.bulk_create(rows, batch_size=500)
            audit.record(
                action="convene.outbox.sent",
                congress=congress,
                actor=by,
                target=message,
                data={
                    "recipients": len(rows),
                    "audience": recipients_kind,
                    "filter": description[:500],
                    "languages": sorted(wording.translations),
                },
            )
            message_id = message.pk
            transaction.on_commit(lambda: deliver_outbox_message.enqueue(message_id=message_id))
    except IntegrityError:  # the same nonce sent at the same moment by a second request
        existing = OutboxMessage.objects.filter(nonce=nonce, congress=congress).first()
        if existing is None:
            raise
        return existing, False
    return message, True


def deliver(*, message_id: int) -> tuple[int, int]:
    """Send every queued e-mail of the message, one at a time; (sent, failed) by this run.
    Each row is claimed before it leaves, so a second run or a second worker sends nothing
    twice; an error on one row is recorded on it and the next one goes."""
    sent = failed = 0
    ids = list(
        SentEmail.objects.filter(outbox_message_id=message_id, status=EmailStatus.QUEUED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for email_id in ids:
        email = SentEmail.objects.filter(pk=email_id).first()
        if email is None or email.status != EmailStatus.QUEUED:
            continue
        try:
            count = send_email(
                to=[email.recipient],
                subject=email.subject,
                text=email.text,
                reply_to=list(email.reply_to or []),
                log_id=email.pk,
            )
        except Exception:  # recorded on the row by send_email; the next one goes
            failed += 1
        else:
            sent += 1 if count else 0
    return sent, failed


@task(queue_name="emails")
def deliver_outbox_message(*, message_id: int) -> list[int]:
    """Send an outbox message's queued e-mails (see :func:`deliver`)."""
    return list(deliver(message_id=message_id))


# --- reading ---------------------------------------------------------------------------------


def outbox_messages(congress: Congress) -> QuerySet[OutboxMessage]:
    """The congress's outbox messages, newest first, with their counts by status."""
    return (
        OutboxMessage.objects.filter(congress=congress)
        .select_related("created_by")
        .annotate(
            total=Count("recipients"),
            sent=Count("recipients", filter=Q(recipients__status=EmailStatus.SENT)),
            failed=Count("recipients", filter=Q(recipients__status=EmailStatus.FAILED)),
        )
        .order_by("-created_at", "-id")
    )
