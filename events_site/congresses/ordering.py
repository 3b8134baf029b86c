"""Up and down buttons on an ordered list (rooms of a venue, tracks, registration types): one
way to swap a row with its neighbour, so ties from older data never block a move."""

from __future__ import annotations

from django.db import models


def move_in_order(siblings: models.QuerySet, instance: models.Model, *, offset: int) -> list | None:
    """Swap ``instance`` with its neighbour ``offset`` (-1 up, +1 down) among ``siblings`` (the
    rows it is ordered with, in their order), locked, and renumber their ``position`` 0..n-1.
    Returns the rows in their new order, or None when it is already first or last. Call inside
    ``transaction.atomic()``."""
    if offset not in (-1, 1):
        raise ValueError("offset must be -1 or 1")
    rows = list(siblings.select_for_update())
    index = next(i for i, candidate in enumerate(rows) if candidate.pk == instance.pk)
    target = index + offset
    if not 0 <= target < len(rows):
        return None
    rows[index], rows[target] = rows[target], rows[index]
    for position, candidate in enumerate(rows):
        if candidate.position != position:
            candidate.position = position
            candidate.save(update_fields=["position"])
    return rows
