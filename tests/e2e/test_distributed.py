"""Distributed mode on one machine (issue 16): every service its own ``porchlight serve`` process.

Intake, projects and layers run as one process each; synthesis and the dashboard as two replicas
each, in their consumer groups, all on the embedded PostgreSQL and a broker of the test's own.
Notes are posted through intake's HTTP API at a steady rate into three districts whose Kafka keys
fall in the three partitions of the notes topic, so each replica holds traffic. Once both groups
are Stable with two members, one synthesis replica and one dashboard replica get ``kill -9``
mid-stream; the posting goes on. Then synthesis and the dashboard must hold exactly the
acknowledged notes: the same note ids, the dashboard's counter (which a repeat would raise) equal
to them, one inbox row per event and group, no dead letter; and synthesis' replicas, which share
the analysis, publish one ``note.analyzed`` per note, each applied once by the dashboard.

Rebalance time, per group: from the SIGKILL to the first note the survivor applies of a partition
the killed replica held. Those partitions are found from the counts, sampled every 0.1 s: a
district whose count does not move between 0.3 s and 4 s after the kill, while its notes keep
being acknowledged, is the killed replica's (the survivor's own districts keep moving until the
broker notices the death, a session timeout later). The broker's view is reported beside it: the
time until the group is Stable again with one member (DescribeGroups).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy.ext.asyncio import AsyncConnection
from support import bearer, districts_of_their_own, eventually

from porchlight.events import Topics
from porchlight.kit.db import create_engine
from porchlight.kit.embedded import free_port
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

SESSION_TIMEOUT_MS = 6000
RATE = 24  # notes/s in all, spread evenly over the districts
IN_FLIGHT = 8
AFTER_KILL_S = 16.0  # posting goes on this long after the kill: a session timeout, a rebalance, catching up
WARM_S = 5.0  # posting at least this long before the kill: mid-stream
STALL_FROM_S, STALL_TO_S = 0.3, 4.0  # a district still at its count over this window after the kill is orphaned
GROUPS = {"synthesis": "porchlight.synthesis", "dashboard": "porchlight.dashboard"}


@dataclass
class Proc:
    name: str
    port: int
    log: Path
    popen: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Samples:
    """Applied counts per group and district over time (monotonic seconds)."""

    times: list[float] = field(default_factory=list)
    counts: dict[str, list[dict[str, int]]] = field(default_factory=lambda: {g: [] for g in GROUPS})


def _districts(partitions: int) -> list[str]:
    """One district code per partition of the notes topic (the key is the district; the
    producers use Kafka's default partitioner)."""
    partitioner = DefaultPartitioner()
    every = list(range(partitions))
    found: dict[int, str] = {}
    while len(found) < partitions:
        code = f"R-{uuid.uuid4().hex[:8]}"
        found.setdefault(partitioner(code.encode(), every, every), code)
    return [found[p] for p in every]


def _serve(settings: KitSettings, service: str, logs: Path, replica: int = 0) -> Proc:
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=settings.require_database_url(),
        KAFKA_BOOTSTRAP=settings.require_kafka_bootstrap(),
        PORCHLIGHT_EMBEDDED_BROKER="true",
        PORCHLIGHT_DATA_DIR=str(settings.data_dir),
        PORCHLIGHT_CONSUMER_SESSION_TIMEOUT_MS=str(SESSION_TIMEOUT_MS),
        PORCHLIGHT_LOG_FORMAT="text",
        PORCHLIGHT_LOG_LEVEL="WARNING",
    )
    log = logs / f"{service}-{replica}.log"
    cmd = [sys.executable, "-m", "porchlight.kit", "serve", service, "--no-migrate", "--port", str(port)]
    popen = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    return Proc(f"{service}-{replica}", port, log, popen)


async def _ready(procs: list[Proc], timeout_s: float = 150) -> dict[str, float]:
    """Wait until every process answers /readyz; the seconds each took."""
    began = time.monotonic()

    async def one(http: httpx.AsyncClient, p: Proc) -> float:
        while True:
            assert p.popen.poll() is None, f"{p.name} exited: {p.log.read_text()[-2000:]}"
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{p.url}/readyz")).status_code == 200:
                    return time.monotonic() - began
            assert time.monotonic() - began < timeout_s, f"{p.name} not ready: {p.log.read_text()[-2000:]}"
            await asyncio.sleep(0.2)

    async with httpx.AsyncClient(timeout=2) as http:
        took = await asyncio.gather(*(one(http, p) for p in procs))
    return {p.name: t for p, t in zip(procs, took, strict=True)}


