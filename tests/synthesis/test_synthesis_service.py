"""Synthesis end to end on the real database and broker: notes in, analysis, insights, learning.

One synthesis service (consumer, relay, HTTP) runs for the whole module; events are published to
the broker as intake publishes them. Each test files its notes in a district of its own, and
dates its notes so periods never overlap other tests' notes. The model is the real one (loaded
once per process).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from support import bearer, eventually

from porchlight.events import EventProducer, NoteSubmitted, Topics, from_kafka
from porchlight.events.catalog import Concern, NoteRevised
from porchlight.kit.db import create_engine
from porchlight.kit.settings import KitSettings
from porchlight.synthesis.learning.service import ModelHolder

# The first test also waits for the model to load (tens of seconds on a loaded 2-core machine).
pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(600)]

SUPERVISOR = ("supervisor",)


def district(prefix: str = "SYN") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def note(
    where: str,
    concerns: list[str],
    text: str = "",
    *,
    held_at: datetime | None = None,
    neighborhood: str | None = None,
    rating: int | None = None,
) -> NoteSubmitted:
    when = held_at or datetime.now(UTC) - timedelta(hours=1)
    return NoteSubmitted(
        note_id=uuid.uuid4(),
        district=where,
        neighborhood=neighborhood,
        host_id="host-synthesis-tests",
        submitted_at=when,
        held_at=when,
        concerns=[Concern(text=c) for c in concerns],
        sentiment=rating,  # type: ignore[arg-type]
        text=text,
    )


async def publish(settings: KitSettings, *events: NoteSubmitted | NoteRevised) -> None:
    producer = EventProducer(settings.require_kafka_bootstrap(), idempotent=False)
    await producer.start()
    try:
        for e in events:
            await producer.publish(e, source="/tests/synthesis")
    finally:
        await producer.stop()


async def rows(settings: KitSettings, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(sa.text(sql), params)).all())
    finally:
        await engine.dispose()


async def analyzed(settings: KitSettings, ids: list[uuid.UUID], revision: int = 1) -> None:
    """Wait until synthesis stored every note of ``ids`` at ``revision`` or later."""

    async def done() -> bool:
        found = await rows(
            settings,
            "SELECT count(*) FROM synthesis.notes"
            " WHERE note_id = ANY(:ids) AND revision >= :r AND analyzed_at IS NOT NULL",
            ids=ids,
            r=revision,
        )
        return found[0][0] == len(ids)

    await eventually(done, timeout_s=90, every_s=0.2)


async def events_where(
    settings: KitSettings, topic: str, match: Callable[[dict[str, Any]], bool], timeout_s: float = 30
) -> list[dict[str, Any]]:
    """Events on ``topic`` (from the start) whose data satisfies ``match``: waits for one at least."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.require_kafka_bootstrap(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=timeout_s)
        while datetime.now(UTC) < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                for rec in records:
                    env = from_kafka(rec.key, rec.value, rec.headers)
                    data = {"type": env.type, **json.loads(rec.value)}
                    if match(data):
                        found.append(data)
            if found and not batch:
                break
    finally:
        await consumer.stop()
    return found


def as_supervisor(settings: KitSettings) -> dict[str, str]:
    return bearer(settings, "supervisor", subject="sup-synthesis-tests")


def as_reader(settings: KitSettings) -> dict[str, str]:
    """A reader of every district's figures and words: a supervisor without a district claim (a
    watch commander). An officer without a claim reads figures only (tests/kit/test_words_access.py)."""
    return bearer(settings, "supervisor", subject="reader-synthesis-tests")


# --- consuming notes ----------------------------------------------------------------------------


