"""``{% chart chart %}``: one dashboard chart as SVG, laid out for the active language's
direction (``events_site.congresses.dashboard``).

The repeated parts (a bar, a column, a row of the table) are written here rather than in the
template: a panel of hundreds of capacity-limited sessions draws three charts of hundreds of
bars, which the template language took most of a second to write. Coordinates are written
as plain decimals whatever the language (SVG reads "12.5", never the French "12,5").
"""

from django import template
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language_bidi

from ..dashboard import bar_layout, column_layout

register = template.Library()

LABEL_CHARACTERS = 30  # of a bar's label; the table beneath has it whole


def _bars(layout: dict, *, rtl: bool):
    direction = mark_safe(' direction="rtl"') if rtl else ""
    anchor = "end" if rtl else "start"
    return format_html_join(
        "",
        '<g><text x="{}" y="{}" font-size="13" fill="#1a202c"{} text-anchor="start">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="16" fill="#3b6fb6"/>'
        '<text x="{}" y="{}" font-size="13" fill="#1a202c" text-anchor="{}">{}</text></g>',
        (
            (
                str(row.label_x),
                str(row.text_y),
                direction,
                Truncator(row.point.label).chars(LABEL_CHARACTERS),
                str(row.bar_x),
                str(row.y),
                str(row.bar_width),
                str(row.value_x),
                str(row.text_y),
                anchor,
                row.point.shown,
            )
            for row in layout["rows"]
        ),
    )


def _columns(layout: dict):
    return format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#3b6fb6"><title>{}: {}</title></rect>',
        (
            (str(c.x), str(c.y), str(c.width), str(c.height), c.point.label, c.point.shown)
            for c in layout["columns"]
        ),
    )


def _table_rows(chart):
    """The table's rows, each value written as the template would write it (localised)."""
    cells = []
    for point, total, compared in chart.table_rows:
        extra = []
        if chart.cumulative:
            extra.append(format_html("<td>{}</td>", formats.localize(total)))
        if chart.compare:
            extra.append(format_html("<td>{}</td>", formats.localize(compared)))
        cells.append(
            format_html(
                "<tr><td><bdi>{}</bdi></td><td>{}</td>{}</tr>",
                point.label,
                point.shown,
                format_html_join("", "{}", ((cell,) for cell in extra)),
            )
        )
    return format_html_join("", "{}", ((row,) for row in cells))


@register.inclusion_tag("congresses/_chart.html")
def chart(chart):
    rtl = get_language_bidi()
    if chart.kind == "columns":
        layout = column_layout(chart, rtl=rtl)
        drawn = _columns(layout)
    else:
        layout = bar_layout(chart, rtl=rtl)
        drawn = _bars(layout, rtl=rtl)
    return {
        "chart": chart,
        "layout": layout,
        "rtl": rtl,
        "drawn": drawn,
        "table_rows": _table_rows(chart),
    }
