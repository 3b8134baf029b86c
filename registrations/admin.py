"""Admin for everything in registrations. Orders and delegates change through the services
(approve, cancel, edit); configuration (types, vouchers, questions, settings) is edited here."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from events_site.congresses.enums import Perm
from events_site.congresses.errors import DomainError
from events_site.congresses.forms import ModelAdmin, TabularInline
from events_site.congresses.models import Congress
from events_site.congresses.permissions import congresses_with_perm, has_congress_perm

from . import form_cache
from .admin_audit import AuditedAdmin
from .errors import RegistrationError
from .forms import MemberImportForm
from .models import (
    Answer,
    Delegate,
    MemberOrganisation,
    Order,
    Question,
    RegistrationSettings,
    RegistrationType,
    Voucher,
    WaitingListEntry,
)
from .payments.admin import register as register_payment_admin
from .payments.services.order_changes import cancel_delegate
from .services.members import import_member_organisations
from .services.orders import (
    DELEGATE_FIELDS,
    approve_order,
    cancel_order,
    update_delegate,
    voucher_uses,
)
from .services.setup import (
    PAYMENT_METHOD_FIELDS,
    SETTINGS_FIELDS,
    TYPE_FIELDS,
    reset_registration_settings,
    save_registration_type,
    update_order_contact,
    update_registration_settings,
)


class CongressScopedAdmin(ModelAdmin):
    """Staff see the congresses where they may view registrations and change where they may
    manage them (through the one permission check)."""

    congress_path = "congress"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        allowed = congresses_with_perm(request.user, Perm.VIEW_REGISTRATIONS)
        return queryset.filter(**{f"{self.congress_path}__in": allowed})

    def _congress_of(self, obj) -> Congress | None:
        for part in self.congress_path.split("__"):
            obj = getattr(obj, part, None)
        return obj

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return congresses_with_perm(request.user, Perm.VIEW_REGISTRATIONS).exists()
        return has_congress_perm(request.user, Perm.VIEW_REGISTRATIONS, self._congress_of(obj))

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return congresses_with_perm(request.user, Perm.MANAGE_REGISTRATIONS).exists()
        return has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, self._congress_of(obj))

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "congress":
            kwargs["queryset"] = congresses_with_perm(request.user, Perm.MANAGE_REGISTRATIONS)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ShownOnFormPage:
    """Mix into the admin of a model the registration form page shows: every save (its
    many-to-many included) and delete starts a new version of the page."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        form_cache.invalidate()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form_cache.invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        form_cache.invalidate()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        form_cache.invalidate()


@admin.register(RegistrationType)
class RegistrationTypeAdmin(ShownOnFormPage, CongressScopedAdmin):
    list_display = [
        "name",
        "congress",
        "code",
        "regular_price",
        "early_bird_price",
        "on_site_price",
        "capacity",
        "requires_approval",
        "requires_membership",
        "complimentary",
        "is_active",
    ]
    list_filter = ["congress", "is_active", "requires_approval", "complimentary"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name] for name in TYPE_FIELDS if name in form.cleaned_data
        }
        saved = save_registration_type(
            congress=form.cleaned_data.get("congress") or obj.congress,
            by=request.user,
            instance=obj if change else None,
            **fields,
        )
        obj.pk = saved.pk


@admin.register(RegistrationSettings)
class RegistrationSettingsAdmin(ShownOnFormPage, CongressScopedAdmin):
    list_display = ["congress", "total_capacity", "hold_minutes", "cancellation_deadline"]

    def get_readonly_fields(self, request, obj=None):
        return ["congress"] if obj is not None else []  # one row per congress, for good

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in (*SETTINGS_FIELDS, *PAYMENT_METHOD_FIELDS)
            if name in form.fields
        }
        congress = form.cleaned_data.get("congress") or obj.congress
        obj.pk = update_registration_settings(congress=congress, by=request.user, **fields).pk

    def delete_model(self, request, obj):
        reset_registration_settings(congress=obj.congress, by=request.user)

    def delete_queryset(self, request, queryset):
        for row in queryset.select_related("congress"):
            reset_registration_settings(congress=row.congress, by=request.user)


