"""Replay of retained events to a fresh broker (issue 16, docs/adr/0015): how long a relay takes
to republish its ``outbox_published`` archive to a broker that came back empty.

    python bench/republish.py [--events N] [--payload BYTES] [--batch B]

All on 127.0.0.1, in a temp directory removed at exit (results: docs/benchmarks.md):

1. starts its own embedded PostgreSQL and Tansu broker and migrates intake (its outbox tables);
2. fills ``intake.outbox_published`` with N events (``--payload`` bytes of JSON each, keys over
   the demo city's districts, the note topic's real headers) with one INSERT ... SELECT;
3. remembers a cluster id that is not the broker's (as if the archive had gone to a broker that
   died), then times ``OutboxRelay.watch_broker``: topics, every row read in id order in batches,
   produced with acks=all;
4. checks the broker holds N records on the topic (read back to the end) and prints the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import sqlalchemy as sa
from _platform import Platform, start_platform, stop_platform
from aiokafka import AIOKafkaConsumer

from porchlight.events import EventProducer, OutboxRelay, Topics, ensure_topics
from porchlight.events.brokerid import BrokerIdentity
from porchlight.kit.db import create_engine
from porchlight.kit.service import get_service

DISTRICTS = ["A1", "A7", "B2", "B3", "C6", "C11", "D4", "D14", "E5", "E13", "E18", "T-1"]


async def _fill(engine: sa.ext.asyncio.AsyncEngine, n: int, payload_bytes: int) -> None:
    filler = "x" * max(0, payload_bytes - 120)
    districts = "ARRAY[" + ",".join(f"'{d}'" for d in DISTRICTS) + "]"
    headers = json.dumps([["ce_specversion", "1.0"], ["ce_type", "org.porchlight.note.submitted.v2"]])
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO intake.outbox_published "
                "(id, event_id, event_type, topic, key, headers, payload, created_at) "
                "SELECT g, gen_random_uuid(), 'org.porchlight.note.submitted.v2', :topic, "
                f"({districts})[1 + g % 12], CAST(:headers AS jsonb), "
                "convert_to(json_build_object('n', g, 'f', CAST(:filler AS text))::text, 'UTF8'), now() "
                "FROM generate_series(1, :n) AS g"
            ),
            {"topic": Topics.NOTES, "headers": headers, "filler": filler, "n": n},
        )


async def _held(bootstrap: str, topic: str) -> int:
    """Records on ``topic``, read to the end (Tansu's end offsets are approximate)."""
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await reader.start()
    n, idle = 0, 0
    try:
        while idle < 4:
            batch = await reader.getmany(timeout_ms=500, max_records=10_000)
            got = sum(len(r) for r in batch.values())
            n, idle = n + got, 0 if got else idle + 1
        return n
    finally:
        await reader.stop()


async def run(p: Platform, n: int, payload_bytes: int, batch: int) -> dict[str, object]:
    spec = get_service("intake")
    s = p.settings
    engine = create_engine(s.require_database_url(), pool_size=2)
    t0 = time.perf_counter()
    await _fill(engine, n, payload_bytes)
    filled_s = time.perf_counter() - t0
    async with engine.begin() as conn:
        await conn.execute(
            sa.text("INSERT INTO intake.outbox_broker (id, cluster_id) VALUES (1, 'porchlight-the-dead-one')")
        )
    producer = EventProducer(s.require_kafka_bootstrap(), idempotent=False, client_id="bench-republish")
    await producer.start()

    async def topics() -> None:
        await ensure_topics(s.require_kafka_bootstrap(), spec.topics, partitions=s.topic_partitions)

    relay = OutboxRelay(
        engine,
        spec.outbox,
        producer,
        service="intake",
        schema=spec.schema,
        batch_size=batch,
        identity=BrokerIdentity(s.require_kafka_bootstrap()),
        on_new_broker=topics,
    )
    relay._known_cluster = "porchlight-the-dead-one"  # as a relay that was running finds it
    t1 = time.perf_counter()
    sent = await relay.watch_broker(fresh=True)
    replay_s = time.perf_counter() - t1
    await producer.stop()
    held = await _held(s.require_kafka_bootstrap(), Topics.NOTES)
    await engine.dispose()
    return {
        "events": n,
        "payload_bytes": payload_bytes,
        "batch": batch,
        "fill_s": round(filled_s, 1),
        "republished": sent,
        "replay_s": round(replay_s, 1),
        "events_per_s": round(sent / replay_s) if replay_s else None,
        "broker_holds": held,
        "ok": sent == n and held == n,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--payload", type=int, default=1000, help="bytes of JSON per event")
    ap.add_argument("--batch", type=int, default=1000, help="rows read and produced per round trip")
    args = ap.parse_args()
    p = start_platform("porchlight-republish-", [get_service("intake")])
    try:
        result = asyncio.run(run(p, args.events, args.payload, args.batch))
    finally:
        stop_platform(p)
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