async def _duplicates_skipped(proc: Proc) -> int:
    """Redelivered events the replica's inbox skipped (its /metrics)."""
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{proc.url}/metrics")).text
    return sum(
        int(float(line.rsplit(" ", 1)[1]))
        for line in text.splitlines()
        if line.startswith("porchlight_events_duplicate_total{")
    )


async def _group(admin: AIOKafkaAdminClient, group: str) -> tuple[str, int]:
    """(state, number of members) of a consumer group, as the broker sees it."""
    described = await admin.describe_consumer_groups([group])
    _, _, state, _, _, members = described[0].groups[0]
    return state, len(members)


async def _counts(conn: AsyncConnection, districts: list[str]) -> dict[str, dict[str, int]]:
    synthesis = await conn.execute(
        sa.text("SELECT district, count(*) FROM synthesis.notes WHERE district = ANY(:ds) GROUP BY district"),
        {"ds": districts},
    )
    dashboard = await conn.execute(
        sa.text("SELECT district, notes FROM dashboard.district_activity WHERE district = ANY(:ds)"),
        {"ds": districts},
    )
    zero = dict.fromkeys(districts, 0)
    return {
        "synthesis": zero | {d: int(n) for d, n in synthesis.all()},
        "dashboard": zero | {d: int(n) for d, n in dashboard.all()},
    }


def _rebalance(samples: Samples, group: str, killed_at: float) -> tuple[list[str], float | None, float]:
    """The districts the killed replica held (orphaned), the seconds from the kill to the first
    count increase of one of them (None: never resumed), and the longest pause of the survivor's
    own districts after the kill (they pause too while the group rebalances)."""
    rows = list(zip(samples.times, samples.counts[group], strict=True))
    start = next(c for t, c in rows if t >= killed_at + STALL_FROM_S)
    end = next(c for t, c in rows if t >= killed_at + STALL_TO_S)
    orphaned = [d for d in start if end[d] == start[d]]
    resumed = next(
        (t - killed_at for t, c in rows if t > killed_at + STALL_FROM_S and any(c[d] > start[d] for d in orphaned)),
        None,
    )
    paused = 0.0
    for d in (d for d in start if d not in orphaned):
        moved = [killed_at] + [t for (_, a), (t, b) in itertools.pairwise(rows) if t > killed_at and b[d] > a[d]]
        paused = max([paused, *(b - a for a, b in itertools.pairwise(moved))])
    return orphaned, resumed, paused


async def _equal(value: Awaitable[object], expected: object) -> bool:
    return await value == expected


async def _dead_letters(settings: KitSettings) -> int:
    topics = [t for service in GROUPS for c in get_service(service).consumers for t in c.dlq_topics]
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=settings.kafka_bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        found = 0
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            found += sum(len(r) for r in (await consumer.getmany(timeout_ms=200)).values())
        return found
    finally:
        await consumer.stop()


