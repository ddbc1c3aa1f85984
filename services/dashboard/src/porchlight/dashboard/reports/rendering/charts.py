"""The report's charts as reportlab drawings: drawn into the PDF as vectors, and turned into
inline SVG for the HTML (one chart code for both; no browser, no matplotlib needed).

They are small (a third of a page wide) so the whole report fits on one page: titles 8 pt,
axis labels 7 pt (readable in print).
"""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from porchlight.dashboard.reports.rendering.report import MonthlyReport

# Colour-blind-safe (Okabe-Ito), readable in greyscale print too.
ENGAGEMENT = colors.HexColor("#0072B2")
CRIME = colors.HexColor("#D55E00")
SENTIMENT = colors.HexColor("#009E73")
OPEN = colors.HexColor("#56B4E9")
LABEL = 7  # pt: the smallest text on the page


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _letter(month: str) -> str:
    """``2026-11`` -> ``N``: twelve months fit a third of a page at 7 pt (the title gives the span)."""
    return "JFMAMJJASOND"[int(month.split("-")[1]) - 1]


def _span(months: list[str]) -> str:
    """``['2025-12', ..., '2026-11']`` -> ``Dec 25 - Nov 26``."""

    def name(m: str) -> str:
        y, mm = m.split("-")
        return f"{_MONTHS[int(mm) - 1]} {y[2:]}"

    return f"{name(months[0])} - {name(months[-1])}" if months else ""


def _title(d: Drawing, text: str, width: float, height: float) -> None:
    # Smaller (down to the page's smallest, 7 pt) rather than cut off at the drawing's edge.
    size = max(LABEL, min(8.0, 8.0 * (width - 4) / stringWidth(text, "Helvetica-Bold", 8)))
    d.add(String(width / 2, height - 9, text, fontName="Helvetica-Bold", fontSize=size, textAnchor="middle"))


def _fit_label(text: str, room: float) -> str:
    """A category label shortened (with an ellipsis) to ``room`` points, so none runs off the drawing."""
    if stringWidth(text, "Helvetica", LABEL) <= room:
        return text
    while text and stringWidth(text + "…", "Helvetica", LABEL) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def _empty(d: Drawing, text: str, width: float, height: float) -> Drawing:
    d.add(String(width / 2, height / 2, text, fontSize=LABEL, textAnchor="middle"))
    return d


def _legend(d: Drawing, x: float, y: float, pairs: list[tuple[colors.Color, str]]) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontSize = LABEL
    legend.dx = legend.dy = 6
    legend.deltax = 8
    legend.colorNamePairs = pairs
    d.add(legend)


def _counts_axis(chart: object, top: float) -> None:
    """From 0; whole numbers when the counts are small (no "0.005 incidents" on an empty month)."""
    axis = chart.valueAxis  # type: ignore[attr-defined]
    axis.valueMin = 0
    if top < 5:
        axis.valueMax, axis.valueStep = 5, 1


def _unit(d: Drawing, x: float, y: float, text: str) -> None:
    """The value axis' unit, written above its top end (one unit per axis, always said)."""
    d.add(String(x, y, text, fontSize=LABEL, textAnchor="start", fillColor=colors.HexColor("#444444")))


def _by_district(
    report: MonthlyReport, values: list[float], title: str, unit: str, colour: colors.Color, width: float, height: float
) -> Drawing:
    """One measure per district as upright bars, on its own axis labelled with its unit."""
    d = Drawing(width, height)
    _title(d, title, width, height)
    codes = [s.code for s in report.districts]
    upright = len(codes) <= 8 and max(stringWidth(c, "Helvetica", LABEL) for c in codes) * len(codes) < width - 40
    # Codes too many or too long to sit side by side stand on end: the plot starts above them.
    below = 10 if upright else max(stringWidth(c, "Helvetica", LABEL) for c in codes) + 4
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 24, 16 + below - 12, width - 30, height - 36 - below + 12
    chart.data = [values]
    chart.categoryAxis.categoryNames = codes
    chart.categoryAxis.labels.fontSize = LABEL
    chart.categoryAxis.labels.angle = 0 if upright else 90
    chart.categoryAxis.labels.boxAnchor = "n" if upright else "e"
    _counts_axis(chart, max(values, default=0))
    chart.valueAxis.labels.fontSize = LABEL
    chart.valueAxis.maximumTicks = 5
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.bars[0].fillColor = colour
    chart.bars.strokeWidth = 0
    chart.groupSpacing = 3
    d.add(chart)
    _unit(d, 2, chart.y + chart.height + 3, unit)
    return d


