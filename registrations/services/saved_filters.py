"""Saved filters of the organisers' delegate list: one person's named query strings for one
congress, optionally shared with the team. Only the list's own keys are kept (never a page
number), so a saved filter is always a link the list understands."""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit, text
from events_site.congresses.models import Congress

from ..errors import RegistrationError
from ..models import SavedDelegateFilter
from ..models.saved_filters import NAME_MAX_LENGTH, QUERY_MAX_LENGTH

# The delegate list's query-string keys (``list_forms.DelegateListForm``; a test holds the two
# together). "col" may repeat.
LIST_KEYS = (
    "q",
    "type",
    "status",
    "country",
    "region",
    "member",
    "payment",
    "visa",
    "accessibility",
    "checked_in",
    "sort",
    "col",
)


def clean_list_query(query: str) -> str:
    """The list's own, non-empty keys of ``query``, in a stable order."""
    given = QueryDict(query or "")
    kept = QueryDict(mutable=True)
    for key in LIST_KEYS:
        values = [value for value in given.getlist(key) if value.strip()]
        if values:
            kept.setlist(key, values)
    return kept.urlencode()


def save_filter(
    *, congress: Congress, by, name: str, query: str, shared: bool = False
) -> SavedDelegateFilter:
    """Save (or, under the same name, replace) ``by``'s filter of the delegate list."""
    name = " ".join(str(name or "").split())
    if not name:
        raise RegistrationError(_("Give the filter a name."))
    if len(name) > NAME_MAX_LENGTH or text.refused_characters_in(name):
        raise RegistrationError(
            _("A filter's name is at most %(n)s printable characters.") % {"n": NAME_MAX_LENGTH}
        )
    cleaned = clean_list_query(query)
    if not cleaned:
        raise RegistrationError(_("Choose at least one filter before saving it."))
    if len(cleaned) > QUERY_MAX_LENGTH or text.refused_characters_in(QueryDict(cleaned).dict()):
        raise RegistrationError(_("These filters are too long to be saved."))
    with transaction.atomic():
        saved, created = SavedDelegateFilter.objects.update_or_create(
            congress=congress,
            owner=by,
            name=name,
            defaults={"query": cleaned, "shared": bool(shared)},
        )
        audit.record(
            action="convene.registration.filter_saved",
            congress=congress,
            actor=by,
            target=saved,
            data={"name": name, "query": cleaned, "shared": saved.shared, "new": created},
        )
    return saved


def delete_filter(*, saved: SavedDelegateFilter, by) -> None:
    """Only its owner deletes a filter (a shared one too: the team only uses it)."""
    if saved.owner_id != getattr(by, "pk", None):
        raise RegistrationError(_("Only the person who saved this filter can delete it."))
    with transaction.atomic():
        audit.record(
            action="convene.registration.filter_deleted",
            congress=saved.congress,
            actor=by,
            target=saved,
            data={"name": saved.name, "query": saved.query},
        )
        saved.delete()
