"""The congress's own wording of its automatic e-mails: saved (refused over someone else's
change, or with a placeholder the e-mail does not offer) and reset to the default."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from events_site.congresses import audit
from events_site.congresses.edit_conflicts import fingerprint, refuse_if_changed
from events_site.congresses.models import Congress

from ..automatic_emails import PLACEHOLDERS, WordingError, check_wording, congress_wording  # noqa: F401
from ..errors import RegistrationError
from ..models import MailTemplate

WORDING_FIELDS = ("subject", "body")
DEFAULT_FINGERPRINT = "default"


class WordingRefused(RegistrationError):
    """A wording that cannot be saved; ``field`` names the form field it belongs beside."""

    code = "wording_refused"

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def wording_fingerprint(wording: MailTemplate | None) -> str:
    """What the edit form carries: the wording as shown, or the default's mark."""
    return DEFAULT_FINGERPRINT if wording is None else fingerprint(wording, WORDING_FIELDS)


def _guard(*, congress: Congress, key: str, language: str) -> None:
    if key not in PLACEHOLDERS:
        raise WordingRefused(_("This e-mail cannot be reworded."))
    if language not in congress.languages:
        raise WordingRefused(_("This congress is not held in that language."))


def _locked(congress: Congress, key: str, language: str) -> MailTemplate | None:
    return (
        MailTemplate.objects.select_for_update()
        .filter(congress=congress, key=key, language=language)
        .first()
    )


def _check_conflict(current: MailTemplate | None, shown: str | None) -> None:
    if current is None:
        if shown is not None and shown != DEFAULT_FINGERPRINT:
            refuse_if_changed(MailTemplate(), WORDING_FIELDS, shown)  # it was reset meanwhile
        return
    if shown == DEFAULT_FINGERPRINT:
        refuse_if_changed(current, WORDING_FIELDS, "")  # someone saved one meanwhile
    refuse_if_changed(current, WORDING_FIELDS, shown)


def save_wording(
    *,
    congress: Congress,
    key: str,
    language: str,
    subject: str,
    body: str,
    by=None,
    shown_fingerprint: str | None = None,
) -> MailTemplate:
    """Create or replace the congress's wording of ``key`` in ``language``."""
    _guard(congress=congress, key=key, language=language)
    for field, text in (("subject", subject), ("body", body)):
        try:
            check_wording(text, key)
        except WordingError as error:
            raise WordingRefused(error.message, field=field) from error
    with transaction.atomic():
        Congress.objects.select_for_update().filter(pk=congress.pk).first()
        current = _locked(congress, key, language)
        _check_conflict(current, shown_fingerprint)
        user = by if getattr(by, "is_authenticated", False) else None
        if current is None:
            wording = MailTemplate.objects.create(
                congress=congress,
                key=key,
                language=language,
                subject=subject,
                body=body,
                updated_by=user,
            )
            changes = {"subject": [None, subject], "body": [None, body]}
        else:
            before = {field: getattr(current, field) for field in WORDING_FIELDS}
            current.subject, current.body, current.updated_by = subject, body, user
            current.save(update_fields=["subject", "body", "updated_by", "updated_at"])
            wording = current
            changes = {
                field: [before[field], getattr(current, field)]
                for field in WORDING_FIELDS
                if before[field] != getattr(current, field)
            }
        audit.record(
            action="convene.mail_template.saved",
            congress=congress,
            actor=by,
            target=wording,
            data={"key": key, "language": language, "changes": changes},
        )
    return wording


def reset_wording(
    *, congress: Congress, key: str, language: str, by=None, shown_fingerprint: str | None = None
) -> bool:
    """Delete the congress's wording (the default comes back); False if there was none."""
    _guard(congress=congress, key=key, language=language)
    with transaction.atomic():
        current = _locked(congress, key, language)
        if current is None:
            return False
        _check_conflict(current, shown_fingerprint)
        audit.record(
            action="convene.mail_template.reset",
            congress=congress,
            actor=by,
            target=current,
            data={"key": key, "language": language, "subject": current.subject},
        )
        current.delete()
    return True
