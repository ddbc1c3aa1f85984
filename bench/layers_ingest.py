"""Layers, measured (issue 13): records in from Kafka, and a lighting record → its connection.

1. ``ingest``: N ``record.reported`` events (1 KB-ish, points in the demo city) are put on
   ``porchlight.records`` first; then layers starts (a child process, its own uvicorn) and the
   clock runs from its first stored record to the N-th: records stored per second through the
   Kafka door (validation, location, upsert, ``record.accepted`` in the outbox). Target ≥ 5,000/s.
2. ``latency``: with incidents and residents' lighting concerns in place on K blocks, a streetlight
   outage is reported (``POST /v1/records``) on each block in turn, and the time until its
   connection is listed by ``GET /v1/connections`` is taken. Target p95 < 5 s.

    .venv/bin/python bench/layers_ingest.py [--records 50000] [--blocks 20] [--replicas 1] [--json OUT]

``--replicas N`` runs N layers processes in the one consumer group (the topic has 3 partitions by
default): a Deployment's replicas, here all on the same 2 cores.

Everything runs on 127.0.0.1 with its own embedded PostgreSQL and Tansu, removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _platform import Platform, serve_service, start_platform, start_service, stop_platform

M = 1 / 111_320
ENV: dict[str, str] = {}


def start_child(p: Platform) -> None:
    start_service(p, "layers", __file__, ENV)


#: Further layers processes (``--replicas``): the same consumer group, so the topic's partitions
#: are shared among them, as a Deployment with replicas shares them.
REPLICAS: list[Platform] = []


def start_replicas(p: Platform, n: int) -> None:
    import dataclasses

    for _ in range(n - 1):
        other = dataclasses.replace(p, child=None, spy=None)
        start_service(other, "layers", __file__, ENV)
        REPLICAS.append(other)


def stop_replicas() -> None:
    import signal
    import subprocess

    for other in REPLICAS:
        if other.child is not None and other.child.poll() is None:
            other.child.send_signal(signal.SIGINT)
            try:
                other.child.wait(30)
            except subprocess.TimeoutExpired:
                other.child.kill()


def demo_points(n: int) -> list[tuple[float, float]]:
    import random

    from porchlight.kit.city import load_city

    city = load_city(None)
    rng = random.Random(7)
    out: list[tuple[float, float]] = []
    while len(out) < n:
        d = city.districts[len(out) % len(city.districts)]
        minx, miny, maxx, maxy = d.geometry.bounds
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if city.locate([lat], [lon])[0]:
            out.append((lat, lon))
    return out


async def publish_records(bootstrap: str, n: int) -> None:
    from porchlight.events import EventProducer, RecordReported, Topics, new_envelope, to_kafka
    from porchlight.events.catalog import GeoPoint

    points = demo_points(min(n, 5000))
    producer = EventProducer(bootstrap, idempotent=False)
    await producer.start()
    try:
        now = datetime.now(UTC)
        pending = []
        for i in range(n):
            lat, lon = points[i % len(points)]
            event = RecordReported(
                department="public-works",
                layer="graffiti",
                external_id=f"G-{i:08d}",
                category="Graffiti removal",
                point=GeoPoint(lat=lat, lon=lon),
                opened_at=now - timedelta(minutes=i % 10_000),
                description="Tag on the north wall of the underpass, about two metres wide, black spray paint",
                attributes={"reason": "Graffiti", "source": "City Worker App", "surface": "concrete", "size_m2": 2},
            )
            key, value, headers = to_kafka(new_envelope(event, source="/city/public-works"))
            pending.append(await producer.send_raw(Topics.RECORDS, key=key, value=value, headers=headers))
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def stored_count(url: str) -> tuple[int, Any]:
    import sqlalchemy as sa

    from porchlight.kit.db import create_engine

    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(sa.text("SELECT count(*), min(received_at) FROM layers.records"))).one()
            return int(row[0]), row[1]
    finally:
        await engine.dispose()


def ingest(p: Platform, n: int, replicas: int = 1) -> dict[str, Any]:
    t0 = time.monotonic()
    asyncio.run(publish_records(p.settings.kafka_bootstrap, n))
    published_s = time.monotonic() - t0
    start_child(p)
    start_replicas(p, replicas)
    started = time.monotonic()
    while True:
        count, first = asyncio.run(stored_count(p.settings.database_url))
        if count >= n:
            break
        if time.monotonic() - started > 600:
            raise RuntimeError(f"only {count} of {n} stored after 600 s")
        time.sleep(0.2)
    done = datetime.now(UTC)
    span = (done - first).total_seconds()
    return {
        "records": n,
        "replicas": replicas,
        "published_s": round(published_s, 2),
        "stored_s": round(span, 2),
        "records_per_s": round(n / span, 1),
    }


def latency(p: Platform, blocks: int) -> dict[str, Any]:
    from porchlight.kit.auth import mint_token

    base = f"http://127.0.0.1:{p.port}"
    analyst = {"Authorization": f"Bearer {mint_token(p.settings, subject='bench', roles=['analyst'], ttl_s=3600)}"}
    sup = {"Authorization": f"Bearer {mint_token(p.settings, subject='bench', roles=['supervisor'], ttl_s=3600)}"}
    now = datetime.now(UTC)
    points = demo_points(blocks * 7)[::7]  # blocks far enough apart
    with httpx.Client(timeout=30) as http:
        for b, (lat, lon) in enumerate(points):
            for i in range(5):
                body = {
                    "department": "police",
                    "layer": "incident",
                    "category": "Motor vehicle theft",
                    "external_id": f"B{b}-T{i}",
                    "point": {"lat": lat + 20 * M, "lon": lon},
                    "opened_at": (now - timedelta(days=1 + 4 * i)).isoformat(),
                    "attributes": {"nibrs_code": "240"},
                }
                http.post(f"{base}/v1/records", json=body, headers=analyst).raise_for_status()
        asyncio.run(publish_concerns(p.settings.kafka_bootstrap, points, now))
        time.sleep(3)  # the concerns reach layers
        waits = []
        for b, (lat, lon) in enumerate(points):
            body = {
                "department": "public-works",
                "layer": "street_light_outage",
                "category": "Street light out",
                "external_id": f"SL-{b}",
                "point": {"lat": lat, "lon": lon},
                "opened_at": now.isoformat(),
            }
            t = time.monotonic()
            rid = http.post(f"{base}/v1/records", json=body, headers=analyst).json()["record_id"]
            while True:
                listed = http.get(f"{base}/v1/connections", headers=sup).json()
                if any(c["record_id"] == rid for c in listed):
                    waits.append(time.monotonic() - t)
                    break
                if time.monotonic() - t > 30:
                    waits.append(float("inf"))
                    break
                time.sleep(0.05)
    waits.sort()
    p95 = waits[min(len(waits) - 1, round(0.95 * len(waits)) - 1)]
    return {
        "blocks": len(waits),
        "p50_s": round(statistics.median(waits), 3),
        "p95_s": round(p95, 3),
        "max_s": round(waits[-1], 3),
    }


async def publish_concerns(bootstrap: str, points: list[tuple[float, float]], now: datetime) -> None:
    from porchlight.events import EventProducer, NoteAnalyzed, NoteSubmitted, new_envelope, to_kafka
    from porchlight.events.catalog import Concern, ConcernAnalysis, GeoPoint

    producer = EventProducer(bootstrap, idempotent=False)
    await producer.start()
    try:
        for b, (lat, lon) in enumerate(points):
            note_id, text = uuid.uuid4(), f"It is so dark on this corner at night ({b})"
            for event in (
                NoteSubmitted(
                    note_id=note_id,
                    district="A1",
                    host_id="bench",
                    submitted_at=now,
                    held_at=now,
                    concerns=[Concern(text=text, point=GeoPoint(lat=lat - 30 * M, lon=lon))],
                ),
                NoteAnalyzed(
                    note_id=note_id,
                    district="A1",
                    model_version="bench",
                    revision=1,
                    occurred_at=now,
                    sentiment="negative",
                    sentiment_score=-0.5,
                    concerns=[
                        ConcernAnalysis(text=text, topic="street_lighting", sentiment="negative", sentiment_score=-0.5)
                    ],
                ),
            ):
                key, value, headers = to_kafka(new_envelope(event, source="/porchlight/bench"))
                await (await producer.send_raw(event.TOPIC, key=key, value=value, headers=headers))
    finally:
        await producer.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve-child", help=argparse.SUPPRESS)
    ap.add_argument("--records", type=int, default=50_000)
    ap.add_argument("--blocks", type=int, default=20)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--tick", type=float, help="PORCHLIGHT_LAYERS_CONNECTIONS_TICK_S for the child")
    ap.add_argument("--only", choices=["ingest", "latency"])
    ap.add_argument("--replicas", type=int, default=1, help="layers processes in the consumer group (default 1)")
    args = ap.parse_args()
    if args.tick is not None:
        ENV["PORCHLIGHT_LAYERS_CONNECTIONS_TICK_S"] = str(args.tick)
    if args.serve_child:
        serve_service(args.serve_child)
        return
    from porchlight.kit.service import get_service

    p = start_platform("pl-layers-bench-", [get_service("layers")])
    try:
        result = {}
        if args.only in (None, "ingest"):
            result["ingest"] = ingest(p, args.records, args.replicas)
        else:
            start_child(p)
        if args.only in (None, "latency"):
            result["latency"] = latency(p, args.blocks)
    finally:
        stop_replicas()
        stop_platform(p)
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
