from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events_site.congresses.forms import ModelAdmin, TabularInline

from . import services
from .layouts import LAYOUT_FIELDS, delete_badge_layout, save_badge_layout
from .models import (
    Badge,
    BadgeLayout,
    CheckIn,
    OfflineCheckIn,
    PrintJob,
    RefusedScan,
    RevokedBadgeSecret,
)


@admin.register(BadgeLayout)
class BadgeLayoutAdmin(ModelAdmin):
    list_display = ["name", "congress", "registration_type", "role", "is_default", "band_colour"]
    list_filter = ["congress", "role", "is_default"]
    search_fields = ["name", "label"]
    autocomplete_fields = []

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in LAYOUT_FIELDS if name in form.fields}
        saved = save_badge_layout(
            congress=form.cleaned_data.get("congress") or obj.congress,
            by=request.user,
            layout=obj if change else None,
            **fields,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        delete_badge_layout(layout=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for layout in queryset.select_related("congress"):
            delete_badge_layout(layout=layout, by=request.user)


class RevokedBadgeSecretInline(TabularInline):
    model = RevokedBadgeSecret
    extra = 0
    fields = ["revoked_at", "revoked_by", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Badge)
class BadgeAdmin(ModelAdmin):
    list_display = ["delegate", "congress", "printed_at", "print_count", "checked_in_at"]
    list_filter = ["congress", ("checked_in_at", admin.EmptyFieldListFilter)]
    search_fields = ["delegate__given_name", "delegate__family_name", "delegate__organisation_name"]
    list_select_related = ["delegate", "congress"]
    readonly_fields = [
        "delegate",
        "congress",
        "issued_at",
        "printed_at",
        "print_count",
        "checked_in_at",
        "checked_in_by",
        "checked_in_desk",
    ]
    exclude = ["secret"]
    inlines = [RevokedBadgeSecretInline]
    actions = ["reissue_secrets"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke and reissue the QR code (lost badge)"))
    def reissue_secrets(self, request, queryset):
        for badge in queryset:
            services.reissue_secret(badge=badge, by=request.user, reason="admin")
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%d badge reissued.", "%d badges reissued.", count) % count,
            messages.SUCCESS,
        )


@admin.register(PrintJob)
class PrintJobAdmin(ModelAdmin):
    list_display = [
        "pk",
        "congress",
        "kind",
        "status",
        "failure",
        "created_by",
        "created_at",
        "badge_count",
    ]
    list_filter = ["congress", "kind", "status"]
    readonly_fields = [f.name for f in PrintJob._meta.fields] + ["badges"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CheckIn)
class CheckInAdmin(ModelAdmin):
    list_display = ["badge", "congress", "at", "by", "desk", "channel"]
    list_filter = ["congress", "channel", "desk"]
    search_fields = ["badge__delegate__family_name", "badge__delegate__given_name"]
    list_select_related = ["badge__delegate", "congress", "by"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RefusedScan)
class RefusedScanAdmin(ModelAdmin):
    list_display = ["at", "congress", "reason", "scanned", "desk", "by", "channel"]
    list_filter = ["congress", "reason", "channel"]
    list_select_related = ["congress", "by"]
    readonly_fields = [f.name for f in RefusedScan._meta.fields]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OfflineCheckIn)
class OfflineCheckInAdmin(ModelAdmin):
    """Check-ins queued by desks while offline and what the sync made of them (read-only)."""

    list_display = [
        "nonce",
        "congress",
        "delegate_id",
        "at",
        "received_at",
        "by",
        "desk",
        "outcome",
    ]
    list_filter = ["congress", "outcome", "desk"]
    search_fields = ["nonce"]
    list_select_related = ["congress", "by"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
