"""Issue 14 item 2, "figures without their source": one comparison and one name for one thing
(the topic table and the summary read the same figures), quotes that say where they come from,
the notes behind a topic, and a supervisor's correction that moves the figures."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from support import bearer
from synthesis.test_synthesis_service import analyzed, district, note, publish

from porchlight.dashboard.pages.repository import one_decimal
from porchlight.kit.settings import KitSettings
from porchlight.synthesis.insights.repository import Period
from porchlight.synthesis.insights.schemas import (
    Insight,
    PeriodOut,
    PlaceOut,
    SentimentCounts,
    SentimentMixOut,
    TopicInsight,
)
from porchlight.synthesis.insights.summary import summarize

#: This test's own words. A correction is learned at once (a new model version for every test
#: after it): correcting a statement that other tests file too taught the model that
#: test_synthesis_service's streetlight notes were about speeding.
DARK = [
    "The lamp post outside the laundromat on Quince Row has been dark since Sunday",
    "Half the lamps along the canal towpath went dark last week",
    "It is pitch black by the allotments gate, the lamp there never came back on",
    "The lamp at the top of the Quince Row steps keeps going off",
]


def test_the_first_days_of_a_month_are_set_against_the_same_days_of_the_month_before() -> None:
    # Days 1-5 of December against days 1-5 of November (not 26-30 November: "up from 4" beside 5).
    assert Period(date(2026, 12, 1), date(2026, 12, 5)).compared() == (
        Period(date(2026, 11, 1), date(2026, 11, 5)),
        "the same days last month",
    )
    # The 31st against a 30-day month is the whole of it; a whole month against the whole month before.
    assert Period(date(2026, 12, 1), date(2026, 12, 31)).compared()[0] == Period(date(2026, 11, 1), date(2026, 11, 30))
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).compared() == (
        Period(date(2026, 2, 1), date(2026, 2, 28)),
        "last month",
    )
    assert Period(date(2026, 3, 1), date(2026, 3, 30)).compared()[0] == Period(date(2026, 2, 1), date(2026, 2, 28))
    # Any other period: the one of equal length before it.
    assert Period(date(2026, 12, 3), date(2026, 12, 9)).compared() == (
        Period(date(2026, 11, 26), date(2026, 12, 2)),
        "the previous period of equal length",
    )


def test_the_summary_says_the_tables_name_number_and_comparison() -> None:
    topic = TopicInsight(
        topic="speeding_traffic", label="Speeding and traffic safety", rank=1, notes=5, mentions=7,
        previous_notes=4, change=1, change_pct=25, sentiment=SentimentCounts(), neighborhoods=[], quotes=[],
    )  # fmt: skip
    ins = Insight(
        place=PlaceOut(district="E5", neighborhood=None),
        period=PeriodOut(start=date(2026, 12, 1), end=date(2026, 12, 5), days=5),
        previous_period=PeriodOut(start=date(2026, 11, 1), end=date(2026, 11, 5), days=5),
        against="the same days last month",
        notes=6, concerns=8, previous_notes=5, unassigned=0, topics=[topic],
        sentiment=SentimentMixOut(notes=SentimentCounts(), host_rating_mean=None, host_rated_notes=0),
        emerging=[], summary=[], model_versions=[], generated_at=datetime(2026, 12, 5, tzinfo=UTC),
    )  # fmt: skip
    texts = [s.text for s in summarize(ins, [], [], {}, {})]
    assert texts[0].endswith("the same days last month had 5 notes.")
    assert texts[1] == "Speeding and traffic safety was raised in 5 notes, up from 4 in the same days last month."


def test_an_average_is_rounded_once_halves_up_as_the_browser_shows_it() -> None:
    # 3.25 was "3.3" on the city page (JavaScript's toFixed) and "3.2" in the PDF (Python's format).
    assert one_decimal(3.25) == 3.3 and f"{one_decimal(3.25):.1f}" == "3.3"
    assert one_decimal(3.2499) == 3.2 and one_decimal(2.15) == 2.2 and one_decimal(4.0) == 4.0


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.timeout(600)
async def test_quotes_open_their_notes_and_a_correction_moves_the_figures(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    where = district("SRC")
    now = datetime.now(UTC)
    first = now.date().replace(day=1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
    held = max(start + timedelta(minutes=1), now - timedelta(hours=1))
    before_start = datetime.combine((first - timedelta(days=1)).replace(day=1), datetime.min.time(), tzinfo=UTC)
    same_days = before_start + (held - start)  # within the same days of last month
    current = [note(where, [t], held_at=held, neighborhood="roxbury") for t in DARK[:3]]
    previous = [note(where, [DARK[3]], held_at=same_days)]
    await publish(settings, *current, *previous)
    await analyzed(settings, [n.note_id for n in current + previous])

    officer = bearer(settings, "officer", subject="officer-src", district=where)
    params = {"district": where, "from": first.isoformat(), "to": now.date().isoformat()}
    ins = (await client.get("/v1/insights", params=params, headers=officer)).json()
    assert ins["against"] == "the same days last month"
    assert ins["previous_period"]["start"] == before_start.date().isoformat()
    assert ins["previous_notes"] == 1
    top = ins["topics"][0]
    # The summary's sentence about the topic is written from the table's figures: same name, same numbers.
    sentence = next(s["text"] for s in ins["summary"] if s["text"].startswith(top["label"]))
    assert f"raised in {top['notes']} notes" in sentence
    assert "the same days last month" in sentence
    # Every quote says when and where (never finer than the neighborhood) and which note it is from.
    quote = top["quotes"][0]
    assert quote["district"] == where and quote["neighborhood"] == "roxbury"
    assert quote["occurred_at"][:10] == held.date().isoformat()
    assert uuid.UUID(quote["note_id"]) in {n.note_id for n in current}

    # The topic's row opens the notes behind it: exactly the notes the table counts.
    listed = (await client.get("/v1/insights/notes", params={**params, "topic": top["topic"]}, headers=officer)).json()
    assert listed["total"] == top["notes"]
    assert quote["note_id"] in {n["note_id"] for n in listed["notes"]}
    concern = listed["notes"][0]["concerns"][0]

    # A supervisor corrects one statement's topic from that list: the table and summary follow.
    other = "speeding_traffic" if top["topic"] != "speeding_traffic" else "street_lighting"
    bad = await client.put(
        f"/v1/concerns/{concern['concern_id']}/topic", json={"topic": "no_such"}, headers=bearer(settings, "supervisor")
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.topic"
    r = await client.put(
        f"/v1/concerns/{concern['concern_id']}/topic", json={"topic": other}, headers=bearer(settings, "supervisor")
    )
    assert r.status_code == 200, r.text
    after = (await client.get("/v1/insights", params=params, headers=officer)).json()
    counts = {t["topic"]: t["notes"] for t in after["topics"]}
    assert counts.get(top["topic"], 0) == top["notes"] - 1 and counts[other] == 1
    moved = next(t for t in after["topics"] if t["topic"] == other)
    assert any(s["text"].startswith(f"{moved['label']} was raised in 1 note") for s in after["summary"])
