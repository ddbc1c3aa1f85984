"""Insights as a read model (issue 17): what ``/v1/insights`` serves from ``insight_reads`` is always
what a fresh build says now — after notes are analyzed, corrected, revised or erased, and after a
change made by any writer at all — and the residents' words still go only to who may read them.

Real synthesis (consumer, analyzer, warmer) on the real database and broker; notes published as
intake publishes them, each test in a district of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
import sqlalchemy as sa
from fastapi import FastAPI
from support import bearer, eventually, running

from porchlight.events import EventProducer, NoteSubmitted
from porchlight.events.catalog import Concern, NoteErased, NoteRevised
from porchlight.kit.settings import KitSettings
from porchlight.synthesis.insights.repository import Period, Place
from porchlight.synthesis.insights.service import build_city, build_insight, default_period, tidy_read_model
from porchlight.synthesis.learning.service import ModelHolder, current_taxonomy

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(600)]

Event = NoteSubmitted | NoteRevised | NoteErased


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def service(settings: KitSettings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    async with running("synthesis", settings) as (app, http):
        async with app.state.runtime.sessions() as session, session.begin():
            await app.state.runtime.resource(ModelHolder).current(session)
        yield app, http


def reader(settings: KitSettings) -> dict[str, str]:
    """Reads every district's words (a supervisor without a district claim)."""
    return bearer(settings, "supervisor", subject="read-model-tests")


def outsider(settings: KitSettings) -> dict[str, str]:
    """An officer of another district: the figures, not the words."""
    return bearer(settings, "officer", subject="read-model-outsider", district="ELSEWHERE")


def note(where: str, concerns: list[str], text: str = "", *, days_ago: int = 1) -> NoteSubmitted:
    when = datetime.now(UTC) - timedelta(days=days_ago, hours=1)
    return NoteSubmitted(
        note_id=uuid.uuid4(),
        district=where,
        neighborhood="elm-park",
        host_id="host-read-model",
        submitted_at=when,
        held_at=when,
        concerns=[Concern(text=c) for c in concerns],
        sentiment=3,  # type: ignore[arg-type]
        text=text,
    )


async def publish(settings: KitSettings, *events: Event) -> None:
    producer = EventProducer(settings.require_kafka_bootstrap(), idempotent=False)
    await producer.start()
    try:
        for e in events:
            await producer.publish(e, source="/tests/read-model")
    finally:
        await producer.stop()


async def sql(app: FastAPI, statement: str, **params: Any) -> list[Any]:
    async with app.state.runtime.sessions() as session, session.begin():
        result = await session.execute(sa.text(statement), params)
        return list(result.all()) if result.returns_rows else []


async def settled(app: FastAPI, ids: list[uuid.UUID], *, revision: int = 1, blank: bool = False) -> None:
    async def done() -> bool:
        ((n,),) = await sql(
            app,
            "SELECT count(*) FROM synthesis.notes WHERE note_id = ANY(:ids) AND revision >= :r"
            " AND analyzed_at IS NOT NULL AND (NOT :blank OR document = '')",
            ids=ids,
            r=revision,
            blank=blank,
        )
        return int(n) == len(ids)

    await eventually(done, timeout_s=90, every_s=0.2)


async def fresh(app: FastAPI, where: str | None, period: Period | None = None) -> dict[str, Any]:
    """What a build from scratch says now, as JSON (``generated_at`` left out: it is when)."""
    async with app.state.runtime.sessions() as session, session.begin():
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        _, taxonomy = await current_taxonomy(session)
        built = await build_insight(session, taxonomy, Place(district=where), period or default_period())
    return built.model_dump(mode="json", exclude={"generated_at"})


