"""``{% chart chart %}``: one dashboard chart as SVG, laid out for the active language's
direction (``events_site.congresses.dashboard``)."""

from django import template
from django.utils.translation import get_language_bidi

from ..dashboard import bar_layout, column_layout

register = template.Library()


@register.inclusion_tag("congresses/_chart.html")
def chart(chart):
    rtl = get_language_bidi()
    layout = (
        column_layout(chart, rtl=rtl) if chart.kind == "columns" else bar_layout(chart, rtl=rtl)
    )
    return {"chart": chart, "layout": layout, "rtl": rtl}
