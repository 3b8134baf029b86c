"""The form of one automatic e-mail's wording: a subject and a body with placeholders, each
refused beside its field when it names a placeholder the e-mail does not offer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from events_site.congresses.edit_conflicts import FingerprintField
from events_site.congresses.forms import Form

from .automatic_emails import WordingError, check_wording
from .models.mail_templates import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH


class MailTemplateForm(Form):
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX_LENGTH)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 16, "dir": "auto"}),
        help_text=_("Plain text. Placeholders in braces are filled for each delegate."),
    )
    fingerprint = FingerprintField()

    def __init__(self, *args, key: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.key = key
        self.fields["subject"].widget.attrs.update({"dir": "auto", "size": 80})

    def _wording(self, name: str) -> str:
        value = self.cleaned_data[name]
        try:
            check_wording(value, self.key)
        except WordingError as error:
            raise forms.ValidationError(error.message, code="placeholder") from error
        return value

    def clean_subject(self) -> str:
        value = self._wording("subject")
        if "\n" in value:
            raise forms.ValidationError(_("A subject is one line."), code="multiline")
        return value

    def clean_body(self) -> str:
        return self._wording("body")
