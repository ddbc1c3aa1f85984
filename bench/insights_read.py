"""`GET /v1/insights` of a 750-note district, from the read model (issue 17; target p95 < 50 ms).

    python bench/insights_read.py [--notes 750] [--requests 500] [--cold 20] [--json FILE]

What it does, on 127.0.0.1 in a temp directory removed at exit:

1. starts its own embedded PostgreSQL and Tansu broker, migrates synthesis, and starts synthesis
   in a child process (uvicorn, consumer, analyzer, insight warmer);
2. publishes ``--notes`` ``note.submitted`` events for district D1 (and a tenth as many for each
   of D2-D4), held over the last 30 days, each with 3 concern statements: real residents'
   sentences from ../shared/data/topics_dev.csv (as bench/synthesis_latency.py), analyzed by the
   real model; waits until every note is analyzed;
3. **kept current**: D1 is read once while its notes are analyzed (the warmer keeps current the
   districts someone reads); the first request after the analysis settled (and a second), which
   the warmer should have made a read;
4. **cold**: ``--cold`` times, the district's version is moved (a change row, as any writer's
   trigger adds) and ``GET /v1/insights?district=D1`` timed: a build, as before the read model;
5. **warm**: ``--requests`` sequential requests by an analyst (every word), then the same by an
   officer of another district (the words withheld), then with ``If-None-Match`` (304s).

Printed: p50/p95/p99/max per phase, and whether the warm p95 meets 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
import sqlalchemy as sa
from _platform import Platform, serve_service, start_platform, start_service, stop_platform
from synthesis_latency import SENTENCES, TOPS, Texts, load, summary_ms

from porchlight.events import EventProducer, NoteSubmitted
from porchlight.events.catalog import Concern
from porchlight.kit.auth import mint_token
from porchlight.kit.db import create_engine


def note(district: str, rng: random.Random, texts: Texts) -> NoteSubmitted:
    when = datetime.now(UTC) - timedelta(days=rng.uniform(0, 29), hours=1)
    return NoteSubmitted(
        note_id=uuid.uuid4(),
        district=district,
        neighborhood=f"{district.lower()}-{rng.randint(1, 4)}",
        host_id="bench-host",
        submitted_at=when,
        held_at=when,
        concerns=[Concern(text=texts.take(TOPS, 1)[0][:500])],
        sentiment=rng.randint(1, 5),  # type: ignore[arg-type]
        text=" ".join(texts.take(SENTENCES, 2)),
    )


async def seed(p: Platform, args: argparse.Namespace) -> dict[str, int]:
    rng = random.Random(17)
    texts = Texts("real", rng)
    counts = {"D1": args.notes, **{f"D{i}": max(1, args.notes // 10) for i in (2, 3, 4)}}
    producer = EventProducer(p.settings.require_kafka_bootstrap(), idempotent=False)
    await producer.start()
    try:
        for district, n in counts.items():
            for _ in range(n):
                await producer.publish(note(district, rng, texts), source="/bench")
    finally:
        await producer.stop()
    return counts


STORED: dict[str, int] = {}


async def timed(
    client: httpx.AsyncClient,
    n: int,
    headers: dict[str, str],
    before: Any = None,
    expect: int = 200,
    phase: str = "",
    service: psutil.Process | None = None,
) -> list[float]:
    """``n`` sequential requests' times; counts (in ``STORED[phase]``) those the read model answered,
    and the service's CPU time per request (``STORED[phase + '_cpu_us']``)."""
    out = []
    cpu0 = sum(service.cpu_times()[:2]) if service is not None else 0.0
    for _ in range(n):
        if before is not None:
            await before()
        sent = time.perf_counter()
        r = await client.get("/v1/insights", params={"district": "D1"}, headers=headers)
        out.append(time.perf_counter() - sent)
        assert r.status_code == expect, (r.status_code, r.text[:300])
        STORED[phase] = STORED.get(phase, 0) + ('desc="stored"' in r.headers.get("server-timing", ""))
    if service is not None:
        STORED[phase + "_cpu_ms"] = round(1000 * (sum(service.cpu_times()[:2]) - cpu0) / n, 2)
    return out


