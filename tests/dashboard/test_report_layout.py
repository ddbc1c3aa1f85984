"""The monthly report's layout: a demo-sized month for the whole city (12 districts, long real
resident texts, several wins) is ONE page at 7 pt or more; a district's report too; the HTML says
the same; quotes are shortened at a word and stay exact prefixes of the redacted text."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import random
import re
import time
import uuid
from datetime import UTC, datetime
from html import unescape

from pypdf import PdfReader
from reportlab.graphics.shapes import Line
from reportlab.lib import colors

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages.schemas import (
    Concern,
    ConcernEstimate,
    Crime,
    CrimeCategory,
    CrimeMonth,
    Engagement,
    Projects,
    SentimentMonth,
    Win,
)
from porchlight.dashboard.pages.service import _sum
from porchlight.dashboard.reports.rendering.charts import top_concerns
from porchlight.dashboard.reports.rendering.html import render_html
from porchlight.dashboard.reports.rendering.pdf import render_pdf
from porchlight.dashboard.reports.rendering.report import DistrictSection, MonthlyReport
from porchlight.dashboard.reports.rendering.text import clip
from porchlight.kit.city import DEMO_CITY, load_city

MONTH = Month.parse("2026-10")
TOPICS = ["speeding_traffic", "police_enforcement_safety", "property_code", "transit_scooters", "parks",
          "roads_sidewalks", "trash_dumping", "street_lighting", "animals_pests", "noise"]  # fmt: skip
WINS = [
    "Streetlights on Main Street fixed after residents asked",
    "Bushes trimmed at Ramsay Park so the path is visible at night",
    "Tuesday foot patrol along Blue Hill Avenue started",
    "Crosswalk repainted by the elementary school",
    "Abandoned car towed from the corner of Elm and Third",
    "Youth basketball night at the community centre",
    "Graffiti removed from the underpass",
    "Speed humps installed on Adams Street",
    "Dumped mattresses cleared from the alley",
]


def resident_texts() -> list[str]:
    """The demo's real resident texts (shipped with the dashboard), longest first: the hardest case."""
    from porchlight.dashboard.demo.service import TEXTS as path

    with path.open(encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    return sorted(texts, key=len, reverse=True)


def demo_month(rng: random.Random | None = None) -> MonthlyReport:
    """A month like `porchlight demo load` gives the 12-district demo city, at its wordiest."""
    rng = rng or random.Random(7)
    city = load_city(DEMO_CITY)
    texts = resident_texts()
    months = [MONTH.shift(k - 11).label for k in range(12)]
    sections = []
    for i, d in enumerate(city.districts):
        meetings = rng.randint(18, 30)
        contact_hours = round(rng.uniform(40, 140), 1)
        meeting_hours = round(meetings * rng.choice([45, 60, 75, 90, 120]) / 60, 1)
        engagement = Engagement(
            meetings_hosted=meetings, meetings_upcoming=rng.randint(0, 4), notes=meetings,
            residents_reached=meetings * 6 + 300, residents_at_meetings=meetings * 6, residents_via_contacts=300,
            contacts=rng.randint(80, 140), contact_hours=contact_hours, meeting_hours=meeting_hours,
            engagement_hours=round(contact_hours + meeting_hours, 1), contacts_previous_month=100,
            engagement_hours_previous_month=120.0,
        )  # fmt: skip
        concerns = [
            Concern(topic=(t := TOPICS[(i + k) % len(TOPICS)]), label=t.replace("_", " ").capitalize(),
                    count=20 - 5 * k, previous_count=14, trend="up", share=0.3,
                    quote=texts[(3 * i + k) % len(texts)])
            for k in range(3)
        ]  # fmt: skip
        trend = [
            SentimentMonth(month=m, notes=20, average=round(rng.uniform(2.5, 4.2), 1), positive=8, neutral=6,
                           negative=6)
            for m in months[-6:]
        ]  # fmt: skip
        wins = [
            Win(update_id=uuid.uuid4(), title=WINS[(i + k) % len(WINS)], body="You said, we did.", neighborhood=None,
                published_at=datetime(2026, 10, 3 + i + k, tzinfo=UTC), project_id=None)
            for k in range(2 if i % 3 == 0 else 1 if i % 3 == 1 else 0)
        ]  # fmt: skip
        total = rng.randint(150, 420)
        crime = Crime(
            total=total, previous_month=total - 12, last_year=total + 30, change_vs_previous_month=0.05,
            change_vs_last_year=-0.07,
            by_category=[CrimeCategory(category=c, nibrs_code=None, count=n, previous_month=n, last_year=n)
                         for c, n in (("Larceny/theft", 90), ("Motor vehicle theft", 40), ("Vandalism", 30))],
            trend=[CrimeMonth(month=m, count=total + rng.randint(-40, 40)) for m in months],
        )  # fmt: skip
        projects = Projects(planned=rng.randint(3, 9), in_progress=2, blocked=1, overdue=rng.randint(0, 3),
                            done=rng.randint(4, 12), done_in_month=rng.randint(1, 4), by_remedy_kind={})  # fmt: skip
        section = DistrictSection(
            code=d.code, name=d.name, engagement=engagement, concerns=concerns, sentiment_average=trend[-1].average,
            sentiment_trend=trend, projects=projects, wins=wins, wins_count=len(wins), crime=crime,
        )  # fmt: skip
        sections.append(section)
    return MonthlyReport(
        place=city.name,
        month=MONTH,
        totals=_sum([s.engagement for s in sections]),
        crime_total=sum(s.crime.total for s in sections),
        crime_previous_month=sum(s.crime.previous_month for s in sections),
        crime_last_year=sum(s.crime.last_year for s in sections),
        districts=sections,
        crime_trend=[
            CrimeMonth(month=m, count=sum(s.crime.trend[k].count for s in sections)) for k, m in enumerate(months)
        ],
    )


def one_district(report: MonthlyReport, k: int = 3) -> MonthlyReport:
    s = report.districts[k]
    return MonthlyReport(
        place=s.name, month=report.month, totals=s.engagement, crime_total=s.crime.total,
        crime_previous_month=s.crime.previous_month, crime_last_year=s.crime.last_year, districts=[s],
        crime_trend=s.crime.trend,
    )  # fmt: skip


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def smallest_font(pdf: bytes) -> float:
    """The smallest text size on the page, in points (font size x the text and page matrices)."""
    sizes: list[float] = []

    def seen(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            sizes.append(size * math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3]))  # rotated labels too

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=seen)
    return min(sizes)