def _unit_below(d: Drawing, chart: object, text: str) -> None:
    """A horizontal chart's unit, under the right end of its value axis (below the tick labels)."""
    right = chart.x + chart.width  # type: ignore[attr-defined]
    d.add(String(right, chart.y - 19, text, fontSize=LABEL, textAnchor="end", fillColor=colors.HexColor("#444444")))  # type: ignore[attr-defined]


def engagement_by_district(report: MonthlyReport, width: float = 160, height: float = 120) -> Drawing:
    """Engagement hours per district (hours only: crime counts have a chart of their own)."""
    values = [s.engagement.engagement_hours for s in report.districts]
    title = f"Engagement hours{report.window.so_far}"
    return _by_district(report, values, title, "hours", ENGAGEMENT, width, height)


def crime_by_district(report: MonthlyReport, width: float = 160, height: float = 120) -> Drawing:
    """Crime incidents per district (a count: never on the same axis as hours)."""
    values: list[float] = [s.crime.total for s in report.districts]
    title = f"Crime incidents{report.window.so_far}"
    return _by_district(report, values, title, "incidents", CRIME, width, height)


def top_concerns(report: MonthlyReport, width: float = 160, height: float = 120, n: int = 6) -> Drawing:
    """The city's (or the district's) most raised topics this month."""
    # Notes per topic, named as synthesis names it (each district's notes are its own: they add up).
    counts: dict[str, int] = {}
    # Each topic's notes allowing for the model's mistakes (pages/repository.py), where estimated:
    # the districts' estimates and the ends of their ranges add up (a sum of 90 % ranges is wider
    # than the sum's own: it errs on the side of doubt).
    ranges: dict[str, list[int]] = {}
    for s in report.districts:
        for c in s.concerns:
            counts[c.label] = counts.get(c.label, 0) + c.count
            if c.estimate is not None:
                low, high = ranges.get(c.label, [0, 0])
                ranges[c.label] = [low + c.estimate.low, high + c.estimate.high]
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n][::-1]
    d = Drawing(width, height)
    _title(d, f"Concerns raised most{report.window.so_far}", width, height)
    if not top:
        return _empty(d, "No concerns filed this month", width, height)
    chart = HorizontalBarChart()
    room = width * 0.55 - 6
    names = [_fit_label(label, room) for label, _ in top]
    label_width = max(stringWidth(n, "Helvetica", LABEL) for n in names)
    chart.x, chart.y, chart.height = min(width * 0.55, label_width + 6), 22, height - 36
    chart.width = width - chart.x - 6
    chart.data = [[n for _, n in top]]
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.labels.fontSize = LABEL
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = LABEL
    chart.valueAxis.maximumTicks = 4
    whiskers = [ranges.get(label) for label, _ in top]
    highest = max([n for _, n in top] + [w[1] for w in whiskers if w])
    _counts_axis(chart, highest)
    if any(whiskers) and highest >= 5:
        chart.valueAxis.valueMax = highest  # a known scale, so each range is drawn where it belongs
    chart.bars[0].fillColor = ENGAGEMENT
    chart.bars.strokeWidth = 0
    d.add(chart)
    if any(whiskers):
        _ranges(d, chart, whiskers)
    _unit_below(d, chart, "notes that raised it")
    if any(whiskers):  # what the lines are, at the other end of the unit's line
        d.add(String(2, chart.y - 19, "line: 90 % range", fontSize=LABEL, fillColor=colors.HexColor("#444444")))
    return d


def _ranges(d: Drawing, chart: HorizontalBarChart, whiskers: list[list[int] | None]) -> None:
    """Each bar's 90 % range allowing for the model's mistakes, as a line with ends across its bar."""
    top = chart.valueAxis.valueMax
    slot = chart.height / len(whiskers)
    for i, w in enumerate(whiskers):
        if not w:
            continue
        y = chart.y + (i + 0.5) * slot
        x0, x1 = (chart.x + chart.width * v / top for v in w)
        for line in ((x0, y, x1, y), (x0, y - 2.5, x0, y + 2.5), (x1, y - 2.5, x1, y + 2.5)):
            d.add(Line(*line, strokeColor=colors.HexColor("#222222"), strokeWidth=0.8))