async def test_replicas_killed_mid_stream_lose_and_double_nothing(own_broker, tmp_path):
    _, settings = own_broker
    districts = _districts(settings.topic_partitions)
    assert Topics.NOTES in get_service("dashboard").consumers[0].topics
    liaison = bearer(settings, "liaison")
    procs: list[Proc] = []
    tasks: list[asyncio.Task[None]] = []
    engine = create_engine(settings.require_database_url(), pool_size=2)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    await admin.start()
    async with districts_of_their_own(settings, districts):
        try:
            for service in ("intake", "projects", "layers"):
                procs.append(_serve(settings, service, tmp_path))
            for service in GROUPS:
                procs += [_serve(settings, service, tmp_path, replica) for replica in (0, 1)]
            took = await _ready(procs)
            print("\nready after: " + ", ".join(f"{name} {t:.1f} s" for name, t in took.items()))
            intake = procs[0]
            victims = {service: next(p for p in procs if p.name == f"{service}-0") for service in GROUPS}

            acknowledged: dict[str, set[str]] = {d: set() for d in districts}
            refused: list[int] = []
            samples = Samples()
            stop = asyncio.Event()

            async def post() -> None:
                # Open loop: a note every 1/RATE s whatever intake's answer time (at most
                # IN_FLIGHT unanswered), so a slow answer does not slow the stream.
                start, i, in_flight = time.monotonic(), 0, asyncio.Semaphore(IN_FLIGHT)
                pending: set[asyncio.Task[None]] = set()

                async def one(http: httpx.AsyncClient, district: str) -> None:
                    try:
                        note = {"place": {"district": district}, "sentiment": 3, "attendees": 5}
                        r = await http.post("/v1/notes", json=note)
                        if r.status_code == 201:
                            acknowledged[district].add(r.json()["id"])
                        else:
                            refused.append(r.status_code)
                    finally:
                        in_flight.release()

                async with httpx.AsyncClient(base_url=intake.url, timeout=30, headers=liaison) as http:
                    while not stop.is_set():
                        await in_flight.acquire()
                        task = asyncio.create_task(one(http, districts[i % len(districts)]))
                        pending.add(task)
                        task.add_done_callback(pending.discard)
                        i += 1
                        await asyncio.sleep(max(0.0, start + i / RATE - time.monotonic()))
                    await asyncio.gather(*pending)

            async def sample() -> None:
                async with engine.connect() as conn:
                    while not stop.is_set():
                        counts = await _counts(conn, districts)
                        samples.times.append(time.monotonic())
                        for g in GROUPS:
                            samples.counts[g].append(counts[g])
                        await conn.commit()  # a fresh snapshot each time
                        await asyncio.sleep(0.1)

            tasks += [asyncio.create_task(post()), asyncio.create_task(sample())]
            posting_since = time.monotonic()

            # Both groups balanced: two members each, every district applied by both.
            deadline = time.monotonic() + 60
            while True:
                states = {g: await _group(admin, group) for g, group in GROUPS.items()}
                last = samples.counts["dashboard"][-1:] + samples.counts["synthesis"][-1:]
                balanced = all(s == ("Stable", 2) for s in states.values())
                applied = len(last) == 2 and all(n > 0 for c in last for n in c.values())
                if balanced and applied and time.monotonic() - posting_since >= WARM_S:
                    break
                assert time.monotonic() < deadline, f"groups not balanced: {states}, counts {last}"
                await asyncio.sleep(0.25)
            assert all(s == ("Stable", 2) for s in [await _group(admin, g) for g in GROUPS.values()])

            for victim in victims.values():
                victim.popen.send_signal(signal.SIGKILL)  # no graceful leave, no offset commit
            killed_at = time.monotonic()
            for victim in victims.values():
                victim.popen.wait(10)
            acked_at_kill = sum(len(ids) for ids in acknowledged.values())

            # The broker's view: the group Stable again with the survivor alone.
            rejoined: dict[str, float] = {}
            while len(rejoined) < len(GROUPS) and time.monotonic() < killed_at + AFTER_KILL_S:
                for g, group in GROUPS.items():
                    if g not in rejoined and await _group(admin, group) == ("Stable", 1):
                        rejoined[g] = time.monotonic() - killed_at
                await asyncio.sleep(0.1)
            await asyncio.sleep(max(0.0, killed_at + AFTER_KILL_S - time.monotonic()))
            stop.set()
            await asyncio.gather(*tasks)

            total = sum(len(ids) for ids in acknowledged.values())
            assert total > acked_at_kill > 0
            assert len(refused) <= total // 100, f"intake refused {len(refused)} notes: {refused[:10]}"

            # Everything acknowledged is applied by the survivors, then nothing more arrives.
            async def caught_up() -> bool:
                async with engine.connect() as conn:
                    counts = await _counts(conn, districts)
                return all(counts[g][d] >= len(acknowledged[d]) for g in GROUPS for d in districts)

            drain = time.monotonic()
            while not await caught_up():
                assert time.monotonic() - drain < 60, f"not caught up: {samples.counts['dashboard'][-1]}"
                await asyncio.sleep(0.25)
            await asyncio.sleep(1.5)  # a late repeat would show here
            rebalance = {g: _rebalance(samples, g, killed_at) for g in GROUPS}
            survivors = {g: next(p for p in procs if p.name == f"{g}-1") for g in GROUPS}
            skipped = {g: await _duplicates_skipped(p) for g, p in survivors.items()}
            report = ", ".join(
                f"{g}: resumed the killed replica's partitions after "
                + (f"{s:.1f} s" if s is not None else "never")
                + f" ({len(orphaned)} of {len(districts)} districts orphaned),"
                f" group Stable with 1 member after {rejoined.get(g, float('nan')):.1f} s,"
                f" its own districts paused at most {paused:.1f} s,"
                f" {skipped[g]} redelivered events skipped by the survivor's inbox"
                for g, (orphaned, s, paused) in rebalance.items()
            )
            rate = total / (killed_at + AFTER_KILL_S - posting_since)
            print(f"{total} notes acknowledged ({rate:.1f}/s, {acked_at_kill} before the kill); rebalance: {report}")

            async with engine.connect() as conn:
                counts = await _counts(conn, districts)
                for g in GROUPS:
                    assert counts[g] == {d: len(acknowledged[d]) for d in districts}, g
                for table in ("synthesis.notes", "dashboard.notes"):
                    rows = await conn.execute(
                        sa.text(f"SELECT note_id::text FROM {table} WHERE district = ANY(:ds)"), {"ds": districts}
                    )
                    assert sorted(r[0] for r in rows) == sorted(set().union(*acknowledged.values())), table
                for g, group in GROUPS.items():
                    # One inbox row per note.submitted the relay published for these districts.
                    rows, distinct = (
                        await conn.execute(
                            sa.text(
                                f"SELECT count(*), count(DISTINCT i.event_id) FROM {g}.inbox i "
                                "JOIN intake.outbox_published o ON i.event_id = o.event_id::text "
                                "WHERE i.consumer = :group AND o.key = ANY(:ds) AND o.event_type LIKE :type"
                            ),
                            {"group": group, "ds": districts, "type": "%note.submitted%"},
                        )
                    ).one()
                    assert rows == distinct == total, (g, rows, distinct, total)

            # Synthesis' replicas share the analysis (SKIP LOCKED): each note analyzed once, what
            # the killed one had in hand done by the survivor, and its note.analyzed applied once
            # by the dashboard.
            async def analyses() -> tuple[int, int, int, int]:
                async with engine.connect() as conn:
                    row = await conn.execute(
                        sa.text(
                            "SELECT (SELECT count(*) FROM synthesis.notes"
                            "        WHERE district = ANY(:ds) AND analyzed_at IS NOT NULL),"
                            "       (SELECT count(*) FROM synthesis.outbox WHERE key = ANY(:ds)),"
                            "       (SELECT count(*) FROM synthesis.outbox_published"
                            "        WHERE key = ANY(:ds) AND event_type LIKE :type),"
                            "       (SELECT count(*) FROM dashboard.inbox i JOIN synthesis.outbox_published o"
                            "        ON i.event_id = o.event_id::text AND i.consumer = :group"
                            "        WHERE o.key = ANY(:ds) AND o.event_type LIKE :type)"
                        ),
                        {"ds": districts, "type": "%note.analyzed%", "group": GROUPS["dashboard"]},
                    )
                    analyzed, queued, published, applied = row.one()
                    return int(analyzed), int(queued), int(published), int(applied)

            await eventually(lambda: _equal(analyses(), (total, 0, total, total)), timeout_s=90, every_s=0.5)
            await asyncio.sleep(1.0)
            assert await analyses() == (total, 0, total, total), "(analyzed, queued, published, applied)"
            assert await _dead_letters(settings) == 0
            for g, (orphaned, resumed_s, _) in rebalance.items():
                assert orphaned, f"{g}: the kill interrupted no district; was the group balanced?"
                assert resumed_s is not None, f"{g}: the killed replica's partitions never resumed"
            assert all(p.popen.poll() is None for p in procs if p not in victims.values())
        finally:
            for task in tasks:
                task.cancel()  # when the test failed while posting
            for p in procs:
                if p.popen.poll() is None:
                    p.popen.terminate()  # graceful: leaves its group at once
            for p in procs:
                try:
                    p.popen.wait(20)
                except subprocess.TimeoutExpired:
                    p.popen.kill()
                    p.popen.wait(5)
            await admin.close()
            await engine.dispose()
