"""A month under way through the API: the pages and the report say "so far", compare concerns with
the same days of last month (never with the whole of it), and the default report is the last
complete month."""

from __future__ import annotations

import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from dashboard.test_read_models import publish, use_city
from pypdf import PdfReader
from support import bearer, eventually, running

from porchlight.dashboard.months.period import Month
from porchlight.events import NoteAnalyzed, NoteSubmitted
from porchlight.events.catalog import Concern, ConcernAnalysis

pytestmark = pytest.mark.integration


def _notes(d: str, held: list[datetime], topic: str = "parks") -> list[NoteSubmitted | NoteAnalyzed]:
    """Notes and synthesis' analysis of each (topic figures count analysed notes)."""
    out: list[NoteSubmitted | NoteAnalyzed] = []
    for i, h in enumerate(held):
        text = f"the park gate is broken ({i})"
        note_id = uuid.uuid4()
        out.append(
            NoteSubmitted(
                note_id=note_id,
                host_id="host-1",
                district=d,
                submitted_at=h,
                held_at=h,
                attendees=3,
                sentiment=3,
                concerns=[Concern(text=text, topic=topic)],
            )
        )
        out.append(
            NoteAnalyzed(
                note_id=note_id,
                district=d,
                model_version="t1",
                sentiment="neutral",
                sentiment_score=0.0,
                revision=1,
                concerns=[
                    ConcernAnalysis(
                        text=text,
                        topic=topic,
                        topic_score=0.8,
                        sentiment="negative",
                        sentiment_score=-0.3,
                        topic_label="Parks",
                    )
                ],
            )
        )
    return out  # fmt: skip


async def test_a_month_under_way_is_so_far_and_compared_like_with_like(settings, test_city):
    d = test_city.a
    now = datetime.now(UTC)
    this = Month.parse(None)
    prev = this.shift(-1)
    start, prev_start = this.utc(this.start), prev.utc(prev.start)
    held = max(start, now - timedelta(minutes=5))  # today, in this month
    same_day_last_month = prev_start + (held - start)  # the same day of last month
    late = prev.utc(prev.end) - timedelta(hours=1)  # the last day of last month
    # Days 1..today of last month hold 1 note on parks; its last day 6 more (outside those days,
    # unless today is already past last month's length).
    late_counts = late < prev_start + timedelta(days=(now.date() - this.start).days + 1)
    events = _notes(d, [held]) + _notes(d, [same_day_last_month]) + _notes(d, [late] * 6)
    staff = bearer(settings, "analyst")
    async with running("dashboard", settings) as (app, client):
        use_city(app, test_city)
        await publish(settings, events)

        async def projected() -> bool:
            page = (await client.get(f"/v1/districts/{d}/page?month={prev.label}", headers=staff)).json()
            counted = {c["topic"]: c["count"] for c in page["top_concerns"]}
            current = (await client.get(f"/v1/districts/{d}/page", headers=staff)).json()
            # Synthesis' analyses (another topic) counted too: parks' notes of both months.
            return page["engagement"]["notes"] == 7 and counted.get("parks") == 7 and bool(current["top_concerns"])

        await eventually(projected, timeout_s=30)
        page = (await client.get(f"/v1/districts/{d}/page", headers=staff)).json()
        whole = (await client.get(f"/v1/districts/{d}/page?month={prev.label}", headers=staff)).json()
        city = (await client.get("/v1/city/page", headers=staff)).json()
        pdf = await client.get(f"/v1/reports/monthly?month={this.label}&format=pdf", headers=staff)
        html = await client.get(f"/v1/reports/monthly?month={this.label}", headers=staff)
        default = await client.get("/v1/reports/monthly", headers=staff)
        default_pdf = await client.get("/v1/reports/monthly?format=pdf", headers=staff)

    period = page["period"]
    assert period["under_way"] is True and period["through"] == now.date().isoformat()
    assert period["days"] == now.day and period["label"].endswith(" so far")
    assert city["period"]["under_way"] is True
    assert whole["period"]["under_way"] is False and "so far" not in whole["period"]["label"]
    # Parks this month: 1; the same days of last month: 1 (not the 7 of the whole month).
    (parks,) = [c for c in page["top_concerns"] if c["topic"] == "parks"]
    expected_before = 7 if late_counts else 1
    assert (parks["count"], parks["previous_count"]) == (1, expected_before)
    assert parks["change"] == ("7 → 1" if late_counts else "no change")
    if not late_counts:
        assert parks["trend"] == "steady"  # was "down" against the whole month
    # Incidents are kept per month: a month under way is not compared with them at all.
    crime = page["crime"]
    assert crime["change_vs_previous_month"] is None and crime["change_vs_last_year"] is None
    assert crime["vs_previous_month"].endswith("in all of last month")

    assert pdf.status_code == 200
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert f"{period['label']} — Testville" in text and "Crime incidents so far" in text
    assert "vs last month" not in text and "vs last year" not in text
    assert "Engagement hours so far" in html.text and "so far" in html.text.split("<title>")[1].split("</title>")[0]

    # The report asked for without a month is last month's, whole: nothing in it "so far".
    last_name = prev.start.strftime("%B %Y")
    assert default.status_code == 200 and f"<title>Community report — {last_name} — Testville" in default.text
    assert "so far" not in default.text
    default_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(default_pdf.content)).pages)
    assert last_name in default_text and "so far" not in default_text
    assert prev.label in default_pdf.headers["content-disposition"]
