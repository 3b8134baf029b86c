"""Admin for payments: read-only records (changes go through the finance pages and services),
billing settings saved through their service so that the audit log sees them.

Importing this module registers nothing: the registrations app's admin module calls
:func:`register` by name, so every model admin of the app is found from ``registrations/admin.py``.
"""

from django.contrib import admin

from events_site.congresses.forms import ModelAdmin

from ..models import BillingDetails, BillingSettings, Invoice, Payment, Refund, StripeEvent
from .services import invoicing as invoice_services


class ReadOnlyAdmin(ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["order", "provider", "provider_id", "amount", "currency", "state", "created_at"]
    list_filter = ["provider", "state", "order__congress"]
    search_fields = ["order__code", "provider_id", "reference"]
    list_select_related = ["order"]


class RefundAdmin(ReadOnlyAdmin):
    list_display = [
        "order",
        "provider_id",
        "amount",
        "currency",
        "state",
        "automatic",
        "created_at",
    ]
    list_filter = ["state", "automatic"]
    search_fields = ["order__code", "provider_id"]
    list_select_related = ["order"]


class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["full_number", "kind", "order", "gross", "currency", "issued_at", "due_date"]
    list_filter = ["kind", "congress"]
    search_fields = ["full_number", "order__code", "buyer"]
    list_select_related = ["order"]


class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "type", "object_id", "outcome", "received_at"]
    list_filter = ["type"]
    search_fields = ["event_id", "object_id"]


class BillingDetailsAdmin(ReadOnlyAdmin):
    list_display = ["order", "name", "country", "vat_number", "purchase_order"]
    search_fields = ["order__code", "name", "purchase_order"]


class BillingSettingsAdmin(ModelAdmin):
    list_display = ["congress", "seller_name", "tax_rate", "payment_terms_days"]

    def save_model(self, request, obj, form, change):
        values = {
            name: form.cleaned_data[name] for name in invoice_services.BILLING_SETTINGS_FIELDS
        }
        saved = invoice_services.update_billing_settings(
            congress=form.cleaned_data["congress"], by=request.user, **values
        )
        obj.pk = saved.pk


MODEL_ADMINS = {
    Payment: PaymentAdmin,
    Refund: RefundAdmin,
    Invoice: InvoiceAdmin,
    StripeEvent: StripeEventAdmin,
    BillingDetails: BillingDetailsAdmin,
    BillingSettings: BillingSettingsAdmin,
}


def register(site: admin.AdminSite) -> None:
    """Register the payments wing's model admins on ``site``."""
    for model, model_admin in MODEL_ADMINS.items():
        site.register(model, model_admin)
