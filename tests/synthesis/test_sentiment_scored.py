"""sentiment.scored.v1 end to end (issue 17): intake -> synthesis -> broker -> dashboard.

A note filed in intake is analyzed by synthesis, which publishes ``sentiment.scored`` beside the
note's ``note.analyzed`` (scores and ids, no words); the dashboard's sentiment figures follow it.
A re-analysis with a newer model publishes another one, which supersedes the first. The record
validates against the committed JSON Schema, and a client that is not ours (confluent-kafka, the
CloudEvents SDK) reads it as a city's IT team would. Real PostgreSQL, broker and model.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from confluent_kafka import Consumer, KafkaError, Message
from support import bearer, district_of_its_own, eventually, running

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages import repository as queries
from porchlight.events import EventProducer, NoteSubmitted, SentimentScored, Topics
from porchlight.events.catalog import Concern
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.settings import KitSettings
from porchlight.synthesis.learning.service import ModelHolder

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(600)]

LABELS = ("positive", "neutral", "negative")
SCHEMA = Path(__file__).parents[2] / "docs" / "schemas" / f"{SentimentScored.TYPE}.json"


async def rows(settings: KitSettings, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(sa.text(sql), params)).all())
    finally:
        await engine.dispose()


async def scored_events(settings: KitSettings, note_ids: set[str], count: int) -> list[dict[str, Any]]:
    """The sentiment.scored records of ``note_ids`` on the analyses' topic, oldest first, once there
    are ``count`` of them (each with its record value as published)."""
    consumer = AIOKafkaConsumer(
        Topics.NOTE_ANALYSES,
        bootstrap_servers=settings.require_kafka_bootstrap(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(found) < count:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for r in records:
                    headers = dict(r.headers or ())
                    if headers.get("ce_type") != SentimentScored.TYPE.encode():
                        continue
                    data = json.loads(r.value)
                    if data.get("note_id") in note_ids:
                        found.append({"key": r.key.decode(), "raw": r.value.decode(), "data": data})
    finally:
        await consumer.stop()
    assert len(found) >= count, f"{len(found)} sentiment.scored of {count} for {sorted(note_ids)}"
    return found


def _read_with_librdkafka(bootstrap: str, note_id: str, timeout_s: float) -> Message:
    """confluent-kafka (librdkafka), own group, from the earliest offset: the note's sentiment.scored."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"city-it-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,  # the embedded broker completes a join after about half of it
            "heartbeat.interval.ms": 1000,
        }
    )
    try:
        consumer.subscribe([Topics.NOTE_ANALYSES])
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    continue
                raise AssertionError(f"consumer error: {msg.error()}")
            h = dict(msg.headers() or ())
            if h.get("ce_type") == SentimentScored.TYPE.encode() and h.get("ce_subject") == note_id.encode():
                return msg
        raise AssertionError(f"no sentiment.scored for {note_id} within {timeout_s}s")
    finally:
        consumer.close()


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return dict(json.loads(SCHEMA.read_text(encoding="utf-8")))


