"""``{% load money %}{{ amount|money:congress.currency }}``: the one money formatter for templates,
in the active language (a page's request, an e-mail's recipient, a PDF's document language)."""

from django import template

from ..money import format_money_or_blank

register = template.Library()


@register.filter
def money(amount, currency):
    return format_money_or_blank(amount, currency)