def crime_trend(report: MonthlyReport, width: float = 160, height: float = 120) -> Drawing:
    """Crime incidents over the last twelve months: whole months only. A month under way is left
    out of the line (its few days would plunge it) and its count so far is said in the title."""
    d = Drawing(width, height)
    months = report.crime_trend
    if report.window.under_way and months and months[-1].month == report.month.label:
        months = months[:-1]
    _title(d, f"Crime incidents, {_span([m.month for m in months])}", width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 26, 16, width - 32, height - 42
    chart.data = [[m.count for m in months]]
    chart.categoryAxis.categoryNames = [_letter(m.month) for m in months]
    chart.categoryAxis.labels.fontSize = LABEL
    _counts_axis(chart, max((m.count for m in months), default=0))
    _unit(d, 2, chart.y + chart.height + 3, "incidents")
    chart.valueAxis.labels.fontSize = LABEL
    chart.valueAxis.maximumTicks = 5
    chart.lines[0].strokeColor = CRIME
    chart.lines[0].strokeWidth = 1.5
    d.add(chart)
    return d


def sentiment_trend(report: MonthlyReport, width: float = 160, height: float = 120) -> Drawing:
    """Hosts' average sentiment (1-5), last six months, one line per district (at most 6)."""
    d = Drawing(width, height)
    # A line needs two months with notes; districts without are left out of the chart.
    shown = [s for s in report.districts if sum(m.average is not None for m in s.sentiment_trend) >= 2][:6]
    months = [m.month for m in report.districts[0].sentiment_trend]
    _title(d, f"Sentiment at meetings, {_span(months)}", width, height)
    if not shown:
        return _empty(d, "Too few notes for a trend yet", width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 20, 16, width - 26, height - 42
    _unit(d, 2, chart.y + chart.height + 3, "rating, 1-5")
    chart.data = [[m.average for m in s.sentiment_trend] for s in shown]
    chart.categoryAxis.categoryNames = [_letter(m.month) for m in shown[0].sentiment_trend]
    chart.categoryAxis.labels.fontSize = LABEL
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 1, 5, 1
    chart.valueAxis.labels.fontSize = LABEL
    palette = [SENTIMENT, ENGAGEMENT, CRIME, colors.HexColor("#CC79A7"), colors.HexColor("#E69F00"), colors.black]
    for i in range(len(shown)):
        chart.lines[i].strokeColor = palette[i]
        chart.lines[i].strokeWidth = 1.5
    d.add(chart)
    return d


def project_progress(report: MonthlyReport, width: float = 260, height: float = 120) -> Drawing:
    """Micro-projects per district: done, open and overdue (stacked)."""
    d = Drawing(width, height)
    _title(d, "Micro-projects by district", width, height)
    if not any(s.projects.done + s.projects.planned + s.projects.overdue for s in report.districts):
        return _empty(d, "No micro-projects yet", width, height)
    rows = {(s.projects.done, s.projects.planned, s.projects.overdue) for s in report.districts}
    if len(rows) == 1:
        # Every district the same (the demo city gives each one the same four projects): a row of
        # identical bars says nothing a sentence does not say better.
        done, open_, overdue = rows.pop()
        return _empty(d, f"Every district: {done} done, {open_} open, {overdue} overdue", width, height)
    sections = report.districts[::-1]  # the first district on top
    chart = HorizontalBarChart()
    codes_width = max(stringWidth(s.code, "Helvetica", LABEL) for s in sections) + 6
    chart.x, chart.y, chart.width, chart.height = codes_width, 30, width - codes_width - 8, height - 44
    chart.data = [
        [s.projects.done for s in sections],
        [s.projects.planned for s in sections],
        [s.projects.overdue for s in sections],
    ]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [s.code for s in sections]
    chart.categoryAxis.labels.fontSize = LABEL
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = LABEL
    chart.valueAxis.maximumTicks = 6
    for i, colour in enumerate((SENTIMENT, OPEN, CRIME)):
        chart.bars[i].fillColor = colour
    chart.bars.strokeWidth = 0
    chart.barSpacing = 0
    chart.groupSpacing = 1.5
    d.add(chart)
    _unit_below(d, chart, "projects")
    # A legend's y is its top row's: high enough that its swatches sit inside the drawing.
    _legend(d, codes_width, 9, [(SENTIMENT, "Done"), (OPEN, "Open"), (CRIME, "Overdue")])
    return d


def is_city(report: MonthlyReport) -> bool:
    return len(report.districts) > 1


def top_row(report: MonthlyReport, widths: tuple[float, ...], height: float) -> list[Drawing]:
    """The charts under the headline, each one measure on one labelled axis: for the city (four
    widths) engagement hours and crime incidents by district, the concerns raised most and the
    crime trend; for one district (three), its concerns, crime and sentiment."""
    if is_city(report):
        a, b, c, e = widths
        return [
            engagement_by_district(report, a, height),
            crime_by_district(report, b, height),
            top_concerns(report, c, height),
            crime_trend(report, e, height),
        ]
    a, b, c = widths[:3]
    return [top_concerns(report, a, height), crime_trend(report, b, height), sentiment_trend(report, c, height)]
