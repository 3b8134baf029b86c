"""Forms of calls for proposals: the public proposal, its people and their profiles, the
reviewer's scores and the organisers' call set-up. They parse; the rules live in
``services/cfp*.py`` (their refusals come back as field errors)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.html import escape
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from events_site.congresses.forms import Form, LocalDateTimeInput, ModelForm
from events_site.congresses.translation_forms import (
    TranslationField,
    add_translation_fields,
    language_name,
    translations_from,
)
from events_site.congresses.translations import main_language
from events_site.congresses.uploads import ImageUploadField

from .enums import DecisionOutcome, PaidSpeakerPolicy, QuestionKind, QuestionTarget, SessionFormat
from .models import (
    AccessCode,
    CallForProposals,
    CfpQuestion,
    Proposal,
    ProposalPerson,
    ProposalType,
    ReviewPhase,
    ScoreCategory,
    Track,
)
from .services.cfp import PROFILE_FIELDS, questions_for


def _language_choices(codes) -> list[tuple[str, str]]:
    choices = []
    for code in codes:
        try:
            choices.append((code, get_language_info(code)["name_local"]))
        except KeyError:
            choices.append((code, code))
    return choices


def _question_field(question: CfpQuestion) -> forms.Field:
    common = {
        "label": question.translated("text"),
        "help_text": question.translated("help_text"),
        "required": False,
    }
    if question.kind == QuestionKind.LONG_TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000, **common)
    if question.kind == QuestionKind.CHOICE:
        # Labels in the reader's language; the value posted and stored is the stable choice.
        return forms.ChoiceField(choices=[("", "—"), *question.choice_labels()], **common)
    if question.kind == QuestionKind.YES_NO:
        return forms.NullBooleanField(
            widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
            **common,
        )
    return forms.CharField(max_length=500, **common)


class QuestionsMixin:
    """Adds a field per question of the call (``question_<id>``), all optional while a draft
    is saved; the service says which are required at submission."""

    def add_questions(self, call: CallForProposals, target: str, answers: dict, now) -> None:
        self.questions = questions_for(call, target)
        for question in self.questions:
            name = f"question_{question.pk}"
            self.fields[name] = _question_field(question)
            self.initial.setdefault(name, answers.get(str(question.pk)))
            if question.is_locked(now):
                self.fields[name].disabled = True

    def answers(self) -> dict:
        return {
            str(q.pk): self.cleaned_data.get(f"question_{q.pk}")
            for q in self.questions
            if not self.fields[f"question_{q.pk}"].disabled
        }


class ProposalForm(QuestionsMixin, ModelForm):
    """The proposal as the proposer edits it: everything but their name and e-mail may wait
    for the submission."""

    access_code = forms.CharField(
        label=_("Access code (if you were given one)"), required=False, max_length=40
    )

    class Meta:
        model = Proposal
        fields = [
            "title",
            "abstract",
            "proposal_type",
            "track",
            "languages",
            "organisation",
            "organisation_country",
            "co_organisers",
            "proposer_name",
            "proposer_email",
            "language",
        ]
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 8}),
            "co_organisers": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, call: CallForProposals, now, starting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        languages = _language_choices(call.congress.languages)
        self.fields["languages"] = forms.MultipleChoiceField(
            label=_("Languages of the session"),
            choices=languages,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the messages to you"), choices=languages
        )
        self.fields["proposal_type"].queryset = ProposalType.objects.filter(call=call)
        self.fields["proposal_type"].label_from_instance = lambda t: t.translated("name")
        self.fields["track"].queryset = (
            call.tracks.all()
            if call.tracks.exists()
            else (self.fields["track"].queryset.filter(congress=call.congress))
        )
        for name in ("title", "abstract", "proposal_type", "track", "organisation"):
            self.fields[name].required = False
        self.fields["title"].max_length = 300
        if not starting:
            del self.fields["access_code"]
        self.add_questions(call, QuestionTarget.PROPOSAL, self.instance.answers or {}, now)

    def proposal_fields(self) -> dict:
        names = list(self.Meta.fields)
        return {name: self.cleaned_data.get(name) for name in names}


class PersonForm(ModelForm):
    class Meta:
        model = ProposalPerson
        fields = ["role", "name", "email", "language"]

    def __init__(self, *args, call: CallForProposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the messages"),
            choices=_language_choices(call.congress.languages),
        )


class ProfileForm(QuestionsMixin, ModelForm):
    photo = ImageUploadField(label=_("Photo"), required=False)
    recording_consent = forms.NullBooleanField(
        label=_("May the sessions you speak in be recorded and streamed?"),
        required=False,
        widget=forms.RadioSelect(
            choices=[("", _("Not answered yet")), ("True", _("Yes")), ("False", _("No"))]
        ),
        help_text=_(
            "If you say no, no session you speak in is recorded or streamed, whatever the "
            "session's own setting."
        ),
    )

    class Meta:
        model = ProposalPerson
        fields = [n for n in PROFILE_FIELDS if n != "spoken_languages"]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 5}),
            "links": forms.Textarea(attrs={"rows": 3}),
            "travel_needs": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, call: CallForProposals, now, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spoken_languages"] = forms.MultipleChoiceField(
            label=_("Languages you speak in"),
            choices=_language_choices(code for code, _name in settings.LANGUAGES),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=self.instance.spoken_languages,
        )
        if not call.collect_gender:
            del self.fields["gender"]
        self.add_questions(call, QuestionTarget.SPEAKER, self.instance.answers or {}, now)

    def profile_fields(self) -> dict:
        names = [n for n in PROFILE_FIELDS if n in self.fields]
        fields = {name: self.cleaned_data.get(name) for name in names}
        if self.cleaned_data.get("photo"):
            fields["photo"] = self.cleaned_data["photo"]
        return fields


class ReviewForm(Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, categories: list[ScoreCategory], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories
        for category in categories:
            self.fields[f"score_{category.pk}"] = forms.IntegerField(
                label=f"{category.translated('name')} (×{category.weight.normalize()})",
                min_value=category.min_score,
                max_value=category.max_score,
            )

    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.categories}


class DecisionForm(Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=DecisionOutcome.choices)
    format = forms.ChoiceField(
        label=_("Accepted as"), choices=[("", "—"), *SessionFormat.choices], required=False
    )
    merge_into = forms.CharField(
        label=_("Merge into (proposal code)"), required=False, max_length=12
    )
    note = forms.CharField(
        label=_("Note to the proposer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CallForm(ModelForm):
    class Meta:
        model = CallForProposals
        fields = [
            "title",
            "slug",
            "kind",
            "description",
            "review_description",
            "opens_at",
            "deadline",
            "tracks",
            "require_member_organisation",
            "collect_gender",
            "conflict_same_country",
            "reviews_per_proposal",
            "max_speakers",
            "speaker_registration_type",
            "paid_speaker_policy",
            "public_abstracts",
        ]
        widgets = {
            "opens_at": LocalDateTimeInput(),
            "deadline": LocalDateTimeInput(),
            "tracks": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.fields["tracks"].queryset = self.fields["tracks"].queryset.filter(congress=congress)
        self.fields["speaker_registration_type"].queryset = self.fields[
            "speaker_registration_type"
        ].queryset.filter(congress=congress)
        add_translation_fields(self, congress=congress, instance=self.instance)

    def call_fields(self) -> dict:
        """What ``cfp_setup.save_call`` takes: the columns, the texts in every language."""
        fields = {n: self.cleaned_data[n] for n in self.Meta.fields if n != "tracks"}
        return {**fields, "translations": translations_from(self, self.instance.translations)}

    def clean(self):
        cleaned = super().clean()
        wants_change = cleaned.get("paid_speaker_policy") == PaidSpeakerPolicy.CHANGE
        if wants_change and not cleaned.get("speaker_registration_type"):
            self.add_error(
                "paid_speaker_policy",
                _(
                    "A change to the speaker registration type needs one: choose the free "
                    "registration type for confirmed speakers, or another policy."
                ),
            )
        return cleaned

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        taken = CallForProposals.objects.filter(congress=self.congress, slug=slug)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another call of this congress has this slug."))
        return slug


class CallPartForm(ModelForm):
    """A part of a call (type, question, code, category, phase) as the organiser adds or edits
    it; the translatable texts get one input per congress language. ``part_fields`` gives
    what ``cfp_setup.save_call_part`` takes."""

    m2m_fields: tuple[str, ...] = ()

    def __init__(self, *args, call: CallForProposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        if getattr(self.instance, "translatable_fields", ()):
            add_translation_fields(self, congress=call.congress, instance=self.instance)

    def part_fields(self) -> tuple[dict, dict]:
        names = [n for n in self.Meta.fields if n not in self.m2m_fields]
        fields = {n: self.cleaned_data[n] for n in names}
        if getattr(self.instance, "translatable_fields", ()):
            fields["translations"] = translations_from(self, self.instance.translations)
        m2m = {n: list(self.cleaned_data[n]) for n in self.m2m_fields}
        return fields, m2m


class ProposalTypeForm(CallPartForm):
    class Meta:
        model = ProposalType
        fields = ["name", "format", "default_minutes", "deadline", "description"]
        widgets = {"deadline": LocalDateTimeInput()}


class QuestionForm(CallPartForm):
    choices_text = forms.CharField(
        label=_("Choices (one per line)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = CfpQuestion
        fields = [
            "target",
            "text",
            "help_text",
            "kind",
            "required_from",
            "locked_after",
            "hidden_from_reviewers",
        ]
        widgets = {"required_from": LocalDateTimeInput(), "locked_after": LocalDateTimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["choices_text"] = "\n".join(self.instance.choices or [])
        self._add_choice_translations()

    def _add_choice_translations(self) -> None:
        """One textarea per other congress language after the choices: the same choices in
        the same order, one per line, stored in ``translations`` under ``choices``."""
        main = language_name(main_language(self.call.congress))
        field = self.fields["choices_text"]
        base_label = field.label
        field.label = _("%(field)s (%(language)s)") % {"field": base_label, "language": main}
        arranged = {}
        for name, current in self.fields.items():
            arranged[name] = current
            if name != "choices_text":
                continue
            for code in self.translation_languages:
                missing = self.instance.choices_missing_in(code)
                arranged[f"choices__{code}"] = TranslationField(
                    of="choices",
                    language=code,
                    missing=missing,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3, "lang": code, "dir": "auto"}),
                    label=_("%(field)s (%(language)s)")
                    % {"field": base_label, "language": language_name(code)},
                    help_text=escape(
                        _("Missing: readers of %(language)s see the %(main)s text.")
                        % {"language": language_name(code), "main": main}
                        if missing
                        else _("The same choices in the same order, one per line.")
                    ),
                )
                self.initial.setdefault(
                    f"choices__{code}", self.instance.translation("choices", code)
                )
        self.fields = arranged

    def clean(self):
        cleaned = super().clean()
        lines = [x.strip() for x in (cleaned.get("choices_text") or "").splitlines() if x.strip()]
        if cleaned.get("kind") == QuestionKind.CHOICE and len(lines) < 2:
            self.add_error("choices_text", _("List at least two choices."))
        self.choice_lines = lines
        for code in self.translation_languages:
            key = f"choices__{code}"
            written = [x.strip() for x in (cleaned.get(key) or "").splitlines()]
            while written and not written[-1]:
                written.pop()
            if len(written) > len(lines):
                self.add_error(
                    key,
                    _(
                        "Give at most %(n)s lines, one per choice in the same order as the "
                        "main language's."
                    )
                    % {"n": len(lines)},
                )
            cleaned[key] = "\n".join(written)
        return cleaned

    def part_fields(self) -> tuple[dict, dict]:
        fields, m2m = super().part_fields()
        return {**fields, "choices": self.choice_lines}, m2m


class AccessCodeForm(CallPartForm):
    m2m_fields = ("tracks", "proposal_types")

    class Meta:
        model = AccessCode
        fields = [
            "code",
            "valid_until",
            "max_uses",
            "allows_late_submission",
            "tracks",
            "proposal_types",
            "comment",
            "is_active",
        ]
        widgets = {
            "valid_until": LocalDateTimeInput(),
            "tracks": forms.CheckboxSelectMultiple,
            "proposal_types": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, call: CallForProposals, **kwargs):
        super().__init__(*args, call=call, **kwargs)
        self.fields["tracks"].queryset = self.fields["tracks"].queryset.filter(
            congress=call.congress
        )
        self.fields["proposal_types"].queryset = ProposalType.objects.filter(call=call)
        self.fields["allows_late_submission"].required = False

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if not code.replace("-", "").isalnum() or not code.isascii():
            raise forms.ValidationError(_("Use letters, digits and hyphens only."))
        taken = AccessCode.objects.filter(call=self.call, code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This call already has this code."))
        return code


class ScoreCategoryForm(CallPartForm):
    class Meta:
        model = ScoreCategory
        fields = ["name", "weight", "min_score", "max_score"]

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_score"), cleaned.get("max_score")
        if low is not None and high is not None and high <= low:
            self.add_error("max_score", _("The highest score must be above the lowest."))
        return cleaned


class PhaseForm(CallPartForm):
    class Meta:
        model = ReviewPhase
        fields = [
            "name",
            "reviewers_may_review",
            "proposers_may_edit",
            "blind",
            "see_other_reviews",
            "assigned_only",
        ]


class ReviewerProfileForm(Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=None)
    organisation = forms.CharField(label=_("Own organisation"), required=False, max_length=200)
    country = forms.CharField(label=_("Own country (ISO code)"), required=False, max_length=2)
    tracks = forms.ModelMultipleChoiceField(
        label=_("Reviews only these tracks"),
        queryset=Track.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all tracks."),
    )

    def __init__(self, *args, reviewers, congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["tracks"].queryset = Track.objects.filter(congress=congress).order_by(
            "position", "name"
        )

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise forms.ValidationError(_("Give a two-letter country code."))
        return country
