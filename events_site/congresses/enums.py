from django.db import models
from django.utils.translation import gettext_lazy as _


class CongressStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    REGISTRATION_OPEN = "registration_open", _("Registration open")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


# Congresses the public sees (listed on the home page, their pages open).
PUBLIC_STATUSES = (
    CongressStatus.PUBLISHED,
    CongressStatus.REGISTRATION_OPEN,
    CongressStatus.CLOSED,
)


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    PROGRAMME = "programme", _("Programme organiser")
    REGISTRATION = "registration", _("Registration manager")
    FINANCE = "finance", _("Finance")
    CHECKIN = "checkin", _("Check-in staff")
    REVIEWER = "reviewer", _("Reviewer")
    VISA_OFFICER = "visa_officer", _("Visa officer")


class Perm(models.TextChoices):
    """What a team member may do in one congress; roles grant sets of these."""

    VIEW = "congress.view", _("See the congress back office")
    MANAGE_CONGRESS = "congress.manage", _("Edit the congress, venues, rooms and team")
    MANAGE_PROGRAMME = "programme.manage", _("Build and publish the agenda")
    VIEW_REGISTRATIONS = "registrations.view", _("See registrations")
    MANAGE_REGISTRATIONS = "registrations.manage", _("Manage registrations")
    MANAGE_FINANCE = "finance.manage", _("Manage payments, invoices and refunds")
    CHECK_IN = "checkin.operate", _("Check delegates in and print badges")
    MANAGE_BADGES = "badges.manage", _("Design badge layouts and run print jobs")
    REVIEW_PROPOSALS = "proposals.review", _("Review proposals made to the calls")
    MANAGE_VISA_LETTERS = "visa.manage", _("Decide visa letter requests and see passport data")


class ApiTokenStatus(models.TextChoices):
    """Where an API token stands (computed from its dates, not stored)."""

    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