async def test_a_note_filed_in_intake_is_scored_published_and_counted(
    settings: KitSettings, client: httpx.AsyncClient, schema: dict[str, Any]
) -> None:
    concerns = ["The streetlight on Elm St has been out for two weeks and it is scary", "Thank you, lovely meeting"]
    async with (
        district_of_its_own(settings, "SS") as district,
        running("intake", settings) as (_, intake),
        running("dashboard", settings) as (_, _dash),
    ):
        r = await intake.post(
            "/v1/notes",
            json={
                "place": {"district": district},
                "concerns": [{"text": c} for c in concerns],
                "sentiment": 2,
                "attendees": 3,
            },
            headers=bearer(settings, "liaison", subject="liaison-ss"),
        )
        assert r.status_code == 201, r.text
        note_id = r.json()["id"]

        (record,) = await scored_events(settings, {note_id}, 1)
        data = record["data"]
        # What synthesis stored is what it published.
        ((version, label, score, analyzed_at, occurred_at),) = await rows(
            settings,
            "SELECT model_version, sentiment, sentiment_score, analyzed_at, occurred_at FROM synthesis.notes"
            " WHERE note_id = :n",
            n=uuid.UUID(note_id),
        )
        stored = await rows(
            settings,
            "SELECT position, sentiment, sentiment_score FROM synthesis.concerns WHERE note_id = :n ORDER BY position",
            n=uuid.UUID(note_id),
        )
        event = SentimentScored.model_validate(data)
        assert record["key"] == district and event.district == district and event.revision == 1
        assert event.host_rating == 2  # the host's own 1-5 rating, beside the model's reading
        assert (event.model_version, event.sentiment, event.sentiment_score) == (version, label, score)
        assert event.analyzed_at == analyzed_at and event.occurred_at == occurred_at
        assert [(c.position, c.sentiment, c.sentiment_score) for c in event.concerns] == [tuple(s) for s in stored]
        assert len(event.concerns) == 2 and stored[1][1] == "positive"
        # Scores and ids only: no word the resident said is on the record, sealed or not.
        assert "sealed" not in data and not any(word in record["raw"] for word in ("streetlight", "Elm", "lovely"))
        jsonschema.validate(data, schema)  # the committed contract (docs/schemas), as a city's client checks it

        # The dashboard keeps it and its figures count the note as the model read it.
        async def kept() -> bool:
            found = await rows(
                settings,
                "SELECT s.model_version, s.host_rating, n.model_sentiment FROM dashboard.note_sentiments s"
                " JOIN dashboard.notes n USING (note_id) WHERE note_id = :n",
                n=uuid.UUID(note_id),
            )
            return found == [(version, 2, label)]

        await eventually(kept, timeout_s=30)
        engine = create_engine(settings.require_database_url(), pool_size=1)
        try:
            async with session_factory(engine)() as session:
                figures = (await queries.sentiment(session, [district], Month.parse(None)))[district]
        finally:
            await engine.dispose()
        month = figures.trend[-1]
        assert (month.positive, month.neutral, month.negative) == tuple(int(label == k) for k in LABELS)
        assert month.average == 2.0 and figures.positive_share == (1.0 if label == "positive" else 0.0)

    # A client that is not ours reads it as a city's IT team would: librdkafka and the CloudEvents SDK.
    msg = await asyncio.to_thread(_read_with_librdkafka, settings.require_kafka_bootstrap(), note_id, 30)
    headers = {name: value for name, value in msg.headers() or []}
    ce = ce_kafka.from_binary(ce_kafka.KafkaMessage(headers=headers, key=msg.key(), value=msg.value()), JSONFormat())
    assert ce.get_type() == "org.porchlight.sentiment.scored.v1" and ce.get_subject() == note_id
    assert ce.get_source() == "/porchlight/synthesis" and msg.key() == district.encode()
    assert ce.get_data() == data


async def test_a_reanalysis_publishes_a_newer_reading_that_supersedes(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    from porchlight.synthesis.reanalysis.service import reanalyze
    from porchlight.synthesis.settings import SynthesisSettings

    district = f"SSR-{uuid.uuid4().hex[:8]}"
    # Re-analysis takes every note since a time, in time order: no other test's note is held in 2029,
    # and one batch of two stops before the 2030 notes of tests/synthesis/test_synthesis_service.py.
    since = datetime(2029, 5, 1, tzinfo=UTC)
    notes = [
        NoteSubmitted(
            note_id=uuid.uuid4(),
            district=district,
            host_id="host-ss",
            submitted_at=since + timedelta(days=i),
            held_at=since + timedelta(days=i),
            concerns=[Concern(text=t)],
            sentiment=4,
        )
        for i, t in enumerate(["Cars race down Oak Ave every night", "The new benches in the park are great"])
    ]
    ids = {str(n.note_id) for n in notes}
    async with running("dashboard", settings) as (_, _dash):
        producer = EventProducer(settings.require_kafka_bootstrap(), idempotent=False)
        await producer.start()
        try:
            for n in notes:
                await producer.publish(n, source="/tests/sentiment")
        finally:
            await producer.stop()
        first = await scored_events(settings, ids, 2)
        old_version = first[0]["data"]["model_version"]

        # A new model version (the taxonomy saved again), then the re-analysis of everything since.
        reader, sup = bearer(settings, "supervisor", subject="ss-reader"), bearer(settings, "supervisor")
        taxonomy = (await client.get("/v1/taxonomy", headers=reader)).json()
        r = await client.put("/v1/taxonomy", json={"city": taxonomy["city"], "topics": taxonomy["topics"]}, headers=sup)
        assert r.status_code == 200, r.text
        new_version = r.json()["model_version"]
        assert new_version != old_version
        engine = create_engine(settings.require_database_url(), pool_size=2)
        try:
            holder = ModelHolder(SynthesisSettings())  # what `porchlight synthesis reanalyze` builds
            report = await reanalyze(session_factory(engine), holder, since, batch_size=2, max_batches=1)
        finally:
            await engine.dispose()
        assert report.notes_analyzed == 2

        events = await scored_events(settings, ids, 4)
        assert len(events) == 4  # one per note per analysis: the re-analysis added exactly one each
        for n in notes:
            mine = [e["data"] for e in events if e["data"]["note_id"] == str(n.note_id)]
            assert [e["model_version"] for e in mine] == [old_version, new_version]
            assert mine[1]["analyzed_at"] > mine[0]["analyzed_at"] and mine[1]["revision"] == 1
            assert mine[1]["host_rating"] == 4

        async def superseded() -> bool:
            found = await rows(
                settings,
                "SELECT DISTINCT model_version FROM dashboard.note_sentiments WHERE district = :d",
                d=district,
            )
            return found == [(new_version,)]

        await eventually(superseded, timeout_s=30)
