"""The outbox relay on real PostgreSQL and a real broker: replicas side by side, order per key,
woken by its own process's commits, and its poll finding rows nobody woke it for."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import defaultdict
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from support import scalar

from porchlight.events import EventProducer, NoteSubmitted, Outbox, OutboxRelay, Topics, from_kafka, new_envelope
from porchlight.kit.db import asyncpg_dsn, create_engine, session_factory, unit_of_work
from porchlight.kit.migrations import migrate
from porchlight.kit.service import get_service

pytestmark = pytest.mark.integration


def _note(district: str, seq: int) -> NoteSubmitted:
    return NoteSubmitted(
        note_id=uuid.uuid4(), district=district, host_id="relay-test", submitted_at=datetime.now(UTC), text=str(seq)
    )


async def _read_all(bootstrap: str, prefix: str, want: int, timeout_s: float = 30) -> dict[str, list[int]]:
    """Sequence numbers per key, in the order the broker holds them."""
    consumer = AIOKafkaConsumer(Topics.NOTES, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    seen: dict[str, list[int]] = defaultdict(list)
    try:
        deadline = time.monotonic() + timeout_s
        while sum(len(v) for v in seen.values()) < want and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=200)).values():
                for rec in records:
                    env = from_kafka(rec.key, rec.value, rec.headers)
                    if env.key and env.key.startswith(prefix):
                        seen[env.key].append(int(env.data["text"]))
    finally:
        await consumer.stop()
    return seen


def _relay(engine, producer, settings, **kw) -> OutboxRelay:
    spec = get_service("intake")
    return OutboxRelay(
        engine,
        spec.outbox,
        producer,
        service="intake",
        schema="intake",
        listen_dsn=asyncpg_dsn(settings.database_url),
        **kw,
    )


async def test_two_relays_side_by_side_publish_everything_in_order_per_key(own_broker):
    _, settings = own_broker
    spec = get_service("intake")
    prefix, keys, per_key = f"R{uuid.uuid4().hex[:6]}-", 12, 150
    engine = create_engine(settings.database_url, pool_size=4)
    sessions = session_factory(engine)
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    relays = [_relay(engine, producer, settings, batch_size=50) for _ in range(2)]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    try:
        # Writers interleave keys across many small transactions while both relays run.
        for seq in range(per_key):
            async with unit_of_work(sessions) as session:
                await spec.outbox.add(session, *[_note(f"{prefix}{k}", seq) for k in range(keys)])
        seen = await _read_all(settings.kafka_bootstrap, prefix, keys * per_key)
    finally:
        for r in relays:
            r.stop()
        await asyncio.gather(*tasks)
        await producer.stop()
        await engine.dispose()
    assert sorted(seen) == sorted(f"{prefix}{k}" for k in range(keys))
    for key, seqs in seen.items():
        assert seqs == list(range(per_key)), f"{key} out of order or incomplete"
    assert await scalar(settings, "SELECT count(*) FROM intake.outbox WHERE key LIKE :p", p=prefix + "%") == 0


async def test_relay_wakes_on_its_process_commit_not_on_its_poll(own_broker):
    _, settings = own_broker
    spec = get_service("intake")
    prefix = f"N{uuid.uuid4().hex[:6]}-"
    engine = create_engine(settings.database_url, pool_size=2)
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    relay = _relay(engine, producer, settings, idle_poll_s=60.0)  # a poll would come far too late
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.5)  # the relay is idle, waiting
        # A transaction that rolls back wakes nobody and leaves nothing.
        with pytest.raises(RuntimeError):
            async with unit_of_work(session_factory(engine)) as session:
                await spec.outbox.add(session, _note(f"{prefix}gone", 0))
                raise RuntimeError("rolled back")
        started = time.monotonic()
        async with unit_of_work(session_factory(engine)) as session:
            await spec.outbox.add(session, _note(f"{prefix}a", 0))
        seen = await _read_all(settings.kafka_bootstrap, prefix, 1, timeout_s=10)
        assert seen == {f"{prefix}a": [0]}
        assert time.monotonic() - started < 5.0
    finally:
        relay.stop()
        await task
        await producer.stop()
        await engine.dispose()


async def test_rows_written_without_the_in_process_signal_are_found_by_the_poll(own_broker):
    """Another process (a replica, a CLI) commits rows: nothing wakes this relay, its poll does."""
    _, settings = own_broker
    prefix = f"P{uuid.uuid4().hex[:6]}-"
    engine = create_engine(settings.database_url, pool_size=2)
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    relay = _relay(engine, producer, settings, idle_poll_s=0.3)
    task = asyncio.create_task(relay.run())
    # "Another process": its own engine and a plain connection, and an Outbox object that no
    # relay listens to, so no in-process wake-up can reach the relay.
    other = create_engine(settings.database_url, pool_size=1)
    foreign = Outbox(sa.MetaData(schema="intake"), source="/porchlight/intake")
    try:
        await asyncio.sleep(0.5)
        rows = [Outbox.row(new_envelope(e, source=foreign.source), e.TOPIC) for e in map(_note_of(prefix), range(5))]
        async with other.begin() as conn:
            await conn.execute(sa.insert(foreign.table), rows)
        seen = await _read_all(settings.kafka_bootstrap, prefix, 5, timeout_s=10)
        assert seen == {f"{prefix}x": [0, 1, 2, 3, 4]}  # all of them, in order
        assert await scalar(settings, "SELECT count(*) FROM intake.outbox WHERE key LIKE :p", p=prefix + "%") == 0
    finally:
        relay.stop()
        await task
        await producer.stop()
        await engine.dispose()
        await other.dispose()


def _note_of(prefix: str):
    return lambda seq: _note(f"{prefix}x", seq)


async def test_migrate_drops_the_old_notify_trigger(settings):
    """A database made by an older version has the NOTIFY trigger; migrating removes it."""
    spec = get_service("intake")
    count = "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid " + (
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'intake' AND t.tgname = 'outbox_notify'"
    )
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:  # what the first migration used to install
            await conn.execute(
                sa.text(
                    "CREATE OR REPLACE FUNCTION intake.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN PERFORM pg_notify('porchlight_outbox_intake', ''); RETURN NULL; END $$"
                )
            )
            await conn.execute(
                sa.text(
                    "CREATE TRIGGER outbox_notify AFTER INSERT ON intake.outbox "
                    "FOR EACH STATEMENT EXECUTE FUNCTION intake.outbox_notify()"
                )
            )
        assert await scalar(settings, count) == 1
        await migrate(engine, spec)
        assert await scalar(settings, count) == 0
        assert await scalar(settings, "SELECT to_regproc('intake.outbox_notify') IS NULL") is True
        await migrate(engine, spec)  # again: nothing left to do, nothing fails
    finally:
        await engine.dispose()
