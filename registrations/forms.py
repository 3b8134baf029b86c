"""Public registration forms: the contact, a formset of delegates (with the organisers'
questions) and the self-service edit form. They validate input; services decide."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.forms.utils import flatatt
from django.utils import translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events_site.congresses.forms import Form, ModelForm
from events_site.congresses.uploads import CSVUploadField, ImageUploadField

from .enums import AfterPlacing, NameOrder, QuestionKind
from .form_cache import new_order_token
from .models import Delegate, Question, RegistrationType, RetentionPolicy
from .models.settings import seat_cap_refusal
from .search_keys import suggest_latin_name
from .services.orders import DELEGATE_FIELDS

# What a delegate sets on themselves: every delegate field except the role organisers assign.
PUBLIC_DELEGATE_FIELDS = [name for name in DELEGATE_FIELDS if name != "role"]


def language_choices(congress) -> list[tuple[str, str]]:
    names = dict(settings.LANGUAGES)
    codes = [code for code in (congress.languages or []) if code in names] or list(names)
    return [(code, names[code]) for code in codes]


def reading_language(congress) -> str | None:
    """The language the visitor reads the form in, when the congress offers it: whoever registers
    in Arabic gets the e-mails in Arabic unless they choose otherwise."""
    code = translation.get_language()
    return code if code in dict(language_choices(congress)) else None


class QuickSelect(forms.Select):
    """A select rendered in Python: the country list (~250 options, twice per page with the
    formset's empty form) costs milliseconds instead of hundreds of template renders."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value])}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, mark_safe(" selected") if str(key) in selected else "", label)  # noqa: S308
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)


@lru_cache(maxsize=32)
def _countries_in(language: str) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    names = tuple((code, str(name)) for code, name in countries)
    return (("", "---------"), *names), frozenset(code for code, _name in names)


def country_choices() -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """The country list in the active language and its codes: built once per language."""
    return _countries_in(translation.get_language() or settings.LANGUAGE_CODE)


class CountrySelect(QuickSelect):
    """The country list of the active language; nothing to copy per form."""

    @property
    def choices(self):
        return country_choices()[0]

    @choices.setter
    def choices(self, value):
        """The list is fixed; Django's copies and assignments have nothing to change."""


class CountryField(forms.ChoiceField):
    """A required choice of country (ISO 3166 code) validated against a set, not by walking
    ~250 choices (twice: the form's and the model's check) on every delegate of every order."""

    widget = CountrySelect

    def __init__(self, **kwargs):
        super().__init__(choices=(), **kwargs)

    @property
    def choices(self):
        return country_choices()[0]

    @choices.setter
    def choices(self, value):
        """Fixed, as for :class:`CountrySelect`."""

    def __deepcopy__(self, memo):
        return forms.Field.__deepcopy__(self, memo)  # no choices of its own to copy

    def valid_value(self, value) -> bool:
        return str(value) in country_choices()[1]


def type_label(rtype: RegistrationType) -> str:
    """A registration type as the reader's language names it."""
    return rtype.translated("name")


