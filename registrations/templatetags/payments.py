"""``{% load payments %}{% order_payment_context order as pay %}``: what the payment partial of the
order page needs, computed from the order alone (the partial is included by another app's view)."""

from django import template

register = template.Library()


@register.simple_tag
def order_payment_context(order):
    from ..payments.views import payment_context

    return payment_context(order)