class DelegateInline(TabularInline):
    model = Delegate
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["given_name", "family_name", "registration_type", "price", "is_cancelled"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(CongressScopedAdmin):
    list_display = [
        "code",
        "congress",
        "status",
        "contact_name",
        "email",
        "total",
        "currency",
        "delegate_count",
        "needs_review",
        "created_at",
    ]
    list_filter = ["congress", "status", "needs_review"]
    search_fields = ["code", "email", "contact_name", "delegates__family_name"]
    readonly_fields = [
        "congress",
        "code",
        "status",
        "total",
        "currency",
        "voucher",
        "hold_expires_at",
        "needs_review",
        "review_reason",
        "created_at",
        "approved_at",
        "paid_at",
        "cancelled_at",
        "expired_at",
        "cancellation_reason",
        "cancellation_fee",
        "reminder_sent_at",
    ]
    fields = ["contact_name", "email", "language", *readonly_fields]
    inlines = [DelegateInline]
    actions = ["approve_selected", "cancel_selected"]
    list_select_related = ["congress"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(delegate_count=Count("delegates"))

    @admin.display(description=_("delegates"), ordering="delegate_count")
    def delegate_count(self, obj):
        return obj.delegate_count

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        if changed:
            update_order_contact(order=obj, by=request.user, **changed)

    def _run(self, request, queryset, service, done_message):
        done = 0
        for order in queryset:
            if not has_congress_perm(request.user, Perm.MANAGE_REGISTRATIONS, order.congress):
                continue
            try:
                service(order=order, by=request.user)
                done += 1
            except RegistrationError as exc:
                self.message_user(request, f"{order.code}: {exc}", messages.ERROR)
        self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Approve selected orders"))
    def approve_selected(self, request, queryset):
        self._run(request, queryset, approve_order, _("%(n)s order(s) approved."))

    @admin.action(description=_("Cancel selected orders (frees their seats)"))
    def cancel_selected(self, request, queryset):
        self._run(request, queryset, cancel_order, _("%(n)s order(s) cancelled."))


class AnswerInline(TabularInline):
    model = Answer
    extra = 0


@admin.register(Delegate)
class DelegateAdmin(CongressScopedAdmin):
    congress_path = "order__congress"
    list_display = [
        "family_name",
        "given_name",
        "organisation_name",
        "country",
        "registration_type",
        "order",
        "price",
        "is_cancelled",
    ]
    list_filter = ["order__congress", "registration_type", "order__status", "is_cancelled"]
    search_fields = ["given_name", "family_name", "email", "organisation_name", "order__code"]
    list_select_related = ["order", "registration_type"]
    fields = ["order", "registration_type", *DELEGATE_FIELDS, "price", "price_tier", "voucher"]
    readonly_fields = ["order", "registration_type", "price", "price_tier", "voucher"]
    inlines = [AnswerInline]
    actions = ["cancel_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if changes:
            fresh = Delegate.objects.select_related("order__congress").get(pk=obj.pk)
            update_delegate(delegate=fresh, changes=changes, by=request.user)

    @admin.action(description=_("Cancel selected delegates (frees their seats)"))
    def cancel_selected(self, request, queryset):
        """One by one through the service; the last delegate of an order cancels the order."""
        done = 0
        for delegate in queryset.select_related("order__congress").order_by("order_id", "id"):
            if not has_congress_perm(
                request.user, Perm.MANAGE_REGISTRATIONS, delegate.order.congress
            ):
                self.message_user(
                    request,
                    _("%(name)s: you may not manage this congress's registrations.")
                    % {"name": delegate},
                    messages.ERROR,
                )
                continue
            try:
                cancel_delegate(delegate=delegate, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{delegate} ({delegate.order}): {exc}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request, _("%(n)s delegate(s) cancelled.") % {"n": done}, messages.SUCCESS
        )


@admin.register(Voucher)
class VoucherAdmin(AuditedAdmin, CongressScopedAdmin):
    audit_action = "convene.voucher"
    list_display = ["code", "congress", "kind", "value", "max_uses", "uses", "valid_until"]
    list_filter = ["congress", "kind", "is_active"]
    search_fields = ["code", "comment"]
    filter_horizontal = ["registration_types"]

    @admin.display(description=_("uses"))
    def uses(self, obj):
        return voucher_uses(voucher=obj)


@admin.register(Question)
class QuestionAdmin(ShownOnFormPage, AuditedAdmin, CongressScopedAdmin):
    audit_action = "convene.question"
    list_display = ["label", "congress", "kind", "required", "position", "is_active"]
    list_filter = ["congress", "kind"]
    filter_horizontal = ["registration_types"]


@admin.register(WaitingListEntry)
class WaitingListEntryAdmin(CongressScopedAdmin):
    list_display = [
        "name",
        "email",
        "registration_type",
        "status",
        "created_at",
        "offer_expires_at",
    ]
    list_filter = ["congress", "status", "registration_type"]
    readonly_fields = ["token", "offered_at", "offer_expires_at", "order"]


@admin.register(MemberOrganisation)
class MemberOrganisationAdmin(CongressScopedAdmin):
    list_display = ["name", "country", "reference", "congress"]
    list_filter = ["congress"]
    search_fields = ["name", "reference"]
    change_list_template = "admin/registrations/memberorganisation/change_list.html"

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="registrations_memberorganisation_import",
            )
        ]
        return extra + super().get_urls()

    def import_view(self, request):
        """The superuser's import in one step; organisers import with a preview on the
        member list's page of the organiser area."""
        if not request.user.is_superuser:
            raise PermissionDenied
        congresses = congresses_with_perm(request.user, Perm.MANAGE_REGISTRATIONS)
        form = MemberImportForm(request.POST or None, request.FILES or None)
        form.fields["congress"] = forms.ModelChoiceField(queryset=congresses, label=_("Congress"))
        if request.method == "POST" and form.is_valid():
            try:
                result = import_member_organisations(
                    congress=form.cleaned_data["congress"],
                    csv_text=form.cleaned_data["file"],
                    replace=form.cleaned_data["replace"],
                    by=request.user,
                )
            except RegistrationError as exc:
                form.add_error("file", exc.message)
            else:
                self.message_user(
                    request,
                    _(
                        "%(added)s added, %(updated)s updated, %(unchanged)s already listed, "
                        "%(removed)s removed."
                    )
                    % result,
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:registrations_memberorganisation_changelist"))
        context = {**self.admin_site.each_context(request), "form": form, "title": _("Import")}
        return render(request, "admin/registrations/memberorganisation/import.html", context)


# The payments wing's model admins, registered here by name (its module registers nothing).
register_payment_admin(admin.site)
