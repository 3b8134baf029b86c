"""The organisers' delegate list: the query string read into filters, a sort and the columns
shown. A value that is not one of the choices is ignored (the list shows unfiltered on that
field), never an error page: the query string is a link anyone can edit."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from . import regions
from .lifecycle import OrderStatus
from .models import Payment
from .selectors import DelegateFilters

YES_NO = [("", _("All")), ("yes", _("Yes")), ("no", _("No"))]

SORTS = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("registered", _("Registered (oldest first)")),
    ("-registered", _("Registered (newest first)")),
    ("type", _("Registration type")),
    ("-type", _("Registration type (reversed)")),
    ("status", _("Status")),
    ("-status", _("Status (reversed)")),
]

# optional columns: value -> heading
OPTIONAL_COLUMNS = [
    ("city", _("City")),
    ("registered", _("Registered")),
    ("language", _("Language")),
    ("visa", _("Visa letter")),
    ("accessibility", _("Accessibility needs")),
    ("dietary", _("Dietary needs")),
]

SEARCH_LENGTH = 200


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class DelegateListForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    type = forms.ChoiceField(label=_("Registration type"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *OrderStatus.choices]
    )
    country = forms.ChoiceField(
        label=_("Country"), required=False, choices=[("", _("All")), *countries]
    )
    member = forms.ChoiceField(label=_("Member rate"), required=False, choices=YES_NO)
    payment = forms.ChoiceField(label=_("Payment method"), required=False)
    visa = forms.ChoiceField(label=_("Needs a visa letter"), required=False, choices=YES_NO)
    accessibility = forms.ChoiceField(
        label=_("Accessibility needs"), required=False, choices=YES_NO
    )
    region = forms.ChoiceField(label=_("World region"), required=False)
    checked_in = forms.ChoiceField(label=_("Checked in"), required=False, choices=YES_NO)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)
    col = forms.MultipleChoiceField(
        label=_("Columns"),
        required=False,
        choices=OPTIONAL_COLUMNS,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data, *, types):
        super().__init__(data)
        self.fields["type"].choices = [("", _("All"))] + [(t.code, t.name) for t in types]
        self.fields["payment"].choices = [
            ("", _("All")),
            *Payment._meta.get_field("provider").choices,
        ]
        self.fields["region"].choices = [("", _("All")), *regions.area_choices()]
        self.is_valid()  # fills cleaned_data with the valid fields; the others are ignored

    def clean_q(self) -> str:
        """Control characters (NUL included) become spaces; a long paste is cut short."""
        text = "".join(
            " " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in self.cleaned_data["q"]
        )
        return " ".join(text.split())[:SEARCH_LENGTH]

    def value(self, name: str, default=""):
        return self.cleaned_data.get(name) or default

    def filters(self) -> DelegateFilters:
        return DelegateFilters(
            search=self.value("q"),
            registration_type=self.value("type"),
            status=self.value("status"),
            country=self.value("country"),
            member=_yes_no(self.value("member")),
            payment_method=self.value("payment"),
            visa_letter=_yes_no(self.value("visa")),
            accessibility=_yes_no(self.value("accessibility")),
            region=self.value("region"),
            checked_in=_yes_no(self.value("checked_in")),
            sort=self.value("sort", "name"),
        )

    def columns(self) -> set[str]:
        return set(self.value("col", []))

    def described(self) -> dict:
        """The filters as recorded in the export's audit entry."""
        return {
            name: self.cleaned_data[name]
            for name in ("q", "type", "status", "country", "member", "payment", "visa")
            + ("accessibility", "region", "checked_in", "sort")
            if self.cleaned_data.get(name)
        }


# At most this many ticked rows are read from one request (a page of the list shows 50).
MAX_SELECTED = 1000
_ORDER_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def selected_ids(data) -> tuple[tuple[int, ...], int]:
    """The delegate ids ticked (``selected``, repeated), and how many values were no id at
    all; beyond ``MAX_SELECTED`` values are not read."""
    ids, malformed = [], 0
    for raw in data.getlist("selected")[:MAX_SELECTED]:
        if raw.isascii() and raw.isdigit() and len(raw) <= 12:
            ids.append(int(raw))
        else:
            malformed += 1
    return tuple(dict.fromkeys(ids)), malformed


def selected_codes(data) -> tuple[tuple[str, ...], int]:
    """The order codes ticked in the approval queue (``order``, repeated), and the malformed."""
    codes, malformed = [], 0
    for raw in data.getlist("order")[:MAX_SELECTED]:
        if _ORDER_CODE.fullmatch(raw):
            codes.append(raw)
        else:
            malformed += 1
    return tuple(dict.fromkeys(codes)), malformed