async def measure(p: Platform, args: argparse.Namespace) -> dict[str, Any]:
    engine = create_engine(p.settings.require_database_url(), pool_size=2)
    analyst = {"Authorization": "Bearer " + mint_token(p.settings, subject="bench", roles=["analyst"])}
    outsider = {
        "Authorization": "Bearer " + mint_token(p.settings, subject="bench-o", roles=["officer"], district="D9")
    }

    async def one(sql: str) -> Any:
        async with engine.begin() as conn:
            return (await conn.execute(sa.text(sql))).scalar()

    t0 = time.monotonic()
    counts = await seed(p, args)
    # The warmer keeps current the districts someone reads: D1 is read once while it is analyzed.
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{p.port}", timeout=60) as first:
        await first.get("/v1/insights", params={"district": "D1"}, headers=analyst)
    total = sum(counts.values())
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if await one("SELECT count(*) FROM synthesis.notes WHERE analyzed_at IS NOT NULL") >= total:
            break
        await asyncio.sleep(0.5)
    seeded_s = time.monotonic() - t0
    concerns = await one("SELECT count(*) FROM synthesis.concerns WHERE district = 'D1'")
    unassigned = await one("SELECT count(*) FROM synthesis.concerns WHERE district = 'D1' AND topic = 'unassigned'")
    # Kept current: how long after the last note was analyzed the read model holds D1 at its version.
    fresh = (
        "SELECT count(*) FROM synthesis.insight_reads WHERE kind = 'place' AND district = 'D1' AND emerging"
        " AND version = (SELECT sum(weight) FROM synthesis.insight_changes WHERE district IN ('D1', '*'))"
    )
    last = await one("SELECT extract(epoch FROM max(analyzed_at)) FROM synthesis.notes")
    while not await one(fresh) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    warmed_after_s = time.time() - float(last)
    service = psutil.Process(p.child.pid) if p.child is not None else None
    load_before = load()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{p.port}", timeout=60) as client:
        kept = await timed(client, 2, analyst, phase="kept")
        body = (await client.get("/v1/insights", params={"district": "D1"}, headers=analyst)).json()

        async def bump() -> None:
            await one("INSERT INTO synthesis.insight_changes (district) VALUES ('D1') RETURNING id")

        cold = await timed(client, args.cold, analyst, before=bump, phase="cold", service=service)
        if args.profile is not None and p.child is not None:  # the warm phase only, as collapsed stacks
            spy = [str(Path(sys.executable).with_name("py-spy")), "record", "-p", str(p.child.pid), "-r", "200"]
            p.spy = subprocess.Popen(  # noqa: ASYNC220 (once, before the timed phase)
                [*spy, "-f", "raw", "-o", str(args.profile)], stdout=subprocess.DEVNULL
            )
            await asyncio.sleep(1.0)
        warm = await timed(client, args.requests, analyst, phase="warm", service=service)
        if p.spy is not None:
            p.spy.send_signal(signal.SIGINT)
            p.spy.wait(30)
        withheld = await timed(client, args.requests, outsider, phase="warm_words_withheld", service=service)
        r = await client.get("/v1/insights", params={"district": "D1"}, headers=analyst)
        tag = {**analyst, "If-None-Match": r.headers["etag"]}
        not_modified = await timed(client, args.requests, tag, expect=304, phase="not_modified_304", service=service)
        city = []
        for _ in range(args.requests // 5):
            sent = time.perf_counter()
            (await client.get("/v1/insights/city", headers=analyst)).raise_for_status()
            city.append(time.perf_counter() - sent)
    await engine.dispose()
    return {
        "notes": counts,
        "d1_concerns": concerns,
        "d1_unassigned": unassigned,
        "d1_topics": len(body["topics"]),
        "d1_emerging_clusters": len(body["emerging"]),
        "body_kb": round(len(json.dumps(body)) / 1024, 1),
        "seeded_s": round(seeded_s, 1),
        "warmed_after_last_analysis_s": round(warmed_after_s, 2),
        "kept_current_first_two_ms": [round(1000 * x, 1) for x in kept],
        "stored": dict(STORED),
        "cold": summary_ms(cold),
        "warm": summary_ms(warm),
        "warm_words_withheld": summary_ms(withheld),
        "not_modified_304": summary_ms(not_modified),
        "city_warm": summary_ms(city),
        "embedder": os.environ.get("PORCHLIGHT_EMBEDDER", "default"),
        "load_before": load_before,
        "load_after": load(),
        "cores": os.cpu_count(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--notes", type=int, default=750, help="Notes of the measured district D1")
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--cold", type=int, default=20, help="Requests after a change (each a build)")
    ap.add_argument("--settle", type=float, default=2.0, help="Seconds between the last analysis and the first GET")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--profile", type=Path, help="py-spy's collapsed stacks of the service in the warm phase")
    ap.add_argument("--serve-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_child:
        serve_service(args.serve_child)
        return
    from porchlight.kit.service import get_service

    p = start_platform("pl-insights-read-", [get_service("synthesis")])
    try:
        start_service(p, "synthesis", __file__)
        result = asyncio.run(measure(p, args))
    finally:
        stop_platform(p)
    print(f"machine: {result['cores']} cores, load before {result['load_before']}, after {result['load_after']}")
    print(
        f"D1: {result['notes']['D1']} notes, {result['d1_concerns']} concerns ({result['d1_unassigned']} unassigned), "
        f"{result['d1_topics']} topics, {result['d1_emerging_clusters']} emerging clusters, body "
        f"{result['body_kb']} KB; seeded and analyzed in {result['seeded_s']} s ({result['embedder']} embedder)"
    )
    print(
        f"read model at D1's version {result['warmed_after_last_analysis_s']} s after the last note was analyzed "
        f"(no request); the first two requests then: {result['kept_current_first_two_ms']} ms, "
        f"{result['stored'].get('kept', 0)} of 2 read from it"
    )
    for phase in ("cold", "warm", "warm_words_withheld", "not_modified_304", "city_warm"):
        s = result[phase]
        extra = ""
        if phase in result["stored"]:
            extra = f", {result['stored'][phase]} read from the read model, service CPU "
            extra += f"{result['stored'].get(phase + '_cpu_ms')} ms a request"
        print(
            f"{phase:>20}: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, p99 {s['p99_ms']} ms, "
            f"max {s['max_ms']} ms (n={s['n']}){extra}"
        )
    print(f"target warm p95 < 50 ms: {'met' if result['warm']['p95_ms'] < 50 else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    sys.exit(main())
