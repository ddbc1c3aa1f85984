"""Synthesis latency: a note submitted -> reflected in ``/v1/insights`` (issue 4; target p95 < 2 s at 20/s).

    python bench/synthesis_latency.py [--rate 20] [--duration 30] [--districts 4] [--json FILE]
    python bench/synthesis_latency.py --rate 0 --notes 3000 --poll-ms 0   # throughput: all at once, no pollers
    python bench/synthesis_latency.py --drain 3000       # capacity: a backlog waits before the service starts

What it does, on 127.0.0.1 in a temp directory removed at exit:

1. starts its own embedded PostgreSQL and Tansu broker (free port), migrates synthesis;
2. starts the synthesis service in a child process as a Kubernetes pod runs it
   (``porchlight serve synthesis``: uvicorn, engine, producer, outbox relay, consumer) and waits
   until warm-up notes are analyzed (model loaded, consumer group joined);
3. publishes ``note.submitted`` events to the broker as intake's relay does, open loop at
   ``--rate`` notes/s for ``--duration`` s, round robin over ``--districts`` districts; each note
   has 3 concern statements (one top-concern field and two sentences of free text): real
   residents' sentences from ../shared/data/topics_dev.csv taken in order (``--texts real``, the
   default; the model embeds a repeated sentence once per batch, so a handful of synthetic
   sentences would flatter the speed), or 22 synthetic ones (``--texts synthetic``);
4. meanwhile one poller per district calls ``GET /v1/insights?district=D`` over HTTP every
   ``--poll-ms`` (the real endpoint with every figure, quotes, summary and emerging clusters). A district's notes are
   counted in order (one partition per district), so note k of district D is *reflected* by the
   first response that started after it was published and counts at least k notes. Latency =
   that response's arrival - the note's publish time. The poll period bounds the resolution
   (printed).

Also printed: the consumer-side latency alone (publish -> ``analyzed_at`` committed), the
insights request time, the service's peak RSS and the machine load before and after, and the
consumer's throughput: notes analyzed per second from the first publication to the last
``analyzed_at`` (issue 4's "notes analyzed per second through the consumer"; with ``--rate 0``
every note is published at once, so this is the service's capacity).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from bisect import bisect_left
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import sqlalchemy as sa

from porchlight.events import EventProducer, NoteSubmitted
from porchlight.events.catalog import Concern
from porchlight.kit.auth import mint_token
from porchlight.kit.db import create_engine
from porchlight.kit.embedded import EmbeddedBroker, EmbeddedPostgres, free_port
from porchlight.kit.settings import KitSettings
from porchlight.kit.standalone import prepare

TOPS = [
    "streetlight out on the corner",
    "cars speeding past the school",
    "trash dumped in the alley",
    "graffiti on the library wall",
    "potholes on the main road",
    "loud music late at night",
    "abandoned car with flat tires",
    "overgrown lot full of weeds",
    "the park restrooms are locked",
    "more patrols near the bus stop",
]
SENTENCES = [
    "The streetlight in front of the laundromat has been out for weeks.",
    "Drivers run the stop sign at the corner every morning.",
    "Someone keeps dumping mattresses behind the store.",
    "The sidewalk is cracked and my mother tripped there.",
    "Neighbors say the music from the bar goes on past midnight.",
    "There is a car with no plates parked on the street for a month.",
    "The playground swings are broken.",
    "We would like officers to walk the block and say hello.",
    "Thank you for coming and listening to us.",
    "The storm drain floods the intersection when it rains.",
    "Stray dogs roam the park in the evening.",
    "The bus shelter glass is smashed again.",
]


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, round(p / 100 * (len(s) - 1))))
    return s[k]


def summary_ms(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(1000 * percentile(values, 50), 1),
        "p95_ms": round(1000 * percentile(values, 95), 1),
        "p99_ms": round(1000 * percentile(values, 99), 1),
        "max_ms": round(1000 * max(values), 1) if values else float("nan"),
    }


DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "topics_dev.csv"


def real_sentences() -> list[str]:
    """Residents' sentences (> 15 characters) of the Gainesville 311 requests, in file order."""
    import csv

    from porchlight.synthesis.model.concerns import split_sentences

    with DATA.open(newline="", encoding="utf-8") as f:
        return [s for row in csv.DictReader(f) for s in split_sentences(row["text"]) if len(s) > 15]


class Texts:
    """Where the notes' sentences come from: real ones in order, or the synthetic lists."""

    def __init__(self, kind: str, rng: random.Random) -> None:
        self.rng = rng
        self.real = real_sentences() if kind == "real" else []
        self.next = 0

    def take(self, pool: list[str], k: int) -> list[str]:
        if not self.real:
            return self.rng.sample(pool, k)
        out = [self.real[(self.next + i) % len(self.real)] for i in range(k)]
        self.next += k
        return out


