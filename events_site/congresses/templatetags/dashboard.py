"""``{% chart chart %}``: one dashboard chart as SVG, laid out for the active language's
direction (``events_site.congresses.dashboard``).

The repeated parts (a bar, a column, a row of the table) are written here rather than in the
template: a panel of hundreds of capacity-limited sessions draws three charts of hundreds of
bars, which the template language took most of a second to write. Coordinates are written
as plain decimals whatever the language (SVG reads "12.5", never the French "12,5").
"""

from django import template
from django.utils import formats
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language_bidi

from ..dashboard import bar_layout, column_layout

register = template.Library()

LABEL_CHARACTERS = 30  # of a bar's label; the table beneath has it whole


BAR = (
    '<g><text x="{}" y="{}" font-size="13" fill="#1a202c"{} text-anchor="start">{}</text>'
    '<rect x="{}" y="{}" width="{}" height="16" fill="#3b6fb6"/>'
    '<text x="{}" y="{}" font-size="13" fill="#1a202c" text-anchor="{}">{}</text></g>'
)
COLUMN = '<rect x="{}" y="{}" width="{}" height="{}" fill="#3b6fb6"><title>{}: {}</title></rect>'


def _bars(layout: dict, *, rtl: bool) -> SafeString:
    direction = ' direction="rtl"' if rtl else ""
    anchor = "end" if rtl else "start"
    return mark_safe(  # noqa: S308 - every text below is escaped, the numbers are ours
        "".join(
            BAR.format(
                row.label_x,
                row.text_y,
                direction,
                conditional_escape(Truncator(row.point.label).chars(LABEL_CHARACTERS)),
                row.bar_x,
                row.y,
                row.bar_width,
                row.value_x,
                row.text_y,
                anchor,
                conditional_escape(row.point.shown),
            )
            for row in layout["rows"]
        )
    )


def _columns(layout: dict) -> SafeString:
    return mark_safe(  # noqa: S308 - every text below is escaped, the numbers are ours
        "".join(
            COLUMN.format(
                c.x,
                c.y,
                c.width,
                c.height,
                conditional_escape(c.point.label),
                conditional_escape(c.point.shown),
            )
            for c in layout["columns"]
        )
    )


def _table_rows(chart) -> SafeString:
    """The table's rows, each value written as the template would write it (localised)."""
    rows = []
    for point, total, compared in chart.table_rows:
        cells = [
            f"<tr><td><bdi>{conditional_escape(point.label)}</bdi></td>"
            f"<td>{conditional_escape(point.shown)}</td>"
        ]
        if chart.cumulative:
            cells.append(f"<td>{conditional_escape(formats.localize(total))}</td>")
        if chart.compare:
            cells.append(f"<td>{conditional_escape(formats.localize(compared))}</td>")
        cells.append("</tr>")
        rows.append("".join(cells))
    return mark_safe("".join(rows))  # noqa: S308 - every text above is escaped


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