def test_the_whole_city_report_is_one_page_and_carries_the_figures() -> None:
    report = demo_month()
    started = time.perf_counter()
    pdf = render_pdf(report)
    took = time.perf_counter() - started
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert took < 5  # issue 6: the whole city's PDF under 5 s (gathering included, see bench/report_pdf.py)
    assert smallest_font(pdf) >= 7 - 1e-6
    text = squash(reader.pages[0].extract_text())
    assert "Community report — October 2026 — Porchlight demo city" in text
    t = report.totals
    assert f"Meetings hosted {t.meetings_hosted:,}" in text
    assert f"Engagement hours {t.engagement_hours:,.1f}" in text
    assert f"Crime incidents {report.crime_total:,}" in text
    for s in report.districts:
        e, c = s.engagement, s.crime
        # One row per district: its engagement figures, and its crime beside them.
        name = s.name[s.name.index("(") + 1 : -1]
        row = (
            f"{s.code} {name} {e.meetings_hosted} {e.residents_reached} {e.engagement_hours:,.1f} {e.contacts} "
            f"{s.sentiment_average:.1f}"
        )
        assert row in text, row
        assert f"{s.projects.done} / {s.projects.planned} / {s.projects.overdue} {s.wins_count} {c.total}" in text
        # The top concern and the beginning of a resident's own words (the full text is long).
        top = s.concerns[0]
        assert top.topic.replace("_", " ").capitalize() in text
        quoted = re.search(r"“([^”]*)…”", text[text.index(f"{s.code} {name}") :])
        assert quoted, s.code
        assert squash(top.quote or "").startswith(quoted.group(1)), (quoted.group(1), top.quote)
        assert len(quoted.group(1)) >= 30  # still a real quote
    assert "Wins this month (" + str(sum(s.wins_count for s in report.districts)) + ")" in text
    assert "Streetlights on Main Street fixed after residents asked" in text
    assert "micro-projects done this month" in text
    assert "60 minutes when none was given" in text


