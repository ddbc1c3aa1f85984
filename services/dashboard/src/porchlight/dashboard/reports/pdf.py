"""The monthly report as a PDF, laid out with reportlab's platypus (pure Python: no system
libraries, so it works from a clean ``make install``)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from porchlight.dashboard.reports.charts import all_charts
from porchlight.dashboard.reports.data import MonthlyReport
from porchlight.dashboard.reports.text import change, clip, headline, times, topic_name

_styles = getSampleStyleSheet()
H1 = ParagraphStyle("h1", parent=_styles["Heading1"], fontSize=16, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=12, spaceBefore=8, spaceAfter=3)
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontSize=9, leading=11.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
QUOTE = ParagraphStyle(
    "quote", parent=BODY, leftIndent=10, fontName="Helvetica-Oblique", textColor=colors.HexColor("#333333")
)
NOTE = ParagraphStyle("note", parent=SMALL, fontSize=7, leading=8.5, alignment=1)
DISTRICT = ParagraphStyle("district", parent=BODY, fontName="Helvetica-Bold", spaceBefore=4)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EEF4")),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9AA5B1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
    ]
)


def _p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def render_pdf(report: MonthlyReport) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        leftMargin=0.6 * inch,
        rightMargin=0.6 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.6 * inch,
        title=report.title,
        author="Porchlight",
        subject="Monthly community report",
    )
    story: list = [
        _p(report.title, H1),
        _p("Positive community engagement next to crime statistics.", SMALL),
        Spacer(1, 6),
    ]

    head = headline(report)
    story.append(
        Table(
            [
                [label for label, _, _ in head],
                [value for _, value, _ in head],
                [Paragraph(escape(note), NOTE) for _, _, note in head],
            ],
            colWidths=[doc.width / len(head)] * len(head),
            style=TableStyle(
                [
                    ("FONT", (0, 0), (-1, 0), "Helvetica", 8),
                    ("FONT", (0, 1), (-1, 1), "Helvetica-Bold", 16),
                    ("FONT", (0, 2), (-1, 2), "Helvetica", 7),
                    ("TEXTCOLOR", (0, 2), (-1, 2), colors.HexColor("#444444")),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("BOX", (0, 0), (-1, -1), 0.5, colors.HexColor("#9AA5B1")),
                    ("TOPPADDING", (0, 1), (-1, 1), 6),
                    ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
                ]
            ),
        )
    )
    story.append(Spacer(1, 8))
    half = doc.width / 2
    charts = all_charts(report, width=half - 4)
    pair = TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    story.append(Table([[charts[0], charts[1]]], colWidths=[half, half], style=pair))

    story.append(_p("District by district", H2))
    rows = [
        [
            "District",
            "Meetings",
            "Residents",
            "Hours",
            "Contacts",
            "Sentiment",
            "Projects done / open / overdue",
            "Wins",
            "Crime",
            "vs last month",
            "vs last year",
        ]
    ]
    for s in report.districts:
        e, pr, c = s.engagement, s.projects, s.crime
        rows.append(
            [
                s.code,
                f"{e.meetings_hosted:,}",
                f"{e.residents_reached:,}",
                f"{e.engagement_hours:,.0f}",
                f"{e.contacts:,}",
                f"{s.sentiment_average:.1f}" if s.sentiment_average is not None else "-",
                f"{pr.done} / {pr.planned} / {pr.overdue}",
                str(s.wins_count),
                f"{c.total:,}",
                change(c.total, c.previous_month),
                change(c.total, c.last_year),
            ]
        )
    head_style = ParagraphStyle("th", parent=SMALL, fontName="Helvetica-Bold", fontSize=7, leading=8)
    rows[0] = [Paragraph(escape(h), head_style) for h in rows[0]]
    widths = [0.1, 0.09, 0.09, 0.07, 0.08, 0.09, 0.13, 0.06, 0.07, 0.11, 0.11]
    story.append(Table(rows, repeatRows=1, style=GRID, colWidths=[w * doc.width for w in widths]))
    story.append(Spacer(1, 6))
    story.append(Table([[charts[2], charts[3]]], colWidths=[half, half], style=pair))

    story.append(_p("What residents told us, and what was done", H2))
    for s in report.districts:
        block: list = [_p(s.name, DISTRICT)]
        if not s.concerns:
            block.append(_p("No notes filed this month.", SMALL))
        for concern in s.concerns:
            trend = change(concern.count, concern.previous_count)
            block.append(_p(f"{topic_name(concern.topic)} — raised {times(concern.count)} ({trend} vs last month)"))
            if concern.quote:
                block.append(_p(f"“{clip(concern.quote)}”", QUOTE))
        for w in s.wins:
            block.append(_p(f"Win: {w.title}", SMALL))
        crimes = ", ".join(f"{cat.category} {cat.count}" for cat in s.crime.by_category[:3])
        if crimes:
            block.append(_p(f"Most frequent incidents: {crimes}.", SMALL))
        story.append(KeepTogether(block))
    story.append(Spacer(1, 8))
    story.append(
        _p(
            "Engagement counts positive community activity only (micro-meetings and logged contacts), "
            "kept apart from patrol and enforcement. Quotes are residents' own words with personal "
            "data removed. Crime counts are incidents imported from the records system, by the month "
            "they occurred.",
            SMALL,
        )
    )
    doc.build(story)
    return buf.getvalue()
