"""Benchmark of the projects board (issue 5): ``GET /v1/board`` latency and live card changes over SSE.

    python bench/board.py [--requests N] [--subscribers S] [--moves M] [--json FILE]

All on 127.0.0.1, in a temp directory removed at exit (results: docs/benchmarks.md):

1. starts its own embedded PostgreSQL and Tansu broker (free ports) and migrates projects;
2. loads a city: 50 priorities in 10 districts, 1,000 micro-projects (20 per priority, spread
   over the seven default departments, a co-response team on some, every status), 10,000 tasks
   (10 per project, some done) — written with plain SQL (loading is not what is measured);
3. runs projects in a child process as ``porchlight serve`` does: uvicorn, one worker, uvloop +
   httptools, the app's lifespan with the outbox relay on;
4. board: ``--requests`` sequential ``GET /v1/board`` over one keep-alive connection for each
   view — a priority (20 cards), a department (~140), a district (100), the whole city
   (1,000 cards) — after a warm-up, each twice: ``cold`` (a card changed before every request:
   the board is rebuilt) and ``warm`` (unchanged since the last read: served from the
   process's cache after one generation check); p50/p95/p99/max per view;
5. live: ``--subscribers`` SSE streams of one district's board are opened and confirmed
   (``ready``), then ``--moves`` card moves are POSTed one by one (``/v1/projects/{id}/moves``,
   ``If-Match``), ``--gap`` s apart. For each move and each subscriber: time from just before the
   POST to the card's arrival on that stream (so request, commit, NOTIFY, fan-out and the
   client's own parsing are all inside). Every subscriber must see every move, exactly once.

Exit code 1 when a target is missed (board p95 >= 50 ms in any row, SSE p95 >= 500 ms) or a
subscriber missed a change.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from _platform import Platform, start_platform, stop_platform

from porchlight.kit.service import get_service

PRIORITIES = 50
PROJECTS_PER_PRIORITY = 20
TASKS_PER_PROJECT = 10
DISTRICTS = [f"B{i}" for i in range(1, 11)]
DEPARTMENTS = ["police", "public-works", "parks", "schools", "health", "code-enforcement", "social-services"]
REMEDIES = ["physical", "positive_activity", "ownership", "policy", "enforcement"]
STATUSES = ["proposed", "planned", "in_progress", "blocked", "done"]
TEAM = ["police", "social-services"]


# --------------------------------------------------------------------------------------------
# child: projects alone, as one uvicorn worker on uvloop + httptools
# --------------------------------------------------------------------------------------------


def serve_child(config_path: str) -> None:
    import uvicorn

    from porchlight.kit.app import create_app
    from porchlight.kit.logs import configure_logging
    from porchlight.kit.service import get_service
    from porchlight.kit.settings import KitSettings

    cfg = json.loads(Path(config_path).read_text())
    configure_logging("text", "WARNING")
    config = uvicorn.Config(
        create_app(get_service("projects"), KitSettings(**cfg["settings"])),
        host="127.0.0.1",
        port=cfg["port"],
        loop="uvloop",
        http="httptools",
        workers=1,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        backlog=4096,
    )
    uvicorn.Server(config).run()


# --------------------------------------------------------------------------------------------
# the bench process
# --------------------------------------------------------------------------------------------


def start_child(p: Platform) -> None:
    import urllib.request

    from porchlight.kit.embedded import free_port

    p.port = free_port()
    cfg_path = p.tmp / "child.json"
    cfg_path.write_text(json.dumps({"settings": json.loads(p.settings.model_dump_json()), "port": p.port}))
    p.child = subprocess.Popen(
        [sys.executable, __file__, "--serve-child", str(cfg_path)],
        stdout=subprocess.DEVNULL,
        stderr=open(p.tmp / "projects.log", "ab"),  # noqa: SIM115
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if p.child.poll() is not None:
            raise RuntimeError(f"projects exited: {(p.tmp / 'projects.log').read_text()[-2000:]}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{p.port}/readyz", timeout=2) as r:
            if r.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("projects did not become ready")


# --- the city --------------------------------------------------------------------------------


@dataclass
class City:
    priorities: list[tuple[uuid.UUID, str]] = field(default_factory=list)  # (id, district)
    projects: list[dict[str, Any]] = field(default_factory=list)


async def load_city(p: Platform, rng: random.Random) -> City:
    import sqlalchemy as sa

    from porchlight.kit.db import create_engine
    from porchlight.projects.departments.models import Team
    from porchlight.projects.priorities.models import Priority
    from porchlight.projects.work.models import Project, Task
    from porchlight.projects.work.rules.cards import card_of, head_of

    city = City()
    today = datetime.now(UTC).date()
    priorities, projects, tasks = [], [], []
    for i in range(PRIORITIES):
        pid, district = uuid.uuid4(), DISTRICTS[i % len(DISTRICTS)]
        city.priorities.append((pid, district))
        priorities.append(
            {"id": pid, "title": f"Priority {i} in {district}", "district": district, "quarter": "2027-Q1",
             "topics": ["violence"], "concerns": [], "created_by": "bench"}
        )  # fmt: skip
        for j in range(PROJECTS_PER_PRIORITY):
            status = STATUSES[rng.randrange(len(STATUSES))]
            starts: date = today + timedelta(days=rng.randint(-20, 10))
            done = TASKS_PER_PROJECT if status == "done" else rng.randint(0, TASKS_PER_PROJECT - 1)
            project = {
                "id": uuid.uuid4(), "priority_id": pid, "title": f"Micro-project {i}.{j}",
                "district": district, "neighborhood": None, "place": f"Block {rng.randint(1, 400)}",
                "lat": 42.3 + rng.random() / 10, "lon": -71.1 + rng.random() / 10,
                "department": DEPARTMENTS[(i + j) % len(DEPARTMENTS)],
                "team": "co-response" if j % 9 == 0 else None,
                "remedy_kind": REMEDIES[j % len(REMEDIES)], "starts_on": starts,
                "due_on": starts + timedelta(days=rng.randint(3, 14)), "status": status,
                "blocked_reason": "waiting for a permit" if status == "blocked" else None,
                "awaiting_confirmation": False, "owner": "bench", "tasks_total": TASKS_PER_PROJECT,
                "tasks_done": done, "version": 1, "created_by": "bench",
                "completed_at": datetime.now(UTC) if status == "done" else None,
            }  # fmt: skip
            project["changed_at"] = datetime.now(UTC)
            dept = project["department"]
            owners = [dept, *(d for d in TEAM if d != dept)] if project["team"] else [dept]
            # The card's JSON, as the service stores it with every change (work/rules/cards.py).
            project["card_head"] = head_of(card_of(SimpleNamespace(**project), owners))
            projects.append(project)
            city.projects.append(project)
            for k in range(TASKS_PER_PROJECT):
                tasks.append(
                    {"id": uuid.uuid4(), "project_id": project["id"], "title": f"Task {k}", "assignee": f"crew-{k}",
                     "department": project["department"], "done": k < done}
                )  # fmt: skip
    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(Team.__table__),
                [
                    {
                        "code": "co-response",
                        "name": "Police and social worker",
                        "departments": ["police", "social-services"],
                    }
                ],
            )
            await conn.execute(sa.insert(Priority.__table__), priorities)
            await conn.execute(sa.insert(Project.__table__), projects)
            await conn.execute(sa.insert(Task.__table__), tasks)
            await conn.execute(sa.text("ANALYZE"))
    finally:
        await engine.dispose()
    return city


# --- measuring -------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summary(ms: list[float]) -> dict[str, float]:
    return {
        "n": len(ms),
        "p50": round(pct(ms, 50), 2),
        "p95": round(pct(ms, 95), 2),
        "p99": round(pct(ms, 99), 2),
        "max": round(max(ms), 2),
    }


async def board_latency(
    p: Platform, base: str, headers: dict[str, str], views: dict[str, str], n: int
) -> dict[str, Any]:
    """Per view: ``warm`` (the board is unchanged since the last read: served from the cache) and
    ``cold`` (the boards' generation is bumped before each request, untimed, as a card change
    would: the board is rebuilt by PostgreSQL every time)."""
    import httpx
    import sqlalchemy as sa

    from porchlight.kit.db import create_engine

    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    bump = sa.text("UPDATE projects.board_state SET generation = generation + 1 WHERE id = 1")
    out: dict[str, Any] = {}
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            for name, query in views.items():
                for _ in range(20):  # warm-up: connection, plans, caches
                    (await client.get(f"/v1/board{query}")).raise_for_status()
                for mode in ("cold", "warm"):
                    ms, cards = [], 0
                    cpu0 = cpu_seconds(p)
                    for _ in range(n):
                        if mode == "cold":
                            async with engine.begin() as conn:
                                await conn.execute(bump)
                        t0 = time.perf_counter()
                        r = await client.get(f"/v1/board{query}")
                        ms.append((time.perf_counter() - t0) * 1000)
                        r.raise_for_status()
                    cpu1 = cpu_seconds(p)
                    cards = sum(c["count"] for c in r.json()["columns"])
                    cpu = {k: round((cpu1[k] - cpu0[k]) * 1000 / n, 2) for k in cpu0}
                    out[f"{name}, {mode}"] = summary(ms) | {"cards": cards, "bytes": len(r.content), "cpu_ms": cpu}
    finally:
        await engine.dispose()
    return out


async def sse_latency(
    base: str,
    headers: dict[str, str],
    district: str,
    cards: list[dict[str, Any]],
    subscribers: int,
    moves: int,
    gap: float,
) -> dict[str, Any]:
    import httpx

    arrivals: list[dict[str, float]] = [{} for _ in range(subscribers)]  # key "id:version" -> time
    duplicates = 0
    ready = [asyncio.Event() for _ in range(subscribers)]
    limits = httpx.Limits(max_connections=subscribers + 10, max_keepalive_connections=subscribers + 10)

    async def subscribe(i: int, client: httpx.AsyncClient) -> None:
        nonlocal duplicates
        async with client.stream("GET", f"/v1/board/stream?district={district}") as response:
            event, key = "", ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("id:"):
                    key = line[3:].strip()
                elif not line:  # a message ends: its fields may come in any order
                    if event == "ready":
                        ready[i].set()
                    elif event == "card":
                        if key in arrivals[i]:
                            duplicates += 1
                        arrivals[i][key] = time.monotonic()
                    event, key = "", ""

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=None, limits=limits) as streams:
        tasks = [asyncio.create_task(subscribe(i, streams)) for i in range(subscribers)]
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in ready)), 60)
        sent: dict[str, float] = {}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
            movable = [c for c in cards if c["status"] in ("planned", "in_progress")]
            for m in range(moves):
                card = movable[m % len(movable)]
                to = "in_progress" if card["status"] == "planned" else "planned"
                t0 = time.monotonic()
                r = await client.post(
                    f"/v1/projects/{card['id']}/moves", json={"to": to}, headers={"If-Match": f'"{card["version"]}"'}
                )
                r.raise_for_status()
                body = r.json()
                card["status"], card["version"] = body["status"], body["version"]
                sent[f"{card['id']}:{card['version']}"] = t0
                await asyncio.sleep(gap)
        await asyncio.sleep(2.0)  # stragglers
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    ms = [(arr[key] - t0) * 1000 for key, t0 in sent.items() for arr in arrivals if key in arr]
    missed = sum(1 for key in sent for arr in arrivals if key not in arr)
    return summary(ms) | {"subscribers": subscribers, "moves": moves, "missed": missed, "duplicates": duplicates}


def cpu_seconds(p: Platform) -> dict[str, float]:
    """CPU time used so far by the projects process and by PostgreSQL (postmaster and backends).

    Per request, it says what a board costs whatever else the machine runs: latency on a shared
    machine is mostly waiting for a core."""
    import psutil

    def total(proc: psutil.Process) -> float:
        t = proc.cpu_times()
        return t.user + t.system

    assert p.child is not None
    service = total(psutil.Process(p.child.pid))
    postgres = 0.0
    for proc in psutil.process_iter(["cmdline"]):
        if str(p.tmp / "pg") in " ".join(proc.info["cmdline"] or ()):
            with contextlib.suppress(psutil.Error):
                postgres += total(proc) + sum(total(c) for c in proc.children(recursive=True))
    return {"service": service, "postgres": postgres}


def load_figures() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


async def run(p: Platform, args: argparse.Namespace, city: City) -> dict[str, Any]:
    from porchlight.kit.auth import mint_token

    base = f"http://127.0.0.1:{p.port}"
    token = mint_token(p.settings, subject="bench-supervisor", roles=["supervisor"])
    headers = {"Authorization": f"Bearer {token}"}
    priority_id, district = city.priorities[0]
    views = {
        "priority (20 cards)": f"?priority={priority_id}",
        "department": "?department=parks",
        "district (100 cards)": f"?district={district}",
        "whole city (1,000 cards)": "",
    }
    result: dict[str, Any] = {"load_before": load_figures()}
    result["board"] = await board_latency(p, base, headers, views, args.requests)
    in_district = [c for c in city.projects if c["district"] == district]
    result["sse"] = await sse_latency(base, headers, district, in_district, args.subscribers, args.moves, args.gap)
    result["load_after"] = load_figures()
    return result


def report(r: dict[str, Any]) -> bool:
    print(f"machine: {os.cpu_count()} cores; load average before {r['load_before']}, after {r['load_after']}")
    print(f"city: {PRIORITIES} priorities, {PRIORITIES * PROJECTS_PER_PRIORITY} projects, "
          f"{PRIORITIES * PROJECTS_PER_PRIORITY * TASKS_PER_PROJECT} tasks")  # fmt: skip
    ok = True
    print(
        f"{'GET /v1/board':<36}{'cards':>7}{'KiB':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
        f"{'CPU ms/req service':>20}{'postgres':>10}"
    )
    for name, s in r["board"].items():
        print(
            f"{name:<36}{s['cards']:>7}{s['bytes'] / 1024:>8.0f}{s['p50']:>9}{s['p95']:>9}{s['p99']:>9}{s['max']:>9}"
            f"{s['cpu_ms']['service']:>20}{s['cpu_ms']['postgres']:>10}"
        )
        if s["p95"] >= 50:
            ok = False
    s = r["sse"]
    print(
        f"SSE: {s['subscribers']} subscribers x {s['moves']} moves = {s['n']} deliveries; "
        f"move -> card on a board p50 {s['p50']} ms, p95 {s['p95']} ms, p99 {s['p99']} ms, max {s['max']} ms; "
        f"missed {s['missed']}, duplicates {s['duplicates']}"
    )
    if s["p95"] >= 500 or s["missed"] or s["duplicates"]:
        ok = False
    print("targets met" if ok else "TARGET MISSED")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=300, help="board requests per view")
    ap.add_argument("--subscribers", type=int, default=100)
    ap.add_argument("--moves", type=int, default=50)
    ap.add_argument("--gap", type=float, default=0.2, help="seconds between moves")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--serve-child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_child:
        serve_child(args.serve_child)
        return
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    p = start_platform("pl-board-bench-", [get_service("projects")])
    try:
        city = asyncio.run(load_city(p, random.Random(args.seed)))
        start_child(p)
        result = asyncio.run(run(p, args, city))
    finally:
        stop_platform(p)
    ok = report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
