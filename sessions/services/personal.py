"""A delegate's personal agenda: marked sessions, seats in capacity-limited sessions with a
waiting list, and the secret calendar-feed token.

Seats go through ``lock_session``: inside a transaction, the session row is locked with the
core's lock helper (PostgreSQL ``SELECT ... FOR UPDATE`` under ``lock_timeout``; SQLite's
IMMEDIATE transactions serialise writers), seats are counted again, and only then is a seat
given. A timeout is ``Busy``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events_site.congresses import audit, locks
from events_site.congresses.mail import send_templated_email
from events_site.congresses.models import Congress
from registrations import lifecycle
from registrations.models import Delegate

from ..enums import SessionStatus, SignupStatus
from ..errors import NOT_REGISTERED, UNPAID_MAY_NOT_BOOK, NotPublished, SignupRefused
from ..models import AgendaItem, PersonalAgenda, Session, SessionSignup, new_agenda_token
from ..selectors import published_programme
from ..wallclock import time_label

# Switched off only by the concurrency test that shows the race the lock prevents.
USE_SEAT_LOCK = True


def delegate_may_sign_up(delegate: Delegate) -> bool:
    """A registration that is valid: not cancelled, its order neither cancelled, expired nor
    refunded (decided by the registrations lifecycle)."""
    return lifecycle.may_sign_up(delegate)


def delegate_may_book_seats(delegate: Delegate) -> bool:
    """May hold a seat in a capacity-limited session: a paid (or free, confirmed) registration,
    or an unpaid one when the congress lets unpaid orders book seats (off by default)."""
    standing = lifecycle.delegate_standing(delegate)
    if standing == lifecycle.DelegateStanding.ADMITTED:
        return True
    return (
        standing != lifecycle.DelegateStanding.CANCELLED
        and delegate.order.congress.unpaid_may_book_seats
    )


def clashing_signup(*, delegate: Delegate, session: Session) -> SessionSignup | None:
    """The delegate's seat (or waiting place) in another capacity-limited session that overlaps
    ``session`` in time, if any: one delegate cannot be in two rooms at once."""
    return (
        SessionSignup.objects.filter(
            delegate=delegate,
            session__starts_at__lt=session.ends_at,
            session__ends_at__gt=session.starts_at,
            session__status=SessionStatus.CONFIRMED,
        )
        .exclude(session=session)
        .select_related("session")
        .first()
    )


def lock_session(session: Session) -> Session:
    """Lock ``session``'s row for the rest of the transaction and return it fresh (the core's
    lock helper: only inside a transaction, under ``lock_timeout``, a timeout is ``Busy``)."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_session() must run inside transaction.atomic()")
    queryset = Session.objects.select_related("congress").filter(pk=session.pk)
    if not USE_SEAT_LOCK:
        return queryset.get()
    (locked,) = locks.lock_rows(
        queryset, busy=_("Many people are signing up right now. Please try again.")
    )
    return locked


def seats_taken(session: Session) -> int:
    return SessionSignup.objects.filter(session=session, status=SignupStatus.SEAT).count()


def get_or_create_agenda(*, delegate: Delegate) -> PersonalAgenda:
    agenda = PersonalAgenda.objects.filter(delegate=delegate).first()
    if agenda is not None:
        return agenda
    agenda, _created = PersonalAgenda.objects.get_or_create(
        delegate=delegate,
        defaults={"congress": delegate.order.congress, "token_created_at": timezone.now()},
    )
    return agenda


def _published_session(session: Session) -> None:
    programme = published_programme(session.congress)
    published = programme.by_code.get(session.code) if programme else None
    if published is None or published.is_cancelled or session.status != SessionStatus.CONFIRMED:
        raise NotPublished(_("This session is not in the published programme."))


def mark_session(*, agenda: PersonalAgenda, session: Session) -> AgendaItem:
    """Add a published session to the delegate's agenda (idempotent)."""
    if session.congress_id != agenda.congress_id:
        raise NotPublished(_("This session belongs to another congress."))
    _published_session(session)
    item, created = AgendaItem.objects.get_or_create(agenda=agenda, session=session)
    if created:
        _touch(agenda)
    return item


def unmark_session(*, agenda: PersonalAgenda, session: Session) -> None:
    deleted, _rows = AgendaItem.objects.filter(agenda=agenda, session=session).delete()
    if deleted:
        _touch(agenda)


def _touch(agenda: PersonalAgenda) -> None:
    """Move the agenda's Last-Modified on, so polling calendar clients see the change."""
    agenda.updated_at = timezone.now()
    PersonalAgenda.objects.filter(pk=agenda.pk).update(updated_at=agenda.updated_at)


