"""Backbone benchmark: outbox -> relay -> Tansu -> inbox-applying consumer (issue 2).

    python bench/pipeline.py [--events N] [--rate R] [--duration S] [--mode all|throughput|latency]

What it does, all on 127.0.0.1 and in a temp directory that is removed at exit:

1. starts its own embedded PostgreSQL and Tansu broker (free port) and migrates (kit ``prepare``);
2. starts intake and dashboard in ONE child process exactly as ``porchlight run`` does
   (``serve_all``: uvicorn + each app's lifespan -> ``ServiceRuntime``: engine, producer, outbox
   relay, consumers). The child records, for every event the dashboard consumer applies, the
   wall-clock time right after the consumer's transaction committed (bench-only subclass of
   ``ConsumerRunner``; library code is not touched);
3. phases (``--mode all`` runs them in this order):

   * ``drain``: N note.submitted events are written into intake's outbox BEFORE the services
     start; measures how fast the relay + consumer empty a backlog (pure pipeline capacity).
   * ``throughput``: the services run; N events are written as fast as possible by this (bench)
     process, ``--batch`` events per transaction (``spec.outbox.add(session, *events)`` inside
     ``unit_of_work``); measures the write rate and the end-to-end rate until the dashboard's
     inbox holds all N.
   * ``latency``: notes are POSTed one per request (real HTTP/1.1 POST /v1/notes to intake's
     uvicorn, keep-alive connections, open-loop schedule at ``--rate``/s for ``--duration`` s;
     ``--source outbox`` writes one note.submitted per transaction with ``outbox.add`` instead: the
     backbone alone, without intake's request handling. The bench process then acts as an intake
     replica: it writes and runs intake's ``OutboxRelay`` (woken by its own commits), next to the
     relay of the services process (lanes shared with SKIP LOCKED), as in distributed mode.
     ``--source outbox-child`` writes from a task inside the services process instead (standalone
     mode: writer, relay and dashboard consumer share one event loop and one core);
     ``--source outbox-external`` writes from this process without a relay, so only the services'
     relay's poll finds the rows, as for rows a CLI wrote; ``--writer-procs K`` spreads the
     outbox writes over K writer processes, each an intake replica with its own relay, so the
     load generator is not one saturated Python thread) and each note's latency from
     posted/committed to applied by the dashboard is measured.

4. verifies exactly-once (dashboard counter == inbox rows == events written, per phase, no
   duplicates skipped, outbox empty) and prints a summary (``--json FILE`` writes it too).

The event loop of the child is the default asyncio loop, as in ``porchlight run``; ``--uvloop``
runs the child on uvloop instead (for comparison).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import sqlalchemy as sa

from porchlight.events import ConsumerSpec, NoteSubmitted
from porchlight.events.catalog import Concern
from porchlight.events.envelope import new_envelope
from porchlight.kit.db import create_engine, session_factory, unit_of_work
from porchlight.kit.embedded import EmbeddedBroker, EmbeddedPostgres, free_port
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

SERVICES = ["intake", "dashboard"]
GROUP = "porchlight.dashboard"

CONCERNS = [
    "streetlights out on the corner",
    "speeding on the avenue",
    "vacant lot full of trash",
    "kids need somewhere to go after school",
    "people dealing near the bus stop",
    "broken sidewalk",
    "noise late at night",
    "abandoned car",
    "graffiti on the church wall",
    "not enough trash cans in the park",
]
NOTE_WORDS = (
    "residents said the corner store closes early and the block gets dark the lights have been out for "
    "weeks since the storm people would use the park more if it felt safer a neighbor offered to host the "
    "next meeting on her porch the kids want a basketball hoop the landlord of the vacant house cannot be "
    "reached officers agreed to walk the block on thursday evenings"
)
WORDS = NOTE_WORDS.split()


def note_text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90)))


# --------------------------------------------------------------------------------------------
# child: the services, as `porchlight run` runs them, with an apply-time recorder
# --------------------------------------------------------------------------------------------


def serve_child(config_path: str) -> None:
    cfg = json.loads(Path(config_path).read_text())
    if cfg.get("uvloop"):
        import uvloop

        uvloop.install()
    from porchlight.kit import runtime as rt
    from porchlight.kit.logs import configure_logging
    from porchlight.kit.standalone import serve_all

    configure_logging("text", "WARNING")
    # (note_id, ce_time epoch, applied epoch, Kafka record timestamp epoch: when a relay sent it)
    applied: list[tuple[str, float, float, float]] = []
    batches: list[tuple[float, int]] = []  # (committed epoch, events in the transaction)
    counts: dict[str, float] = {"duplicates": 0.0}

    class RecordingRunner(rt.ConsumerRunner):
        async def _apply(self, items: Any) -> None:
            before = _duplicates(self)
            await super()._apply(items)
            now = time.time()
            batches.append((now, len(items)))
            counts["duplicates"] += _duplicates(self) - before
            for rec, env, event in items:
                applied.append((str(event.note_id), env.time.timestamp(), now, rec.timestamp / 1000))

    def _duplicates(runner: Any) -> float:
        from porchlight.events import metrics

        return metrics.EVENTS_DUPLICATE.labels(runner.service, runner.spec.group)._value.get()

    rt.ConsumerRunner = RecordingRunner  # type: ignore[misc]
    settings = KitSettings(**cfg["settings"])
    services = [get_service(n) for n in cfg["services"]]
    if cfg.get("handler", "real") != "real":
        swap_dashboard_handler(cfg["handler"])

    async def serve_and_write() -> None:
        writer = asyncio.create_task(in_process_writer(settings, Path(cfg["writer_go"]), Path(cfg["writer_done"])))
        try:
            await serve_all(settings, services, cfg["ports"])
        finally:
            writer.cancel()
            await asyncio.gather(writer, return_exceptions=True)

    try:
        asyncio.run(serve_and_write())
    finally:
        Path(cfg["out"]).write_text(json.dumps({"applied": applied, "batches": batches, **counts}))


async def in_process_writer(settings: KitSettings, go: Path, done: Path) -> None:
    """``--source outbox``: when the bench writes ``go`` (forms, rate, start time), write one
    note.submitted per transaction with ``spec.outbox.add`` on that schedule, in this (the
    services') process, so the commit wakes intake's relay as a service's own commit does; the
    (scheduled, started, committed) times per note go to ``done``."""
    while not await asyncio.to_thread(go.exists):
        await asyncio.sleep(0.02)
    job = json.loads(await asyncio.to_thread(go.read_text))
    spec = get_service("intake")
    engine = create_engine(settings.require_database_url(), pool_size=job["connections"])
    sessions = session_factory(engine)
    slots = asyncio.Semaphore(job["connections"])
    sent: dict[str, tuple[float, float, float]] = {}
    errors = 0

    async def one(form: dict[str, Any], sched: float) -> None:
        nonlocal errors
        async with slots:
            t_sent = time.time()
            try:
                event = note_event(form)
                async with unit_of_work(sessions) as session:
                    await spec.outbox.add(session, event)
                sent[str(event.note_id)] = (sched, t_sent, time.time())
            except Exception:
                errors += 1

    tasks = []
    t_start, rate = job["t_start"], job["rate"]
    for i, form in enumerate(job["forms"]):
        sched = t_start + i / rate
        delay = sched - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(form, sched)))
    await asyncio.gather(*tasks)
    t_end = time.time()
    await engine.dispose()
    tmp = done.with_suffix(".tmp")
    tmp.write_text(json.dumps({"sent": sent, "errors": errors, "t_end": t_end}))
    tmp.rename(done)


@dataclass
class WriteJob:
    """A share of the latency phase's schedule: note ``i`` is due at ``t_start + i / rate``."""

    forms: list[dict[str, Any]]
    rate: float
    t_start: float
    connections: int
    give_up_at: float
    relay: bool = True  # run intake's relay here (an intake replica), woken by our own commits
    # True: write with a bare asyncpg connection (prebuilt INSERT, then ``outbox.wake()``), the
    # lightest writer; False: ``spec.outbox.add`` in an ORM unit of work, as intake's code does.
    raw: bool = False


async def write_and_relay(settings: KitSettings, job: WriteJob) -> tuple[dict[str, Any], int, int, float]:
    """Write one note.submitted per transaction with ``spec.outbox.add`` on the job's schedule;
    returns ({note_id: (scheduled, sent, committed)}, errors, not sent, end time)."""
    from porchlight.events import EventProducer, OutboxRelay

    spec = get_service("intake")
    engine = create_engine(settings.require_database_url(), pool_size=job.connections)
    sessions = session_factory(engine)
    relay: OutboxRelay | None = None
    relay_task: asyncio.Task[None] | None = None
    if job.relay:
        producer = EventProducer(settings.require_kafka_bootstrap(), idempotent=False)
        await producer.start()
        relay = OutboxRelay(engine, spec.outbox, producer, service="intake", schema="intake")
        relay_task = asyncio.create_task(relay.run())
    slots = asyncio.Semaphore(job.connections)
    sent: dict[str, tuple[float, float, float]] = {}
    errors = dropped = 0
    pool = await raw_pool(settings, job.connections) if job.raw else None
    insert = (
        "INSERT INTO intake.outbox (event_id, event_type, topic, key, lane, headers, payload) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )

    async def one(form: dict[str, Any], sched: float) -> None:
        nonlocal errors, dropped
        async with slots:
            if time.time() > job.give_up_at:  # the database fell far behind: bound the phase
                dropped += 1
                return
            t_sent = time.time()
            try:
                event = note_event(form)
                if pool is None:
                    async with unit_of_work(sessions) as session:
                        await spec.outbox.add(session, event)
                else:
                    row = spec.outbox.row(new_envelope(event, source=spec.outbox.source), event.TOPIC)
                    args = [row[k] for k in ("event_id", "event_type", "topic", "key", "lane")]
                    async with pool.acquire() as conn, conn.transaction():
                        await conn.execute(insert, *args, json.dumps(row["headers"]), row["payload"])
                    spec.outbox.wake()  # what the session's after-commit hook does for outbox.add
                sent[str(event.note_id)] = (sched, t_sent, time.time())
            except Exception:
                errors += 1

    tasks = []
    for i, form in enumerate(job.forms):
        sched = job.t_start + i / job.rate
        delay = sched - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(form, sched)))
    await asyncio.gather(*tasks)
    t_end = time.time()
    if relay is not None and relay_task is not None:
        # Our rows are published once the outbox is empty (the services' relay may take some).
        for _ in range(300):
            async with engine.connect() as conn:
                if not (await conn.execute(sa.text("SELECT count(*) FROM intake.outbox"))).scalar_one():
                    break
            await asyncio.sleep(0.1)
        relay.stop()
        await relay_task
        await producer.stop()
    if pool is not None:
        await pool.close()
    await engine.dispose()
    return sent, errors, dropped, t_end