def make_note(district: str, rng: random.Random, texts: Texts) -> NoteSubmitted:
    now = datetime.now(UTC)
    return NoteSubmitted(
        note_id=uuid.uuid4(),
        district=district,
        neighborhood=f"{district.lower()}-{rng.randint(1, 3)}",
        host_id="bench-host",
        submitted_at=now,
        held_at=now,
        concerns=[Concern(text=texts.take(TOPS, 1)[0][:500])],
        sentiment=rng.randint(1, 5),  # type: ignore[arg-type]
        text=" ".join(texts.take(SENTENCES, 2)),
    )


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def run(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="pl-synth-lat-"))
    pg = EmbeddedPostgres(tmp / "pg")
    broker = EmbeddedBroker(port=free_port(), log_path=tmp / "broker.log")
    child: subprocess.Popen[bytes] | None = None
    try:
        settings = KitSettings(
            mode="standalone",
            database_url=pg.start(),
            kafka_bootstrap=broker.start(),
            embedded_broker=True,
            data_dir=tmp,
            log_format="text",
            log_level="WARNING",
        )
        from porchlight.synthesis.spec import spec

        await prepare(settings, [spec])
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": settings.require_database_url(),
            "KAFKA_BOOTSTRAP": settings.require_kafka_bootstrap(),
            "PORCHLIGHT_EMBEDDED_BROKER": "true",
            "PORCHLIGHT_DATA_DIR": str(tmp),
            "PORCHLIGHT_LOG_LEVEL": "WARNING",
        }
        if args.drain:  # the backlog is on the broker before the service starts
            await publish_backlog(settings, args)
        porchlight = Path(sys.executable).with_name("porchlight")
        cmd = [str(porchlight), "serve", "synthesis", "--port", str(port), "--no-migrate"]
        log = (tmp / "service.log").open("wb")
        child = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: ASYNC220 (once, at start)
        headers = {"Authorization": "Bearer " + mint_token(settings, subject="bench", roles=["analyst"])}
        if args.drain:
            return await measure_drain(args, settings, psutil.Process(child.pid))
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            return await measure(args, settings, client, headers, psutil.Process(child.pid))
    finally:
        if child is not None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(20)
            except subprocess.TimeoutExpired:
                child.kill()
        broker.stop()
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)


async def publish_backlog(settings: KitSettings, args: argparse.Namespace) -> None:
    rng = random.Random(7)
    texts = Texts(args.texts, rng)
    districts = [f"B{i + 1}" for i in range(args.districts)]
    producer = EventProducer(settings.require_kafka_bootstrap(), idempotent=False)
    await producer.start()
    try:
        for i in range(args.drain):
            await producer.publish(make_note(districts[i % len(districts)], rng, texts), source="/bench")
    finally:
        await producer.stop()


