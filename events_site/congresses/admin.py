from django.contrib import admin

from . import public_version
from .forms import ModelAdmin, StackedInline, TabularInline
from .models import AuditEntry, Congress, Organisation, Room, TeamMembership, Venue


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ModelAdmin):
    list_display = ["created_at", "congress", "action", "actor", "actor_label", "target_type"]
    list_filter = ["congress", "action"]
    search_fields = ["action", "target_id"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