async def raw_pool(settings: KitSettings, size: int) -> Any:
    """An asyncpg pool on the embedded PostgreSQL's socket (``--writer raw``)."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(settings.require_database_url())
    return await asyncpg.create_pool(
        host=str(url.query["host"]),
        port=int(str(url.query.get("port", "5432"))),
        user=url.username,
        database=url.database,
        min_size=size,
        max_size=size,
    )


def writer_child(config_path: str) -> None:
    """``--writer-procs``: one intake replica writing its share of the schedule (and relaying)."""
    cfg = json.loads(Path(config_path).read_text())
    settings = KitSettings(**cfg["settings"])
    job = WriteJob(**cfg["job"])
    sent, errors, dropped, t_end = asyncio.run(write_and_relay(settings, job))
    out = Path(cfg["out"])
    cpu_s = time.process_time()  # gone before the bench's meter reads it: report it
    result = {"sent": sent, "errors": errors, "dropped": dropped, "t_end": t_end, "cpu_s": cpu_s}
    out.with_suffix(".tmp").write_text(json.dumps(result))
    out.with_suffix(".tmp").rename(out)


async def write_in_processes(
    p: Platform, args: argparse.Namespace, forms: list[dict[str, Any]], t_start: float, give_up_at: float
) -> tuple[dict[str, Any], int, int, float]:
    """Split the schedule round-robin over ``--writer-procs`` writer processes and merge their records."""
    k = args.writer_procs
    children, outs = [], []
    for w in range(k):
        job = WriteJob(
            forms=forms[w::k],
            rate=args.rate / k,
            t_start=t_start + w / args.rate,
            connections=max(1, args.connections // k),
            give_up_at=give_up_at,
            relay=args.source == "outbox",
            raw=args.writer == "raw",
        )
        cfg_path, out = p.tmp / f"writer-{w}.json", p.tmp / f"writer-{w}-done.json"
        settings = json.loads(p.settings.model_dump_json())
        cfg_path.write_text(json.dumps({"settings": settings, "job": job.__dict__, "out": str(out)}))
        children.append(subprocess.Popen([sys.executable, __file__, "--writer-child", str(cfg_path)]))  # noqa: ASYNC220
        outs.append(out)
    boost([c.pid for c in children], args.priority)
    sent: dict[str, Any] = {}
    errors = dropped = 0
    t_end = t_start
    for child, out in zip(children, outs, strict=True):
        await asyncio.to_thread(child.wait, give_up_at - time.time() + 60)
        if not out.exists():
            raise RuntimeError(f"writer process {child.pid} wrote no result (exit {child.returncode})")
        res = json.loads(out.read_text())
        sent.update({k2: tuple(v) for k2, v in res["sent"].items()})
        errors, dropped, t_end = errors + res["errors"], dropped + res["dropped"], max(t_end, res["t_end"])
        p.writer_cpu_s += res["cpu_s"]
    return sent, errors, dropped, t_end


def note_event(form: dict[str, Any]) -> NoteSubmitted:
    return NoteSubmitted(
        note_id=uuid.uuid4(),
        host_id="bench-liaison",
        submitted_at=datetime.now(UTC),
        district=form["district"],
        neighborhood=form["neighborhood"],
        concerns=[Concern(text=c) for c in form["concerns"]],
        sentiment=form["sentiment"],
        attendees=form["attendees"],
        text=form["text"],
    )


# The same effect as the dashboard's handler (district counter + latest note time), with the
# statement built once instead of per event: what the plumbing does with a cheap handler.
_PREBUILT = sa.text(
    "INSERT INTO dashboard.district_activity AS a (district, notes, last_note_at) VALUES (:d, 1, :at) "
    "ON CONFLICT (district) DO UPDATE SET notes = a.notes + 1, "
    "last_note_at = greatest(a.last_note_at, excluded.last_note_at)"
)


async def prebuilt_handler(session: Any, event: NoteSubmitted, env: Any) -> None:
    await session.execute(_PREBUILT, {"d": event.district, "at": event.submitted_at})


async def noop_handler(session: Any, event: NoteSubmitted, env: Any) -> None:
    return None


def swap_dashboard_handler(kind: str) -> None:
    """Bench-only: replace the dashboard's note.submitted handler (``--handler``) by a
    per-event one, in place of the real batch handler."""
    spec = get_service("dashboard")
    handler = {"prebuilt": prebuilt_handler, "noop": noop_handler}[kind]
    spec.consumers = [ConsumerSpec(group=c.group, handlers={NoteSubmitted: handler}) for c in spec.consumers]


# --------------------------------------------------------------------------------------------
# bench process
# --------------------------------------------------------------------------------------------


@dataclass
class Platform:
    tmp: Path
    settings: KitSettings
    pg: EmbeddedPostgres
    broker: EmbeddedBroker
    child: subprocess.Popen[bytes] | None = None
    child_out: Path | None = None
    spy: subprocess.Popen[bytes] | None = None
    ports: dict[str, int] = field(default_factory=dict)
    windows: dict[str, tuple[float, float]] = field(default_factory=dict)
    handler: str = "real"
    writer_cpu_s: float = 0.0  # --writer-procs: CPU seconds the writer processes used (the bench's)


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def summarize_ms(values: list[float]) -> dict[str, float]:
    v = sorted(values)
    return {
        "n": len(v),
        "p50_ms": round(percentile(v, 50) * 1000, 1),
        "p95_ms": round(percentile(v, 95) * 1000, 1),
        "p99_ms": round(percentile(v, 99) * 1000, 1),
        "max_ms": round(v[-1] * 1000, 1) if v else float("nan"),
    }


class CpuMeter:
    """CPU seconds used by the bench, the services child, PostgreSQL and Tansu over a phase."""

    def __init__(self, p: Platform) -> None:
        self.p = p
        self.start = self._sample()
        self.sys0 = psutil.cpu_times()
        self.t0 = time.monotonic()

    def _procs(self) -> dict[str, list[psutil.Process]]:
        out: dict[str, list[psutil.Process]] = {"bench": [psutil.Process()]}
        if self.p.child is not None and self.p.child.poll() is None:
            out["services"] = [psutil.Process(self.p.child.pid)]
        info = self.p.pg._server.get_postmaster_info()  # type: ignore[attr-defined]
        pm = psutil.Process(info.pid)
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
        cores = {}
        for name, pids in end.items():
            used = sum(v - self.start.get(name, {}).get(pid, 0.0) for pid, v in pids.items())
            cores[name] = round(used / wall, 2)
        busy = sum(getattr(sys1, f) - getattr(self.sys0, f) for f in ("user", "system", "nice", "irq", "softirq"))
        # other processes on the machine (other people's tests...): the figures are noisy when high
        cores["others"] = round(max(0.0, busy / wall - sum(cores.values())), 2)
        return cores


def boost(pids: list[int], nice: int) -> None:
    """Give our processes' scheduling groups priority on a shared machine (``--priority``).

    Linux schedules each session (autogroup) as one unit, so ``nice`` alone does nothing against
    other people's sessions: set the autogroup's nice value instead (root only; best effort).
    """
    if not nice:
        return
    for pid in pids:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/autogroup").write_text(str(nice))


def our_pids(p: Platform) -> list[int]:
    pids = [os.getpid()]
    if p.child is not None:
        pids.append(p.child.pid)
    with contextlib.suppress(Exception):
        pids.append(p.pg._server.get_postmaster_info().pid)  # type: ignore[attr-defined]
    if p.broker._proc is not None:
        pids.append(p.broker._proc.pid)
    return pids


def wait_quiet(p: Platform, max_wait_s: float, threshold: float = 0.3) -> float:
    """Wait (bounded) until processes that are not ours use < ``threshold`` cores; returns their use.

    The machine may be shared (other people's test runs): figures taken while it is busy are
    noisy, so each phase starts in a quiet moment when there is one within ``max_wait_s``.
    """
    deadline = time.monotonic() + max_wait_s
    while True:
        meter = CpuMeter(p)
        time.sleep(1.0)
        others = meter.stop()["others"]
        if others < threshold or time.monotonic() > deadline:
            return others


def start_platform(args: argparse.Namespace) -> Platform:
    tmp = Path(tempfile.mkdtemp(prefix="pl-bench-"))
    pg = EmbeddedPostgres(tmp / "pg")
    broker = EmbeddedBroker(port=free_port(), log_path=tmp / "broker.log")
    p = Platform(tmp=tmp, settings=KitSettings(), pg=pg, broker=broker, handler=args.handler)
    url = pg.start()
    bootstrap = broker.start()
    p.settings = KitSettings(
        mode="standalone",
        database_url=url,
        kafka_bootstrap=bootstrap,
        embedded_broker=True,
        data_dir=tmp,
        log_format="text",
        log_level="WARNING",
    )
    return p


def stop_platform(p: Platform) -> None:
    stop_child(p)
    p.broker.stop()
    p.pg.stop()
    shutil.rmtree(p.tmp, ignore_errors=True)


def start_child(p: Platform, args: argparse.Namespace) -> float:
    """Start intake + dashboard as `porchlight run` would; returns seconds until ready."""
    p.ports = {name: free_port() for name in SERVICES}
    p.child_out = p.tmp / "applied.json"
    cfg = {
        "settings": json.loads(p.settings.model_dump_json()),
        "services": SERVICES,
        "ports": p.ports,
        "out": str(p.child_out),
        "uvloop": args.uvloop,
        "handler": args.handler,
        "writer_go": str(p.tmp / "writer-go.json"),
        "writer_done": str(p.tmp / "writer-done.json"),
    }
    cfg_path = p.tmp / "child.json"
    cfg_path.write_text(json.dumps(cfg))
    t0 = time.monotonic()
    p.child = subprocess.Popen(
        [sys.executable, __file__, "--serve-child", str(cfg_path)],
        stdout=subprocess.PIPE,
        stderr=open(p.tmp / "services.log", "ab"),  # noqa: SIM115
        start_new_session=True,
    )
    assert p.child.stdout is not None
    for raw in p.child.stdout:
        if raw.startswith(b"ready in"):
            break
    else:
        keep = Path(tempfile.gettempdir()) / "pl-bench-services-failed.log"
        shutil.copy(p.tmp / "services.log", keep)
        raise RuntimeError(f"services did not start; their log: {keep}")
    ready = time.monotonic() - t0
    boost(our_pids(p), args.priority)
    if args.py_spy:  # sample the services process until it stops (collapsed stacks)
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        p.spy = subprocess.Popen(
            [spy, "record", "-p", str(p.child.pid), "-o", str(args.py_spy), "--format", "raw", "-r", "200"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return ready


def stop_child(p: Platform) -> dict[str, Any]:
    """SIGINT the services (graceful: consumers commit, relay drains) and read their records."""
    if p.child is None:
        return {}
    with contextlib.suppress(ProcessLookupError):
        p.child.send_signal(signal.SIGINT)
    try:
        p.child.wait(30)
    except subprocess.TimeoutExpired:
        p.child.kill()
        p.child.wait(5)
    p.child = None
    if p.spy is not None:
        p.spy.wait(30)
        p.spy = None
    if p.child_out is not None and p.child_out.exists():
        data: dict[str, Any] = json.loads(p.child_out.read_text())
        return data
    return {}


def make_events(n: int, districts: list[str], rng: random.Random) -> list[NoteSubmitted]:
    now = datetime.now(UTC)
    return [
        NoteSubmitted(
            note_id=uuid.uuid4(),
            district=rng.choice(districts),
            neighborhood=f"Block {rng.randint(1, 40)}",
            host_id="bench-liaison",
            submitted_at=now,
            concerns=[Concern(text=c) for c in rng.sample(CONCERNS, rng.randint(1, 3))],
            sentiment=rng.randint(1, 5),
            attendees=rng.randint(2, 15),
            text=note_text(rng),
        )
        for _ in range(n)
    ]


async def write_outbox(p: Platform, events: list[NoteSubmitted], batch: int, writers: int) -> tuple[float, float]:
    """Write events into intake's outbox, ``batch`` per transaction; returns (t_first, t_last)."""
    spec = get_service("intake")
    engine = create_engine(p.settings.require_database_url(), pool_size=writers)
    sessions = session_factory(engine)
    chunks = [events[i : i + batch] for i in range(0, len(events), batch)]
    it = iter(chunks)
    t_first = time.time()

    async def writer() -> None:
        for chunk in it:
            async with unit_of_work(sessions) as session:
                await spec.outbox.add(session, *chunk)

    try:
        await asyncio.gather(*(writer() for _ in range(writers)))
    finally:
        await engine.dispose()
    return t_first, time.time()


async def applied_count(conn: Any) -> int:
    return int((await conn.execute(sa.text("SELECT count(*) FROM dashboard.inbox"))).scalar_one())


async def wait_applied(p: Platform, target: int, timeout_s: float, every_s: float = 0.1) -> list[tuple[float, int]]:
    """Poll the dashboard inbox until it holds ``target`` rows; returns (epoch, count) samples."""
    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    samples: list[tuple[float, int]] = []
    deadline = time.monotonic() + timeout_s
    try:
        async with engine.connect() as conn:
            while True:
                n = await applied_count(conn)
                await conn.commit()
                samples.append((time.time(), n))
                if n >= target or time.monotonic() > deadline:
                    return samples
                await asyncio.sleep(every_s)
    finally:
        await engine.dispose()


def steady_rate(samples: list[tuple[float, int]], base: int, n: int, lo: float = 0.2, hi: float = 0.8) -> float:
    """Events/s between the moments ``lo`` and ``hi`` of the events were applied."""

    def first_at(frac: float) -> tuple[float, int] | None:
        for t, c in samples:
            if c - base >= frac * n:
                return t, c
        return None

    a, b = first_at(lo), first_at(hi)
    if a is None or b is None or b[0] <= a[0]:
        return float("nan")
    return (b[1] - a[1]) / (b[0] - a[0])


async def db_scalar(p: Platform, sql: str) -> Any:
    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(sa.text(sql))).scalar()
    finally:
        await engine.dispose()


