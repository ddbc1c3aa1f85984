"""Consumer throughput with 1, 2 and 4 replicas of a consumer group (issue 16).

For each replica count K, on a fresh embedded PostgreSQL and Tansu (so the group starts with no
committed offsets and the read models empty):

1. N ``note.submitted`` events are put on ``porchlight.notes`` first (``EventProducer``), keyed by
   district, the districts chosen so every partition holds the same number of events;
2. K ``porchlight serve <service>`` processes start at once (distributed mode's pods: each its own
   process, port and event loop) and share the topic's partitions in the service's group;
3. the clock runs from the first event applied (the start of the first transaction that applied
   events: the earliest ``applied_at`` of the group's inbox) to the N-th (the dashboard's
   per-district note counter, or synthesis' stored notes, polled every 50 ms; the database's
   clock for both): events applied per second. The rate
   after the group is Stable with all K members (DescribeGroups) is given too: the first seconds
   include the joins, during which the group rebalances and applies nothing.

Then exactly once is checked (the count equals N, one inbox row per event). The topic has
``--partitions`` partitions (default 4: four replicas each get one).

    .venv/bin/python bench/consumer_replicas.py [--service dashboard|synthesis] [--events 100000]
        [--replicas 1,2,4] [--partitions 4] [--quiet-wait S] [--json OUT]

Everything runs on 127.0.0.1 with its own embedded PostgreSQL and Tansu, removed at the end of
each run; the replicas are stopped (SIGTERM) before.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from _platform import Platform, start_platform, stop_platform

SESSION_TIMEOUT_MS = 6000  # as the tests: a group join takes about half of it on Tansu
GROUPS = {"dashboard": "porchlight.dashboard", "synthesis": "porchlight.synthesis"}
COUNT_SQL = {
    "dashboard": "SELECT coalesce(sum(notes), 0) FROM dashboard.district_activity WHERE district = ANY(:ds)",
    "synthesis": "SELECT count(*) FROM synthesis.notes WHERE district = ANY(:ds)",
}


@dataclass
class Replica:
    popen: subprocess.Popen[bytes]
    port: int
    log: Path


def districts(partitions: int, per_partition: int) -> list[str]:
    """District codes (the events' keys) spread evenly over the partitions, as the producer's
    default partitioner places them."""
    from aiokafka.partitioner import DefaultPartitioner

    partitioner = DefaultPartitioner()
    every = list(range(partitions))
    found: dict[int, list[str]] = {p: [] for p in every}
    while any(len(codes) < per_partition for codes in found.values()):
        code = f"B-{uuid.uuid4().hex[:8]}"
        codes = found[partitioner(code.encode(), every, every)]
        if len(codes) < per_partition:
            codes.append(code)
    return [code for p in every for code in found[p]]


async def publish(bootstrap: str, codes: list[str], n: int) -> None:
    from porchlight.events import EventProducer, NoteSubmitted, Topics, new_envelope, to_kafka

    producer = EventProducer(bootstrap, idempotent=False)
    await producer.start()
    try:
        now, pending = datetime.now(UTC), []
        for i in range(n):
            event = NoteSubmitted(
                note_id=uuid.uuid4(), district=codes[i % len(codes)], host_id="bench", submitted_at=now, text="x"
            )
            key, value, headers = to_kafka(new_envelope(event, source="/porchlight/bench"))
            pending.append(await producer.send_raw(Topics.NOTES, key=key, value=value, headers=headers))
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


def start_replicas(p: Platform, service: str, k: int) -> list[Replica]:
    from porchlight.kit.embedded import free_port

    env = dict(
        os.environ,
        DATABASE_URL=p.settings.database_url,
        KAFKA_BOOTSTRAP=p.settings.kafka_bootstrap,
        PORCHLIGHT_EMBEDDED_BROKER="true",
        PORCHLIGHT_DATA_DIR=str(p.tmp),
        PORCHLIGHT_CONSUMER_SESSION_TIMEOUT_MS=str(SESSION_TIMEOUT_MS),
        PORCHLIGHT_LOG_FORMAT="text",
        PORCHLIGHT_LOG_LEVEL="WARNING",
    )
    out = []
    for i in range(k):
        port, log = free_port(), p.tmp / f"{service}-{i}.log"
        cmd = [sys.executable, "-m", "porchlight.kit", "serve", service, "--no-migrate", "--port", str(port)]
        popen = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
        out.append(Replica(popen, port, log))
    return out


def stop_replicas(replicas: list[Replica]) -> None:
    for r in replicas:
        if r.popen.poll() is None:
            r.popen.send_signal(signal.SIGTERM)
    for r in replicas:
        try:
            r.popen.wait(30)
        except subprocess.TimeoutExpired:
            r.popen.kill()
            r.popen.wait(5)


class CpuMeter:
    """Cores used by the replicas, PostgreSQL, Tansu and others (processes not ours) over a window."""

    def __init__(self, p: Platform, replicas: list[Replica]) -> None:
        pm = psutil.Process(p.pg.pid)
        self.procs = {
            "replicas": [psutil.Process(r.popen.pid) for r in replicas],
            "postgres": [pm, *pm.children(recursive=True)],
            "tansu": [psutil.Process(p.broker.pid)],
            "bench": [psutil.Process()],
        }
        self.t0, self.sys0, self.start = time.monotonic(), psutil.cpu_times(), self._sample()

    def _sample(self) -> dict[str, dict[int, float]]:
        res: dict[str, dict[int, float]] = {}
        for name, procs in self.procs.items():
            res[name] = {}
            for pr in procs:
                with contextlib.suppress(psutil.Error):
                    t = pr.cpu_times()
                    res[name][pr.pid] = t.user + t.system
        return res

    def stop(self) -> dict[str, float]:
        end, wall, sys1 = self._sample(), time.monotonic() - self.t0, psutil.cpu_times()
        cores = {
            name: round(sum(v - self.start[name].get(pid, 0.0) for pid, v in pids.items()) / wall, 2)
            for name, pids in end.items()
        }
        busy = sum(getattr(sys1, f) - getattr(self.sys0, f) for f in ("user", "system", "nice", "irq", "softirq"))
        cores["others"] = round(max(0.0, busy / wall - sum(cores.values())), 2)
        return cores


async def measure(p: Platform, service: str, codes: list[str], n: int, k: int, timeout_s: float) -> dict[str, Any]:
    import sqlalchemy as sa
    from aiokafka.admin import AIOKafkaAdminClient

    from porchlight.kit.db import create_engine

    t_publish = time.monotonic()
    await publish(p.settings.kafka_bootstrap, codes, n)
    published_s = time.monotonic() - t_publish
    engine = create_engine(p.settings.database_url, pool_size=1)
    admin = AIOKafkaAdminClient(bootstrap_servers=p.settings.kafka_bootstrap)
    await admin.start()
    replicas = start_replicas(p, service, k)
    started = time.monotonic()
    try:
        first = stable = last = span = None
        inbox = f"{service}.inbox WHERE consumer = :g"
        at_stable, meter, cores = 0, None, {}
        next_group_check = 0.0
        async with engine.connect() as conn:
            while last is None:
                now = time.monotonic()
                assert now - started < timeout_s, f"not done within {timeout_s}s"
                for r in replicas:
                    assert r.popen.poll() is None, f"a replica exited: {r.log.read_text()[-2000:]}"
                count = int((await conn.execute(sa.text(COUNT_SQL[service]), {"ds": codes})).scalar() or 0)
                await conn.commit()
                if count and first is None:
                    first, meter = now, CpuMeter(p, replicas)
                if count >= n:
                    last = now
                    assert meter is not None
                    cores = meter.stop()
                    # From the start of the first transaction that applied events (the inbox's
                    # applied_at is its transaction's start) to this poll, on the database's clock.
                    span = (
                        await conn.execute(
                            sa.text(f"SELECT extract(epoch FROM clock_timestamp() - min(applied_at)) FROM {inbox}"),
                            {"g": GROUPS[service]},
                        )
                    ).scalar()
                    break
                if now >= next_group_check:
                    described = await admin.describe_consumer_groups([GROUPS[service]])
                    _, _, state, _, _, members = described[0].groups[0]
                    if state == "Stable" and len(members) == k:
                        if stable is None:
                            stable, at_stable = now, count
                    else:
                        stable = None  # rebalancing again: the steady window starts after
                    next_group_check = now + 0.2
                await asyncio.sleep(0.05)
            # Exactly once: nothing more arrives, one inbox row per event.
            await asyncio.sleep(1.0)
            final = int((await conn.execute(sa.text(COUNT_SQL[service]), {"ds": codes})).scalar() or 0)
            rows = (await conn.execute(sa.text(f"SELECT count(*) FROM {inbox}"), {"g": GROUPS[service]})).scalar()
        assert first is not None and last is not None and span is not None
        span = float(span)
        steady = (last - stable) if stable is not None else None
        return {
            "service": service,
            "replicas": k,
            "events": n,
            "published_s": round(published_s, 2),
            "start_to_first_s": round(last - span - started, 2),
            "first_to_last_s": round(span, 2),
            "events_per_s": round(n / span, 1),
            "applied_before_stable": at_stable,
            "steady_events_per_s": round((n - at_stable) / steady, 1) if steady else None,
            "cores": cores,
            "exactly_once": final == n and rows == n,
            "final_count": final,
            "inbox_rows": rows,
        }
    finally:
        stop_replicas(replicas)
        await admin.close()
        await engine.dispose()


def wait_quiet(max_wait_s: float, threshold: float = 0.3) -> float:
    """Wait (bounded) until the machine is nearly idle (before a run nothing of ours is busy):
    returns the cores in use then. Figures taken while others held cores are not comparable."""
    deadline = time.monotonic() + max_wait_s
    while True:
        before, t0 = psutil.cpu_times(), time.monotonic()
        time.sleep(1.0)
        after = psutil.cpu_times()
        fields = ("user", "system", "nice", "irq", "softirq")
        busy = sum(getattr(after, f) - getattr(before, f) for f in fields) / (time.monotonic() - t0)
        if busy < threshold or time.monotonic() > deadline:
            return round(busy, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--service", choices=sorted(GROUPS), default="dashboard")
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--replicas", default="1,2,4", help="replica counts to run, comma-separated")
    ap.add_argument("--partitions", type=int, default=4, help="partitions of every topic (default 4)")
    ap.add_argument("--districts-per-partition", type=int, default=4)
    ap.add_argument("--timeout", type=float, default=300, help="seconds per run at most")
    ap.add_argument("--quiet-wait", type=float, default=0, help="wait up to S seconds for an idle machine per run")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    assert 0 < args.events <= 500_000, "--events: 1..500,000"
    from porchlight.kit.service import get_service

    # Every topic the run creates gets this many partitions (KitSettings reads it, as a deployment would).
    os.environ["PORCHLIGHT_TOPIC_PARTITIONS"] = str(args.partitions)
    os.environ.setdefault("PORCHLIGHT_EMBEDDER", "torch")  # synthesis: no int8 graph built per run
    codes = districts(args.partitions, args.districts_per_partition)
    results = []
    load = os.getloadavg()
    print(f"== {os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for k in [int(x) for x in args.replicas.split(",")]:
        busy_before = wait_quiet(args.quiet_wait) if args.quiet_wait else None
        p = start_platform("pl-replicas-bench-", [get_service(args.service)])
        try:
            result = asyncio.run(measure(p, args.service, codes, args.events, k, args.timeout))
        finally:
            stop_platform(p)
        result["busy_cores_before"] = busy_before
        print(json.dumps(result))
        results.append(result)
    print("replicas  events/s (first->last)  events/s (group stable)  replicas' cores  postgres  others  exactly once")
    for r in results:
        c = r["cores"]
        print(
            f"{r['replicas']:>8}  {r['events_per_s']:>22}  {r['steady_events_per_s'] or '-':>23}"
            f"  {c['replicas']:>15}  {c['postgres']:>8}  {c['others']:>6}  {r['exactly_once']}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    if not all(r["exactly_once"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