async def measure_drain(args: argparse.Namespace, settings: KitSettings, service: psutil.Process) -> dict[str, Any]:
    """The service's capacity: it starts with ``--drain`` notes waiting on the broker; notes
    analyzed per second from its first analyzed batch to its last (the model load excluded)."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    sql = "SELECT count(*), min(analyzed_at), max(analyzed_at) FROM synthesis.notes WHERE analyzed_at IS NOT NULL"
    peak_rss, cpu0 = 0, None
    load_before = load()
    deadline = time.monotonic() + 900
    try:
        while time.monotonic() < deadline:
            async with engine.connect() as conn:
                done, first, last = (await conn.execute(sa.text(sql))).one()
            peak_rss = max(peak_rss, service.memory_info().rss)
            if done and cpu0 is None:
                cpu0 = sum(service.cpu_times()[:2])
            if done >= args.drain:
                break
            await asyncio.sleep(0.2)
        cpu = sum(service.cpu_times()[:2]) - (cpu0 or 0.0)
        first_batch = await _first_batch_size(engine)
    finally:
        await engine.dispose()
    span = (last - first).total_seconds() if done else float("nan")
    return {
        "drain": args.drain,
        "analyzed": int(done),
        # The first batch's notes share its timestamp: count the notes after it over the span.
        "analyzed_per_s": round((done - first_batch) / span, 1) if span and span > 0 else 0.0,
        "first_batch": first_batch,
        "span_s": round(span, 2),
        "service_cpu_cores": round(cpu / span, 2) if span and span > 0 else None,
        "service_peak_rss_mb": round(peak_rss / 2**20),
        "embedder": os.environ.get("PORCHLIGHT_EMBEDDER", "default"),
        "texts": args.texts,
        "load_before": load_before,
        "load_after": load(),
        "cores": os.cpu_count(),
    }


async def _first_batch_size(engine: Any) -> int:
    sql = (
        "SELECT count(*) FROM synthesis.notes WHERE analyzed_at = "
        "(SELECT min(analyzed_at) FROM synthesis.notes WHERE analyzed_at IS NOT NULL)"
    )
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text(sql))).scalar() or 0)


async def measure(
    args: argparse.Namespace,
    settings: KitSettings,
    client: httpx.AsyncClient,
    headers: dict[str, str],
    service: psutil.Process,
) -> dict[str, Any]:
    rng = random.Random(7)
    texts = Texts(args.texts, rng)
    districts = [f"B{i + 1}" for i in range(args.districts)]
    producer = EventProducer(settings.require_kafka_bootstrap(), idempotent=False)
    await producer.start()
    # Warm-up: the service starts, loads the model, joins its group, analyzes one note per district.
    t0 = time.monotonic()
    warm = [make_note(d, rng, texts) for d in districts]
    for n in warm:
        await producer.publish(n, source="/bench")
    engine = create_engine(settings.require_database_url(), pool_size=2)

    async def analyzed_count() -> int:
        async with engine.connect() as conn:
            sql = "SELECT count(*) FROM synthesis.notes WHERE analyzed_at IS NOT NULL"
            return int((await conn.execute(sa.text(sql))).scalar() or 0)

    deadline = time.monotonic() + 600
    while await analyzed_count() < len(warm) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    model_s = time.monotonic() - t0
    peak_rss = 0
    base = {d: 1 for d in districts}  # each district holds its warm-up note

    published: dict[str, list[float]] = {d: [] for d in districts}  # per district, in order
    note_times: dict[uuid.UUID, float] = {}
    polls: dict[str, list[tuple[float, float, int]]] = {d: [] for d in districts}  # (sent, received, notes)
    stop = asyncio.Event()

    async def poller(district: str) -> None:
        while not stop.is_set():
            sent = time.monotonic()
            r = await client.get("/v1/insights", params={"district": district}, headers=headers)
            got = time.monotonic()
            r.raise_for_status()
            polls[district].append((sent, got, int(r.json()["notes"])))
            await asyncio.sleep(max(0.0, args.poll_ms / 1000 - (got - sent)))

    async def sample_rss() -> None:
        nonlocal peak_rss
        while not stop.is_set():
            peak_rss = max(peak_rss, service.memory_info().rss)
            await asyncio.sleep(0.2)

    load_before = load()
    sampler = asyncio.create_task(sample_rss())
    # --poll-ms 0: no pollers (a throughput run: the insights requests would compete for the CPU).
    pollers = [asyncio.create_task(poller(d)) for d in districts] if args.poll_ms > 0 else []
    total = args.notes or int(args.rate * args.duration)
    start = time.monotonic()
    first_publish = time.time()
    for i in range(total):
        due = start + i / args.rate if args.rate > 0 else 0.0
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        d = districts[i % len(districts)]
        n = make_note(d, rng, texts)
        t = time.monotonic()
        await producer.publish(n, source="/bench")
        published[d].append(t)
        note_times[n.note_id] = time.time() - (time.monotonic() - t)
    send_s = time.monotonic() - start
    # Wait until every note is reflected (or 300 s more).
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if not pollers and await analyzed_count() >= len(warm) + total:
            break
        if pollers and all(polls[d] and polls[d][-1][2] >= base[d] + len(published[d]) for d in districts):
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.gather(*pollers, sampler)
    await producer.stop()
    load_after = load()
    # The endpoint's own cost once the service is idle (no analysis competing for the CPU).
    quiet: list[float] = []
    for i in range(20):
        sent = time.monotonic()
        r = await client.get("/v1/insights", params={"district": districts[i % len(districts)]}, headers=headers)
        r.raise_for_status()
        quiet.append(time.monotonic() - sent)

    latencies: list[float] = []
    unreflected = 0
    poll_periods: list[float] = []
    request_s: list[float] = []
    for d in districts:
        rows = polls[d]
        request_s += [got - sent for sent, got, _ in rows]
        poll_periods += [b[1] - a[1] for a, b in itertools.pairwise(rows)]
        sent_times = [sent for sent, _, _ in rows]
        for k, t_pub in enumerate(published[d], start=1):
            j = bisect_left(sent_times, t_pub)
            hit = next((row for row in rows[j:] if row[2] >= base[d] + k), None)
            if hit is None:
                unreflected += 1 if rows else 0  # with no pollers nothing is measured here
            else:
                latencies.append(hit[1] - t_pub)
    async with engine.connect() as conn:
        rows2 = (
            await conn.execute(
                sa.text("SELECT note_id, analyzed_at FROM synthesis.notes WHERE analyzed_at IS NOT NULL")
            )
        ).all()
    await engine.dispose()
    consumer = [(at.timestamp() - note_times[nid]) for nid, at in rows2 if nid in note_times]
    ours = [at.timestamp() for nid, at in rows2 if nid in note_times]
    span = (max(ours) - first_publish) if ours else float("nan")
    return {
        "rate_per_s": args.rate,
        "duration_s": args.duration,
        "notes": total,
        "achieved_send_rate_per_s": round(total / send_s, 1),
        "districts": len(districts),
        "service_ready_s": round(model_s, 1),
        "reflected_in_insights": summary_ms(latencies),
        "unreflected": unreflected,
        "consumer_publish_to_analyzed": summary_ms(consumer),
        "analyzed": len(ours),
        "analyzed_per_s": round(len(ours) / span, 1) if ours else 0.0,
        "embedder": os.environ.get("PORCHLIGHT_EMBEDDER", "default"),
        "texts": args.texts,
        "insights_request": summary_ms(request_s),
        "insights_request_quiet": summary_ms(quiet),
        "poll_period_median_ms": round(1000 * percentile(poll_periods, 50), 1),
        "service_peak_rss_mb": round(peak_rss / 2**20),
        "load_before": load_before,
        "load_after": load_after,
        "cores": os.cpu_count(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--duration", type=float, default=30.0)
    ap.add_argument("--notes", type=int, default=0, help="Notes to publish (default rate x duration)")
    ap.add_argument(
        "--drain", type=int, default=0, help="Capacity: N notes wait on the broker before the service starts"
    )
    ap.add_argument("--districts", type=int, default=4)
    ap.add_argument("--texts", choices=["real", "synthetic"], default="real")
    ap.add_argument("--poll-ms", type=float, default=1000.0, help="Period of each district's poller (0: no pollers)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = asyncio.run(run(args))
    if args.drain:
        print(f"machine: {result['cores']} cores, load before {result['load_before']}, after {result['load_after']}")
        print(
            f"drain of {result['drain']} notes ({result['embedder']} embedder, {result['texts']} sentences): "
            f"{result['analyzed']} analyzed, {result['analyzed_per_s']} notes/s from the first analyzed batch "
            f"to the last ({result['span_s']} s), service {result['service_cpu_cores']} cores, peak RSS "
            f"{result['service_peak_rss_mb']} MB; target >= 150 notes/s: "
            f"{'met' if result['analyzed_per_s'] >= 150 else 'NOT met'}; RSS < 1536 MB: "
            f"{'met' if result['service_peak_rss_mb'] < 1536 else 'NOT met'}"
        )
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
        return
    r = result["reflected_in_insights"]
    c = result["consumer_publish_to_analyzed"]
    q = result["insights_request"]
    print(f"machine: {result['cores']} cores, load before {result['load_before']}, after {result['load_after']}")
    print(
        f"{result['notes']} notes at {result['achieved_send_rate_per_s']}/s over {result['districts']} districts; "
        f"service ready (model loaded, group joined) in {result['service_ready_s']} s; "
        f"service peak RSS {result['service_peak_rss_mb']} MB"
    )
    if args.poll_ms > 0:
        print(
            f"submitted -> reflected in /v1/insights: p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
            f"p99 {r['p99_ms']} ms, "
            f"max {r['max_ms']} ms (n={r['n']}, unreflected {result['unreflected']}; poll period median "
            f"{result['poll_period_median_ms']} ms)"
        )
    print(f"submitted -> analyzed (consumer commit): p50 {c['p50_ms']} ms, p95 {c['p95_ms']} ms, p99 {c['p99_ms']} ms")
    if args.poll_ms > 0:
        print(f"GET /v1/insights during the run: p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms (n={q['n']})")
    qq = result["insights_request_quiet"]
    print(f"GET /v1/insights, service idle afterwards: p50 {qq['p50_ms']} ms, p95 {qq['p95_ms']} ms (n={qq['n']})")
    if args.rate <= 0:  # a paced run analyzes at the pace it is given: no capacity to report
        print(
            f"through the consumer ({result['embedder']} embedder, {result['texts']} sentences): "
            f"{result['analyzed']} notes analyzed at "
            f"{result['analyzed_per_s']} notes/s (first publication -> last analyzed); target >= 150 notes/s: "
            f"{'met' if result['analyzed_per_s'] >= 150 else 'NOT met'}; RSS < 1536 MB: "
            f"{'met' if result['service_peak_rss_mb'] < 1536 else 'NOT met'}"
        )
    if args.rate > 0 and args.poll_ms > 0:
        print(f"target p95 < 2000 ms: {'met' if r['p95_ms'] < 2000 else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