async def served(http: httpx.AsyncClient, headers: dict[str, str], **params: str) -> tuple[dict[str, Any], str]:
    r = await http.get("/v1/insights", params=params, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    body.pop("generated_at")
    return body, r.headers["etag"]


async def version(app: FastAPI, where: str) -> int:
    ((v,),) = await sql(
        app,
        "SELECT coalesce(sum(weight), 0) FROM synthesis.insight_changes WHERE district IN (:d, '*')",
        d=where,
    )
    return int(v)


async def test_what_is_served_is_a_fresh_build_after_every_kind_of_change(
    settings: KitSettings, service: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    app, http = service
    where = f"RM-{uuid.uuid4().hex[:8]}"
    lights = note(where, ["The streetlight on Elm St has been out for two weeks"], "Cars race down Oak Ave.")
    trash = note(where, ["Trash piles up behind the corner store every weekend"])
    unread = f"RM-{uuid.uuid4().hex[:8]}"
    elsewhere = note(unread, ["The streetlight on Ash St is out"])
    await publish(settings, lights, elsewhere)
    await settled(app, [lights.note_id, elsewhere.note_id])
    # A district someone reads is kept current: the first read builds it...
    assert (await http.get("/v1/insights", params={"district": where}, headers=reader(settings))).status_code == 200
    await publish(settings, trash)
    await settled(app, [trash.note_id])

    # ...and after more notes are analyzed, the warmer rebuilds it without a request; then it is
    # served as stored.
    async def warmed() -> bool:
        rows = await sql(
            app,
            "SELECT version FROM synthesis.insight_reads WHERE kind = 'place' AND district = :d AND emerging",
            d=where,
        )
        return bool(rows) and rows[0][0] == await version(app, where)

    await eventually(warmed, timeout_s=30)
    # A district nobody read is not built for nothing.
    assert not await sql(app, "SELECT 1 FROM synthesis.insight_reads WHERE district = :d", d=unread)
    first = await http.get("/v1/insights", params={"district": where}, headers=reader(settings))
    again = await http.get("/v1/insights", params={"district": where}, headers=reader(settings))
    assert first.json()["generated_at"] == again.json()["generated_at"]  # read, not rebuilt
    assert first.headers["server-timing"].startswith('insight;desc="stored"')
    body, tag = await served(http, reader(settings), district=where)
    assert body == await fresh(app, where) and body["notes"] == 2

    # If-None-Match: unchanged data, 304; the tag moves with the data.
    r = await http.get("/v1/insights", params={"district": where}, headers={**reader(settings), "If-None-Match": tag})
    assert r.status_code == 304 and r.headers["etag"] == tag and not r.content

    # A correction.
    ((concern_id, topic),) = await sql(
        app, "SELECT id, topic FROM synthesis.concerns WHERE note_id = :n AND position = 0", n=trash.note_id
    )
    target = "parks" if topic != "parks" else "property_code"
    r = await http.put(f"/v1/concerns/{concern_id}/topic", json={"topic": target}, headers=reader(settings))
    assert r.status_code == 200, r.text
    body, after_correction = await served(http, reader(settings), district=where)
    assert after_correction != tag
    assert body == await fresh(app, where) and target in [t["topic"] for t in body["topics"]]
    r = await http.get("/v1/insights", params={"district": where}, headers={**reader(settings), "If-None-Match": tag})
    assert r.status_code == 200

    # A revision (the note now says something else).
    revised = NoteRevised(
        **{**lights.model_dump(exclude={"revision", "concerns"})},
        revision=2,
        revised_at=datetime.now(UTC),
        concerns=[Concern(text="The park benches are broken and the playground is dirty")],
    )
    await publish(settings, revised)
    await settled(app, [lights.note_id], revision=2)
    body, _ = await served(http, reader(settings), district=where)
    assert body == await fresh(app, where)
    assert not any("streetlight" in q["text"] for t in body["topics"] for q in t["quotes"])

    # An erasure: the words go, the counts stay.
    await publish(
        settings, NoteErased(note_id=trash.note_id, district=where, erased_at=datetime.now(UTC), reason="request")
    )
    await settled(app, [trash.note_id], blank=True)
    body, _ = await served(http, reader(settings), district=where)
    assert body == await fresh(app, where) and body["notes"] == 2
    assert not any(q["note_id"] == str(trash.note_id) for t in body["topics"] for q in t["quotes"])

    # More notes analyzed: the figures move at once, whether the warmer came by yet or not.
    more = note(where, ["The streetlight by the school is broken too"])
    await publish(settings, more)
    await settled(app, [more.note_id])
    body, _ = await served(http, reader(settings), district=where)
    assert body == await fresh(app, where) and body["notes"] == 3


async def test_a_change_by_any_writer_is_never_served_stale(
    settings: KitSettings, service: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    """The version is kept by triggers, not by the code paths someone remembered: a change made
    with plain SQL (as a writer not written yet would) moves it as well."""
    app, http = service
    where = f"RM-{uuid.uuid4().hex[:8]}"
    n = note(where, ["Graffiti on the library wall again"])
    await publish(settings, n)
    await settled(app, [n.note_id])
    before, _ = await served(http, reader(settings), district=where)
    v = await version(app, where)

    await sql(app, "UPDATE synthesis.concerns SET topic = 'made_up_topic' WHERE note_id = :n", n=n.note_id)
    assert await version(app, where) > v
    r = await http.get("/v1/insights", params={"district": where}, headers=reader(settings))
    assert r.headers["server-timing"].startswith('insight;desc="built"') or r.json()["topics"][0]["topic"] == (
        "made_up_topic"  # the warmer may have come by first
    )
    body, _ = await served(http, reader(settings), district=where)
    assert body != before and [t["topic"] for t in body["topics"]] == ["made_up_topic"]
    assert body == await fresh(app, where)

    # A change that concerns every district (taxonomy, model versions, corrections) moves every version.
    v = await version(app, where)
    await sql(app, "UPDATE synthesis.taxonomy_versions SET reason = reason WHERE version = 1")
    assert await version(app, where) == v + 1
    # A statement that changes nothing moves nothing.
    await sql(app, "UPDATE synthesis.concerns SET topic = topic WHERE note_id = :n", n=uuid.uuid4())
    assert await version(app, where) == v + 1

    # Compaction keeps every version as it was.
    await sql(app, "INSERT INTO synthesis.insight_changes (district) VALUES (:d), (:d)", d=where)
    v = await version(app, where)
    await tidy_read_model(app.state.runtime.sessions)
    assert await version(app, where) == v
    ((rows,),) = await sql(app, "SELECT count(*) FROM synthesis.insight_changes WHERE district = :d", d=where)
    assert rows == 1
    body, _ = await served(http, reader(settings), district=where)
    assert body == await fresh(app, where)


async def test_the_words_still_go_only_to_who_may_read_them(
    settings: KitSettings, service: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    app, http = service
    where = f"RM-{uuid.uuid4().hex[:8]}"
    n = note(where, ["The streetlight on Elm St has been out for two weeks"])
    await publish(settings, n)
    await settled(app, [n.note_id])
    mine, mine_tag = await served(http, bearer(settings, "officer", subject="own", district=where), district=where)
    theirs, their_tag = await served(http, outsider(settings), district=where)
    assert mine == await fresh(app, where) and mine["topics"][0]["quotes"] and not mine["words_withheld"]
    assert theirs["words_withheld"] and all(not t["quotes"] for t in theirs["topics"])
    assert all(not c["quotes"] for c in theirs["emerging"])
    assert {k: v for k, v in theirs.items() if k not in ("topics", "emerging", "words_withheld")} == {
        k: v for k, v in mine.items() if k not in ("topics", "emerging", "words_withheld")
    }
    # The same stored row serves both; a cached 304 of one never stands for the other.
    assert mine_tag != their_tag
    r = await http.get(
        "/v1/insights", params={"district": where}, headers={**outsider(settings), "If-None-Match": mine_tag}
    )
    assert r.status_code == 200 and r.json()["words_withheld"]
    ((stored,),) = await sql(
        app, "SELECT count(*) FROM synthesis.insight_reads WHERE kind = 'place' AND district = :d", d=where
    )
    assert stored == 1


async def test_a_period_is_part_of_the_key_and_concurrent_builds_all_answer(
    settings: KitSettings, service: tuple[FastAPI, httpx.AsyncClient]
) -> None:
    app, http = service
    where = f"RM-{uuid.uuid4().hex[:8]}"
    old, recent = note(where, ["Potholes on Main St"], days_ago=40), note(where, ["Potholes on Main St"])
    await publish(settings, old, recent)
    await settled(app, [old.note_id, recent.note_id])
    today = default_period().end
    earlier = Period(today - timedelta(days=59), today - timedelta(days=30))
    now_body, now_tag = await served(http, reader(settings), district=where)
    then_body, then_tag = await served(
        http, reader(settings), district=where, **{"from": str(earlier.start), "to": str(earlier.end)}
    )
    assert now_body["notes"] == 1 and then_body["notes"] == 1 and now_body["period"] != then_body["period"]
    assert then_body == await fresh(app, where, earlier) and now_tag != then_tag
    # Yesterday's default period is another key: not served for today's.
    yesterday: date = today - timedelta(days=1)
    y_body, _ = await served(http, reader(settings), district=where, to=str(yesterday))
    assert y_body["period"]["end"] == str(yesterday) and now_body["period"]["end"] == str(today)

    # Many requests at once on a version nobody built yet: every one answers, all alike.
    await sql(app, "INSERT INTO synthesis.insight_changes (district) VALUES (:d)", d=where)
    answers = await asyncio.gather(*(served(http, reader(settings), district=where) for _ in range(6)))
    assert all(body == now_body for body, _ in answers)

    # The city view is kept the same way.
    r = await http.get("/v1/insights/city", headers=reader(settings))
    assert r.status_code == 200
    async with app.state.runtime.sessions() as session, session.begin():
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        city = (await build_city(session, default_period())).model_dump(mode="json")
    assert r.json() == city
    r = await http.get("/v1/insights/city", headers={**reader(settings), "If-None-Match": r.headers["etag"]})
    assert r.status_code == 304
