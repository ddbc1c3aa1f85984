"""The comparison rule (months/comparison.py) and the report that follows it: a month under way is
"so far" and compared like with like or not at all; small counts get no percentage; each chart has
one measure on one labelled axis, nothing drawn outside it, and no row of identical bars."""

from __future__ import annotations

import io
import re
from datetime import date

from dashboard.test_report_layout import MONTH, demo_month, one_district, squash
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing, Group, String

from porchlight.dashboard.months.comparison import Window, change, last_complete, ratio, versus
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.reports.rendering.charts import project_progress, top_row
from porchlight.dashboard.reports.rendering.html import render_html
from porchlight.dashboard.reports.rendering.pdf import render_pdf

MAY = Month.parse("2026-05")
FIFTH = date(2026, 5, 5)


def test_a_month_under_way_on_the_5th_compares_days_1_to_5() -> None:
    w = Window.of(MAY, FIFTH)
    assert w.under_way and w.days == 5 and w.through == date(2026, 5, 5) and w.end == date(2026, 5, 6)
    assert w.previous_month == (date(2026, 4, 1), date(2026, 4, 6))  # days 1-5 of April
    assert w.last_year == (date(2025, 5, 1), date(2025, 5, 6))  # days 1-5 of May 2025
    assert w.so_far == " so far" and w.span == "1-5 May 2026" and w.against == "the same days last month"


def test_a_whole_month_compares_whole_months() -> None:
    w = Window.of(MAY, date(2026, 6, 5))
    assert not w.under_way and w.days == 31 and w.so_far == ""
    assert w.previous_month == (date(2026, 4, 1), date(2026, 5, 1))
    assert w.last_year == (date(2025, 5, 1), date(2025, 6, 1))
    assert w.span == "May 2026" and w.against == "last month"


def test_the_31st_against_a_shorter_month_is_the_whole_of_it() -> None:
    w = Window.of(Month.parse("2026-03"), date(2026, 3, 31))
    assert w.under_way and w.previous_month == (date(2026, 2, 1), date(2026, 3, 1))
    assert Window.of(MAY, date(2026, 5, 1)).span == "1 May 2026"


def test_the_default_report_is_the_last_complete_month() -> None:
    assert last_complete(FIFTH) == Month.parse("2026-04")
    assert last_complete(date(2026, 1, 31)) == Month.parse("2025-12")


def test_counts_under_ten_never_get_a_percentage() -> None:
    assert change(7, 2) == "2 → 7"  # not "+250%"
    assert change(1, 6) == "6 → 1"
    assert change(12, 9) == "9 → 12"
    assert change(0, 12) == "12 → 0"
    assert change(5, 0) == "new" and change(3, 3) == "no change"
    assert change(22, 20) == "+10%" and change(10, 20) == "-50%"
    assert change(7.5, 2.0, unit=" h") == "2 → 7.5 h"
    for now in range(10):
        for before in range(1, 30):
            assert "%" not in change(now, before) and "%" not in change(before, now)
    assert ratio(7, 2) is None and ratio(0, 0) is None and ratio(11, 10) == 0.1


def test_figures_kept_per_month_are_not_compared_while_it_is_under_way() -> None:
    under_way, whole = Window.of(MAY, FIFTH), Window.of(MAY, date(2026, 6, 1))
    assert versus(under_way, 83, 612) == "612 in all of last month"
    assert versus(under_way, 83, 640, "last year") == "640 in all of May 2025"
    assert versus(whole, 550, 612) == "-10% vs last month"
    assert "%" not in versus(under_way, 83, 612)


def _strings(node: object) -> list[String]:
    if isinstance(node, String):
        return [node]
    out: list[String] = []
    if isinstance(node, (Drawing, Group)):
        for child in node.contents:
            out += _strings(child)
    elif hasattr(node, "draw"):  # a chart or a legend: what it draws
        out += _strings(node.draw())  # type: ignore[attr-defined]
    return out


def test_report_charts_one_labelled_unit_each_and_nothing_outside() -> None:
    report = demo_month()
    units = {"hours", "incidents", "notes that raised it", "projects", "rating, 1-5"}
    drawings = [*top_row(report, (131, 131, 131, 131), 100), project_progress(report, 270, 126)]
    drawings += top_row(one_district(report), (176, 176, 176), 100)
    for d in drawings:
        x0, y0, x1, y1 = d.getBounds()
        # Legends, titles and labels whole: within the drawing (an SVG clips what is outside).
        assert x0 >= 0 and y0 >= 0 and x1 <= d.width and y1 <= d.height, (d.getBounds(), d.width, d.height)
        texts = {s.text for s in _strings(d)}
        said = units & texts
        assert len(said) == 1, texts  # one measure, one axis, its unit written on it
    first = {s.text for s in _strings(top_row(report, (131,) * 4, 100)[0])}
    assert "hours" in first and "incidents" not in first  # hours never share an axis with counts


def test_identical_bars_become_a_sentence() -> None:
    report = demo_month()
    for s in report.districts:
        s.projects = s.projects.model_copy(update={"done": 1, "planned": 2, "overdue": 1})
    texts = [s.text for s in _strings(project_progress(report, 270, 126))]
    assert "Every district: 1 done, 2 open, 1 overdue" in texts


def test_the_report_of_a_month_under_way_says_so_far_and_compares_no_whole_month() -> None:
    report = demo_month()
    report.today = date(MONTH.start.year, MONTH.start.month, 5)
    text = squash(PdfReader(io.BytesIO(render_pdf(report))).pages[0].extract_text())
    assert "Community report — 1-5 October 2026 so far — Porchlight demo city" in text
    assert f"Crime incidents so far {report.crime_total:,}" in text
    assert f"{report.crime_previous_month:,} in all of last month" in text
    assert "vs last month" not in text and "vs last year" not in text
    assert "Crime so far All last month All Oct 2025" in text
    assert "vs the same days last month" in text  # concerns are counted by day: like with like
    # No percentage anywhere but on concerns compared with the same days.
    headline = text[: text.index("District by district")]
    assert not re.search(r"[+-]\d+%", headline), headline
    html = render_html(report)
    assert "1-5 October 2026 so far" in html and "Engagement hours so far" in html
    assert "vs last month" not in html.replace("vs the same days last month", "")

    report.today = None  # the same month seen once it is over: compared with whole months again
    text = squash(PdfReader(io.BytesIO(render_pdf(report))).pages[0].extract_text())
    assert "so far" not in text and "vs last month" in text
