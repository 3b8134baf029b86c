from django import forms
from django.utils.translation import gettext_lazy as _

from events_site.congresses.forms import Form
from registrations.models import RegistrationType

from .enums import BadgeSort, PageFormat


class PrintBatchForm(Form):
    """The same options as ``manage.py render_badges``."""

    page_format = forms.ChoiceField(label=_("Page format"), choices=PageFormat.choices)
    crop_marks = forms.BooleanField(label=_("Crop marks"), required=False)
    back_side = forms.BooleanField(label=_("Print back sides"), required=False)
    only_unprinted = forms.BooleanField(label=_("Only badges not printed yet"), required=False)
    registration_type = forms.ModelChoiceField(
        label=_("Registration type"),
        queryset=RegistrationType.objects.none(),
        required=False,
        empty_label=_("All types"),
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=BadgeSort.choices)
    reason = forms.CharField(
        label=_("Reason (needed when reprinting)"), required=False, max_length=200
    )

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_type"].queryset = RegistrationType.objects.filter(
            congress=congress
        )


class ReasonForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
