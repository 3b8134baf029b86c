"""The forms of the organisers' order page and approval queue: each decision or intervention
is one small form, posted on its own (CSRF), its errors shown beside its field."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from events_site.congresses.edit_conflicts import FingerprintField, fingerprint
from events_site.congresses.forms import Form, ModelForm
from events_site.congresses.money import format_money

from .forms import PUBLIC_DELEGATE_FIELDS, DelegateEditForm, QuickSelect, language_choices
from .models import Delegate, RegistrationType
from .payments.services.delegate_changes import ORDER_FINGERPRINT_FIELDS, TYPE_FINGERPRINT_FIELDS
from .services.orders import DELEGATE_FIELDS
from .services.orders.deciding import MAX_EXTENSION_HOURS, NOTE_MAX, REASON_MAX
from .services.pricing import congress_today, list_price

EMAIL_LABELS = {
    "order_placed": _("Order placed (with payment details)"),
    "awaiting_approval": _("Awaiting approval"),
    "approved": _("Approved (with payment details)"),
    "confirmation": _("Confirmation"),
    "rejected": _("Rejection (with the reason)"),
    "cancelled": _("Cancellation"),
}


class ApproveForm(Form):
    message = forms.CharField(
        label=_("Message to the registrant (optional)"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RejectForm(Form):
    reason = forms.CharField(
        label=_("Reason (the registrant reads it)"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the registrant a reason for the rejection.")},
    )


class OrderCancelForm(Form):
    confirm = forms.BooleanField(
        label=_("Yes, cancel the whole order"),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class DelegateCancelForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class NoteForm(Form):
    text = forms.CharField(
        label=_("Internal note (organisers only)"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtendHoldForm(Form):
    hours = forms.IntegerField(
        label=_("Extend the hold by (hours)"), min_value=1, max_value=MAX_EXTENSION_HOURS
    )


class ResendForm(Form):
    template = forms.ChoiceField(label=_("E-mail"))

    def __init__(self, *args, templates: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t, EMAIL_LABELS[t]) for t in templates]


class OrganiserDelegateEditForm(DelegateEditForm):
    """The registrant's edit form, with the fingerprint that refuses a save over someone
    else's change."""

    fingerprint = FingerprintField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the photo is the delegate's own to give (their secret link), not the organisers'
        self.fields.pop("photo", None)
        self.fields.pop("remove_photo", None)
        if not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, DELEGATE_FIELDS)


class BulkConfirmForm(Form):
    """The confirmation of a bulk action: its nonce, and the one text the action takes (the
    reason the registrants read, the message with an approval, the reason kept on a cancel)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        if kind == "reject":
            field.label = _("Reason (every registrant reads it, in the e-mail and on their page)")
            field.required = True
            field.error_messages["required"] = _("Give the registrants a reason for the rejection.")
            field.max_length = REASON_MAX
        elif kind == "approve":
            field.label = _("Message to the registrants (optional)")
            field.max_length = REASON_MAX
        else:
            field.label = _("Reason (kept with each cancellation)")
            field.max_length = 500
        field.validators.append(MaxLengthValidator(field.max_length))
        field.widget.attrs["maxlength"] = str(field.max_length)


class TypeChoiceField(forms.ModelChoiceField):
    """Registration types, each with its price today, so the organiser sees the difference."""

    def __init__(self, *args, today, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        price, _tier = list_price(obj, self.today)
        return f"{obj.name} ({format_money(price, obj.congress.currency)})"


class ChangeTypeForm(Form):
    """Move one delegate to another registration type; the fingerprint refuses a change made
    over someone else's change of the same delegate."""

    fingerprint = FingerprintField()

    def __init__(self, *args, delegate, congress, **kwargs):
        super().__init__(*args, **kwargs)
        types = (
            RegistrationType.objects.filter(congress=congress, is_active=True)
            .exclude(pk=delegate.registration_type_id)
            .select_related("congress")
            .order_by("position", "name")
        )
        self.fields = {
            "registration_type": TypeChoiceField(
                queryset=types,
                today=congress_today(congress),
                label=_("New registration type"),
                empty_label=None,
            ),
            "reason": forms.CharField(label=_("Reason"), max_length=500, required=False),
            **self.fields,
        }
        if not self.is_bound:
            self.initial["fingerprint"] = fingerprint(delegate, TYPE_FINGERPRINT_FIELDS)


class AddDelegateForm(ModelForm):
    """A delegate added by an organiser to an order already placed (answers are given after,
    on the delegate's edit page, once the type that decides the questions is set)."""

    fingerprint = FingerprintField()

    class Meta:
        model = Delegate
        fields = ["registration_type", *PUBLIC_DELEGATE_FIELDS]
        widgets = {
            "dietary_needs": forms.TextInput,
            "accessibility_needs": forms.TextInput,
        }

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        congress = order.congress
        self.fields["registration_type"] = TypeChoiceField(
            queryset=RegistrationType.objects.filter(congress=congress, is_active=True)
            .select_related("congress")
            .order_by("position", "name"),
            today=congress_today(congress),
            label=_("Registration type"),
            empty_label=None,
        )
        self.fields["language"] = forms.ChoiceField(
            label=self.fields["language"].label, choices=language_choices(congress)
        )
        self.fields["country"].widget = QuickSelect(choices=self.fields["country"].choices)
        if not self.is_bound:
            self.initial["fingerprint"] = fingerprint(order, ORDER_FINGERPRINT_FIELDS)
            self.initial["language"] = order.language

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in PUBLIC_DELEGATE_FIELDS}
