"""Accent- and case-insensitive text matching in the database, the same on SQLite and
PostgreSQL: ``Unaccent(Lower(field))`` against :func:`fold` of the search words."""

from __future__ import annotations

import unicodedata

from django.db.models import Func, TextField


def fold(text: str) -> str:
    """Casefolded text without combining accents ("Müller" -> "muller")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _sqlite_unaccent(value):
    return None if value is None else fold(str(value))


class Unaccent(Func):
    """PostgreSQL's ``unaccent()`` (the extension the ``invoice_reminders`` migration creates);
    on SQLite a Python function of the same name, registered on the connection when used."""

    function = "unaccent"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        connection.ensure_connection()
        connection.connection.create_function(
            "convene_unaccent", 1, _sqlite_unaccent, deterministic=True
        )
        return self.as_sql(compiler, connection, function="convene_unaccent", **extra_context)
