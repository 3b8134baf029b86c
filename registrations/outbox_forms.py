"""The outbox's form: who gets the message, its subject and text with placeholders, optional
versions per language, whom to preview it for, and the nonce that makes it sent once. Each
text is refused beside its field (control characters, length, an unknown placeholder)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from events_site.congresses.forms import Form

from .enums import OutboxAudience
from .models.emails import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH
from .services.outbox import OutboxError, Wording, check_text, check_wording, new_nonce


def _text_fields(label_suffix: str = "", *, required: bool) -> tuple[forms.Field, forms.Field]:
    subject = forms.CharField(
        label=_("Subject") + label_suffix,
        max_length=SUBJECT_MAX_LENGTH,
        required=required,
        widget=forms.TextInput(attrs={"dir": "auto", "size": 80}),
    )
    body = forms.CharField(
        label=_("Text") + label_suffix,
        max_length=BODY_MAX_LENGTH,
        required=required,
        widget=forms.Textarea(attrs={"rows": 12, "dir": "auto"}),
        help_text=_("Plain text. Placeholders in braces are filled for each recipient.")
        if required
        else "",
    )
    return subject, body


class OutboxForm(Form):
    recipients = forms.ChoiceField(
        label=_("Send to"),
        choices=OutboxAudience.choices,
        initial=OutboxAudience.DELEGATES,
        widget=forms.RadioSelect,
    )
    subject, body = _text_fields(required=True)
    preview_for = forms.ChoiceField(label=_("Preview for"), required=False)
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, languages: list[tuple[str, str]], preview_choices, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("nonce", new_nonce())
        super().__init__(*args, **kwargs)
        self.languages = languages
        for code, name in languages:
            subject, body = _text_fields(f" ({name})", required=False)
            self.fields[f"subject_{code}"] = subject
            self.fields[f"body_{code}"] = body
        self.fields["preview_for"].choices = preview_choices

    def language_fields(self):
        """(code, name, subject field, body field) of each language, for the template."""
        return [
            (code, name, self[f"subject_{code}"], self[f"body_{code}"])
            for code, name in self.languages
        ]

    def _checked(self, name: str, *, subject: bool) -> str:
        value = self.cleaned_data.get(name, "")
        try:
            check_text(value, subject=subject)
            check_wording(value)
        except OutboxError as error:
            raise forms.ValidationError(error.message, code="outbox") from error
        return value

    def clean_subject(self) -> str:
        return self._checked("subject", subject=True)

    def clean_body(self) -> str:
        return self._checked("body", subject=False)

    def clean(self):
        cleaned = super().clean()
        for code, _name in self.languages:
            for prefix, subject in (("subject", True), ("body", False)):
                name = f"{prefix}_{code}"
                if name in cleaned and cleaned[name]:
                    try:
                        cleaned[name] = self._checked(name, subject=subject)
                    except forms.ValidationError as error:
                        self.add_error(name, error)
            subject, body = cleaned.get(f"subject_{code}"), cleaned.get(f"body_{code}")
            if bool(subject) != bool(body) and not self.has_error(f"subject_{code}"):
                missing = f"body_{code}" if subject else f"subject_{code}"
                if not self.has_error(missing):
                    self.add_error(
                        missing, _("Write both the subject and the text of this language.")
                    )
        return cleaned

    def wording(self) -> Wording:
        data = self.cleaned_data
        return Wording(
            subject=data["subject"],
            body=data["body"],
            translations={
                code: (data[f"subject_{code}"], data[f"body_{code}"])
                for code, _name in self.languages
                if data.get(f"subject_{code}") and data.get(f"body_{code}")
            },
        )