async def test_a_note_is_split_classified_stored_and_announced(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    where = district()
    n = note(
        where,
        ["The streetlight on Elm St has been out for two weeks"],
        "Cars race down Oak Ave every night. Thank you all for coming, the coffee was lovely.",
        neighborhood="elm-park",
        rating=2,
    )
    await publish(settings, n)
    await analyzed(settings, [n.note_id])

    (doc, sentiment, version, rating) = (
        await rows(
            settings,
            "SELECT document, sentiment, model_version, host_rating FROM synthesis.notes WHERE note_id = :n",
            n=n.note_id,
        )
    )[0]
    concerns = await rows(
        settings,
        "SELECT position, text, span_start, span_end, topic, sentiment, model_version, district, neighborhood,"
        " length(embedding) FROM synthesis.concerns WHERE note_id = :n ORDER BY position",
        n=n.note_id,
    )
    assert [c[1] for c in concerns] == [
        "The streetlight on Elm St has been out for two weeks",
        "Cars race down Oak Ave every night.",
        "Thank you all for coming, the coffee was lovely.",
    ]
    for _, text, start, end, _, _, v, d, hood, size in concerns:
        assert doc[start:end] == text and v == version and d == where and hood == "elm-park" and size == 384 * 4
    assert concerns[0][4] == "street_lighting" and concerns[1][4] == "speeding_traffic"
    assert concerns[2][5] == "positive" and sentiment in ("negative", "neutral", "positive") and rating == 2
    assert re.fullmatch(r"\d+/[0-9a-f]{12}/minilm-l6-v2@[0-9a-f]{12}", version)

    events = await events_where(settings, Topics.NOTE_ANALYSES, lambda e: e.get("note_id") == str(n.note_id))
    (event,) = [e for e in events if e["type"] != "org.porchlight.sentiment.scored.v1"]  # its own tests
    assert event["type"] == "org.porchlight.note.analyzed.v2" and event["model_version"] == version
    assert [c["topic"] for c in event["concerns"]][:2] == ["street_lighting", "speeding_traffic"]
    assert event["revision"] == 1 and event["district"] == where


async def test_a_revision_replaces_the_analysis(settings: KitSettings, client: httpx.AsyncClient) -> None:
    where = district()
    first = note(where, ["graffiti on the library wall"], neighborhood="north")
    await publish(settings, first)
    await analyzed(settings, [first.note_id])
    revised = NoteRevised(
        **{**first.model_dump(exclude={"revision", "concerns"}), "neighborhood": "south"},
        revision=2,
        revised_at=datetime.now(UTC),
        concerns=[Concern(text="The park benches are broken and the playground is dirty")],
    )
    stale = first.model_copy(update={"text": "an old copy delivered late"})  # revision 1 again, a new event id
    await publish(settings, revised, stale)
    await analyzed(settings, [first.note_id], revision=2)
    await eventually(
        lambda: _concern_texts(settings, first.note_id, ["The park benches are broken and the playground is dirty"]),
        timeout_s=30,
    )
    ((revision, hood),) = await rows(
        settings, "SELECT revision, neighborhood FROM synthesis.notes WHERE note_id = :n", n=first.note_id
    )
    assert revision == 2 and hood == "south"
    topics = await rows(
        settings, "SELECT topic, neighborhood FROM synthesis.concerns WHERE note_id = :n", n=first.note_id
    )
    assert topics == [("parks", "south")]


async def _concern_texts(settings: KitSettings, note_id: uuid.UUID, expected: list[str]) -> bool:
    got = await rows(settings, "SELECT text FROM synthesis.concerns WHERE note_id = :n ORDER BY position", n=note_id)
    return [t for (t,) in got] == expected


# --- insights: checkable, never invented ----------------------------------------------------------

LIGHTS = [
    "The streetlight on Washington St is out again",
    "The street light in front of our house has been flickering for weeks",
    "Street lights out along the avenue near the school",
    "Please fix the broken streetlight by the bus stop",
    "Our street is too dark at night, we need a streetlight",
]
SPEED = [
    "Drivers speed down Centre St every morning",
    "Cars race through the neighborhood at night",
    "We need speed bumps, people drive way too fast here",
]


def _pointer(doc: Any, path: str) -> Any:
    for part in path.strip("/").split("/"):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


async def test_insights_count_quote_and_summarize_only_what_the_notes_say(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    where = district()
    today = datetime.now(UTC).date()
    start, end = today - timedelta(days=13), today
    at = datetime.now(UTC) - timedelta(days=2)
    before = datetime.now(UTC) - timedelta(days=20)  # the previous period of equal length
    current = [
        note(where, [t], neighborhood=h, held_at=at, rating=r)
        for t, h, r in zip(LIGHTS, ["roxbury", "roxbury", "roxbury", "fenway", "roxbury"], [2, 3, 2, 4, 1], strict=True)
    ] + [note(where, [t], neighborhood="fenway", held_at=at, rating=3) for t in SPEED]
    previous = [note(where, [LIGHTS[0]], held_at=before), note(where, [SPEED[0]], held_at=before)]
    await publish(settings, *current, *previous)
    await analyzed(settings, [n.note_id for n in current + previous])

    params = {"district": where, "from": start.isoformat(), "to": end.isoformat()}
    r = await client.get("/v1/insights", params=params, headers=as_reader(settings))
    assert r.status_code == 200, r.text
    ins = r.json()
    assert ins["notes"] == 8 and ins["previous_notes"] == 2 and ins["period"]["days"] == 14
    assert ins["previous_period"]["end"] == (start - timedelta(days=1)).isoformat()
    by_topic = {t["topic"]: t for t in ins["topics"]}
    lights, speed = by_topic["street_lighting"], by_topic["speeding_traffic"]
    assert ins["topics"][0]["topic"] == "street_lighting" and lights["rank"] == 1
    assert (lights["notes"], lights["previous_notes"], lights["change"], lights["change_pct"]) == (5, 1, 4, 400)
    assert (speed["notes"], speed["previous_notes"]) == (3, 1)
    assert lights["neighborhoods"][0] == {"neighborhood": "roxbury", "notes": 4}
    assert ins["sentiment"]["host_rated_notes"] == 8 and ins["sentiment"]["host_rating_mean"] == 2.6
    assert sum(ins["sentiment"]["notes"].values()) == 8

    # Counts are SQL counts: recount them from the stored concerns.
    lo = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    recount = dict(
        await rows(
            settings,
            "SELECT topic, count(DISTINCT note_id) FROM synthesis.concerns WHERE district = :d"
            " AND occurred_at >= :lo GROUP BY topic",
            d=where,
            lo=lo,
        )
    )
    assert {t["topic"]: t["notes"] for t in ins["topics"]} == {k: v for k, v in recount.items() if k != "unassigned"}

    # Every quote is an exact substring of a stored redacted note, and carries that note's id.
    documents = dict(
        await rows(settings, "SELECT note_id::text, document FROM synthesis.notes WHERE district = :d", d=where)
    )
    for t in ins["topics"]:
        assert 1 <= len(t["quotes"]) <= 3
        assert len({q["note_id"] for q in t["quotes"]}) == len(t["quotes"])
        drill = await client.get(
            "/v1/insights/notes", params={**params, "topic": t["topic"]}, headers=as_reader(settings)
        )
        behind = {n["note_id"] for n in drill.json()["notes"]}
        assert drill.json()["total"] == t["notes"] == len(behind)
        for q in t["quotes"]:
            doc = documents[q["note_id"]]
            assert q["text"] in doc and doc[q["start"] : q["end"]] == q["text"]
            assert q["note_id"] in behind
    assert lights["quotes"][0]["text"] in LIGHTS

    # The notes behind a figure come a page at a time (cursor + Link): the same notes, each once.
    paged: list[str] = []
    page = {**params, "topic": "street_lighting", "limit": 2}
    while True:
        r = await client.get("/v1/insights/notes", params=page, headers=as_reader(settings))
        assert r.json()["total"] == lights["notes"]
        paged += [n["note_id"] for n in r.json()["notes"]]
        if r.json()["next_cursor"] is None:
            assert "link" not in r.headers
            break
        assert 'rel="next"' in r.headers["link"]
        page["cursor"] = r.json()["next_cursor"]
    assert len(paged) == len(set(paged)) == lights["notes"] and len(paged) > 2

    # The summary: every number is a returned figure, every sentence lists its notes.
    assert ins["summary"], "a summary"
    all_ids = {str(n.note_id) for n in current + previous}
    for sentence in ins["summary"]:
        text = sentence["text"]
        for name in (where, "roxbury", "fenway"):
            text = text.replace(name, "")
        numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]
        values = [float(f["value"]) for f in sentence["figures"]]
        assert numbers and sorted(numbers) == sorted(values), sentence
        for f in sentence["figures"]:
            assert _pointer(ins, f["path"]) == f["value"], f
        assert sentence["note_ids"] and set(sentence["note_ids"]) <= all_ids, sentence
    lighting_sentence = next(s for s in ins["summary"] if s["text"].startswith("Street lighting"))
    assert "5 notes" in lighting_sentence["text"] and "up from 1" in lighting_sentence["text"]
    lighting_ids = {str(n.note_id) for n in current[:5]} | {str(previous[0].note_id)}
    assert set(lighting_sentence["note_ids"]) == lighting_ids

    # The previous period's notes behind a trend are one query away too.
    r = await client.get(
        "/v1/insights/notes",
        params={**params, "topic": "street_lighting", "previous": "true"},
        headers=as_reader(settings),
    )
    assert [n["note_id"] for n in r.json()["notes"]] == [str(previous[0].note_id)]

    # Cross-district: which topic dominates where.
    r = await client.get(
        "/v1/insights/city", params={"from": start.isoformat(), "to": end.isoformat()}, headers=as_reader(settings)
    )
    assert r.status_code == 200
    mine = next(d for d in r.json()["districts"] if d["district"] == where)
    assert mine["top_topic"] == "street_lighting" and mine["top_topic_notes"] == 5 and mine["notes"] == 8

    # A material change of the district's synthesis was announced, with counts only.
    updates = await events_where(settings, Topics.INSIGHTS, lambda e: e.get("district") == where)
    # The event's default window is 30 days, so it also holds the lighting note of 20 days ago: 6
    # notes once every note is analyzed. Notes are analyzed in batches in whatever order they
    # arrive, and a move smaller than max(3, 25 %) is not material, so the last announced state
    # may predate the last batches — but never by a material change (insights/material.py).
    assert updates and updates[0]["reason"] == "first"
    last = updates[-1]["topic_notes"]["street_lighting"]
    assert updates[-1]["top_topics"][0] == "street_lighting"
    assert 0 <= 6 - last < max(3, 0.25 * last), updates[-1]
    # Each announced count comes with its estimate allowing for the model's mistakes (issue 17).
    for u in updates:
        assert set(u["topic_estimates"]) == set(u["topic_notes"]), u
        for e in u["topic_estimates"].values():
            assert 0 <= e["low"] <= e["count"] <= e["high"] and e["basis"] in ("evaluation", "corrections"), u
        lights = u["topic_estimates"].get("street_lighting")
        if lights:  # the summary says it in words beside the count as labeled
            said = f"({u['topic_notes']['street_lighting']} notes; about {lights['count']}, {lights['low']} to "
            assert said in u["summary"] and "allows for the model's mistakes" in u["summary"], u
    assert "Washington" not in json.dumps(updates)


async def test_insight_parameters_are_checked(settings: KitSettings, client: httpx.AsyncClient) -> None:
    r = await client.get("/v1/insights", params={"from": "2026-02-01", "to": "2026-01-01"}, headers=as_reader(settings))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.from"
    r = await client.get("/v1/insights", params={"from": "yesterday"}, headers=as_reader(settings))
    assert r.status_code == 422
    r = await client.get("/v1/insights", headers=bearer(settings, "partner"))
    assert r.status_code == 403
    r = await client.get("/v1/insights")
    assert r.status_code == 401


# --- learning from the city ----------------------------------------------------------------------


async def test_a_correction_changes_a_later_label(settings: KitSettings, client: httpx.AsyncClient) -> None:
    where = district()
    statement = "The fence around the community garden keeps getting knocked over"
    first = note(where, [statement])
    await publish(settings, first)
    await analyzed(settings, [first.note_id])
    ((concern_id, label, version),) = await rows(
        settings, "SELECT id, topic, model_version FROM synthesis.concerns WHERE note_id = :n", n=first.note_id
    )
    target = "property_code" if label != "property_code" else "parks"

    r = await client.put(
        f"/v1/concerns/{concern_id}/topic", json={"topic": target}, headers=bearer(settings, "officer")
    )
    assert r.status_code == 403
    r = await client.put(f"/v1/concerns/{concern_id}/topic", json={"topic": "nope"}, headers=as_supervisor(settings))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.topic"
    r = await client.put("/v1/concerns/999999999/topic", json={"topic": target}, headers=as_supervisor(settings))
    assert r.status_code == 404
    r = await client.put(f"/v1/concerns/{concern_id}/topic", json={"topic": target}, headers=as_supervisor(settings))
    assert r.status_code == 200, r.text
    corrected = r.json()
    assert corrected["previous_topic"] == label and corrected["topic"] == target
    assert int(corrected["model_version"].split("/")[0]) > int(version.split("/")[0])
    model = (await client.get("/v1/model", headers=as_reader(settings))).json()
    assert model["version"] >= corrected["model_version_number"] and model["corrections"] >= 1

    later = note(where, [statement], "We talked about it for a while.")
    await publish(settings, later)
    await analyzed(settings, [later.note_id])
    ((new_label, new_version),) = await rows(
        settings,
        "SELECT topic, model_version FROM synthesis.concerns WHERE note_id = :n AND position = 0",
        n=later.note_id,
    )
    assert new_label == target
    assert int(new_version.split("/")[0]) >= corrected["model_version_number"]
    ((source,),) = await rows(settings, "SELECT topic_source FROM synthesis.concerns WHERE id = :c", c=concern_id)
    assert source == "supervisor"
    events = await events_where(settings, Topics.NOTE_ANALYSES, lambda e: e.get("note_id") == str(first.note_id))
    assert [e["model_version"] for e in events][-1] == corrected["model_version"]
    assert events[-1]["concerns"][0]["topic"] == target


async def test_the_taxonomy_is_versioned_and_edited_at_run_time(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    r = await client.get("/v1/taxonomy", headers=as_reader(settings))
    assert r.status_code == 200
    original = r.json()
    etag = r.headers["etag"]
    assert len(original["topics"]) >= 17 and "street_lighting" in {t["name"] for t in original["topics"]}

    bees = {
        "name": "bee_swarms",
        "label": "Bee swarms",
        "description": "Swarms of bees or wasps nesting in mailboxes, porches, trees or walls",
        "examples": ["a swarm of bees in our mailbox", "wasps nest on the porch", "bees swarming the playground"],
    }
    edited = {"city": original["city"], "topics": [*original["topics"], bees]}
    r = await client.put("/v1/taxonomy", json=edited, headers=bearer(settings, "officer"))
    assert r.status_code == 403
    bad = {"city": "x", "topics": [{**bees, "name": "Bee Swarms"}]}
    r = await client.put("/v1/taxonomy", json=bad, headers=as_supervisor(settings))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.topics[0].name"
    r = await client.put("/v1/taxonomy", json=edited, headers={**as_supervisor(settings), "If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == original["version"] + 1 and r.headers["etag"] == f'"{original["version"] + 1}"'
    r = await client.put("/v1/taxonomy", json=edited, headers={**as_supervisor(settings), "If-Match": etag})
    assert r.status_code == 412
    versions = (await client.get("/v1/taxonomy/versions", headers=as_reader(settings))).json()
    assert versions[0]["version"] == original["version"] + 1 and versions[0]["created_by"] == "sup-synthesis-tests"

    where = district()
    n = note(where, ["There is a huge swarm of bees living in our mailbox"])
    await publish(settings, n)
    await analyzed(settings, [n.note_id])
    ((topic,),) = await rows(settings, "SELECT topic FROM synthesis.concerns WHERE note_id = :n", n=n.note_id)
    assert topic == "bee_swarms"

    # Put the demo city's topics back for the other tests (a new version again).
    restore = {"city": original["city"], "topics": original["topics"]}
    r = await client.put("/v1/taxonomy", json=restore, headers=as_supervisor(settings))
    assert r.status_code == 200 and r.json()["version"] == original["version"] + 2


# --- emerging topics ------------------------------------------------------------------------------

# Statements no topic of the demo taxonomy claims, well under the unassigned floor (0.3): the
# taxonomy's phrases claim 0.18-0.26 of them. Its catch-all "other" and the phrases added for a
# city's first day (issue 17) claim some wordings near the floor ("Kids need a place to go after
# school": 0.44, from the school-zone phrases), which then leave the cluster.
FRIDGE = [
    "Can we get a community fridge at the church?",
    "Our church could host a community fridge.",
    "I wish our block had a community fridge with fresh food.",
    "A free fridge with fresh food for neighbors would help our block.",
]
YOUTH = [
    "We want more youth programs after school.",
    "Youth mentoring programs are what our teenagers need.",
    "Please fund youth programs for our teenagers.",
    "Fund a youth mentoring program at the rec center.",
]
# Four of each (three each clustered alone, but failed in two full runs of 2026-12-06, in a
# session whose model and embeddings had moved; the cause is not known): a bigger group stands
# out more surely. Every statement's taxonomy claim is under 0.31 (the unassigned floor is 0.3).


async def test_unassigned_concerns_cluster_into_a_candidate_topic_that_can_be_promoted(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    where = district()
    at = datetime.now(UTC) - timedelta(days=1)
    notes = [note(where, [t], held_at=at) for t in FRIDGE + YOUTH]
    await publish(settings, *notes)
    await analyzed(settings, [n.note_id for n in notes])
    r = await client.get("/v1/emerging", params={"district": where}, headers=as_reader(settings))
    assert r.status_code == 200, r.text
    clusters = r.json()["clusters"]
    labels = await rows(
        settings, "SELECT text, topic, topic_score FROM synthesis.concerns WHERE district = :d", d=where
    )
    fridge = next((c for c in clusters if "fridge" in c["words"]), None)
    assert fridge is not None, (clusters, labels)  # when not, how the statements stand
    texts = dict(await rows(settings, "SELECT id, text FROM synthesis.concerns WHERE district = :d", d=where))
    assert {texts[i] for i in fridge["concern_ids"]} == set(FRIDGE)
    assert fridge["concerns"] == len(FRIDGE) and fridge["notes"] == len(FRIDGE) and len(fridge["quotes"]) == 3
    for q in fridge["quotes"]:
        assert q["text"] in FRIDGE and str(q["note_id"]) in {str(n.note_id) for n in notes}

    # The same clusters appear in the district's insight, and its summary names their words.
    ins = (await client.get("/v1/insights", params={"district": where}, headers=as_reader(settings))).json()
    assert any(c["cluster_id"] == fridge["cluster_id"] for c in ins["emerging"])
    assert any("“fridge”" in s["text"] for s in ins["summary"])
    assert ins["unassigned"] >= 6

    before = (await client.get("/v1/taxonomy", headers=as_reader(settings))).json()
    # Promotion is previewed (writes nothing), then confirmed with the preview's token.
    scope = {"district": where}
    body = {"name": "community_fridge", "label": "Community fridge", "cluster_id": fridge["cluster_id"]}
    r = await client.post("/v1/emerging/preview", params=scope, json=body, headers=bearer(settings, "officer"))
    assert r.status_code == 403
    r = await client.post(
        "/v1/emerging/preview", params=scope, json={**body, "name": "Bad Name"}, headers=as_supervisor(settings)
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.name"
    r = await client.post("/v1/emerging/preview", params=scope, json=body, headers=as_supervisor(settings))
    assert r.status_code == 200, r.text
    body["preview"] = r.json()["preview"]
    r = await client.post("/v1/emerging/promote", params=scope, json=body, headers=bearer(settings, "officer"))
    assert r.status_code == 403
    r = await client.post("/v1/emerging/promote", params=scope, json=body, headers=as_supervisor(settings))
    assert r.status_code == 201, r.text
    promoted = r.json()
    assert promoted["taxonomy_version"] == before["version"] + 1 and sorted(promoted["relabelled"]) == sorted(
        fridge["concern_ids"]
    )
    r = await client.post("/v1/emerging/promote", params=scope, json=body, headers=as_supervisor(settings))
    assert r.status_code == 409
    relabelled = await rows(
        settings, "SELECT DISTINCT topic FROM synthesis.concerns WHERE id = ANY(:ids)", ids=fridge["concern_ids"]
    )
    assert relabelled == [("community_fridge",)]

    later = note(where, ["Is there a community fridge nearby where we can leave food?"], held_at=at)
    await publish(settings, later)
    await analyzed(settings, [later.note_id])
    ((topic, version),) = await rows(
        settings, "SELECT topic, model_version FROM synthesis.concerns WHERE note_id = :n", n=later.note_id
    )
    assert topic == "community_fridge" and version == promoted["model_version"]

    restore = {"city": before["city"], "topics": before["topics"]}
    r = await client.put("/v1/taxonomy", json=restore, headers=as_supervisor(settings))
    assert r.status_code == 200


# --- re-analysis ------------------------------------------------------------------------------------


async def test_reanalysis_relabels_history_with_the_new_version_and_resumes(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    from porchlight.kit.db import session_factory
    from porchlight.synthesis.reanalysis.service import reanalyze
    from porchlight.synthesis.settings import SynthesisSettings

    where = district()
    since = datetime(2030, 3, 1, tzinfo=UTC)  # a time no other test files notes at
    notes = [note(where, [t], held_at=since + timedelta(days=i)) for i, t in enumerate(LIGHTS)]
    await publish(settings, *notes)
    await analyzed(settings, [n.note_id for n in notes])
    taxonomy = (await client.get("/v1/taxonomy", headers=as_reader(settings))).json()
    r = await client.put(
        "/v1/taxonomy", json={"city": taxonomy["city"], "topics": taxonomy["topics"]}, headers=as_supervisor(settings)
    )
    assert r.status_code == 200
    new_version = r.json()["model_version"]
    engine = create_engine(settings.require_database_url(), pool_size=2)
    try:
        sessions = session_factory(engine)
        holder = ModelHolder(SynthesisSettings())  # what `porchlight synthesis reanalyze` builds
        first = await reanalyze(sessions, holder, since, batch_size=2, max_batches=1)
        assert (first.notes_seen, first.notes_analyzed, first.finished, first.resumed) == (2, 2, False, False)
        second = await reanalyze(sessions, holder, since, batch_size=2)
        assert second.run_id == first.run_id and second.resumed and second.finished
        assert (second.notes_seen, second.notes_analyzed) == (5, 5)
        again = await reanalyze(sessions, holder, since, batch_size=2)
        assert again.run_id != first.run_id and (again.notes_seen, again.notes_analyzed) == (5, 0)
    finally:
        await engine.dispose()
    versions = await rows(
        settings,
        "SELECT DISTINCT n.model_version, c.model_version FROM synthesis.notes n"
        " JOIN synthesis.concerns c USING (note_id) WHERE n.district = :d",
        d=where,
    )
    assert versions == [(new_version, new_version)]
    events = await events_where(
        settings, Topics.NOTE_ANALYSES, lambda e: e.get("district") == where and e["type"].endswith("analyzed.v2")
    )
    assert {e["model_version"] for e in events} == {new_version, notes and events[0]["model_version"]}
    assert sum(e["model_version"] == new_version for e in events) == 5
