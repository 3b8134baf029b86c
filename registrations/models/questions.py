"""Organiser-defined questions (per congress, optionally per type) and delegates' answers."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from events_site.congresses.models import Congress
from events_site.congresses.translations import Translatable

from ..enums import PersonalDataKind, QuestionKind
from .orders import Delegate, RegistrationType


class Question(Translatable, models.Model):
    translatable_fields = ("label", "help_text", "choices")

    congress = models.ForeignKey(
        Congress, on_delete=models.CASCADE, related_name="questions", verbose_name=_("congress")
    )
    registration_types = models.ManyToManyField(
        RegistrationType,
        blank=True,
        related_name="questions",
        verbose_name=_("registration types"),
        help_text=_("Empty means every type."),
    )
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.TEXT
    )
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("One per line, for choice questions.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("asked"), default=True)
    personal_data_kind = models.CharField(
        _("personal data"),
        max_length=20,
        choices=PersonalDataKind.choices,
        default=PersonalDataKind.ORDINARY,
        blank=True,
        help_text=_("Answers of this kind are erased on the congress's retention schedule."),
    )

    class Meta:
        ordering = ["congress", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def choice_labels(self, language: str | None = None) -> list[tuple[str, str]]:
        """Each choice as stored (the main language's text) and as shown in ``language``:
        translated choices are matched line by line, a missing line shows the main text."""
        shown = [line.strip() for line in self.translated("choices", language).splitlines()]
        shown = [line for line in shown if line]
        return [
            (choice, shown[i] if i < len(shown) else choice)
            for i, choice in enumerate(self.choice_list)
        ]

    def choice_in_language(self, value: str, language: str | None = None) -> str:
        """A stored answer (one choice per line) written in ``language``."""
        labels = dict(self.choice_labels(language))
        return "\n".join(labels.get(v, v) for v in str(value or "").splitlines())

    def clean(self) -> None:
        super().clean()
        if (
            self.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE_CHOICE)
            and len(self.choice_list) < 2
        ):
            raise ValidationError({"choices": _("Give at least two choices, one per line.")})


class Answer(models.Model):
    delegate = models.ForeignKey(
        Delegate, on_delete=models.CASCADE, related_name="answers", verbose_name=_("delegate")
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", verbose_name=_("question")
    )
    value = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["delegate", "question"], name="answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return self.value
