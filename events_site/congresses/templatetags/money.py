"""``{% load money %}{{ amount|money:congress.currency }}``: the one money formatter for templates,
in the active language (a page's request, an e-mail's recipient, a PDF's document language)."""

from django import template

from ..money import format_money_or_blank, format_rate

register = template.Library()


@register.filter
def money(amount, currency):
    return format_money_or_blank(amount, currency)


@register.filter
def rate(percent):
    """``{{ invoice.tax_rate|rate }}``: a percentage in the active language ("7,5 %")."""
    if percent is None or percent == "":
        return ""
    return format_rate(percent)
