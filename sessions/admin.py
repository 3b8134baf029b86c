"""Admin for the agenda. Saving a session goes through the same service (and rules) as the
organiser pages and the API; published versions are read-only; nothing is deleted here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from events_site.congresses.forms import ModelAdmin, ModelForm, TabularInline

from . import services
from .errors import InvalidProgrammeData, ScheduleConflict
from .models import (
    AgendaItem,
    FormatSetting,
    PersonalAgenda,
    ScheduleVersion,
    Session,
    SessionSignup,
    SessionSpeaker,
    Speaker,
    Tag,
    Track,
)
from .services.programme import SESSION_FIELDS, SPEAKER_FIELDS, TRACK_FIELDS
from .services.tags import TAG_FIELDS


class SessionSpeakerInline(TabularInline):
    """Shown, not edited: speakers are assigned on the organiser's session page or through the
    API, where the scheduling rules (a speaker in two places at once) are checked."""

    model = SessionSpeaker
    extra = 0
    fields = ["speaker", "role"]
    readonly_fields = ["speaker", "role"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SessionAdminForm(ModelForm):
    """Runs the scheduling rules in ``clean`` so the admin shows a refused change on the form."""

    class Meta:
        model = Session
        fields = ["congress", *SESSION_FIELDS]

    def clean(self):
        cleaned = super().clean()
        from .services.scheduling import check_session

        candidate = Session(
            pk=self.instance.pk,
            congress=cleaned.get("congress") or getattr(self.instance, "congress", None),
            code=self.instance.code or "",
            **{k: v for k, v in cleaned.items() if k in SESSION_FIELDS and k != "tags"},
        )
        if candidate.congress_id and candidate.starts_at and candidate.ends_at:
            errors = [c for c in check_session(candidate) if c.is_error]
            if errors:
                raise ValidationError([str(c.message) for c in errors])
        return cleaned


@admin.register(Session)
class SessionAdmin(ModelAdmin):
    form = SessionAdminForm
    list_display = ["code", "title", "congress", "format", "status", "starts_at", "room"]
    list_filter = ["congress", "status", "format", "track"]
    search_fields = ["code", "title"]
    readonly_fields = ["code", "created_at", "updated_at"]
    inlines = [SessionSpeakerInline]
    list_select_related = ["congress", "room"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # codes are never reused: cancel instead

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data[k] for k in SESSION_FIELDS if k in form.cleaned_data}
        try:
            if change:
                saved = services.update_session(session=obj, by=request.user, **fields)
            else:
                saved = services.create_session(
                    congress=form.cleaned_data["congress"], by=request.user, **fields
                )
                obj.pk, obj.code = saved.session.pk, saved.session.code
        except (ScheduleConflict, InvalidProgrammeData) as exc:
            messages.error(request, exc.message)
            return
        for warning in saved.warnings:
            messages.warning(request, warning.message)

    def save_related(self, request, form, formsets, change):
        """The service saved the tags; the speaker inline is read-only."""


@admin.register(Speaker)
class SpeakerAdmin(ModelAdmin):
    list_display = ["code", "name", "organisation", "country", "congress"]
    list_filter = ["congress"]
    search_fields = ["name", "organisation", "code"]
    readonly_fields = ["code"]
    raw_id_fields = ["delegate"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data[k] for k in SPEAKER_FIELDS if k in form.cleaned_data}
        if change:
            services.update_speaker(speaker=obj, by=request.user, **fields)
        else:
            created = services.create_speaker(
                congress=form.cleaned_data["congress"], by=request.user, **fields
            )
            obj.pk = created.pk


@admin.register(Track)
class TrackAdmin(ModelAdmin):
    list_display = ["name", "slug", "colour", "congress", "position"]
    list_filter = ["congress"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data[k] for k in TRACK_FIELDS if k in form.cleaned_data}
        if change:
            services.update_track(track=obj, by=request.user, **fields)
        else:
            created = services.create_track(
                congress=form.cleaned_data["congress"], by=request.user, **fields
            )
            obj.pk = created.pk


@admin.register(Tag)
class TagAdmin(ModelAdmin):
    list_display = ["name", "slug", "colour", "congress"]
    list_filter = ["congress"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data[k] for k in TAG_FIELDS if k in form.cleaned_data}
        if change:
            services.update_tag(tag=obj, by=request.user, **fields)
        else:
            created = services.create_tag(
                congress=form.cleaned_data["congress"], by=request.user, **fields
            )
            obj.pk = created.pk


@admin.register(FormatSetting)
class FormatSettingAdmin(ModelAdmin):
    list_display = ["format", "congress", "default_minutes", "display_name"]
    list_filter = ["congress", "format"]

    def save_model(self, request, obj, form, change):
        saved = services.save_format_setting(
            congress=form.cleaned_data.get("congress") or obj.congress,
            by=request.user,
            format=form.cleaned_data.get("format") or obj.format,
            default_minutes=form.cleaned_data["default_minutes"],
            display_name=form.cleaned_data.get("display_name", ""),
            description=form.cleaned_data.get("description", ""),
        )
        obj.pk = saved.pk


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(ModelAdmin):
    list_display = ["congress", "number", "published_at", "published_by", "comment"]
    list_filter = ["congress"]
    exclude = ["snapshot"]
    readonly_fields = ["congress", "number", "published_at", "published_by", "comment", "changelog"]

    def has_add_permission(self, request) -> bool:
        return False  # versions come from publishing only

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AgendaItemInline(TabularInline):
    model = AgendaItem
    extra = 0
    raw_id_fields = ["session"]


@admin.register(PersonalAgenda)
class PersonalAgendaAdmin(ModelAdmin):
    list_display = ["delegate", "congress", "created_at", "updated_at"]
    list_filter = ["congress"]
    raw_id_fields = ["delegate"]
    exclude = ["feed_token"]
    readonly_fields = ["token_created_at"]
    inlines = [AgendaItemInline]


@admin.register(SessionSignup)
class SessionSignupAdmin(ModelAdmin):
    list_display = ["session", "delegate", "status", "created_at", "promoted_at"]
    list_filter = ["status", "session__congress"]
    readonly_fields = ["session", "delegate", "status", "created_at", "promoted_at"]

    def has_add_permission(self, request) -> bool:
        return False  # seats are taken through sign_up() only, under its lock

    def delete_model(self, request, obj):
        """Through cancel_signup: audited, and a freed seat goes to the waiting list."""
        services.cancel_signup(delegate=obj.delegate, session=obj.session, by=request.user)

    def delete_queryset(self, request, queryset):
        for signup in queryset.select_related("delegate", "session"):
            services.cancel_signup(
                delegate=signup.delegate, session=signup.session, by=request.user
            )
