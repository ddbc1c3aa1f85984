"""The monthly report as one self-contained HTML page (charts inline as SVG: no assets, no CDN).

The same page as the PDF (pdf.py), in the same order and with the same words: the numbers, three
charts, one row per district (its figures, then a resident's words), the wins and the projects'
progress, the footnote. A screen has room for longer quotes than the PDF's one line; the PDF is
the version made for print.
"""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from reportlab.graphics import renderSVG

from porchlight.dashboard.reports.rendering.charts import is_city, project_progress, top_row
from porchlight.dashboard.reports.rendering.report import MonthlyReport
from porchlight.dashboard.reports.rendering.text import (
    about,
    change,
    change_cell,
    clip,
    concern_header,
    crime_cells,
    crime_columns,
    footnote,
    headline,
    hours,
    in_notes,
    period_note,
    progress_line,
    short_name,
    top_incidents,
    wins_list,
)

#: Characters of a quote on screen: at least what the PDF's most generous layout prints (two lines).
QUOTE_HTML = 300

_env = Environment(
    loader=PackageLoader("porchlight.dashboard.reports.rendering", "templates"), autoescape=select_autoescape()
)
_env.filters.update(
    about=about,
    change=change,
    change_cell=change_cell,
    clip=clip,
    in_notes=in_notes,
    hours=hours,
    short_name=short_name,
)


def _svg(drawing: object) -> str:
    text = renderSVG.drawToString(drawing)
    return text[text.index("<svg") :]  # drop the XML declaration and doctype: inline SVG


def render_html(report: MonthlyReport) -> str:
    city = is_city(report)
    widths = (230.0, 230.0, 230.0, 230.0) if city else (300.0, 230.0, 230.0)
    charts = [_svg(c) for c in top_row(report, widths, 150)]
    total_wins = sum(s.wins_count for s in report.districts)
    return _env.get_template("monthly.html").render(
        report=report,
        city=city,
        headline=headline(report),
        lede=period_note(report),
        crime_columns=crime_columns(report),
        crime_cells=lambda s: crime_cells(report, s),
        concern_header=concern_header(report),
        charts=charts,
        projects_chart=_svg(project_progress(report, 340, 9 * len(report.districts) + 50)) if city else None,
        quote_limit=QUOTE_HTML if city else 2 * QUOTE_HTML,
        wins=wins_list(report, 12),
        total_wins=total_wins,
        progress=progress_line(report),
        incidents=top_incidents(report),
        footnote=footnote(report),
    )
