"""Nothing lost, nothing twice — on a real PostgreSQL and a real Kafka-protocol broker.

* the broker is down while notes are posted: the outbox keeps them, they all arrive once after;
* a consumer process is SIGKILLed mid-stream: after a restart every event is applied exactly once;
* poison records go to the dead-letter topic with their error, and the next good event applies;
* a handler that keeps failing dead-letters that one event and the consumer goes on.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from support import all_topics, bearer, district_of_its_own, eventually, running, scalar

from porchlight.events import (
    ConsumerRunner,
    ConsumerSpec,
    EventProducer,
    NoteSubmitted,
    Topics,
    dlq_topic,
    ensure_topics,
    new_envelope,
    to_kafka,
)
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.embedded import free_port
from porchlight.kit.service import get_service

pytestmark = pytest.mark.integration


def _district() -> str:
    return f"T-{uuid.uuid4().hex[:10]}"


def _note(district: str) -> NoteSubmitted:
    return NoteSubmitted(
        note_id=uuid.uuid4(), district=district, host_id="host-1", submitted_at=datetime.now(UTC), text="x"
    )


async def _dashboard_count(settings, district: str) -> int:
    n = await scalar(settings, "SELECT notes FROM dashboard.district_activity WHERE district = :d", d=district)
    return int(n or 0)  # type: ignore[call-overload]


async def test_broker_outage_loses_nothing_and_applies_each_once(own_broker):
    broker, own = own_broker
    liaison = bearer(own, "liaison")
    async with district_of_its_own(own) as district:
        note = {"place": {"district": district}, "sentiment": 3, "attendees": 5}
        async with running("intake", own) as (_, intake), running("dashboard", own):
            r = await intake.post("/v1/notes", json=note, headers=liaison)
            assert r.status_code == 201
            await eventually(lambda: _is(own, district, 1))

            broker.stop()
            for _ in range(5):
                r = await intake.post("/v1/notes", json=note, headers=liaison)
                assert r.status_code == 201, "intake must accept notes while the broker is away"
            queued = await scalar(own, "SELECT count(*) FROM intake.outbox WHERE key = :d", d=district)
            assert queued == 5, "the five notes wait in the outbox"
        # Standalone mode owns the embedded broker's lifecycle: same port, topics first, then clients.
        broker.start()
        await ensure_topics(own.kafka_bootstrap, all_topics(), partitions=own.topic_partitions)
        async with running("intake", own), running("dashboard", own):
            await eventually(lambda: _is(own, district, 6), timeout_s=30)
            await asyncio.sleep(1.0)  # a late duplicate would show up here
            assert await _dashboard_count(own, district) == 6
            assert await scalar(own, "SELECT count(*) FROM intake.outbox WHERE key = :d", d=district) == 0


async def _is(settings, district: str, n: int) -> bool:
    return await _dashboard_count(settings, district) == n


def _serve_dashboard(settings, port: int) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        KAFKA_BOOTSTRAP=settings.kafka_bootstrap,
        PORCHLIGHT_EMBEDDED_BROKER="true" if settings.embedded_broker else "false",
        PORCHLIGHT_DATA_DIR=str(settings.data_dir),
        PORCHLIGHT_CONSUMER_SESSION_TIMEOUT_MS="6000",
        PORCHLIGHT_LOG_FORMAT="text",
    )
    cmd = [sys.executable, "-m", "porchlight.kit", "serve", "dashboard", "--no-migrate", "--port", str(port)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_consumer_killed_mid_stream_applies_each_event_once(own_broker):
    # A broker of its own: thousands of events on the shared one would slow every later new group.
    # 4,000 events: enough to kill mid-stream, and applied within the timeout even by the
    # dashboard's full read models (~150 events/s on a loaded 2-core machine).
    _, settings = own_broker
    district, total = _district(), 4_000
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        futures = []
        for _ in range(total):
            key, value, headers = to_kafka(new_envelope(_note(district), source="/tests"))
            futures.append(await producer.send_raw(Topics.NOTES, key=key, value=value, headers=headers))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()

    proc = _serve_dashboard(settings, free_port())
    try:
        deadline = time.monotonic() + 60
        while (n := await _dashboard_count(settings, district)) == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert 0 < n < total, f"expected to kill mid-stream, saw {n} of {total} applied"
        proc.send_signal(signal.SIGKILL)  # no graceful shutdown, no offset commit
        proc.wait(10)
        killed_at = await _dashboard_count(settings, district)
        assert killed_at < total

        proc = _serve_dashboard(settings, free_port())
        await eventually(lambda: _is(settings, district, total), timeout_s=90, every_s=0.25)
        await asyncio.sleep(1.0)
        assert await _dashboard_count(settings, district) == total
    finally:
        proc.terminate()  # graceful: leaves the group at once for the tests that follow
        proc.wait(20)


async def _dlq_records(bootstrap: str, topic: str, key: bytes, want: int, timeout_s: float = 20) -> list:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    found: list = []
    try:
        deadline = time.monotonic() + timeout_s
        while len(found) < want and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            found += [r for recs in batches.values() for r in recs if r.key == key]
    finally:
        await consumer.stop()
    return found


async def test_poison_records_go_to_the_dead_letter_topic_and_the_next_event_applies(settings):
    district = _district()
    key = district.encode()
    good = to_kafka(new_envelope(_note(district), source="/tests"))[1:]
    valid_headers = good[1]
    bad_data_headers = [(k, v) for k, v in valid_headers if k != "ce_id"] + [("ce_id", b"bad-data")]
    poison = [
        (b"not json at all", valid_headers),  # data is not JSON
        (b'{"district": "x"}', bad_data_headers),  # misses required fields
        (good[0], []),  # no CloudEvents headers at all
    ]
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    async with running("dashboard", settings):
        try:
            for value, headers in poison:
                await (await producer.send_raw(Topics.NOTES, key=key, value=value, headers=headers))
            await (await producer.send_raw(Topics.NOTES, key=key, value=good[0], headers=good[1]))
        finally:
            await producer.stop()
        await eventually(lambda: _is(settings, district, 1))

    dead = await _dlq_records(settings.kafka_bootstrap, dlq_topic(Topics.NOTES, "porchlight.dashboard"), key, 3)
    assert [r.value for r in dead] == [v for v, _ in poison]
    errors = [dict(r.headers)["dlq-error"].decode() for r in dead]
    assert "not JSON" in errors[0]
    assert "note_id" in errors[1]  # the validation error names the missing field
    assert "ce_specversion" in errors[2]
    assert all(dict(r.headers)["dlq-group"] == b"porchlight.dashboard" for r in dead)


async def test_a_handler_that_keeps_failing_dead_letters_the_event_and_goes_on(own_broker):
    _, settings = own_broker
    district, poison_district = _district(), _district()
    group = f"test.failing.{uuid.uuid4().hex[:8]}"
    applied: list[str] = []

    async def handler(session, event: NoteSubmitted, env) -> None:
        if event.district == poison_district:
            raise RuntimeError("this note always breaks the handler")
        await session.execute(sa.text("SELECT 1"))
        applied.append(event.district)

    spec = ConsumerSpec(group=group, handlers={NoteSubmitted: handler})
    await ensure_topics(settings.kafka_bootstrap, spec.dlq_topics, partitions=1)  # before any producer
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    engine = create_engine(settings.database_url, pool_size=2)
    runner = ConsumerRunner(
        spec,
        service="tests",
        bootstrap=settings.kafka_bootstrap,
        sessions=session_factory(engine),
        inbox=get_service("dashboard").inbox,
        producer=producer,
        max_attempts=3,
        backoff_s=0.05,
        session_timeout_ms=6000,
    )
    # Same key: both events share a partition, so "goes on" means past the failing one.
    bad, ok = _note(poison_district), _note(district)
    for event in (bad, ok):
        _, value, headers = to_kafka(new_envelope(event, source="/tests"))
        await (await producer.send_raw(Topics.NOTES, key=b"same-key", value=value, headers=headers))
    await runner.start()
    task = asyncio.create_task(runner.run())
    try:
        deadline = time.monotonic() + 30
        while district not in applied and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert applied == [district]
    finally:
        runner.stop()
        await task
        await runner.close()
        await producer.stop()
        await engine.dispose()
    dead = await _dlq_records(settings.kafka_bootstrap, dlq_topic(Topics.NOTES, group), b"same-key", 1)
    assert len(dead) == 1
    assert "RuntimeError: this note always breaks the handler" in dict(dead[0].headers)["dlq-error"].decode()
