"""Batch handlers and duplicates inside one poll, on the real broker and database."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import pytest

from porchlight.events import ConsumerRunner, ConsumerSpec, EventProducer, NoteSubmitted, Topics, ensure_topics
from porchlight.events.envelope import new_envelope, to_kafka
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.service import get_service

pytestmark = pytest.mark.integration


async def test_batch_handler_sees_each_new_event_once_in_order(own_broker):
    _, settings = own_broker
    group = f"test.batch.{uuid.uuid4().hex[:8]}"
    seen: list[str] = []

    async def on_batch(session, batch) -> None:
        seen.extend(event.text for event, _ in batch)

    spec = ConsumerSpec(group=group, batch_handlers={NoteSubmitted: on_batch})
    await ensure_topics(settings.kafka_bootstrap, spec.dlq_topics, partitions=1)
    envs = [
        new_envelope(
            NoteSubmitted(note_id=uuid.uuid4(), district="X", host_id="h", submitted_at=datetime.now(UTC), text=str(i)),
            source="/tests",
        )
        for i in range(5)
    ]
    # The broker holds event 2 three times (a producer retry and a relay replay, say).
    sequence = [envs[0], envs[1], envs[2], envs[2], envs[3], envs[2], envs[4]]
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    for env in sequence:
        _, value, headers = to_kafka(env)
        await (await producer.send_raw(Topics.NOTES, key=b"one-partition", value=value, headers=headers))
    engine = create_engine(settings.database_url, pool_size=2)
    runner = ConsumerRunner(
        spec,
        service="tests",
        bootstrap=settings.kafka_bootstrap,
        sessions=session_factory(engine),
        inbox=get_service("dashboard").inbox,
        producer=producer,
        session_timeout_ms=6000,
    )
    await runner.start()
    task = asyncio.create_task(runner.run())
    try:
        deadline = time.monotonic() + 30
        while len(seen) < 5 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
    finally:
        runner.stop()
        await task
        await runner.close()
        await producer.stop()
        await engine.dispose()
    assert seen == ["0", "1", "2", "3", "4"]


def test_an_event_class_takes_one_handler_kind():
    async def h(*_):
        return None

    with pytest.raises(ValueError, match="one handler kind"):
        ConsumerSpec(group="g", handlers={NoteSubmitted: h}, batch_handlers={NoteSubmitted: h})
