"""The organisers' forms for registration questions (the model's rules, plus the edit
fingerprint), the list's filters, and the preview: the question part of the delegate form,
built by the public form's own :class:`~registrations.forms.QuestionsMixin`."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from events_site.congresses.edit_conflicts import FingerprintField, fingerprint
from events_site.congresses.forms import Form, ModelForm
from events_site.congresses.translation_forms import add_translation_fields, translations_from

from .enums import QuestionKind
from .forms import QuestionsMixin, question_applies
from .models import Question, RegistrationType
from .services.questions import QUESTION_FIELDS, SHOWN_FIELDS

MAX_CHOICES_LENGTH = 5000
MAX_CHOICE_LENGTH = 200


def congress_types(congress):
    return RegistrationType.objects.filter(congress=congress).order_by("position", "name", "pk")


class QuestionForm(ModelForm):
    fingerprint = FingerprintField()

    class Meta:
        model = Question
        fields = [*(f for f in QUESTION_FIELDS if f != "translations"), "registration_types"]
        widgets = {
            "choices": forms.Textarea(attrs={"rows": 5}),
            "registration_types": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        types = self.fields["registration_types"]
        types.queryset = congress_types(congress)
        types.help_text = _("None ticked: every type is asked.")
        self.fields["choices"].max_length = MAX_CHOICES_LENGTH
        self.fields["choices"].validators.append(MaxLengthValidator(MAX_CHOICES_LENGTH))
        self.fields["choices"].widget.attrs["maxlength"] = MAX_CHOICES_LENGTH
        if self.instance.pk and not self.is_bound:
            self.initial["fingerprint"] = fingerprint(self.instance, SHOWN_FIELDS)
        add_translation_fields(self, congress=congress, instance=self.instance)

    def clean_choices(self) -> str:
        """One choice a line, blank lines dropped; each choice short and given once."""
        lines = [line.strip() for line in self.cleaned_data["choices"].splitlines()]
        lines = [line for line in lines if line]
        too_long = [line for line in lines if len(line) > MAX_CHOICE_LENGTH]
        if too_long:
            raise forms.ValidationError(
                _("Keep each choice under %(n)s characters.") % {"n": MAX_CHOICE_LENGTH},
                code="choice_too_long",
            )
        twice = sorted({line for line in lines if lines.count(line) > 1})
        if twice:
            raise forms.ValidationError(
                _("Give each choice once (twice: %(choices)s).") % {"choices": ", ".join(twice)},
                code="duplicate_choice",
            )
        return "\n".join(lines)

    def question_fields(self) -> dict:
        fields = {
            name: self.cleaned_data[name] for name in QUESTION_FIELDS if name != "translations"
        }
        return {**fields, "translations": translations_from(self, self.instance.translations)}

    def draft(self) -> Question:
        """The question as typed, unsaved (the saved values where a field is refused), with the
        types it is limited to in place of a query: the preview builds its field from it."""
        data = getattr(self, "cleaned_data", {})
        saved = self.instance
        question = Question(
            pk=saved.pk or 0,  # the related manager needs an id; 0 is never a row's
            congress=self.congress,
            position=saved.position,
            **{name: data.get(name, getattr(saved, name)) for name in QUESTION_FIELDS},
        )
        if "registration_types" in data:
            types = list(data["registration_types"])
        elif saved.pk:
            types = list(saved.registration_types.all())
        else:
            types = []
        kept = congress_types(self.congress).none()
        kept._result_cache, kept._prefetch_done = types, True  # what prefetch_related stores
        question._prefetched_objects_cache = {"registration_types": kept}
        return question


class QuestionFilterForm(Form):
    """The list's query string."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    type = forms.ModelChoiceField(
        label=_("Asked of"),
        queryset=RegistrationType.objects.none(),
        required=False,
        empty_label=_("Any type"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *QuestionKind.choices], required=False
    )
    required = forms.ChoiceField(
        label=_("Required"),
        choices=[("", _("Either")), ("yes", _("Required")), ("no", _("Optional"))],
        required=False,
    )
    asked = forms.ChoiceField(
        label=_("Asked"),
        choices=[("", _("Either")), ("yes", _("Asked")), ("no", _("No longer asked"))],
        required=False,
    )

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = congress_types(congress)


class PreviewAsForm(Form):
    """Which delegate the preview shows the form to: one type, or any (every question)."""

    preview_as = forms.ModelChoiceField(
        label=_("Preview as"),
        queryset=RegistrationType.objects.none(),
        required=False,
        empty_label=_("Every type (the form before a type is chosen)"),
    )

    def __init__(self, *args, congress, form_id: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preview_as"].queryset = congress_types(congress)
        if form_id:  # the choice sits beside the preview but is sent with that form
            self.fields["preview_as"].widget.attrs["form"] = form_id

    def chosen(self) -> RegistrationType | None:
        return self.cleaned_data.get("preview_as") if self.is_valid() else None


class QuestionPreviewForm(QuestionsMixin, Form):
    """The question part of one delegate's form, built exactly as the public form builds it."""

    def __init__(self, questions: list[Question], rtype: RegistrationType | None = None):
        super().__init__(prefix="preview")
        self.add_questions([q for q in questions if rtype is None or question_applies(q, rtype)])