def test_the_html_report_says_what_the_pdf_says() -> None:
    report = demo_month()
    html = render_html(report)
    pdf_text = squash(PdfReader(io.BytesIO(render_pdf(report))).pages[0].extract_text())
    assert html.count("<svg") == 5  # four charts on top (hours and incidents each on its own axis), projects below
    body = squash(unescape(re.sub(r"<[^>]+>", " ", html.split("<body>")[1])))
    for s in report.districts:
        row = f"{s.code} {s.name[s.name.index('(') + 1 : -1]} "
        e = s.engagement
        assert f"{row}{e.meetings_hosted} {e.residents_reached} {e.engagement_hours:,.1f} {e.contacts}" in body
        quote = re.search(r"“([^”]*)”", body[body.index(row) :])
        assert quote and (s.concerns[0].quote or "").startswith(quote.group(1).removesuffix("…"))
        # The same quote in both (the HTML has room for more of it, never different words).
        pdf_quote = re.search(r"“([^”]*)…”", pdf_text[pdf_text.index(row) :])
        assert pdf_quote and squash(quote.group(1)).startswith(pdf_quote.group(1))
    assert "60 minutes when none was given" in body
    assert "http://" not in html.split("<body>")[1].split("<svg")[0]  # no external asset


def test_a_district_report_is_one_page() -> None:
    report = one_district(demo_month())
    pdf = render_pdf(report)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert smallest_font(pdf) >= 7 - 1e-6
    text = squash(reader.pages[0].extract_text())
    s = report.districts[0]
    assert f"— {s.name}" in text
    for c in s.concerns:
        assert c.topic.replace("_", " ").capitalize() in text
    assert "Larceny/theft" in text


def test_a_wordy_month_still_fits_by_shortening() -> None:
    """More to say than the generous layout holds: quotes and lists shrink, the page count does not."""
    report = demo_month(random.Random(11))
    longest = resident_texts()[0]
    for s in report.districts:
        s.concerns[0].quote = longest
        s.wins = s.wins * 3
        s.wins_count = len(s.wins)
    assert len(PdfReader(io.BytesIO(render_pdf(report))).pages) == 1


def test_clip_cuts_at_a_word_and_keeps_an_exact_prefix() -> None:
    text = "The streetlight on Elm  Street has been out for weeks and cars race by at night"
    for limit in range(5, len(text) + 5):
        out = clip(text, limit)
        assert len(out) <= limit
        if out == text:
            continue
        kept = out.removesuffix("…")
        assert out.endswith("…") and text.startswith(kept)
        assert text[len(kept)].isspace(), (limit, out)  # cut at a word boundary
    assert clip("Supercalifragilistic words", 8) == "Superca…"  # one long word: cut inside it
    assert clip("short", 20) == "short"


def with_estimates(report: MonthlyReport) -> MonthlyReport:
    """The month with each topic's count estimated (pages/repository.py), as a calibrated city's is."""

    def estimated(c: Concern) -> Concern:
        e = ConcernEstimate(count=c.count - 1, low=c.count - 4, high=c.count + 2, basis="evaluation", labels=2252)
        return c.model_copy(update={"estimate": e})

    sections = [dataclasses.replace(s, concerns=[estimated(c) for c in s.concerns]) for s in report.districts]
    return dataclasses.replace(report, districts=sections)


def test_estimated_topic_counts_say_about_and_what_it_means_in_both_and_still_fit() -> None:
    report = with_estimates(demo_month())
    for one in (report, one_district(report)):
        pdf = render_pdf(one)
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == 1
        assert smallest_font(pdf) >= 7 - 1e-6
        text = squash(reader.pages[0].extract_text())
        body = squash(unescape(re.sub(r"<[^>]+>", " ", render_html(one).split("<body>")[1])))
        for s in one.districts:
            e = s.concerns[0].estimate
            assert e is not None
            said = f"about {e.count:,}, {e.low:,}\N{EN DASH}{e.high:,}"
            assert said in text.lower() and said in body.lower(), (said, s.code)
        for words in (text, body):
            assert "a 9 in 10 chance the true number is in the range" in words
            assert "an evaluation on 2,252 labeled concerns" in words
    # The chart of the topics raised most draws each bar's range (the districts' added, for the city).
    drawing = top_concerns(report)
    ranges = [x for x in drawing.contents if isinstance(x, Line) and x.strokeColor == colors.HexColor("#222222")]
    assert len(ranges) == 3 * 6  # a line and its two ends, for each of the six bars
    assert not [x for x in top_concerns(demo_month()).contents if isinstance(x, Line)]
    # Without estimates (no calibration published yet), no "about" and no sentence about it.
    plain = squash(PdfReader(io.BytesIO(render_pdf(demo_month()))).pages[0].extract_text())
    assert not re.search(r"about [\d,]+, [\d,]+\N{EN DASH}", plain, re.IGNORECASE) and "9 in 10" not in plain
