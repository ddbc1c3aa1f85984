"""The monthly report as a one-page PDF, laid out with reportlab's platypus (pure Python: no
system libraries, so it works from a clean ``make install``).

One page a council member reads in two minutes (issue 6): the month's numbers, three small
charts, one row per district (engagement, the top concern with a resident's words, projects,
wins, crime and its change), the wins and the projects' progress in a strip, and a footnote
saying what each figure counts. Nothing is smaller than 7 pt.

The page is filled from the most generous layout down: if a month has more to say than fits
(long quotes, many wins), the next layout shortens the quotes and the lists until it fits. A
city with far more districts than a page holds gets the most compact layout over more pages.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from porchlight.dashboard.reports.rendering.charts import LABEL, is_city, project_progress, top_row
from porchlight.dashboard.reports.rendering.report import DistrictSection, MonthlyReport
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

INK = colors.HexColor("#1B1F24")
MUTED = colors.HexColor("#444444")
RULE = colors.HexColor("#9AA5B1")
HEAD_BG = colors.HexColor("#E8EEF4")

TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=12.5, leading=14.5, textColor=INK)
LEDE = ParagraphStyle("lede", fontName="Helvetica", fontSize=LABEL + 0.5, leading=9, textColor=MUTED)
H2 = ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=9, leading=11, spaceBefore=4, spaceAfter=2)
CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=LABEL, leading=8.2, textColor=INK)
CELL_B = ParagraphStyle("cellb", parent=CELL, fontName="Helvetica-Bold")
CELL_R = ParagraphStyle("cellr", parent=CELL, alignment=2)
TH = ParagraphStyle("th", parent=CELL, fontName="Helvetica-Bold", leading=8)
TH_R = ParagraphStyle("thr", parent=TH, alignment=2)
NOTE = ParagraphStyle("note", parent=CELL, textColor=MUTED)
FIG_LABEL = ParagraphStyle("figl", parent=CELL, alignment=1)
FIG_VALUE = ParagraphStyle("figv", fontName="Helvetica-Bold", fontSize=14, leading=16, alignment=1, textColor=INK)
FIG_NOTE = ParagraphStyle("fign", parent=NOTE, alignment=1)

MARGIN = 0.5 * inch


@dataclass(frozen=True)
class Layout:
    """How much of each quote and list a page gets (tried in order until the report fits)."""

    lines: int  # lines of a resident's quote in a district's row (the district report: twice that)
    also: bool  # the district's next concerns after the top one
    chart_height: float
    wins: int
    names: bool = True  # the district's name beside its code (the code alone when pressed)


LAYOUTS = (
    Layout(lines=2, also=True, chart_height=112, wins=8),
    Layout(lines=1, also=True, chart_height=110, wins=8),
    Layout(lines=1, also=True, chart_height=100, wins=6),
    Layout(lines=1, also=False, chart_height=92, wins=5),
    Layout(lines=1, also=False, chart_height=84, wins=4),
    Layout(lines=1, also=False, chart_height=84, wins=3, names=False),
)


def fit(text: str, width: float, lines: int = 1, font: str = "Helvetica-Oblique", size: float = LABEL) -> str:
    """``text`` clipped at a word (text.clip) to what ``lines`` lines of ``width`` points hold."""
    # Wrapping at words wastes the end of each line but the last: leave room for it.
    budget = width * lines - (lines - 1) * 0.12 * width
    if stringWidth(text, font, size) <= budget:
        return text
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if stringWidth(clip(text, mid), font, size) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return clip(text, lo)


def _p(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def _numbers(report: MonthlyReport, width: float) -> Table:
    head = headline(report)
    cells = [[_p(label, FIG_LABEL), _p(value, FIG_VALUE), _p(note, FIG_NOTE)] for label, value, note in head]
    return Table(
        [cells],
        colWidths=[width / len(head)] * len(head),
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("LINEBEFORE", (1, 0), (-1, 0), 0.25, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        ),
    )


def _charts(report: MonthlyReport, width: float, height: float) -> Table:
    widths = (width / 4,) * 4 if is_city(report) else (width / 3,) * 3
    drawings = top_row(report, tuple(w - 4 for w in widths), height)
    return Table(
        [drawings],
        colWidths=list(widths),
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]),
    )


def _top_concern(s: DistrictSection) -> Paragraph:
    if not s.concerns:
        return _p("No notes filed this month.", NOTE)
    top = s.concerns[0]
    return Paragraph(
        f"<b>{escape(top.label)}</b> {escape(in_notes(top.count))} ({escape(change(top.count, top.previous_count))})",
        CELL,
    )


def _words(s: DistrictSection, layout: Layout, width: float) -> Paragraph | str:
    """The second line of a district's row: a resident's words on its top concern, then the next concerns."""
    also = ""
    if layout.also and len(s.concerns) > 1:
        also = f"Also raised: {', '.join(c.label for c in s.concerns[1:3])}."
    parts = []
    # The top concern's estimate opens the line (a longer concern cell would wrap every row).
    estimated = f"{about(s.concerns[0]).capitalize()}." if s.concerns and s.concerns[0].estimate else ""
    if estimated:
        parts.append(escape(estimated))
    if s.concerns and s.concerns[0].quote:
        room = width - 4 - stringWidth(f"{estimated} “” {also}", "Helvetica", LABEL)
        parts.append(f"<i>“{escape(fit(s.concerns[0].quote, room, layout.lines))}”</i>")
    if also:
        parts.append(f'<font color="#444444">{escape(also)}</font>')
    return Paragraph(" ".join(parts), CELL) if parts else ""


def _district_label(s: DistrictSection, layout: Layout) -> str:
    name = short_name(s) if layout.names else ""
    return f"<b>{escape(s.code)}</b> {escape(name)}".strip()


CITY_COLUMNS: list[tuple[str, float, bool]] = [
    # (header, width in points, right-aligned); the concern column takes what is left.
    ("District", 64, False),
    ("Meetings", 36, True),
    ("Residents reached", 40, True),
    ("Engage- ment hours", 34, True),
    ("Positive contacts", 33, True),
    ("Senti- ment (1-5)", 30, True),
    ("Top concern (vs last month)", 0, False),
    ("Projects done / open / overdue", 46, True),
    ("Wins", 22, True),
    ("Crime", 26, True),
    ("vs last month", 30, True),
    ("vs last year", 30, True),
]
CONCERN_COLUMN = 6


def _district_table(report: MonthlyReport, width: float, layout: Layout) -> Table:
    """Two lines per district: its figures and top concern, then a resident's words across the row."""
    # The district column as wide as its longest "code name" (within reason), the concern column the rest.
    labels = [_district_label(s, layout) for s in report.districts]
    longest = max(stringWidth(re.sub(r"<[^>]+>", "", t), "Helvetica-Bold", LABEL) for t in labels)
    columns = [(h, min(max(w, longest + 6), 110) if i == 0 else w, r) for i, (h, w, r) in enumerate(CITY_COLUMNS)]
    fixed = sum(w for _, w, _ in columns)
    widths = [w or (width - fixed) for _, w, _ in columns]
    heads = [h for h, _, _ in CITY_COLUMNS]
    heads[CONCERN_COLUMN] = f"Top concern ({concern_header(report)})"
    heads[-3:] = crime_columns(report)
    aligned = zip(heads, CITY_COLUMNS, strict=True)
    rows: list[list[Any]] = [[_p(h, TH_R if right else TH) for h, (_, _, right) in aligned]]
    style: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.25, RULE),
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    for s in report.districts:
        e, pr = s.engagement, s.projects
        first = len(rows)
        rows.append(
            [
                Paragraph(labels[len(rows) // 2], CELL),
                _p(f"{e.meetings_hosted:,}", CELL_R),
                _p(f"{e.residents_reached:,}", CELL_R),
                _p(hours(e.engagement_hours), CELL_R),
                _p(f"{e.contacts:,}", CELL_R),
                _p(f"{s.sentiment_average:.1f}" if s.sentiment_average is not None else "-", CELL_R),
                _top_concern(s),
                _p(f"{pr.done} / {pr.planned} / {pr.overdue}", CELL_R),
                _p(str(s.wins_count), CELL_R),
                *(_p(cell, CELL_R) for cell in crime_cells(report, s)),
            ]
        )
        rows.append(["", _words(s, layout, width - widths[0])] + [""] * (len(CITY_COLUMNS) - 2))
        style += [
            ("SPAN", (0, first), (0, first + 1)),
            ("SPAN", (1, first + 1), (-1, first + 1)),
            ("TOPPADDING", (1, first + 1), (-1, first + 1), 0),
            ("LINEBELOW", (0, first + 1), (-1, first + 1), 0.25, RULE),
        ]
        if len(report.districts) > 1 and (first // 2) % 2 == 0:
            style.append(("BACKGROUND", (0, first), (-1, first + 1), colors.HexColor("#F6F8FA")))
    return Table(rows, colWidths=widths, repeatRows=1, style=TableStyle(style))


def _concern_table(report: MonthlyReport, width: float, layout: Layout) -> Table:
    """One district: each of its top concerns with a resident's words."""
    (s,) = report.districts
    heads = (("Concern", TH), ("Notes", TH_R), (concern_header(report), TH_R), ("In residents' words", TH))
    rows: list[list[Any]] = [[_p(h, style) for h, style in heads]]
    words = width - 190 - 4
    for concern in s.concerns:
        rows.append(
            [
                _p(concern.label, CELL_B),
                Paragraph(
                    f"{concern.count:,}" + (f"<br/>{escape(about(concern))}" if concern.estimate else ""), CELL_R
                ),
                _p(change_cell(concern.count, concern.previous_count), CELL_R),
                Paragraph(f"<i>“{escape(fit(concern.quote, words - 8, 2 * layout.lines))}”</i>", CELL)
                if concern.quote
                else "",
            ]
        )
    if not s.concerns:
        rows.append([_p("No notes filed this month.", NOTE), "", "", ""])
    return Table(
        rows,
        colWidths=[100, 40, 50, width - 190],
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )


def _strip(report: MonthlyReport, width: float, layout: Layout) -> Table:
    """Wins and the footnote beside the projects' progress and the most frequent incidents."""
    wins = wins_list(report, layout.wins)
    total_wins = sum(s.wins_count for s in report.districts)
    left: list[Any] = [_p(f"Wins this month ({total_wins})", H2)]
    if wins:
        for code, title in wins:
            left.append(Paragraph(f"<b>{escape(code)}</b> {escape(title)}", CELL))
        if total_wins > len(wins):
            left.append(_p(f"… and {total_wins - len(wins)} more", NOTE))
    else:
        left.append(_p("No wins published this month.", NOTE))
    left += [Spacer(1, 6), _p(footnote(report), NOTE)]  # the strip's left side has room for the footnote
    right: list[Any] = [_p("Project progress", H2), _p(progress_line(report), CELL)]
    incidents = top_incidents(report)
    if incidents:
        right.append(_p(f"Most frequent incidents: {incidents}.", NOTE))
    half = width / 2
    if is_city(report):
        right.append(project_progress(report, half - 8, max(70, 7.5 * len(report.districts) + 36)))
    return Table(
        [[left, right]],
        colWidths=[half, half],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (0, 0), 0),
                ("LINEBEFORE", (1, 0), (1, 0), 0.25, RULE),
            ]
        ),
    )


def _story(report: MonthlyReport, width: float, layout: Layout) -> list[Any]:
    story: list[Any] = [
        _p(report.title, TITLE),
        _p(period_note(report), LEDE),
        Spacer(1, 4),
        _numbers(report, width),
        Spacer(1, 3),
        _charts(report, width, layout.chart_height),
    ]
    if is_city(report):
        story += [_p("District by district", H2), _district_table(report, width, layout)]
    else:
        story += [_p("What residents raised", H2), _concern_table(report, width, layout)]
    story += [Spacer(1, 3), _strip(report, width, layout)]
    return story


def _build(report: MonthlyReport, layout: Layout) -> tuple[bytes, int]:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=report.title,
        author="Porchlight",
        subject="Monthly community report",
    )
    doc.build(_story(report, doc.width, layout))
    return buf.getvalue(), doc.page


def render_pdf(report: MonthlyReport) -> bytes:
    """The report on one page: the first layout that fits (the last one, over pages, if none does)."""
    pdf = b""
    for layout in LAYOUTS:
        pdf, pages = _build(report, layout)
        if pages == 1:
            break
    return pdf
