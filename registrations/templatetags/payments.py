"""``{% load payments %}{% order_payment_context order as pay %}``: what the payment partial of the
order page needs, computed from the order alone (the partial is included by another app's view).
The same selector feeds the payment page, so the tag imports no view."""

from django import template

from ..payments.selectors import payment_context

register = template.Library()


@register.simple_tag
def order_payment_context(order):
    return payment_context(order)
