"""Load benchmark of ``POST /v1/contacts`` (issue 3): throughput, latency, exactly-once.

    python bench/contacts_load.py [--rate R] [--duration S] [--warmup S] [--connections N]

All on 127.0.0.1, in a temp directory removed at exit (results: docs/benchmarks.md):

1. starts its own embedded PostgreSQL and Tansu broker (free port), creates the topics and
   migrates intake (kit ``prepare``);
2. runs intake in a child process: uvicorn, ``--workers`` worker processes (default 2), uvloop +
   httptools, the app's lifespan with the outbox relay on in each; the demo city is loaded by
   intake's startup hook (standalone);
3. drives load from this (separate) process: a small keep-alive HTTP/1.1 client on uvloop,
   ``--connections`` connections, an open-loop schedule of ``--rate`` requests/s (``--rate 0``:
   closed loop, each connection sends as soon as it has its answer). Latency is measured from
   the *scheduled* send time, so a server that falls behind shows it (no coordinated
   omission). Requests: 50 officers with a district claim, a point in 80 % of them, a district
   in 10 %, no place in 10 % (default: the last contact's place), a note in 30 %, an
   Idempotency-Key and a client id on every one, and ``--dup`` of them sent a second time a
   moment later (an offline phone's resend: must be replayed, not counted again). Requests
   still unanswered ``--grace`` s after the schedule are abandoned (counted): the run is
   bounded however far the server falls behind;
4. after ``--warmup`` s (not counted) and ``--duration`` s (counted), waits until the outbox is
   empty and the table still, then verifies exactly once: every contact answered 201 is in the
   table, the table and the ``porchlight.contacts`` topic (read from the earliest offset to the
   end offsets by a consumer without a group) hold the same ids once each and only ids that
   were sent, and every replay returned the first answer's id. Exit code 1 when that fails or
   any request failed or was abandoned.

On a shared machine: ``--priority -10`` raises our processes' autogroups (root),
``--quiet-wait S`` waits for the others to calm down first; the ``others`` figure says how
much they used. ``--py-spy FILE`` samples intake during the measured window (raw collapsed
stacks, per thread; with ``--workers`` > 1 every worker); ``--with-notify`` puts back the
outbox NOTIFY trigger earlier versions had (a diagnosis: what it costs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from _platform import Platform, start_platform, stop_platform

from porchlight.kit.service import get_service

OFFICERS = 50
TYPES = ["conversation", "youth_activity", "business_checkin", "event", "referral", "other"]
NOTES = [
    "Talked with the owner about the broken light by the back door.",
    "Kids asked for a pickup game on Thursday; said we would bring a ball.",
    "Neighbor worried about speeding near the school crossing.",
]


# --------------------------------------------------------------------------------------------
# child: intake alone, as one uvicorn worker on uvloop + httptools
# --------------------------------------------------------------------------------------------


def serve_child(config_path: str) -> None:
    import uvicorn

    from porchlight.kit.app import create_app
    from porchlight.kit.logs import configure_logging
    from porchlight.kit.settings import KitSettings

    cfg = json.loads(Path(config_path).read_text())
    configure_logging("text", "WARNING")
    workers = cfg.get("workers", 1)
    common: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": cfg["port"],
        "loop": "uvloop",
        "http": "httptools",
        "log_config": None,
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 10,
        "backlog": 4096,
    }
    if workers == 1:
        settings = KitSettings(**cfg["settings"])
        # As ``porchlight serve`` runs a service: the heap frozen once started (kit.app).
        app = create_app(_intake(cfg), settings, freeze_heap=True)
        uvicorn.Server(uvicorn.Config(app, workers=1, **common)).run()
        return
    # Several workers: uvicorn starts each from an import string; they share the listening socket.
    os.environ["PL_BENCH_CHILD_CONFIG"] = config_path
    uvicorn.run("contacts_load:worker_app", factory=True, app_dir=str(Path(__file__).parent), workers=workers, **common)


def worker_app() -> Any:
    """The app of one uvicorn worker (``--workers`` > 1), from the child's config file."""
    from porchlight.kit.app import create_app
    from porchlight.kit.logs import configure_logging
    from porchlight.kit.settings import KitSettings

    configure_logging("text", "WARNING")
    cfg = json.loads(Path(os.environ["PL_BENCH_CHILD_CONFIG"]).read_text())
    return create_app(_intake(cfg), KitSettings(**cfg["settings"]), freeze_heap=True)


