"""The electronic invoice formats a download list offers (URL suffix and label)."""

from django import template

from registrations.payments.einvoice.rendering import SUFFIXES
from registrations.payments.enums import EInvoiceFormat

register = template.Library()


@register.simple_tag
def einvoice_formats() -> list[tuple[str, str]]:
    return [(suffix, EInvoiceFormat(fmt).label) for suffix, fmt in SUFFIXES.items()]
