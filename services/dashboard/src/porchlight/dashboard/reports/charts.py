"""The report's charts as reportlab drawings: drawn into the PDF as vectors, and turned into
inline SVG for the HTML (one chart code for both; no browser, no matplotlib needed)."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from porchlight.dashboard.reports.data import MonthlyReport

# Colour-blind-safe pair (Okabe-Ito blue and vermillion), readable in greyscale print too.
ENGAGEMENT = colors.HexColor("#0072B2")
CRIME = colors.HexColor("#D55E00")
SENTIMENT = colors.HexColor("#009E73")


def _short(month: str) -> str:
    """``2026-11`` -> ``Nov``; January carries its year (``Jan 27``) so the axis reads across years."""
    y, m = month.split("-")
    name = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][int(m) - 1]
    return f"{name} {y[2:]}" if m == "01" else name


def _title(d: Drawing, text: str, width: float, height: float) -> None:
    d.add(String(width / 2, height - 12, text, fontName="Helvetica-Bold", fontSize=9, textAnchor="middle"))


def engagement_vs_crime(report: MonthlyReport, width: float = 500, height: float = 220) -> Drawing:
    """Per district: engagement hours and crime incidents side by side."""
    d = Drawing(width, height)
    _title(d, "Engagement hours and crime incidents by district", width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 45, width - 60, height - 80
    chart.data = [
        [s.engagement.engagement_hours for s in report.districts],
        [s.crime.total for s in report.districts],
    ]
    chart.categoryAxis.categoryNames = [s.code for s in report.districts]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = ENGAGEMENT
    chart.bars[1].fillColor = CRIME
    chart.barSpacing = 1
    chart.groupSpacing = 6
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, 18
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontSize = 8
    legend.colorNamePairs = [(ENGAGEMENT, "Engagement hours"), (CRIME, "Crime incidents")]
    d.add(legend)
    return d


def top_concerns(report: MonthlyReport, width: float = 500, height: float = 200) -> Drawing:
    """The city's (or the district's) most raised topics this month."""
    counts: dict[str, int] = {}
    for s in report.districts:
        for c in s.concerns:
            counts[c.topic] = counts.get(c.topic, 0) + c.count
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8][::-1]
    d = Drawing(width, height)
    _title(d, "Concerns residents raised most", width, height)
    if not top:
        d.add(String(width / 2, height / 2, "No concerns filed this month", fontSize=9, textAnchor="middle"))
        return d
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.height = width * 0.38, 15, height - 40
    chart.width = width - chart.x - 15
    chart.data = [[n for _, n in top]]
    chart.categoryAxis.categoryNames = [t.replace("_", " ")[:22] for t, _ in top]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.bars[0].fillColor = ENGAGEMENT
    d.add(chart)
    return d


def crime_trend(report: MonthlyReport, width: float = 500, height: float = 170) -> Drawing:
    """Crime incidents over the last twelve months."""
    d = Drawing(width, height)
    _title(d, "Crime incidents, last 12 months", width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, width - 60, height - 60
    chart.data = [[m.count for m in report.crime_trend]]
    chart.categoryAxis.categoryNames = [_short(m.month) for m in report.crime_trend]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    chart.lines[0].strokeColor = CRIME
    chart.lines[0].strokeWidth = 2
    d.add(chart)
    return d


def sentiment_trend(report: MonthlyReport, width: float = 500, height: float = 170) -> Drawing:
    """Hosts' average sentiment (1-5), last six months, one line per district (at most 6)."""
    d = Drawing(width, height)
    _title(d, "Sentiment at meetings (1 very negative - 5 very positive)", width, height)
    # A line needs two months with notes; districts without are left out of the chart.
    shown = [s for s in report.districts if sum(m.average is not None for m in s.sentiment_trend) >= 2][:6]
    if not shown:
        d.add(String(width / 2, height / 2, "Too few notes for a trend yet", fontSize=9, textAnchor="middle"))
        return d
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, width - 60, height - 60
    chart.data = [[m.average for m in s.sentiment_trend] for s in shown]
    chart.categoryAxis.categoryNames = [_short(m.month) for m in shown[0].sentiment_trend]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 1, 5
    chart.valueAxis.labels.fontSize = 8
    palette = [SENTIMENT, ENGAGEMENT, CRIME, colors.HexColor("#CC79A7"), colors.HexColor("#E69F00"), colors.black]
    for i in range(len(shown)):
        chart.lines[i].strokeColor = palette[i]
        chart.lines[i].strokeWidth = 1.5
    d.add(chart)
    return d


def all_charts(report: MonthlyReport, width: float = 500) -> list[Drawing]:
    """Engagement vs crime, top concerns, crime trend, sentiment trend (in that order)."""
    return [
        engagement_vs_crime(report, width),
        top_concerns(report, width),
        crime_trend(report, width),
        sentiment_trend(report, width),
    ]
