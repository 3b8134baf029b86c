from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import api_tokens, public_version
from .errors import DomainError
from .forms import ModelAdmin, ModelForm, StackedInline, TabularInline
from .models import ApiToken, AuditEntry, Congress, Organisation, Room, TeamMembership, Venue
from .services import change_team_role, grant_role, revoke_role


def save_team_row(request, membership: TeamMembership) -> TeamMembership:
    """An added or edited team row, through the team services (so it is audited)."""
    if membership.pk is None:
        return grant_role(
            congress=membership.congress,
            user=membership.user,
            role=membership.role,
            by=request.user,
        )
    return change_team_role(
        membership=membership,
        congress=membership.congress,
        user=membership.user,
        role=membership.role,
        by=request.user,
    )


def delete_team_row(request, membership: TeamMembership) -> None:
    """Revoke the role the row holds in the database (not what an edited form shows)."""
    current = TeamMembership.objects.select_related("congress", "user").get(pk=membership.pk)
    revoke_role(congress=current.congress, user=current.user, role=current.role, by=request.user)


class VenueInline(StackedInline):
    model = Venue
    extra = 0
    show_change_link = True


class TeamInline(TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


class RoomInline(TabularInline):
    model = Room
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(ModelAdmin):
    list_display = ["name", "slug", "website"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Congress)
class CongressAdmin(ModelAdmin):
    list_display = ["name", "slug", "start_date", "end_date", "time_zone", "currency", "status"]
    list_filter = ["status", "organisation"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    # Changed on the owner's Security page only, where it needs a recent sign-in and is audited.
    readonly_fields = ["require_two_factor"]
    inlines = [VenueInline, TeamInline]

    # What a congress shows in public changes here too: start a new version of its pages.
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_version.bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        public_version.bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        public_version.bump()

    def save_formset(self, request, form, formset, change):
        if formset.model is not TeamMembership:
            return super().save_formset(request, form, formset, change)
        rows = formset.save(commit=False)
        for membership in formset.deleted_objects:
            delete_team_row(request, membership)
        for membership in rows:
            save_team_row(request, membership)


@admin.register(Venue)
class VenueAdmin(ModelAdmin):
    list_display = ["name", "congress", "city", "country"]
    list_filter = ["congress"]
    search_fields = ["name", "city"]
    inlines = [RoomInline]


@admin.register(Room)
class RoomAdmin(ModelAdmin):
    list_display = ["name", "venue", "capacity", "floor", "opens_at", "closes_at"]
    list_filter = ["venue__congress"]
    search_fields = ["name"]


@admin.register(TeamMembership)
class TeamMembershipAdmin(ModelAdmin):
    list_display = ["user", "congress", "role"]
    list_filter = ["congress", "role"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        obj.pk = save_team_row(request, obj).pk

    def delete_model(self, request, obj):
        delete_team_row(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            delete_team_row(request, membership)


@admin.register(AuditEntry)
class AuditEntryAdmin(ModelAdmin):
    # Read-only for everyone, superusers too: entries are append-only. The congress and the
    # person are shown by the slug and username copied at the time (either may be gone since).
    list_display = ["created_at", "congress_slug", "action", "actor_label", "target_type"]
    list_filter = ["action"]
    search_fields = ["action", "target_id", "congress_slug", "actor_label"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApiTokenAdminForm(ModelForm):
    class Meta:
        model = ApiToken
        fields = ["congress", "name", "role", "expires_at"]

    def clean(self):
        cleaned = super().clean()
        needed = ("congress", "name", "role")
        if self.instance.pk is None and all(cleaned.get(field) for field in needed):
            try:
                api_tokens.check_request(
                    by=self.request_user,
                    congress=cleaned["congress"],
                    name=cleaned["name"],
                    role=cleaned["role"],
                    expires_at=cleaned.get("expires_at"),
                )
            except DomainError as error:
                raise ValidationError(error.message, code=error.code) from None
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """Tokens through the service: an added token acts as the superuser adding it and its key
    is shown once, in the message; tokens are revoked, never edited."""

    list_display = ["prefix", "name", "congress", "user", "role", "expires_at", "revoked_at"]
    list_filter = ["congress", "role"]
    search_fields = ["prefix", "name", "user__username"]
    fields = ["congress", "name", "role", "expires_at"]
    form = ApiTokenAdminForm
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["congress", "name", "role", "expires_at", "user", "prefix", "last_used_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.fields
        return [*self.get_readonly_fields(request, obj), "revoked_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = api_tokens.create_token(
            congress=obj.congress,
            by=request.user,
            name=obj.name,
            role=obj.role,
            expires_at=obj.expires_at,
        )
        obj.pk = created.token.pk
        messages.warning(
            request,
            _("Copy the token now, it is shown only once: %(key)s") % {"key": created.key},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset.select_related("congress"):
            api_tokens.revoke_token(token=token, by=request.user)