async def verify(p: Platform, prefix: str, expected: int) -> dict[str, Any]:
    if p.handler == "noop":
        return {"expected": expected, "dashboard_counter": expected}  # nothing counts; inbox checked later
    counter = await db_scalar(
        p, f"SELECT coalesce(sum(notes), 0) FROM dashboard.district_activity WHERE district LIKE '{prefix}%'"
    )
    return {"expected": expected, "dashboard_counter": int(counter)}


# --- phases ----------------------------------------------------------------------------------


async def phase_drain(p: Platform, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(1)
    districts = [f"DR-{i:02d}" for i in range(args.districts)]
    events = make_events(args.events, districts, rng)
    t0, t1 = await write_outbox(p, events, args.batch, args.writers)
    base = await db_scalar(p, "SELECT count(*) FROM dashboard.inbox")
    t_start = time.time()
    ready_s = start_child(p, args)
    meter = CpuMeter(p)  # count the services from when they are up
    samples = await wait_applied(p, base + args.events, args.timeout)
    cores = meter.stop()
    n = samples[-1][1] - base
    p.windows["drain"] = (t_start, samples[-1][0])
    first = next((t for t, c in samples if c > base), samples[-1][0])
    t_last = next((t for t, c in samples if c >= base + args.events), samples[-1][0])
    return {
        "events": args.events,
        "written_per_s": round(args.events / (t1 - t0)),
        "services_ready_s": round(ready_s, 2),
        "applied": n,
        "drain_s": round(t_last - first, 2),
        "drain_per_s": round(n / max(1e-9, t_last - first)),
        "steady_per_s": round(steady_rate(samples, base, args.events)),
        "from_start_s": round(t_last - t_start, 2),
        "cores": cores,
        **await verify(p, "DR-", args.events),
    }


async def phase_throughput(p: Platform, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(2)
    districts = [f"TP-{i:02d}" for i in range(args.districts)]
    events = make_events(args.events, districts, rng)
    base = await db_scalar(p, "SELECT count(*) FROM dashboard.inbox")
    meter = CpuMeter(p)
    poll = asyncio.create_task(wait_applied(p, base + args.events, args.timeout))
    t0, t1 = await write_outbox(p, events, args.batch, args.writers)
    samples = await poll
    cores = meter.stop()
    n = samples[-1][1] - base
    p.windows["throughput"] = (t0, samples[-1][0])
    t_last = next((t for t, c in samples if c >= base + args.events), samples[-1][0])
    return {
        "events": args.events,
        "batch": args.batch,
        "writers": args.writers,
        "write_s": round(t1 - t0, 2),
        "written_per_s": round(args.events / (t1 - t0)),
        "applied": n,
        "end_to_end_s": round(t_last - t0, 2),
        "end_to_end_per_s": round(n / max(1e-9, t_last - t0)),
        "steady_per_s": round(steady_rate(samples, base, args.events)),
        "lag_after_last_write_s": round(t_last - t1, 2),
        "cores": cores,
        **await verify(p, "TP-", args.events),
    }


class HttpConn:
    """A minimal HTTP/1.1 keep-alive client (cheap enough not to steal the server's CPU)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def post(self, path: str, body: bytes, headers: bytes) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        self.writer.write(
            b"POST "
            + path.encode()
            + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + headers
            + b"Content-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body
        )
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def dashboard_total(p: Platform) -> int:
    if p.handler == "noop":
        return int(await db_scalar(p, "SELECT count(*) FROM dashboard.inbox"))
    return int(await db_scalar(p, "SELECT coalesce(sum(notes), 0) FROM dashboard.district_activity"))


async def http_forms(p: Platform, forms: list[dict[str, Any]], rng: random.Random) -> list[dict[str, Any]]:
    """The note forms in the shape the installed intake takes.

    The first intake took ``district`` + ``concerns: [str]`` + ``text``; the standardized form takes
    a ``place`` (a district the city knows) + ``concerns: [{text}]`` + ``notes``.
    """
    from porchlight.intake.notes.schemas import NoteIn

    if "place" not in NoteIn.model_fields:
        return forms
    known = [r[0] for r in await db_rows(p, "SELECT code FROM intake.places WHERE kind = 'district' ORDER BY code")]
    if not known:
        raise RuntimeError("intake knows no districts (demo city not loaded?)")
    return [
        {
            "place": {"district": rng.choice(known)},
            "concerns": [{"text": c} for c in f["concerns"]],
            "sentiment": f["sentiment"],
            "attendees": f["attendees"],
            "notes": f["text"],
        }
        for f in forms
    ]


async def db_rows(p: Platform, sql: str) -> list[Any]:
    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(sa.text(sql))).all())
    finally:
        await engine.dispose()


WARM_FORM: dict[str, Any] = {
    "district": "WARM-UP",
    "neighborhood": None,
    "concerns": ["warm-up"],
    "sentiment": 3,
    "attendees": 3,
    "text": "warm-up note",
}


async def warm_up(p: Platform, timeout_s: float = 90.0) -> dict[str, Any]:
    """Until the dashboard applies events: measure the steady state, not the start-up.

    Consumers join their group in the background after the services report ready (a join takes
    seconds on Tansu); events written meanwhile wait for it. One event every 100 ms goes through
    intake's outbox (its relay publishes it) until one is applied, then every warm-up event is
    waited for, so the phase's counts start from a settled inbox.
    """
    spec = get_service("intake")
    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    sessions = session_factory(engine)
    base = int(await db_scalar(p, "SELECT count(*) FROM dashboard.inbox"))
    t0, written = time.monotonic(), 0
    try:
        while int(await db_scalar(p, "SELECT count(*) FROM dashboard.inbox")) == base:
            if time.monotonic() - t0 > timeout_s:
                raise RuntimeError(f"warm-up: no event applied within {timeout_s}s")
            async with unit_of_work(sessions) as session:
                await spec.outbox.add(session, note_event(WARM_FORM))
            written += 1
            await asyncio.sleep(0.1)
        first_s = time.monotonic() - t0
        await wait_applied(p, base + written, 30)
    finally:
        await engine.dispose()
    return {"events": written, "first_applied_s": round(first_s, 2)}


async def phase_latency(p: Platform, args: argparse.Namespace) -> dict[str, Any]:
    from porchlight.kit.auth import mint_token

    warm = await warm_up(p)
    print(
        f"[latency] warm-up: first event applied {warm['first_applied_s']}s after the services were ready", flush=True
    )

    rng = random.Random(3)
    districts = [f"LT-{i:02d}" for i in range(args.districts)]
    total = int(args.rate * args.duration)
    sent: dict[str, tuple[float, float, float]] = {}  # note_id -> (scheduled, sent, committed)
    errors = 0
    error_samples: list[str] = []
    dropped = 0  # notes not sent because the phase ran 10 s past its duration
    give_up_at = time.time() + args.duration + 10
    inbox_base = int(await db_scalar(p, "SELECT count(*) FROM dashboard.inbox"))
    counter_base = await dashboard_total(p)
    meter = CpuMeter(p)

    if args.source == "http":
        token = mint_token(p.settings, subject="bench-liaison", roles=["liaison"])
        auth = b"Authorization: Bearer " + token.encode() + b"\r\n"
        pool: asyncio.Queue[HttpConn] = asyncio.Queue()
        for _ in range(args.connections):
            c = HttpConn(p.ports["intake"])
            await c.open()
            pool.put_nowait(c)

        async def one(form: dict[str, Any], sched: float, slots: asyncio.Semaphore) -> None:
            nonlocal errors, dropped
            conn = await pool.get()
            if time.time() > give_up_at:  # the server fell far behind: bound the phase
                pool.put_nowait(conn)
                dropped += 1
                return
            t_sent = time.time()
            try:
                status, body = await conn.post("/v1/notes", json.dumps(form).encode(), auth)
                t_done = time.time()
                if status == 201:
                    sent[json.loads(body)["id"]] = (sched, t_sent, t_done)
                else:
                    errors += 1
                    if len(error_samples) < 3:
                        error_samples.append(f"{status}: {body[:300]!r}")
            except Exception:
                errors += 1
                conn = HttpConn(p.ports["intake"])
                await conn.open()
            finally:
                pool.put_nowait(conn)

    slots = asyncio.Semaphore(args.connections)
    forms = [
        {
            "district": rng.choice(districts),
            "neighborhood": None,
            "concerns": rng.sample(CONCERNS, rng.randint(1, 3)),
            "sentiment": rng.randint(1, 5),
            "attendees": rng.randint(2, 15),
            "text": note_text(rng),
        }
        for _ in range(total)
    ]
    if args.source == "http":
        forms = await http_forms(p, forms, rng)
    if args.source == "outbox-child":  # the services process writes (in_process_writer)
        done = p.tmp / "writer-done.json"
        t_start = time.time() + 0.5
        go = p.tmp / "writer-go.json"
        job = {"forms": forms, "rate": args.rate, "t_start": t_start, "connections": args.connections}
        go.with_suffix(".tmp").write_text(json.dumps(job))
        go.with_suffix(".tmp").rename(go)
        while not done.exists() and time.time() < give_up_at + 30:
            await asyncio.sleep(0.1)
        written = json.loads(done.read_text())
        sent = {k: (a, b, c) for k, (a, b, c) in written["sent"].items()}
        errors, t_end = written["errors"], written["t_end"]
    elif args.source in ("outbox", "outbox-external") and args.writer_procs > 1:
        # Several intake replicas: each writer process writes its share of the schedule and
        # relays its own rows (lanes shared with SKIP LOCKED), as replicas do.
        t_start = time.time() + 1.0
        result = await write_in_processes(p, args, forms, t_start, give_up_at)
        sent, errors, dropped, t_end = result
    elif args.source in ("outbox", "outbox-external"):
        t_start = time.time()
        whole = WriteJob(
            forms,
            args.rate,
            t_start,
            args.connections,
            give_up_at,
            relay=args.source == "outbox",
            raw=args.writer == "raw",
        )
        sent, errors, dropped, t_end = await write_and_relay(p.settings, whole)
    else:
        tasks = []
        t_start = time.time()
        for i, form in enumerate(forms):
            sched = t_start + i / args.rate
            delay = sched - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(form, sched, slots)))
        await asyncio.gather(*tasks)
        t_end = time.time()
        while not pool.empty():
            pool.get_nowait().close()
    # wait for the dashboard to apply them all
    await wait_applied(p, inbox_base + len(sent), 30)
    wall = time.monotonic() - meter.t0
    cores = meter.stop()
    if p.writer_cpu_s:  # the writer processes' CPU is the bench's, not the others'
        writers = p.writer_cpu_s / wall
        cores["bench"] = round(cores["bench"] + writers, 2)
        cores["others"] = round(max(0.0, cores["others"] - writers), 2)
    p.windows["latency"] = (t_start, time.time())
    return {
        "mode": {
            "http": "HTTP POST /v1/notes",
            "outbox": "outbox.add + relay in the bench process (an intake replica), one event per transaction",
            "outbox-child": "outbox.add in the services process, one event per transaction",
            "outbox-external": "outbox.add in the bench process (services' relay's poll), one event per transaction",
        }[args.source]
        + (f", from {args.writer_procs} writer processes" if args.writer_procs > 1 and "outbox" in args.source else "")
        + (", asyncpg writer" if args.writer == "raw" and "outbox" in args.source else ""),
        "target_rate": args.rate,
        "duration_s": args.duration,
        "notes": total,
        "ok": len(sent),
        "errors": errors,
        "not_sent": dropped,
        "error_samples": error_samples,
        "achieved_rate": round(len(sent) / (t_end - t_start), 1),
        "cores": cores,
        "_sent": sent,
        "expected": len(sent),
        "dashboard_counter": await dashboard_total(p) - counter_base,
        "warm_up": warm,
    }


def latency_figures(result: dict[str, Any], applied: dict[str, tuple[float, float, float]], dump: Path | None) -> None:
    sent = result.pop("_sent")
    commit_to_applied, sent_to_applied, event_to_applied, request = [], [], [], []
    commit_to_relayed, relayed_to_applied = [], []
    missing = 0
    series: list[tuple[float, float]] = []
    for note_id, (_sched, t_sent, t_commit) in sent.items():
        rec = applied.get(note_id)
        if rec is None:
            missing += 1
            continue
        ce_time, t_applied, t_relayed = rec
        commit_to_applied.append(max(0.0, t_applied - t_commit))
        commit_to_relayed.append(max(0.0, t_relayed - t_commit))
        relayed_to_applied.append(max(0.0, t_applied - t_relayed))
        series.append((round(t_commit, 4), round(t_applied - t_commit, 4)))
        sent_to_applied.append(t_applied - t_sent)
        event_to_applied.append(t_applied - ce_time)
        request.append(t_commit - t_sent)
    result["missing"] = missing
    result["posted_to_applied"] = summarize_ms(sent_to_applied)
    result["committed_to_applied"] = summarize_ms(commit_to_applied)
    result["outbox_add_to_applied"] = summarize_ms(event_to_applied)
    # The split at the broker: the relay's part, then the broker's and the consumer's.
    result["committed_to_relayed"] = summarize_ms(commit_to_relayed)
    result["relayed_to_applied"] = summarize_ms(relayed_to_applied)
    result["request"] = summarize_ms(request)
    if dump is not None:
        dump.write_text(json.dumps(sorted(series)))


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from porchlight.kit.standalone import prepare

    p = start_platform(args)
    boost(our_pids(p), args.priority)
    out: dict[str, Any] = {"args": {k: v for k, v in vars(args).items() if k != "serve_child"}}
    try:
        await prepare(p.settings, [get_service(n) for n in SERVICES])
        modes = ["drain", "throughput", "latency"] if args.mode == "all" else [args.mode]
        if "drain" in modes:
            out.setdefault("others_before", {})["drain"] = wait_quiet(p, args.quiet_wait)
            print(f"[drain] writing {args.events} events, then starting the services ...", flush=True)
            out["drain"] = await phase_drain(p, args)
            print(json.dumps(out["drain"]), flush=True)
        if p.child is None:
            out["services_ready_s"] = round(start_child(p, args), 2)
        if "throughput" in modes:
            out.setdefault("others_before", {})["throughput"] = wait_quiet(p, args.quiet_wait)
            print(f"[throughput] {args.events} events, {args.batch}/transaction ...", flush=True)
            out["throughput"] = await phase_throughput(p, args)
            print(json.dumps(out["throughput"]), flush=True)
        if "latency" in modes:
            out.setdefault("others_before", {})["latency"] = wait_quiet(p, args.quiet_wait)
            print(f"[latency] {args.rate}/s for {args.duration}s ...", flush=True)
            out["latency"] = await phase_latency(p, args)
        t0 = time.monotonic()
        records = stop_child(p)
        out["services_stop_s"] = round(time.monotonic() - t0, 2)
        applied: dict[str, tuple[float, float, float]] = {}
        for note_id, ce_time, t_applied, t_relayed in records.get("applied", []):
            applied.setdefault(note_id, (ce_time, t_applied, t_relayed))
        for m, (a, b) in p.windows.items():
            sizes = [n for t, n in records.get("batches", []) if a <= t <= b]
            out[m]["consumer_transactions"] = len(sizes)
            out[m]["events_per_transaction"] = round(sum(sizes) / max(1, len(sizes)), 1)
        if "latency" in out:
            latency_figures(out["latency"], applied, args.dump_latencies)
            print(json.dumps(out["latency"]), flush=True)
        out["exactly_once"] = {
            "events_written": sum(out[m]["events" if m != "latency" else "ok"] for m in modes)
            + out.get("latency", {}).get("warm_up", {}).get("events", 0),
            "inbox_rows": int(await db_scalar(p, "SELECT count(*) FROM dashboard.inbox")),
            "counter_total": int(await db_scalar(p, "SELECT coalesce(sum(notes),0) FROM dashboard.district_activity")),
            "applied_records": len(records.get("applied", [])),
            "distinct_applied": len(applied),
            "duplicates_skipped": records.get("duplicates"),
            "outbox_left": int(await db_scalar(p, "SELECT count(*) FROM intake.outbox")),
        }
        e = out["exactly_once"]
        if p.handler == "noop":
            e["counter_total"] = e["inbox_rows"]  # the noop handler counts nothing
        e["ok"] = (
            e["events_written"] == e["inbox_rows"] == e["counter_total"] == e["distinct_applied"]
            and e["outbox_left"] == 0
            and all(out[m]["dashboard_counter"] == out[m]["expected"] for m in modes)
        )
        print(json.dumps(out["exactly_once"]), flush=True)
    finally:
        stop_platform(p)
    return out


def report(out: dict[str, Any]) -> None:
    print("\n== Backbone benchmark ==")
    if "drain" in out:
        d = out["drain"]
        print(
            f"drain      {d['events']} queued events: {d['drain_per_s']}/s (steady {d['steady_per_s']}/s) "
            f"in {d['drain_s']}s after the services started  cores={d['cores']}"
        )
    if "throughput" in out:
        t = out["throughput"]
        print(
            f"throughput {t['events']} events written at {t['written_per_s']}/s ({t['batch']}/tx, "
            f"{t['writers']} writers); end-to-end {t['end_to_end_per_s']}/s, steady {t['steady_per_s']}/s "
            f"cores={t['cores']}"
        )
    if "latency" in out:
        lt = out["latency"]
        print(
            f"latency    {lt['mode']}: {lt['achieved_rate']}/s achieved of {lt['target_rate']}/s, "
            f"{lt['ok']} ok, {lt['errors']} errors, {lt['not_sent']} not sent (server behind), "
            f"{lt['missing']} not applied  cores={lt['cores']}"
        )
        for k in (
            "posted_to_applied",
            "committed_to_applied",
            "outbox_add_to_applied",
            "committed_to_relayed",
            "relayed_to_applied",
            "request",
        ):
            s = lt[k]
            print(
                f"           {k:<22} p50 {s['p50_ms']:>7} ms  p95 {s['p95_ms']:>7} ms  "
                f"p99 {s['p99_ms']:>7} ms  max {s['max_ms']:>7} ms"
            )
    e = out["exactly_once"]
    print(f"exactly-once: {'OK' if e['ok'] else 'FAILED'} {e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve-child", help=argparse.SUPPRESS)
    ap.add_argument("--writer-child", help=argparse.SUPPRESS)
    ap.add_argument(
        "--writer",
        choices=["orm", "raw"],
        default="orm",
        help="--source outbox*: outbox.add in an ORM unit of work (orm), or a bare asyncpg INSERT + wake (raw)",
    )
    ap.add_argument(
        "--writer-procs",
        type=int,
        default=1,
        help="--source outbox/outbox-external: write from this many processes (intake replicas, each with its relay)",
    )
    ap.add_argument("--mode", choices=["all", "drain", "throughput", "latency"], default="all")
    ap.add_argument("--events", type=int, default=30_000, help="events per throughput/drain phase")
    ap.add_argument("--batch", type=int, default=20, help="events per outbox transaction")
    ap.add_argument("--writers", type=int, default=2, help="concurrent writer transactions")
    ap.add_argument("--districts", type=int, default=40, help="distinct Kafka keys (districts)")
    ap.add_argument("--rate", type=float, default=500.0, help="notes/s in the latency phase")
    ap.add_argument("--duration", type=float, default=20.0, help="seconds of the latency phase")
    ap.add_argument("--connections", type=int, default=32, help="HTTP connections (latency phase)")
    ap.add_argument(
        "--source",
        choices=["http", "outbox", "outbox-child", "outbox-external"],
        default="http",
        help="latency phase: HTTP POST /v1/notes, or outbox.add() of one note.submitted per "
        "transaction (the backbone alone): from this process with its own relay (outbox), from "
        "the services process (outbox-child), or from this process without a relay "
        "(outbox-external: found by the services' relay's poll)",
    )
    ap.add_argument("--uvloop", action="store_true", help="run the services child on uvloop")
    ap.add_argument(
        "--handler",
        choices=["real", "prebuilt", "noop"],
        default="real",
        help="dashboard handler: the real one, the same SQL built once, or none (plumbing only)",
    )
    ap.add_argument("--timeout", type=float, default=120.0, help="give up waiting after this many seconds")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument(
        "--quiet-wait",
        type=float,
        default=90.0,
        help="before each phase wait up to this long for other processes to leave the CPU",
    )
    ap.add_argument(
        "--priority",
        type=int,
        default=0,
        help="on a shared machine: set the nice value of our processes' autogroups (e.g. -10; root)",
    )
    ap.add_argument("--dump-latencies", type=Path, help="write [commit epoch, commit->applied s] per note here")
    ap.add_argument("--py-spy", type=Path, help="profile the services process into this file (collapsed stacks)")
    args = ap.parse_args()
    if args.serve_child:
        serve_child(args.serve_child)
        return
    if args.writer_child:
        writer_child(args.writer_child)
        return
    out = asyncio.run(main_async(args))
    report(out)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str))
    if not out["exactly_once"]["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