def _intake(cfg: dict[str, Any]) -> Any:
    """Intake's spec; without its audit trail for ``--without-audit`` (a diagnosis: what it costs)."""
    from porchlight.kit.service import get_service

    spec = get_service("intake")
    if not cfg.get("audit", True):
        spec.audit = None  # this process's spec only (not a copy: the inbox table is on its metadata)
    return spec


# --------------------------------------------------------------------------------------------
# the bench process
# --------------------------------------------------------------------------------------------

#: The statement-level NOTIFY trigger outboxes had until docs/adr/0008 (``--with-notify``).
OLD_NOTIFY_TRIGGER = [
    "CREATE OR REPLACE FUNCTION intake.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN PERFORM pg_notify('porchlight_outbox_intake', ''); RETURN NULL; END $$",
    "CREATE TRIGGER outbox_notify AFTER INSERT ON intake.outbox "
    "FOR EACH STATEMENT EXECUTE FUNCTION intake.outbox_notify()",
]


def start_child(p: Platform, workers: int = 1, audit: bool = True) -> float:
    from porchlight.kit.embedded import free_port

    p.port = free_port()
    cfg_path = p.tmp / "child.json"
    cfg = {"settings": json.loads(p.settings.model_dump_json()), "port": p.port, "workers": workers, "audit": audit}
    cfg_path.write_text(json.dumps(cfg))
    t0 = time.monotonic()
    p.child = subprocess.Popen(
        [sys.executable, __file__, "--serve-child", str(cfg_path)],
        stdout=subprocess.DEVNULL,
        stderr=open(p.tmp / "intake.log", "ab"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if p.child.poll() is not None:
            raise RuntimeError(f"intake exited: {(p.tmp / 'intake.log').read_text()[-2000:]}")
        with contextlib.suppress(OSError):
            import urllib.request

            with urllib.request.urlopen(f"http://127.0.0.1:{p.port}/readyz", timeout=2) as r:
                if r.status == 200:
                    return time.monotonic() - t0
        time.sleep(0.2)
    raise RuntimeError("intake did not become ready")


class CpuMeter:
    """Cores used by the bench client, intake, PostgreSQL and Tansu over a window."""

    def __init__(self, p: Platform) -> None:
        self.p = p
        self.t0 = time.monotonic()
        self.sys0 = psutil.cpu_times()
        self.start = self._sample()

    def _procs(self) -> dict[str, list[psutil.Process]]:
        out = {"client": [psutil.Process()]}
        if self.p.child is not None:  # with --workers: the supervisor and its workers
            parent = psutil.Process(self.p.child.pid)
            out["intake"] = [parent, *parent.children(recursive=True)]
        pm = psutil.Process(self.p.pg._server.get_postmaster_info().pid)
        out["postgres"] = [pm, *pm.children(recursive=True)]
        if self.p.broker._proc is not None:
            out["tansu"] = [psutil.Process(self.p.broker._proc.pid)]
        return out

    def _sample(self) -> dict[str, dict[int, float]]:
        res: dict[str, dict[int, float]] = {}
        for name, procs in self._procs().items():
            res[name] = {}
            for pr in procs:
                with contextlib.suppress(psutil.Error):
                    t = pr.cpu_times()
                    res[name][pr.pid] = t.user + t.system
        return res

    def stop(self) -> dict[str, float]:
        end, wall = self._sample(), time.monotonic() - self.t0
        sys1 = psutil.cpu_times()
        cores = {
            name: round(sum(v - self.start.get(name, {}).get(pid, 0.0) for pid, v in pids.items()) / wall, 2)
            for name, pids in end.items()
        }
        busy = sum(getattr(sys1, f) - getattr(self.sys0, f) for f in ("user", "system", "nice", "irq", "softirq"))
        cores["others"] = round(max(0.0, busy / wall - sum(cores.values())), 2)  # other people's work
        return cores


def boost(p: Platform, nice: int) -> None:
    """On a shared machine: raise our processes' autogroups (``--priority``; root, best effort).

    Linux schedules each session (autogroup) as one unit, so ``nice`` alone does nothing against
    other people's sessions; the autogroup's nice value does.
    """
    if not nice:
        return
    pids = [os.getpid(), p.pg._server.get_postmaster_info().pid]
    pids += [proc.pid for proc in (p.child, p.broker._proc) if proc is not None]
    for pid in pids:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/autogroup").write_text(str(nice))


def wait_quiet(p: Platform, max_wait_s: float, threshold: float = 0.3) -> float:
    """Wait (bounded) until processes not ours use < ``threshold`` cores; returns their use."""
    deadline = time.monotonic() + max_wait_s
    while True:
        meter = CpuMeter(p)
        time.sleep(1.0)
        others = meter.stop()["others"]
        if others < threshold or time.monotonic() > deadline:
            return others


# --- the load --------------------------------------------------------------------------------


class HttpConn:
    """A minimal HTTP/1.1 keep-alive client: cheap, so the server gets the CPU."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> HttpConn:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    async def post(self, head: bytes, body: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
        status = int((await self.reader.readline()).split()[1])
        headers: dict[bytes, bytes] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        return status, headers, await self.reader.readexactly(int(headers.get(b"content-length", b"0")))

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Request:
    head: bytes
    body: bytes
    key: str
    cid: str  # the client-generated contact id in the body
    resend: bool = False


@dataclass
class Outcome:
    req: Request
    scheduled: float
    sent: float
    done: float
    status: int
    contact_id: str | None
    replayed: bool
    measured: bool


def valid_points() -> list[tuple[str, dict[str, float]]]:
    """A point inside every neighborhood of the demo city (and inside a district)."""
    from shapely.geometry import shape

    from porchlight.intake.places.service import demo_city

    features = demo_city()["features"]
    districts = [shape(f["geometry"]) for f in features if f["properties"]["kind"] == "district"]
    out = []
    for f in features:
        pt = shape(f["geometry"]).representative_point()
        if any(d.contains(pt) for d in districts):
            out.append((f["properties"]["code"], {"lat": round(pt.y, 5), "lon": round(pt.x, 5)}))
    return out


def build_requests(p: Platform, n: int, dup: float, rng: random.Random) -> list[Request]:
    from porchlight.kit.auth import mint_token

    points = valid_points()
    district_codes = ["A1", "A7", "A15", "B2", "B3", "C6", "C11", "D4", "D14", "E5", "E13", "E18"]
    tokens = [
        mint_token(p.settings, subject=f"bench-officer-{i:03d}", roles=["officer"], district=district_codes[i % 12])
        for i in range(OFFICERS)
    ]
    heads = [
        b"POST /v1/contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer " + t.encode() + b"\r\n"
        for t in tokens
    ]
    out: list[Request] = []
    for _ in range(n):
        body: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "contact_type": rng.choice(TYPES),
            "minutes": rng.randint(5, 120),
            "residents_reached": rng.randint(0, 12),
        }
        roll = rng.random()
        if roll < 0.8:
            body["place"] = {"point": rng.choice(points)[1]}
        elif roll < 0.9:
            body["place"] = {"district": rng.choice(district_codes)}
        if rng.random() < 0.3:
            body["note"] = rng.choice(NOTES)
        key = uuid.uuid4().hex
        head = rng.choice(heads) + b"Idempotency-Key: " + key.encode() + b"\r\nContent-Length: "
        req = Request(head, json.dumps(body).encode(), key, body["id"])
        out.append(req)
        if rng.random() < dup:  # the same request again (same key, same body) a moment later
            out.append(Request(head, req.body, key, body["id"], resend=True))
    return out


async def drive(
    p: Platform, args: argparse.Namespace, requests: list[Request], measure_from: float
) -> tuple[list[Outcome], int, int]:
    """Send the requests (open loop at ``--rate``, or closed loop) until the schedule ends.

    Requests still unanswered ``--grace`` s after that are abandoned (counted, not retried):
    the run stays bounded however far the server falls behind. Returns (outcomes, transport
    errors, abandoned).
    """
    pool: asyncio.Queue[HttpConn] = asyncio.Queue()
    for conn in await asyncio.gather(*(HttpConn(p.port).open() for _ in range(args.connections))):
        pool.put_nowait(conn)
    outcomes: list[Outcome] = []
    errors = 0
    t_start = time.monotonic()
    measured_after = t_start + measure_from
    schedule_end = t_start + measure_from + args.duration

    async def one(req: Request, scheduled: float) -> None:
        nonlocal errors
        conn = await pool.get()
        sent = time.monotonic()
        try:
            status, headers, body = await conn.post(req.head, req.body)
        except asyncio.CancelledError:
            conn.close()
            raise
        except Exception:
            errors += 1
            conn.close()
            pool.put_nowait(await HttpConn(p.port).open())
            return
        pool.put_nowait(conn)
        cid = json.loads(body).get("id") if status in (200, 201) else None
        replayed = headers.get(b"idempotent-replayed") == b"true"
        measured = scheduled >= measured_after
        outcomes.append(Outcome(req, scheduled, sent, time.monotonic(), status, cid, replayed, measured))

    tasks: list[asyncio.Task[None]] = []
    if args.rate > 0:
        interval = 1.0 / args.rate
        for i, req in enumerate(requests):
            scheduled = t_start + i * interval
            if scheduled >= schedule_end:
                break
            delay = scheduled - time.monotonic()
            if delay > 0.0005:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(req, scheduled)))
    else:
        queue = iter(requests)

        async def worker() -> None:
            for req in queue:
                if time.monotonic() >= schedule_end:
                    return
                await one(req, time.monotonic())

        tasks = [asyncio.create_task(worker()) for _ in range(args.connections)]
    _, pending = await asyncio.wait(tasks, timeout=max(0.0, schedule_end - time.monotonic()) + args.grace)
    for t in pending:
        t.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    while not pool.empty():
        pool.get_nowait().close()
    abandoned = len(pending)  # open loop: requests; closed loop: connections, one request each
    return outcomes, errors, abandoned


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(q / 100 * len(v)))]


# --- exactly once ----------------------------------------------------------------------------


async def db_value(p: Platform, sql: str) -> Any:
    import sqlalchemy as sa

    from porchlight.kit.db import create_engine

    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(sa.text(sql))).all()
    finally:
        await engine.dispose()


async def db_execute(p: Platform, sql: str) -> None:
    import sqlalchemy as sa

    from porchlight.kit.db import create_engine

    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(sql))
    finally:
        await engine.dispose()


async def topic_ids(p: Platform) -> list[str]:
    """Every contact_id in the contacts topic, from the earliest offset to the end offsets."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(
        bootstrap_servers=p.settings.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        parts = [
            TopicPartition("porchlight.contacts", i)
            for i in sorted(consumer.partitions_for_topic("porchlight.contacts") or await _partitions(consumer))
        ]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        ids: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            positions = [await consumer.position(tp) for tp in parts]
            if all(pos >= ends[tp] for pos, tp in zip(positions, parts, strict=True)):
                break
            for recs in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                ids += [json.loads(r.value)["contact_id"] for r in recs]
        return ids
    finally:
        await consumer.stop()


async def _partitions(consumer: Any) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic("porchlight.contacts") or set()


async def settled_ids(p: Platform, timeout_s: float = 120) -> tuple[list[str], int]:
    """Contact ids in the table once the outbox is empty and nothing arrived for a second."""
    deadline = time.monotonic() + timeout_s
    last, stable_since = -1, time.monotonic()
    left = -1
    while time.monotonic() < deadline:
        ((count, left),) = await db_value(
            p, "SELECT (SELECT count(*) FROM intake.contacts), (SELECT count(*) FROM intake.outbox)"
        )
        if count != last:
            last, stable_since = count, time.monotonic()
        elif left == 0 and time.monotonic() - stable_since > 1.0:
            break
        await asyncio.sleep(0.25)
    return [str(r[0]) for r in await db_value(p, "SELECT id FROM intake.contacts")], left


async def verify(p: Platform, requests: list[Request], outcomes: list[Outcome]) -> dict[str, Any]:
    """Exactly once: table and topic hold each stored contact once, and every 201 is stored."""
    db_ids, left = await settled_ids(p)
    published = await topic_ids(p)
    sent_ids = {r.cid for r in requests}
    created = [o.contact_id for o in outcomes if o.status == 201 and not o.replayed]
    answered = {o.contact_id for o in outcomes if o.status in (200, 201)}
    replays = [o for o in outcomes if o.replayed]
    stored = set(db_ids)
    checks: dict[str, Any] = {
        "created_201": len(created),
        "replayed_201": len(replays),
        "replays_with_the_first_id": sum(o.contact_id == o.req.cid for o in replays),
        "db_rows": len(db_ids),
        "db_distinct": len(stored),
        "topic_records": len(published),
        "topic_distinct": len(set(published)),
        "stored_without_answer": len(stored - answered),  # abandoned after the server took them
        "outbox_left": left,
    }
    checks["ok"] = (
        len(created) == len(set(created))
        and set(created) <= stored <= sent_ids
        and len(db_ids) == len(stored) == len(published) == len(set(published))
        and set(published) == stored
        and checks["replays_with_the_first_id"] == len(replays)
        and left == 0
    )
    return checks


# --- main ------------------------------------------------------------------------------------


async def run(p: Platform, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    total_s = args.warmup + args.duration
    n = int(args.rate * total_s) if args.rate > 0 else int(args.max_requests)
    requests = build_requests(p, n, args.dup, rng)
    if args.rate > 0:
        # resends were appended right after their original: spread them to ~50 ms later
        requests = _delay_resends(requests, max(1, int(args.rate * 0.05)))
    settings_rows = await db_value(
        p,
        "SELECT name, setting FROM pg_settings WHERE name IN "
        "('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections')",
    )
    meter: CpuMeter | None = None

    async def start_meter() -> None:
        nonlocal meter
        await asyncio.sleep(args.warmup)
        meter = CpuMeter(p)
        if args.py_spy:
            spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
            p.spy = subprocess.Popen(  # noqa: ASYNC220 (starts at once; never waited for here)
                [
                    spy,
                    "record",
                    "-p",
                    str(p.child.pid),
                    "-o",
                    str(args.py_spy),
                    "--format",
                    "raw",
                    "--threads",  # type: ignore[union-attr]
                    *(["--subprocesses"] if args.workers > 1 else []),
                    "-r",
                    str(args.py_spy_rate),
                    "-d",
                    str(int(args.duration)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

    metering = asyncio.create_task(start_meter())
    # The load generator must not pause: a full collection over the prepared requests and the
    # outcomes stopped this process for tens of milliseconds at a time, and every request in
    # flight then looked that much slower (the run is bounded, so its garbage can wait).
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        outcomes, errors, abandoned = await drive(p, args, requests, args.warmup)
    finally:
        gc.enable()
    await metering
    cores = meter.stop() if meter else {}
    measured = [o for o in outcomes if o.measured]
    ok = [o for o in measured if o.status in (200, 201)]
    bad = [o for o in measured if o.status not in (200, 201)]
    window = (max(o.done for o in measured) - min(o.scheduled for o in measured)) if measured else float("nan")
    from_schedule = [(o.done - o.scheduled) * 1000 for o in ok]
    service = [(o.done - o.sent) * 1000 for o in ok]
    result = {
        "mode": f"open loop at {args.rate:g}/s" if args.rate > 0 else "closed loop",
        "connections": args.connections,
        "warmup_s": args.warmup,
        "duration_s": args.duration,
        "requests_measured": len(measured),
        "ok": len(ok),
        "http_errors": len(bad),
        "http_error_statuses": sorted({o.status for o in bad}),
        "transport_errors": errors,
        "abandoned": abandoned,
        "throughput_per_s": round(len(ok) / window, 1) if measured else 0,
        # every answer of the run, warm-up included: what the server managed when it fell behind
        "answered_per_s_whole_run": round(
            sum(o.status in (200, 201) for o in outcomes)
            / max(1e-9, max((o.done for o in outcomes), default=0) - min((o.scheduled for o in outcomes), default=0)),
            1,
        ),
        "latency_ms": {
            "p50": round(pct(from_schedule, 50), 1),
            "p95": round(pct(from_schedule, 95), 1),
            "p99": round(pct(from_schedule, 99), 1),
            "max": round(max(from_schedule, default=float("nan")), 1),
        },
        "service_time_ms": {
            "p50": round(pct(service, 50), 1),
            "p99": round(pct(service, 99), 1),
        },
        "cores": cores,
        "workers": args.workers,
        "postgres": dict(settings_rows),
    }
    result["contacts_per_commit"] = contacts_per_commit(p)
    result["exactly_once"] = await verify(p, requests, outcomes)
    return result


def contacts_per_commit(p: Platform) -> float | None:
    """Mean group size of the contact writer (one worker's /metrics, warm-up included)."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{p.port}/metrics", timeout=5) as r:
        text = r.read().decode()
    totals = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.labels.get("writer") == "intake-contacts" and sample.name.endswith(("_sum", "_count")):
                totals[sample.name.rsplit("_", 1)[1]] = sample.value
    return round(totals["sum"] / totals["count"], 2) if totals.get("count") else None


def _delay_resends(requests: list[Request], gap: int) -> list[Request]:
    out: list[Request] = []
    pending: list[tuple[int, Request]] = []
    for req in requests:
        if req.resend:
            pending.append((len(out) + gap, req))
            continue
        while pending and pending[0][0] <= len(out):
            out.append(pending.pop(0)[1])
        out.append(req)
    out += [r for _, r in pending]
    return out


def report(r: dict[str, Any]) -> None:
    lat, svc, e = r["latency_ms"], r["service_time_ms"], r["exactly_once"]
    print("\n== Intake: POST /v1/contacts ==")
    print(
        f"{r['mode']}, intake workers: {r.get('workers', 1)}, {r['connections']} connections, "
        f"{r['duration_s']:g} s after {r['warmup_s']:g} s warm-up"
    )
    print(
        f"throughput  {r['throughput_per_s']} requests/s ({r['ok']} ok, {r['http_errors']} HTTP errors "
        f"{r['http_error_statuses']}, {r['transport_errors']} transport errors, {r['abandoned']} abandoned)"
    )
    print(f"whole run   {r['answered_per_s_whole_run']} answers/s (warm-up included)")
    print(
        f"latency     p50 {lat['p50']} ms  p95 {lat['p95']} ms  p99 {lat['p99']} ms  max {lat['max']} ms "
        f"(from the scheduled send)"
    )
    print(f"service     p50 {svc['p50']} ms  p99 {svc['p99']} ms (from the actual send)")
    print(f"cores       {r['cores']} (others before the run: {r.get('others_before')})")
    print(f"postgres    {r['postgres']}")
    print(f"grouping    {r.get('contacts_per_commit')} contacts per commit (one worker)")
    print(f"exactly-once: {'OK' if e['ok'] else 'FAILED'} {json.dumps(e)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve-child", help=argparse.SUPPRESS)
    ap.add_argument("--rate", type=float, default=1000.0, help="requests/s (open loop); 0 = closed loop")
    ap.add_argument("--duration", type=float, default=30.0, help="measured seconds")
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds sent before measuring")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--grace", type=float, default=15.0, help="seconds to wait for answers after the schedule")
    ap.add_argument("--dup", type=float, default=0.02, help="share of requests resent (same key and body)")
    ap.add_argument("--max-requests", type=int, default=100_000, help="closed loop: requests prepared")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--py-spy", type=Path, help="profile intake during the measured window (raw stacks)")
    ap.add_argument("--py-spy-rate", type=int, default=250, help="samples per second (lower: less disturbance)")
    ap.add_argument(
        "--priority",
        type=int,
        default=0,
        help="shared machine: nice value for our processes' autogroups (e.g. -10; root)",
    )
    ap.add_argument(
        "--quiet-wait",
        type=float,
        default=0.0,
        help="shared machine: wait up to this many seconds for others to use < 0.3 cores",
    )
    ap.add_argument(
        "--workers", type=int, default=2, help="intake processes (uvicorn workers; two: one per core, as two replicas)"
    )
    ap.add_argument(
        "--with-notify",
        action="store_true",
        help="diagnosis: put back the outbox NOTIFY trigger of earlier versions (what it costs)",
    )
    ap.add_argument(
        "--without-audit",
        action="store_true",
        help="diagnosis: intake without its audit trail (what recording every contact costs)",
    )
    args = ap.parse_args()
    if args.serve_child:
        serve_child(args.serve_child)
        return
    import uvloop

    p = start_platform("pl-contacts-bench-", [get_service("intake")])
    try:
        if args.with_notify:
            for statement in OLD_NOTIFY_TRIGGER:
                asyncio.run(db_execute(p, statement))
        ready = start_child(p, args.workers, audit=not args.without_audit)
        print(f"intake ready in {ready:.1f}s on 127.0.0.1:{p.port}", flush=True)
        boost(p, args.priority)
        others = wait_quiet(p, args.quiet_wait) if args.quiet_wait else None
        result = uvloop.run(run(p, args))
        result["others_before"] = others
    finally:
        stop_platform(p)
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if not result["exactly_once"]["ok"] or result["transport_errors"] or result["http_errors"] or result["abandoned"]:
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