def sign_up(*, delegate: Delegate, session: Session) -> SessionSignup:
    """A seat if one is free, otherwise a place on the waiting list; never more seats than the
    session's capacity, whatever the concurrency."""
    if session.congress_id != delegate.order.congress_id:
        raise SignupRefused(_("This session belongs to another congress."))
    if not delegate_may_sign_up(delegate):
        raise SignupRefused(NOT_REGISTERED)
    if not session.needs_sign_up or not session.capacity:
        raise SignupRefused(_("This session needs no sign-up."))
    if not delegate_may_book_seats(delegate):
        raise SignupRefused(UNPAID_MAY_NOT_BOOK)
    _published_session(session)
    with transaction.atomic():
        locked = lock_session(session)
        if locked.status != SessionStatus.CONFIRMED:
            raise SignupRefused(_("This session is cancelled."))
        existing = SessionSignup.objects.filter(session=locked, delegate=delegate).first()
        if existing is not None:
            return existing
        other = clashing_signup(delegate=delegate, session=locked)
        if other is not None:
            raise SignupRefused(
                _(
                    "You already have a place in “%(title)s” at the same time. "
                    "Give up that place first."
                )
                % {"title": other.session.title}
            )
        status = (
            SignupStatus.SEAT
            if seats_taken(locked) < (locked.capacity or 0)
            else SignupStatus.WAITING
        )
        signup = SessionSignup.objects.create(session=locked, delegate=delegate, status=status)
        agenda = get_or_create_agenda(delegate=delegate)
        AgendaItem.objects.get_or_create(agenda=agenda, session=locked)
        _touch(agenda)
        audit.record(
            action="convene.agenda.signed_up",
            congress=locked.congress,
            actor_label="delegate",
            target=signup,
            data={"session": locked.code, "delegate": delegate.pk, "status": status},
        )
    return signup


def promote_waiting(session: Session) -> list[SessionSignup]:
    """Give free seats to the waiting list in order, e-mailing each promoted delegate.
    Call inside the transaction that holds the session lock."""
    free = (session.capacity or 0) - seats_taken(session)
    promoted: list[SessionSignup] = []
    if free <= 0:
        return promoted
    waiting = (
        SessionSignup.objects.filter(session=session, status=SignupStatus.WAITING)
        .select_related("delegate", "delegate__order")
        .order_by("created_at", "id")[:free]
    )
    now = timezone.now()
    for signup in waiting:
        changed = SessionSignup.objects.filter(pk=signup.pk, status=SignupStatus.WAITING).update(
            status=SignupStatus.SEAT, promoted_at=now
        )
        if not changed:
            continue
        signup.status, signup.promoted_at = SignupStatus.SEAT, now
        promoted.append(signup)
        _tell_promoted(signup, session)
        audit.record(
            action="convene.agenda.waiting_list_promoted",
            congress=session.congress,
            actor_label="system",
            target=signup,
            data={"session": session.code, "delegate": signup.delegate_id},
        )
    return promoted


def personal_agenda_url(congress: Congress, delegate: Delegate) -> str:
    """The absolute address of the delegate's personal agenda page (for e-mails)."""
    path = reverse(
        "agenda:personal",
        kwargs={"congress_slug": congress.slug, "delegate_secret": delegate.secret},
    )
    return settings.SITE_URL + path


def _tell_promoted(signup: SessionSignup, session: Session) -> None:
    delegate = signup.delegate
    congress = session.congress
    send_templated_email(
        to=[delegate.email or delegate.order.email],
        template="agenda/emails/seat_freed",
        context={
            "delegate_name": delegate.printed_name,
            "congress_name": congress.name,
            "session_title": session.title,
            "session_code": session.code,
            "starts_at": time_label(session.starts_at, congress.tz, "Y-m-d H:i"),
            "time_zone": congress.time_zone,
            "agenda_url": personal_agenda_url(congress, delegate),
        },
        language=delegate.language or None,
        log={
            "congress_id": congress.pk,
            "order_id": delegate.order_id,
            "delegate_id": delegate.pk,
            "kind": "agenda_seat_freed",
        },
    )


def cancel_signup(*, delegate: Delegate, session: Session, by=None) -> list[SessionSignup]:
    """Give up a seat (or a waiting place); the waiting list moves up. Returns who moved up.
    ``by`` is the staff member who removed it (none: the delegate did)."""
    with transaction.atomic():
        locked = lock_session(session)
        signup = SessionSignup.objects.filter(session=locked, delegate=delegate).first()
        if signup is None:
            return []
        signup.delete()
        PersonalAgenda.objects.filter(delegate=delegate).update(updated_at=timezone.now())
        audit.record(
            action="convene.agenda.signup_cancelled",
            congress=locked.congress,
            actor=by,
            actor_label="" if by is not None else "delegate",
            target=locked,
            data={"session": locked.code, "delegate": delegate.pk, "status": signup.status},
        )
        return promote_waiting(locked) if signup.status == SignupStatus.SEAT else []


def regenerate_feed_token(*, agenda: PersonalAgenda) -> PersonalAgenda:
    """A new subscription secret; the old feed address stops working at once."""
    agenda.feed_token = new_agenda_token()
    agenda.token_created_at = timezone.now()
    agenda.save(update_fields=["feed_token", "token_created_at"])
    audit.record(
        action="convene.agenda.feed_token_regenerated",
        congress=agenda.congress,
        actor_label="delegate",
        target=agenda,
    )
    return agenda


def revoke_feed_token(*, agenda: PersonalAgenda) -> PersonalAgenda:
    agenda.feed_token = None
    agenda.token_created_at = None
    agenda.save(update_fields=["feed_token", "token_created_at"])
    audit.record(
        action="convene.agenda.feed_token_revoked",
        congress=agenda.congress,
        actor_label="delegate",
        target=agenda,
    )
    return agenda
