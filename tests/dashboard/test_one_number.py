"""Issue 14 item 2, "one name and one number for one thing": a topic is named and counted once —
by synthesis (its taxonomy's name, the notes that raised it) — and the district page (synthesis'
insight: table and summary), the dashboard's district and city pages and the monthly report (PDF)
all say that name and that number; the hosts' average rating is the same everywhere.

Notes go in as intake publishes them, synthesis analyses them with the real (fp32) model, the
dashboard projects what synthesis publishes: nothing here is stubbed."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from dashboard.test_read_models import use_city
from pypdf import PdfReader
from support import bearer, eventually, running
from synthesis.test_synthesis_service import LIGHTS, SPEED, analyzed, note, publish

from porchlight.dashboard.months.period import Month
from porchlight.synthesis.learning.service import ModelHolder

pytestmark = pytest.mark.integration

MONTH = Month.parse(None).shift(-1)  # a whole month: nothing "so far"
BEFORE = MONTH.shift(-1)


def at(month: Month, day: int) -> datetime:
    return datetime(month.start.year, month.start.month, day, 18, tzinfo=UTC)


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))


@pytest.mark.timeout(600)
async def test_a_topic_has_one_name_and_one_number_on_every_page_and_in_the_report(settings, test_city) -> None:
    d = test_city.a
    notes = [
        # Two statements about one topic in one note: one note (the old city page and report said 2).
        note(d, [LIGHTS[0], LIGHTS[1]], held_at=at(MONTH, 3), rating=3),
        note(d, [LIGHTS[2]], held_at=at(MONTH, 7), rating=3),
        note(d, [SPEED[0]], held_at=at(MONTH, 9), rating=4),
        note(d, [SPEED[1], LIGHTS[3]], held_at=at(MONTH, 12), rating=3),
        note(d, [LIGHTS[4]], held_at=at(BEFORE, 10), rating=5),  # the month before: the comparison
    ]
    # The hosts' ratings of the month average 3.25: once "3.3" on a page and "3.2" in the PDF.
    analyst = bearer(settings, "analyst")
    params = {"district": d, "from": MONTH.start.isoformat(), "to": (MONTH.end - timedelta(days=1)).isoformat()}
    async with running("synthesis", settings) as (syn_app, synthesis), running("dashboard", settings) as (app, dash):
        use_city(app, test_city)
        async with syn_app.state.runtime.sessions() as session, session.begin():
            await syn_app.state.runtime.resource(ModelHolder).current(session)
        await publish(settings, *notes)
        await analyzed(settings, [n.note_id for n in notes])
        ins = (await synthesis.get("/v1/insights", params=params, headers=analyst)).json()
        assert ins["notes"] == 4 and ins["pending"] == 0, ins
        want = [(t["label"], t["notes"], t["previous_notes"]) for t in ins["topics"]]
        assert want and sum(t["mentions"] for t in ins["topics"]) > sum(t["notes"] for t in ins["topics"])

        async def projected() -> bool:
            page = (await dash.get(f"/v1/districts/{d}/page?month={MONTH.label}", headers=analyst)).json()
            got = [(c["label"], c["count"], c["previous_count"]) for c in page["top_concerns"]]
            return got == want and page["sentiment"]["average"] is not None

        await eventually(projected, timeout_s=90, every_s=0.5)
        page = (await dash.get(f"/v1/districts/{d}/page?month={MONTH.label}", headers=analyst)).json()
        city = (await dash.get(f"/v1/city/page?month={MONTH.label}", headers=analyst)).json()
        city_pdf = await dash.get(f"/v1/reports/monthly?month={MONTH.label}&format=pdf", headers=analyst)
        district_pdf = await dash.get(
            f"/v1/reports/monthly?month={MONTH.label}&district={d}&format=pdf", headers=analyst
        )

    # Synthesis' insight: the table's names are the taxonomy's, and its summary says the table's figures.
    assert all("_" not in label for label, _, _ in want)
    top_label, top_notes, _ = want[0]
    sentence = next(s["text"] for s in ins["summary"] if s["text"].startswith(top_label))
    assert f"raised in {top_notes} note" in sentence, sentence

    # The dashboard's district page and city page: the same names, the same numbers, the same order.
    assert [(c["label"], c["count"], c["previous_count"]) for c in page["top_concerns"]] == want
    (row,) = [s for s in city["districts"] if s["district"]["code"] == d]
    assert [(c["label"], c["count"]) for c in row["top_concerns"]] == [(n, c) for n, c, _ in want[:3]]
    assert (row["top_concern"]["label"], row["top_concern"]["count"]) == (top_label, top_notes)

    # The monthly report, as printed: the district's table and the city's row.
    text = pdf_text(district_pdf.content)
    for label, count, _ in want:
        assert f"{label} {count} " in text, (label, count, text[:3000])
    city_text = pdf_text(city_pdf.content)
    unit = "note" if top_notes == 1 else "notes"
    cells = re.search(rf"{d} (\d+) (\d+) ([\d.]+) (\d+) ([\d.]+|-) (.+?) \(", city_text)
    assert cells, city_text[:3000]
    assert cells.group(6) == f"{top_label} in {top_notes} {unit}"

    # The hosts' average rating, rounded once: 3.25 is 3.3 in synthesis' summary, on both pages and in the PDF.
    assert ins["sentiment"]["host_rating_mean"] == 3.3
    assert any("average 3.3 on the five-point scale" in s["text"] for s in ins["summary"])
    assert page["sentiment"]["average"] == row["sentiment_average"] == 3.3
    assert cells.group(5) == "3.3"
