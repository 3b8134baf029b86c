"""The organisers' waiting-list form: how many hours an open offer is extended by."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events_site.congresses.edit_conflicts import FingerprintField, fingerprint

from .errors import OfferRefused
from .models import WaitingListEntry
from .services.waiting_list import MAX_EXTENSION_HOURS, OFFER_FIELDS


class ExtendOfferForm(forms.Form):
    hours = forms.IntegerField(
        label=_("Extend by (hours)"),
        min_value=1,
        max_value=MAX_EXTENSION_HOURS,
        initial=24,
        help_text=_("The new deadline is e-mailed to the person with their link."),
    )
    fingerprint = FingerprintField()

    def __init__(self, *args, entry: WaitingListEntry, **kwargs):
        kwargs.setdefault("initial", {"fingerprint": fingerprint(entry, OFFER_FIELDS)})
        super().__init__(*args, **kwargs)

    def refuse(self, error: OfferRefused) -> None:
        """Show a service's refusal beside its field (or above the form)."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)
