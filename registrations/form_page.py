"""What the registration form page (step two) offers one visitor, and its context.

The view parses the request, opens a :class:`FormPage` (the congress's types on sale, or the
offer's type alone, its questions, how many delegates an order may have), builds the forms from
it, calls one service and renders :meth:`FormPage.response`; :mod:`registrations.form_cache`
keeps the blank page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress

from . import form_cache, selectors
from .errors import RegistrationClosed
from .forms import ContactForm, delegate_formset_class
from .models import Question, RegistrationType, WaitingListEntry
from .services.orders import NewDelegate
from .services.pricing import congress_today, list_price
from .services.waiting_list import live_offer

TEMPLATE = "registrations/details.html"


def type_rows(congress: Congress, types) -> list[dict]:
    """The types with today's price, its tier and the seats left (advice), for both steps."""
    today = congress_today(congress)
    left = selectors.seats_left(congress, types)
    rows = []
    for rtype in types:
        rtype.congress = congress  # the tier needs its first day; it is this congress
        price, tier = list_price(rtype, today)
        rows.append({"type": rtype, "price": price, "tier": tier, "left": left[rtype.pk]})
    return rows


@dataclass
class FormPage:
    """What step two offers one visitor: the types on sale (only the offer's type when a
    waiting-list offer is used), the questions, and how many delegates one order may have."""

    congress: Congress
    offer: WaitingListEntry | None
    types: QuerySet[RegistrationType]
    type_list: list[RegistrationType]
    questions: list[Question]
    max_delegates: int

    @classmethod
    def open(cls, congress: Congress, *, offer_token: str = "") -> FormPage:
        """Raises ``OfferInvalid`` for a dead offer, ``RegistrationClosed`` without one."""
        types = selectors.types_on_sale(congress)
        offer = None
        if offer_token:
            offer = live_offer(congress=congress, token=offer_token)
            types = types.filter(pk=offer.registration_type_id)
        elif not congress.registration_is_open:
            raise RegistrationClosed(_("Registration for this congress is closed."))
        settings = selectors.registration_settings(congress)
        return cls(
            congress=congress,
            offer=offer,
            types=types,
            type_list=list(types),  # once: every delegate form resolves its type among these
            questions=selectors.questions_for(congress),
            max_delegates=1 if offer else settings.max_delegates_per_order,
        )

    def contact(self, data=None, *, initial: dict | None = None) -> ContactForm:
        return ContactForm(data, congress=self.congress, initial=initial)

    def formset(self, data=None, *, initial: list[dict] | None = None):
        FormSet = delegate_formset_class(self.max_delegates)
        form_kwargs = {
            "congress": self.congress,
            "types": self.types,
            "questions": self.questions,
            "type_index": {str(t.pk): t for t in self.type_list},
        }
        return FormSet(data, prefix="delegates", form_kwargs=form_kwargs, initial=initial)

    @staticmethod
    def new_delegates(formset) -> list[NewDelegate]:
        """The delegates a valid formset asks for (removed ones left out)."""
        return [
            NewDelegate(
                registration_type=form.cleaned_data["registration_type"],
                details={
                    name: value
                    for name, value in form.cleaned_data.items()
                    if name != "registration_type" and not name.startswith(("q_", "DELETE"))
                },
                answers=form.answers,
            )
            for form in formset.forms
            if form not in formset.deleted_forms
        ]

    def blank_response(
        self, request: HttpRequest, *, chosen: RegistrationType | None, count: int, voucher: str
    ) -> TemplateResponse:
        """The empty form for ``count`` delegates of ``chosen`` (the first type if None)."""
        initial_type = chosen or (self.type_list[0] if self.type_list else None)
        contact = self.contact(
            initial={
                "voucher": voucher,
                "language": request.LANGUAGE_CODE,
                "contact_name": self.offer.name if self.offer else "",
                "email": self.offer.email if self.offer else "",
            }
        )
        initial = {"registration_type": initial_type, "language": request.LANGUAGE_CODE}
        formset = self.formset(initial=[initial for _n in range(count)])
        # An offer's page carries the person's name, a voucher is what one visitor typed:
        # neither is shared (nor may free text multiply the kept copies).
        shared = self.offer is None and not voucher
        key = None
        if shared:
            key = self._blank_forms_key(
                {**initial, "registration_type": getattr(initial_type, "pk", None)}, count
            )
        return self.response(request, contact, formset, forms_key=key, shared=shared)

    def response(
        self,
        request: HttpRequest,
        contact,
        formset,
        *,
        status: int = 200,
        already_placed=None,
        forms_key: str | None = None,
        shared: bool = False,
    ) -> TemplateResponse:
        context = {
            "congress": self.congress,
            "contact": contact,
            "formset": formset,
            **form_cache.render_forms(contact, formset, forms_key),
            # Asked here, not in the template: "formset.x" there would first try formset["x"],
            # which builds every form of a blank formset only to fail.
            "has_errors": bool(contact.errors) or formset.total_error_count() > 0,
            "offer": self.offer,
            "already_placed": already_placed,
            "rows": type_rows(self.congress, self.type_list),
            "max_delegates": self.max_delegates,
            "shared": shared and status == 200,
        }
        return TemplateResponse(request, TEMPLATE, context, status=status)

    def _blank_forms_key(self, initial: dict, count: int) -> str:
        """The fingerprint of everything the blank forms show: the congress's languages, the
        types and questions as they are now (every column, and the types a question is limited
        to), the UI language and the initial values. Any change an organiser makes gives a new
        key, whether or not anyone called ``form_cache.invalidate``."""
        congress = self.congress
        parts = [
            congress.pk,
            congress.languages,
            translation.get_language(),
            self.max_delegates,
            count,
        ]
        parts.append(sorted((k, str(v)) for k, v in initial.items()))
        for obj in [*self.type_list, *self.questions]:
            parts.append([getattr(obj, f.attname) for f in obj._meta.concrete_fields])
        for question in self.questions:
            parts.append([(t.pk, t.name) for t in question.registration_types.all()])
        return form_cache.blank_forms_key(parts)
