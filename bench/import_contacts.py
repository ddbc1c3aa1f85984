"""Benchmark of a bulk import (issue 3): a 100,000-row contacts CSV, wall time and memory.

    python bench/import_contacts.py [--rows N] [--batch N] [--json FILE]

All on 127.0.0.1, in a temp directory removed at exit:

1. starts its own embedded PostgreSQL and Tansu broker (free port), creates the topics and
   migrates intake (kit ``prepare``);
2. runs intake in a child process exactly as ``porchlight serve`` would (uvicorn, the app's
   lifespan with the outbox relay on; the demo city is loaded by the startup hook), with the
   default settings (the upload route's own body limit is the import's ``max_bytes``, 50 MB);
3. writes a contacts CSV of ``--rows`` rows as a department keeps it (US, ISO and "Jan 5 2026"
   dates, "2:30 PM" times, "1h 30m" durations, type words like "Youth event", half the rows
   with a district, half with lat/lon, quoted notes with commas), uploads it
   (``POST /v1/imports``: stored, then validated in the background), polls
   ``GET /v1/imports/{id}`` until validated, commits ``{"rows": "all"}`` and polls until done;
4. samples the intake process's RSS every 50 ms throughout and reports it at 10k, 50k and
   100k rows of each phase (validation, commit) next to the baseline before the upload;
5. verifies: ``--rows`` contacts in the table, the outbox drained, and ``--rows`` distinct
   contact ids in the ``porchlight.contacts`` topic (each exactly once).

Wall time is upload start -> status ``done`` (every row committed with its outbox event);
"published" adds the time until the relay has sent the last event.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
from _platform import Platform, start_platform, stop_platform

from porchlight.kit.service import get_service

MB = 1024 * 1024
TYPES = [
    "conversation",
    "Youth event",
    "youth activity",
    "Business Check-In",
    "business visit",
    "Community event",
    "Coffee with a Cop",
    "referral",
    "Other",
    "walk and talk",
]
MINUTES = ["45", "1h 30m", "20 min", "1.5 h", "15", "2 hrs", "1:15", "30"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct"]
NOTES = [
    "",
    "",
    "Talked about the broken light by the back door, and the alley",
    "Pickup game; kids asked for more",
    "Neighbor worried about speeding near the school",
    "",
]


def serve_child(config_path: str) -> None:
    import uvicorn

    from porchlight.kit.app import create_app
    from porchlight.kit.logs import configure_logging
    from porchlight.kit.service import get_service
    from porchlight.kit.settings import KitSettings

    cfg = json.loads(Path(config_path).read_text())
    configure_logging("text", "WARNING")
    settings = KitSettings(**cfg["settings"])
    uvicorn.run(
        create_app(get_service("intake"), settings),
        host="127.0.0.1",
        port=cfg["port"],
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )


def start_child(p: Platform, batch: int) -> None:
    from porchlight.kit.embedded import free_port

    p.port = free_port()
    cfg = p.tmp / "child.json"
    cfg.write_text(json.dumps({"settings": json.loads(p.settings.model_dump_json()), "port": p.port}))
    env = {**os.environ, "PORCHLIGHT_INTAKE_IMPORT_BATCH_ROWS": str(batch)}
    p.child = subprocess.Popen(
        [sys.executable, __file__, "--serve-child", str(cfg)],
        stdout=subprocess.DEVNULL,
        stderr=open(p.tmp / "intake.log", "ab"),  # noqa: SIM115 - the child owns it
        start_new_session=True,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if p.child.poll() is not None:
            raise RuntimeError(f"intake exited: {(p.tmp / 'intake.log').read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{p.port}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("intake did not become ready")


def write_csv(path: Path, rows: int, rng: random.Random) -> None:
    """A department's contacts log: mixed date formats, words for types, durations as typed."""
    from shapely.geometry import shape

    from porchlight.intake.places.service import demo_city

    features = demo_city()["features"]
    districts = [f for f in features if f["properties"]["kind"] == "district"]
    points = [shape(f["geometry"]).representative_point() for f in districts]
    with path.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(
            [
                "Record ID",
                "Contact Date",
                "Time",
                "Badge",
                "Type",
                "Mins",
                "# Residents",
                "District",
                "Lat",
                "Lon",
                "Notes",
            ]
        )
        for i in range(rows):
            day = 1 + i % 28
            month = 1 + (i // 28) % 10
            date = (f"{month}/{day}/2026", f"2026-{month:02d}-{day:02d}", f"{MONTHS[month - 1]} {day} 2026")[i % 3]
            clock = f"{1 + i % 12}:{i % 60:02d} {'AM' if i % 2 else 'PM'}" if i % 3 == 0 else ""
            k = rng.randrange(len(districts))
            place = (
                [districts[k]["properties"]["code"], "", ""]
                if i % 2
                else ["", f"{points[k].y:.5f}", f"{points[k].x:.5f}"]
            )
            w.writerow(
                [
                    f"R{i:06d}",
                    date,
                    clock,
                    f"B{rng.randrange(200):04d}",
                    rng.choice(TYPES),
                    rng.choice(MINUTES),
                    rng.randrange(0, 30),
                    *place,
                    rng.choice(NOTES),
                ]
            )


@dataclass
class Sampler:
    """The intake process's RSS every ``every_s``, with the phase and rows it had reached."""

    pid: int
    every_s: float = 0.05
    phase: str = "baseline"
    rows: int = 0
    samples: list[tuple[float, str, int, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        with contextlib.suppress(psutil.Error):
            self.samples.append((time.monotonic(), self.phase, self.rows, psutil.Process(self.pid).memory_info().rss))

    def run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.every_s)

    def start(self) -> None:
        threading.Thread(target=self.run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def at(self, phase: str, rows: int) -> float | None:
        """RSS (MB) of the first sample of ``phase`` at or past ``rows`` rows."""
        for _, ph, r, rss in self.samples:
            if ph == phase and r >= rows:
                return round(rss / MB, 1)
        return None

    def peak(self, phase: str | None = None) -> float:
        values = [rss for _, ph, _, rss in self.samples if phase is None or ph == phase]
        return round(max(values) / MB, 1) if values else 0.0


_BUSY = ("user", "system", "nice", "irq", "softirq")


def cpu_seconds(p: Platform) -> dict[str, float]:
    """CPU seconds so far of our processes, and of the whole machine (``machine``)."""
    procs = {"bench": [psutil.Process()], "intake": [psutil.Process(p.child.pid)] if p.child else []}
    pm = psutil.Process(p.pg._server.get_postmaster_info().pid)
    procs["postgres"] = [pm, *pm.children(recursive=True)]
    procs["tansu"] = [psutil.Process(p.broker._proc.pid)] if p.broker._proc is not None else []
    out = {}
    for name, group in procs.items():
        total = 0.0
        for pr in group:
            with contextlib.suppress(psutil.Error):
                t = pr.cpu_times()
                total += t.user + t.system
        out[name] = total
    now = psutil.cpu_times()
    out["machine"] = sum(getattr(now, f) for f in _BUSY)
    return out


def cores(before: dict[str, float], after: dict[str, float], wall: float) -> dict[str, float]:
    """Cores used over ``wall`` seconds by each of ours, and by processes that are not ours (others)."""
    used = {k: (after[k] - before[k]) / wall for k in after if k != "machine"}
    used["others"] = max(0.0, (after["machine"] - before["machine"]) / wall - sum(used.values()))
    return {k: round(v, 2) for k, v in used.items()}


def boost(p: Platform, nice: int) -> None:
    """Give our processes' scheduling groups priority on a shared machine (``--priority``).

    As bench/pipeline.py: Linux schedules each session (autogroup) as one unit, so the autogroup's
    nice value is what counts against other people's sessions (root only; best effort).
    """
    if not nice:
        return
    pids = [os.getpid(), p.pg._server.get_postmaster_info().pid]
    pids += [proc.pid for proc in (p.child, p.broker._proc) if proc is not None]
    for pid in pids:
        with contextlib.suppress(OSError):
            Path(f"/proc/{pid}/autogroup").write_text(str(nice))


def wait_quiet(p: Platform, max_wait_s: float, threshold: float = 0.3) -> float:
    """Wait (bounded) until processes that are not ours use < ``threshold`` cores; returns their use.

    The machine may be shared (other people's test runs): a figure taken while it is busy is
    mostly a measure of the others.
    """
    deadline = time.monotonic() + max_wait_s
    while True:
        before = cpu_seconds(p)
        time.sleep(1.0)
        others = cores(before, cpu_seconds(p), 1.0)["others"]
        if others < threshold or time.monotonic() > deadline:
            return others


async def db_value(p: Platform, sql: str) -> Any:
    import sqlalchemy as sa

    from porchlight.kit.db import create_engine

    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(sa.text(sql))).scalar()
    finally:
        await engine.dispose()


async def topic_ids(p: Platform) -> list[str]:
    """Every contact_id in the contacts topic, from the earliest offsets to the end offsets."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(
        bootstrap_servers=p.settings.kafka_bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        parts = [
            TopicPartition("porchlight.contacts", i)
            for i in sorted(consumer.partitions_for_topic("porchlight.contacts") or [])
        ]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        ids: list[str] = []
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            positions = [await consumer.position(tp) for tp in parts]
            if all(pos >= ends[tp] for pos, tp in zip(positions, parts, strict=True)):
                break
            for recs in (await consumer.getmany(timeout_ms=500, max_records=10_000)).values():
                ids += [json.loads(r.value)["contact_id"] for r in recs]
        return ids
    finally:
        await consumer.stop()


def poll(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    sampler: Sampler,
    phase: str,
    until: str,
    log: list[tuple[float, int]],
) -> dict[str, Any]:
    sampler.phase = phase
    while True:
        report = client.get(url, headers=headers).raise_for_status().json()
        sampler.rows = report["progress"]["done"]
        sampler.sample()  # the rows just reported, with the memory at that moment
        log.append((time.monotonic(), sampler.rows))
        if report["status"] in (until, "failed"):
            return report
        time.sleep(0.25)


def run(p: Platform, args: argparse.Namespace) -> dict[str, Any]:
    from porchlight.kit.auth import mint_token

    path = p.tmp / "contacts.csv"
    t = time.monotonic()
    write_csv(path, args.rows, random.Random(args.seed))
    print(f"wrote {args.rows} rows, {path.stat().st_size / MB:.1f} MB in {time.monotonic() - t:.1f}s", flush=True)
    headers = {"Authorization": "Bearer " + mint_token(p.settings, subject="bench-sup", roles=["supervisor"])}
    assert p.child is not None
    spy = None
    if args.py_spy:
        spy = subprocess.Popen(
            [
                shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy"),
                "record",
                "--pid",
                str(p.child.pid),
                "--format",
                "raw",
                "--rate",
                "50",
                "--output",
                str(args.py_spy),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    sampler = Sampler(p.child.pid)
    sampler.start()
    others_before = wait_quiet(p, args.quiet_wait)
    cpu0 = cpu_seconds(p)
    base = f"http://127.0.0.1:{p.port}"
    validating: list[tuple[float, int]] = []
    importing: list[tuple[float, int]] = []
    with httpx.Client(base_url=base, timeout=120) as client:
        t0 = time.monotonic()
        sampler.phase = "upload"
        with path.open("rb") as f:
            r = client.post(
                "/v1/imports",
                headers=headers,
                files={"file": ("contacts.csv", f, "text/csv")},
                data={"kind": "contacts"},
            )
        t_uploaded, cpu_uploaded = time.monotonic(), cpu_seconds(p)
        if r.status_code not in (201, 202):
            raise RuntimeError(f"upload: {r.status_code} {r.text[:500]}")
        url = f"/v1/imports/{r.json()['import_id']}"
        validated = poll(client, url, headers, sampler, "validating", "validated", validating)
        t_validated, cpu_validated = time.monotonic(), cpu_seconds(p)
        c = client.post(f"{url}/commit", headers=headers, json={"rows": "all"})
        if c.status_code not in (200, 202):
            raise RuntimeError(f"commit: {c.status_code} {c.text[:500]}")
        done = poll(client, url, headers, sampler, "importing", "done", importing)
        t_done, cpu_done = time.monotonic(), cpu_seconds(p)
    sampler.phase = "publishing"
    while asyncio.run(db_value(p, "SELECT count(*) FROM intake.outbox")) != 0:
        time.sleep(0.1)
    t_published = time.monotonic()
    cpu1 = cpu_seconds(p)
    sampler.stop()
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
    ids = asyncio.run(topic_ids(p))
    rows_db = asyncio.run(db_value(p, "SELECT count(*) FROM intake.contacts"))
    distinct_db = asyncio.run(db_value(p, "SELECT count(DISTINCT id) FROM intake.contacts"))
    wall = t_done - t0
    checks = {
        "status": done["status"],
        "valid": validated["valid"],
        "invalid": validated["invalid"],
        "created": (done.get("commit") or {}).get("created"),
        "db_rows": rows_db,
        "db_distinct": distinct_db,
        "topic_records": len(ids),
        "topic_distinct": len(set(ids)),
    }
    checks["ok"] = (
        done["status"] == "done"
        and rows_db == distinct_db == args.rows
        and len(ids) == len(set(ids)) == args.rows
        and validated["invalid"] == 0
    )
    rss = {
        phase: {f"{n // 1000}k": sampler.at(phase, n) for n in (10_000, 50_000, args.rows)}
        for phase in ("validating", "importing")
    }
    return {
        "rows": args.rows,
        "batch": args.batch,
        "file_mb": round(path.stat().st_size / MB, 1),
        "seconds": {
            "upload": round(t_uploaded - t0, 2),
            "validate": round(t_validated - t_uploaded, 2),
            "commit": round(t_done - t_validated, 2),
            "wall_upload_to_done": round(wall, 2),
            "published_after_done": round(t_published - t_done, 2),
            "wall_upload_to_published": round(t_published - t0, 2),
        },
        "rows_per_s": round(args.rows / wall),
        "rss_mb": {
            "baseline": sampler.at("baseline", 0),
            "upload_peak": sampler.peak("upload"),
            **rss,
            "peak": sampler.peak(),
        },
        "cpu_s": {k: round(cpu1[k] - cpu0[k], 1) for k in cpu1 if k != "machine"},
        # intake's CPU per phase: one Python process, so on an idle machine a phase cannot take
        # less wall time than this (PostgreSQL and Tansu have the other core)
        "intake_cpu_s": {
            "upload": round(cpu_uploaded["intake"] - cpu0["intake"], 1),
            "validate": round(cpu_validated["intake"] - cpu_uploaded["intake"], 1),
            "commit": round(cpu_done["intake"] - cpu_validated["intake"], 1),
            "publish_after_done": round(cpu1["intake"] - cpu_done["intake"], 1),
        },
        "cores": cores(cpu0, cpu1, t_published - t0),
        "others_before": others_before,
        "load_avg": os.getloadavg(),
        "priority": args.priority,
        "exactly_once": checks,
    }


def report(r: dict[str, Any]) -> None:
    s, m = r["seconds"], r["rss_mb"]
    print(f"\n== Intake: import of a {r['rows']:,}-row contacts CSV ({r['file_mb']} MB, batches of {r['batch']}) ==")
    print(
        f"wall        {s['wall_upload_to_done']} s upload -> done ({r['rows_per_s']:,} rows/s): "
        f"upload {s['upload']} s, validate {s['validate']} s, commit {s['commit']} s; "
        f"all published {s['wall_upload_to_published']} s"
    )
    print(
        f"intake RSS  baseline {m['baseline']} MB, upload peak {m['upload_peak']} MB; validating {m['validating']}; "
        f"importing {m['importing']}; peak {m['peak']} MB"
    )
    print(f"cpu seconds {r['cpu_s']}; intake by phase {r['intake_cpu_s']}")
    print(f"cores       {r['cores']} (others: processes that are not ours; {r['others_before']} before the start)")
    e = r["exactly_once"]
    print(f"exactly-once: {'OK' if e['ok'] else 'FAILED'} {json.dumps(e)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve-child", help=argparse.SUPPRESS)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument(
        "--batch", type=int, default=2_000, help="rows per transaction (PORCHLIGHT_INTAKE_IMPORT_BATCH_ROWS)"
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--priority",
        type=int,
        default=0,
        help="autogroup nice of our processes, e.g. -10 on a shared machine (root only)",
    )
    ap.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="wait up to this long for the machine to be quiet (others < 0.3 cores) before starting",
    )
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--py-spy", type=Path, help="profile intake during the import (py-spy, raw collapsed stacks)")
    args = ap.parse_args()
    if args.serve_child:
        serve_child(args.serve_child)
        return
    p = start_platform("pl-import-bench-", [get_service("intake")])
    try:
        start_child(p, args.batch)
        boost(p, args.priority)
        result = run(p, args)
    finally:
        stop_platform(p)
    report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    if not result["exactly_once"]["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
