"""The monthly report as one self-contained HTML page (charts inline as SVG: no assets, no CDN)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape
from reportlab.graphics import renderSVG

from porchlight.dashboard.reports.charts import all_charts
from porchlight.dashboard.reports.data import MonthlyReport
from porchlight.dashboard.reports.text import change, clip, headline, times, topic_name

_env = Environment(loader=PackageLoader("porchlight.dashboard.reports", "templates"), autoescape=select_autoescape())
_env.filters.update(change=change, clip=clip, topic=topic_name, times=times)


def _svg(drawing: object) -> str:
    text = renderSVG.drawToString(drawing)
    return text[text.index("<svg") :]  # drop the XML declaration and doctype: inline SVG


def render_html(report: MonthlyReport) -> str:
    return _env.get_template("monthly.html").render(
        report=report, headline=headline(report), charts=[_svg(c) for c in all_charts(report)], change=change
    )
