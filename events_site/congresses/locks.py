"""The one lock helper for counted things: a congress's seats and voucher uses, a session's
seats, an invoice series' numbers.

Every lock taken here follows the same three rules: it refuses to run outside
``transaction.atomic()`` (the lock would be released at once), it takes its locks in one sorted
order (so two callers never wait for each other in a circle), and a lock not obtained within
``CAPACITY_LOCK_TIMEOUT_MS`` raises :class:`Busy` ("try again") instead of a 500. The timeout
covers the lock alone: it is set back to the default right after, so a later statement of the
same transaction is not cut short by it.

Two kinds of lock, one mechanism: :func:`lock_keys` takes PostgreSQL advisory locks (for a count
that has no row of its own, like a congress's seats), :func:`lock_rows` locks rows with
``SELECT ... FOR UPDATE`` (for a count kept in, or decided by, a row that other writers lock
too). On SQLite neither does anything more than check the transaction: the IMMEDIATE
transaction already serialises writers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Model, QuerySet

from .errors import Busy

M = TypeVar("M", bound=Model)

# An advisory key is namespace * 2**40 + id, so that sorting the keys sorts by namespace first.
# Namespaces in use: 1 congress (seats), 2 registration type, 3 voucher.
_SPAN = 2**40
_LOCK_NOT_AVAILABLE = "55P03"


def advisory_key(namespace: int, pk: int) -> int:
    """The advisory-lock key of one thing (``namespace`` names its kind)."""
    return namespace * _SPAN + int(pk)


def _require_transaction(what: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{what}() must run inside transaction.atomic().")


@contextmanager
def _busy_on_timeout(busy) -> Iterator[None]:
    """A lock timeout (SQLSTATE 55P03) becomes ``Busy(busy)``; the transaction is marked for
    rollback, since PostgreSQL has aborted it."""
    try:
        yield
    except DatabaseError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            transaction.set_rollback(True)
            raise Busy(busy) from exc
        raise


def _timeout_ms() -> int:
    return int(settings.CAPACITY_LOCK_TIMEOUT_MS)


def lock_keys(keys: Iterable[int], *, busy, release_before_flush: bool = False) -> None:
    """Take transaction-scoped advisory locks on ``keys`` (see :func:`advisory_key`), in sorted
    order, in one round trip. ``busy`` is the translatable message of the :class:`Busy` raised
    on a timeout.

    ``release_before_flush``: the transaction commits with ``synchronous_commit = off`` (its
    locks go the moment the commit record is written, not after the WAL flush) and, right after
    the commit, :func:`wait_until_durable` waits for the flush before anyone is told."""
    _require_transaction("lock_keys")
    if connection.vendor != "postgresql":
        return
    statements = [f"SET LOCAL lock_timeout = {_timeout_ms()}"]
    if release_before_flush:
        statements.append("SET LOCAL synchronous_commit = off")
    # Integers we built, no user input.
    statements += [f"SELECT pg_advisory_xact_lock({int(key)})" for key in sorted(set(keys))]
    statements.append("SET LOCAL lock_timeout TO DEFAULT")
    with _busy_on_timeout(busy), connection.cursor() as cursor:
        cursor.execute("; ".join(statements))
    if release_before_flush and not any(
        hook[1] is wait_until_durable for hook in connection.run_on_commit
    ):
        transaction.on_commit(wait_until_durable)


def wait_until_durable() -> None:
    """Commit one transaction synchronously: it returns once the WAL is flushed up to here,
    which includes the transaction that committed asynchronously just before. WAL is flushed in
    order, so a crash in between loses only a transaction nobody was told about."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()")


def lock_rows(queryset: QuerySet[M], *, busy) -> list[M]:
    """Lock the rows of ``queryset`` (only its own table's, not those it ``select_related``)
    in primary-key order for the rest of the transaction, and return them freshly read.
    ``busy`` is the translatable message of the :class:`Busy` raised on a timeout."""
    _require_transaction("lock_rows")
    locking = queryset.select_for_update(of=("self",)).order_by("pk")
    if connection.vendor != "postgresql":
        return list(locking)
    with _busy_on_timeout(busy):
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {_timeout_ms()}")
        rows = list(locking)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    return rows