class AfterPlacingForm(Form):
    """The summary's choice for a public body: pay now, or get a quote first (the quote page
    then asks for the billing details and issues it through ``quotes.create_quote``)."""

    after = forms.ChoiceField(
        label=_("How will your organisation pay?"),
        choices=AfterPlacing.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    def chosen(self) -> str:
        return self.cleaned_data.get("after") or AfterPlacing.PAY

    @property
    def chosen_value(self) -> str:
        """The choice to show ticked: what was sent if valid, else "pay now"."""
        if self.is_bound and self.is_valid():
            return self.chosen()
        return AfterPlacing.PAY


class StartForm(Form):
    """Step one (a GET form): which type, how many delegates, an optional voucher."""

    registration_type = forms.ModelChoiceField(
        queryset=RegistrationType.objects.none(),
        to_field_name="code",
        label=_("Registration type"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the registration types on sale.")},
    )
    delegates = forms.IntegerField(
        label=_("Number of delegates"), min_value=1, initial=1, max_value=20
    )
    voucher = forms.CharField(label=_("Voucher code"), max_length=40, required=False)

    def __init__(self, *args, types=None, max_delegates: int = 20, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_type"].queryset = types
        self.fields["registration_type"].label_from_instance = type_label
        self.fields["delegates"] = forms.IntegerField(
            label=_("Number of delegates"), min_value=1, max_value=max_delegates, initial=1
        )


class ContactForm(Form):
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"), help_text=_("The order link is sent here."))
    language = forms.ChoiceField(label=_("Language for e-mails"))
    voucher = forms.CharField(label=_("Voucher or invitation code"), max_length=40, required=False)
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, congress, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(congress)
        self.fields["language"].initial = reading_language(congress)
        self.fields["token"].initial = new_order_token()


def question_applies(question: Question, rtype: RegistrationType | None) -> bool:
    type_ids = {t.pk for t in question.registration_types.all()}
    return not type_ids or (rtype is not None and rtype.pk in type_ids)


def question_field(question: Question) -> forms.Field:
    label = question.translated("label")
    # Django's field template prints help text as markup; an organiser's is text.
    help_text = question.translated("help_text")
    common = {"label": label, "required": False, "help_text": escape(help_text)}
    if question.kind == QuestionKind.NUMBER:
        return forms.DecimalField(max_digits=14, decimal_places=4, **common)
    if question.kind == QuestionKind.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *question.choice_labels()], **common)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=question.choice_labels(),
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if question.kind == QuestionKind.YES_NO:
        return forms.ChoiceField(
            choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect, **common
        )
    if question.kind == QuestionKind.COUNTRY:
        return forms.ChoiceField(choices=[("", "—"), *countries], widget=QuickSelect, **common)
    if question.kind == QuestionKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    return forms.CharField(max_length=1000, **common)


def answer_text(value) -> str:
    """Store every answer as text: lists one per line, dates ISO, numbers normalised."""
    if value in (None, "", []):
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


class QuestionsMixin:
    """Adds a ``q_<id>`` field per question; required ones are enforced for the types they ask."""

    def add_questions(self, questions: list[Question], initial_answers: dict | None = None):
        self.questions = questions
        for question in questions:
            name = f"q_{question.pk}"
            self.fields[name] = question_field(question)
            restricted = [t.translated("name") for t in question.registration_types.all()]
            if restricted:
                only_for = _("Only for: %(types)s.") % {"types": ", ".join(restricted)}
                self.fields[name].help_text = escape(
                    " ".join(filter(None, [question.translated("help_text"), str(only_for)]))
                )
            if question.required and not restricted:
                self.fields[name].widget.attrs["required"] = True
            if initial_answers and question.pk in initial_answers:
                raw = initial_answers[question.pk]
                if question.kind == QuestionKind.MULTIPLE_CHOICE:
                    raw = raw.splitlines()
                self.initial[name] = raw

    def clean_questions(self, rtype: RegistrationType | None) -> dict[int, str]:
        answers = {}
        for question in self.questions:
            name = f"q_{question.pk}"
            value = self.cleaned_data.get(name)
            applies = question_applies(question, rtype)
            if applies and question.required and value in (None, "", []):
                if name not in self.errors:
                    self.add_error(name, _("Please answer this question."))
                continue
            answers[question.pk] = answer_text(value) if applies else ""
        return answers


def offer_name_orders(form) -> None:
    """The three name orders without an empty choice ("as usual for my name" is the default)."""
    if "name_order" in form.fields:
        form.fields["name_order"].choices = NameOrder.choices
        form.fields["name_order"].initial = NameOrder.AUTO


def fill_latin_name(cleaned: dict) -> None:
    """A name written in another script and no Latin form given: keep the suggested one, so
    the check-in desk can find the person by typing Latin letters (they can correct it)."""
    if "name_latin" in cleaned and not cleaned["name_latin"]:
        cleaned["name_latin"] = suggest_latin_name(
            cleaned.get("given_name") or "", cleaned.get("family_name") or ""
        )


class RegistrationTypeField(forms.ModelChoiceField):
    """A delegate's registration type, resolved among the types on sale that the view fetched
    once (``index``, by primary key): a delegation of N costs one query, not one per delegate."""

    index: dict[str, RegistrationType] | None = None

    def to_python(self, value):
        if self.index is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        found = self.index.get(str(value))
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class DelegateForm(QuestionsMixin, ModelForm):
    """One delegate of the delegation; its type is chosen per delegate."""

    country = CountryField(label=capfirst(Delegate._meta.get_field("country").verbose_name))

    class Meta:
        model = Delegate
        fields = ["registration_type", *PUBLIC_DELEGATE_FIELDS]
        widgets = {
            "dietary_needs": forms.TextInput,
            "accessibility_needs": forms.TextInput,
        }
        field_classes = {"registration_type": RegistrationTypeField}

    def __init__(self, *args, congress, types, questions, type_index=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_type"].queryset = types
        self.fields["registration_type"].index = type_index
        self.fields["registration_type"].empty_label = None
        self.fields["email"].required = False
        self.fields["email"].help_text = _(
            "Optional: left empty, this delegate's e-mails go to the contact's address."
        )
        self.fields["registration_type"].label_from_instance = type_label
        self.fields["language"] = forms.ChoiceField(
            label=self.fields["language"].label, choices=language_choices(congress)
        )
        self.add_questions(questions)
        offer_name_orders(self)

    def clean(self):
        cleaned = super().clean()
        self.answers = self.clean_questions(cleaned.get("registration_type"))
        fill_latin_name(cleaned)
        return cleaned

    def _get_validation_exclusions(self):
        # The field already fetched the type from the types on sale; the model's own check
        # would only ask the database again whether that row exists.
        # The country was checked against the same list by the form's own field.
        return {*super()._get_validation_exclusions(), "registration_type", "country"}


class BaseDelegateFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        kept = [f for f in self.forms if f not in self.deleted_forms]
        if not kept:
            raise forms.ValidationError(_("Add at least one delegate."))


def delegate_formset_class(max_delegates: int):
    return forms.formset_factory(
        DelegateForm,
        formset=BaseDelegateFormSet,
        extra=0,
        min_num=1,
        validate_min=True,
        max_num=max_delegates,
        validate_max=True,
        absolute_max=max_delegates,
        can_delete=True,
    )


class DelegateEditForm(QuestionsMixin, ModelForm):
    """Self-service (and organiser) edit of one delegate's own details and answers."""

    class Meta:
        model = Delegate
        fields = PUBLIC_DELEGATE_FIELDS
        widgets = {
            "dietary_needs": forms.TextInput,
            "accessibility_needs": forms.TextInput,
        }

    photo = ImageUploadField(
        label=_("Photo"),
        required=False,
        help_text=_(
            "Optional: helps the check-in desk tell you apart from someone with the same name. "
            "Only check-in staff see it. PNG, JPEG or WebP."
        ),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    def __init__(self, *args, congress, questions, answers: dict, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.photo:
            del self.fields["remove_photo"]
        self.fields["language"] = forms.ChoiceField(
            label=self.fields["language"].label, choices=language_choices(congress)
        )
        self.fields["country"].widget = QuickSelect(choices=self.fields["country"].choices)
        applicable = [q for q in questions if question_applies(q, self.instance.registration_type)]
        self.add_questions(applicable, initial_answers=answers)
        offer_name_orders(self)

    def clean(self):
        cleaned = super().clean()
        self.answers = self.clean_questions(self.instance.registration_type)
        fill_latin_name(cleaned)
        return cleaned

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in PUBLIC_DELEGATE_FIELDS}


class WaitingListForm(Form):
    registration_type = forms.ModelChoiceField(
        queryset=RegistrationType.objects.none(), to_field_name="code", widget=forms.HiddenInput
    )
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your e-mail"))
    language = forms.ChoiceField(label=_("Language for e-mails"))

    def __init__(self, *args, congress, types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration_type"].queryset = types
        self.fields["language"].choices = language_choices(congress)
        self.fields["language"].initial = reading_language(congress)


class CancelForm(Form):
    confirm = forms.BooleanField(
        label=_("Yes, cancel the whole order"),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class DelegateCancelForm(CancelForm):
    """Cancelling one delegate of a delegation, not the whole order."""

    confirm = forms.BooleanField(
        label=_("Yes, cancel this delegate's registration"),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )


class MemberImportForm(Form):
    # The cleaned value is the CSV's text, checked by the one upload pipeline.
    file = CSVUploadField(
        label=_("CSV file"),
        help_text=_("Columns: name, country, reference."),
        fallback_encodings=("cp1252",),
    )
    replace = forms.BooleanField(label=_("Replace the current list"), required=False)


class ErasureConfirmForm(Form):
    """The second step of an erasure: nothing is erased without the box ticked."""

    confirm = forms.BooleanField(
        label=_("Yes, erase these personal data; this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )


class RetentionPolicyForm(ModelForm):
    """Days after the congress's last day per group of personal data (empty: kept)."""

    class Meta:
        model = RetentionPolicy
        fields = [
            "identity_documents_days",
            "phone_numbers_days",
            "accessibility_needs_days",
            "dietary_needs_days",
            "sensitive_answers_days",
            "billing_addresses_days",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(MaxValueValidator(3650))
            field.widget.attrs["max"] = 3650


class HoldFilterForm(Form):
    """The query string of the organisers' page of suspicious holds."""

    by = forms.ChoiceField(
        label=_("Group by"),
        choices=[("address", _("Client address")), ("email", _("E-mail address"))],
        required=False,
    )
    q = forms.CharField(label=_("Search"), max_length=254, required=False)
    min = forms.IntegerField(
        label=_("At least this many orders"),
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"placeholder": "2"}),
    )


class HoldReleaseForm(Form):
    """What to release: one order (by its reference) or every hold of one group."""

    order = forms.CharField(max_length=12, required=False)
    by = forms.ChoiceField(
        choices=[("address", _("Client address")), ("email", _("E-mail address"))],
        required=False,
    )
    key = forms.CharField(max_length=254, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("order") and not (data.get("by") and data.get("key")):
            raise forms.ValidationError(_("Choose an order, or an address and its group."))
        return data


class HoldCapsForm(Form):
    """The congress's caps on unpaid orders and unpaid seats, and the last-seats rule (empty:
    no cap). ``max_delegates`` is the largest delegation per order: a seat cap per e-mail
    address below it would refuse a full delegation's only order."""

    max_unpaid_orders_per_email = forms.IntegerField(
        label=_("Unpaid orders per e-mail address"), min_value=1, max_value=1000, required=False
    )
    max_unpaid_orders_per_address = forms.IntegerField(
        label=_("Unpaid orders per client address"), min_value=1, max_value=10000, required=False
    )
    max_unpaid_seats_per_email = forms.IntegerField(
        label=_("Unpaid seats per e-mail address"), min_value=1, max_value=10000, required=False
    )
    max_unpaid_seats_per_address = forms.IntegerField(
        label=_("Unpaid seats per client address"), min_value=1, max_value=100000, required=False
    )
    last_seats_threshold = forms.IntegerField(
        label=_("Last seats: when this few seats are left"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=_("Empty means no last-seats rule."),
    )
    last_seats_per_address = forms.IntegerField(
        label=_("Last seats: unpaid seats per client address"),
        min_value=1,
        max_value=100000,
        help_text=_("Among the last seats, one connection may hold at most this many unpaid."),
    )

    def __init__(self, *args, max_delegates: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_delegates = max_delegates

    def clean_max_unpaid_seats_per_email(self):
        value = self.cleaned_data.get("max_unpaid_seats_per_email")
        refusal = seat_cap_refusal(value, self.max_delegates)
        if refusal:
            raise forms.ValidationError(refusal)
        return value
