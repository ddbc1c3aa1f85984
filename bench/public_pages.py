"""Public neighborhood pages and flyers (issue 18): page p95 at 200 concurrent readers; flyer time.

    .venv/bin/python bench/public_pages.py [--readers 200] [--seconds 30] [--flyers 30] [--json OUT]

Load: the demo city's 17 neighborhoods, 90 days of notes (150 per neighborhood, two concerns each,
the model's with topic probabilities and synthesis' shipped calibration held: every topic count
on a page is estimated), 6 public projects per neighborhood with 3 done public steps each, and 12
published wins per neighborhood with a Spanish translation. Seeded with COPY into the
dashboard's read model, as the consumers would have projected it.

``porchlight serve dashboard`` runs as its own process (one uvicorn worker, the real app). Then:

1. **Readers** — ``--readers`` concurrent residents, each reading a random neighborhood's page
   (HTML, English or Spanish) and then reading it for 0.5-1.5 s before the next, for
   ``--seconds``: the latency each page took (p50/p95/p99) and the pages served per second.
2. **Without pauses** — the same readers with no time between pages (each waits only for its
   previous page): how far one process goes when every reader clicks at once.
3. **Flyers** — ``--flyers`` sequential GETs of a flyer PDF (random neighborhood and language),
   each after the page cache expired for it, so each one lays the page out anew.

The load client is aiohttp on 127.0.0.1; embedded PostgreSQL and Tansu in a temp dir, removed at exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
from dashboard_api import copy, serve_dashboard

from porchlight.kit.city import DEMO_CITY, load_city
from porchlight.kit.embedded import free_port
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings
from porchlight.kit.standalone import Infrastructure, prepare
from porchlight.synthesis.calibration.service import SHIPPED_CALIBRATION as SHIPPED

TOPICS = ["street_lighting", "speeding_traffic", "parks", "trash_dumping", "noise", "roads_sidewalks",
          "property_code", "graffiti"]  # fmt: skip
LABELS = {t: t.replace("_", " ").capitalize() for t in TOPICS}


async def seed(dsn: str, rng: random.Random) -> dict[str, int]:
    city = load_city(DEMO_CITY)
    now = datetime.now(UTC)
    conn = await asyncpg.connect(dsn)
    try:
        meetings, notes, concerns, projects, tasks, updates = [], [], [], [], [], []
        for n in city.neighborhoods:
            d = n.district or city.codes[0]
            hood_meetings = [(uuid.uuid4(), d, n.code, "host-1", "library", now - timedelta(days=rng.uniform(1, 88)), 6)
                             for _ in range(40)]  # fmt: skip
            meetings += hood_meetings
            for _ in range(150):
                m = rng.choice(hood_meetings)
                nid = uuid.uuid4()
                notes.append((nid, 1, m[0], d, n.code, "host-1", m[5], 5, 3, "negative"))
                for k in range(2):
                    topic = rng.choice(TOPICS[: 3 + k * 3])
                    sure = round(rng.uniform(0.5, 0.95), 4)
                    other = rng.choice(TOPICS)
                    probs = {topic: sure} if other == topic else {topic: sure, other: round(1 - sure, 4)}
                    concerns.append((nid, "model", k, topic, f"the {topic.replace('_', ' ')} by the corner, {k}",
                                     sure, "negative", True, d, m[5], json.dumps(probs), "model"))  # fmt: skip
            for j in range(6):
                pid = uuid.uuid4()
                done = j < 3
                projects.append((pid, uuid.uuid4(), f"Fix the {TOPICS[j]} on block {j}", d, "public-works", "physical",
                                 (now - timedelta(days=20)).date(), (now + timedelta(days=j)).date(),
                                 now - timedelta(days=j) if done else None, 3 if done else 1,
                                 "done" if done else "in_progress", 2, n.code, f"Block {j}", True))  # fmt: skip
                for k in range(3):
                    tasks.append((uuid.uuid4(), pid, f"Step {k + 1} of block {j}", True, k == 0 or done,
                                  now - timedelta(days=10 - k), now - timedelta(days=10 - k)))  # fmt: skip
            for j in range(12):
                es = json.dumps(
                    {"es": {"title": f"Arreglado: bloque {j}", "body": "Obras Públicas terminó el trabajo."}}
                )
                updates.append((uuid.uuid4(), d, n.code, "win", f"Fixed: block {j}", "Public Works finished the work.",
                                now - timedelta(days=j * 6), None, es, f"Block {j}",
                                json.dumps([TOPICS[j % 3]])))  # fmt: skip
        await copy(conn, "meetings", ["meeting_id", "district", "neighborhood", "host_id", "venue_type", "starts_at",
                                      "expected_attendees"], meetings)  # fmt: skip
        await copy(conn, "notes", ["note_id", "revision", "meeting_id", "district", "neighborhood", "host_id",
                                   "held_at", "attendees", "sentiment", "model_sentiment"], notes)  # fmt: skip
        await copy(conn, "note_concerns", ["note_id", "source", "idx", "topic", "text", "topic_score", "sentiment",
                                           "active", "district", "held_at", "topic_probs", "topic_source"],
                   concerns)  # fmt: skip
        await copy(conn, "topic_labels", ["topic", "label", "labelled_at"],
                   [(t, label, now) for t, label in LABELS.items()])  # fmt: skip
        await copy(conn, "topic_calibration", ["scope", "published_at", "body"],
                   [("city", now, SHIPPED.read_text())])  # fmt: skip
        await copy(conn, "projects", ["project_id", "priority_id", "title", "district", "department", "remedy_kind",
                                      "starts_on", "due_on", "completed_at", "tasks_done", "status", "version",
                                      "neighborhood", "place", "public"], projects)  # fmt: skip
        await copy(conn, "project_tasks", ["task_id", "project_id", "title", "public", "done", "completed_at",
                                           "changed_at"], tasks)  # fmt: skip
        await copy(conn, "updates", ["update_id", "district", "neighborhood", "kind", "title", "body", "published_at",
                                     "project_id", "translations", "place", "topics"], updates)  # fmt: skip
        return {"neighborhoods": len(city.neighborhoods), "notes": len(notes), "concerns": len(concerns),
                "projects": len(projects), "updates": len(updates)}  # fmt: skip
    finally:
        await conn.close()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


async def warm(base: str, hoods: list[str]) -> float:
    """Each page once, as a running deployment has them (a restart's first readers wait for the
    first build of each page: the seconds it took are reported)."""
    t = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        for hood in hoods:
            for lang in ("en", "es"):
                async with session.get(f"{base}/public/{lang}/neighborhoods/{hood}") as r:
                    await r.read()
    return round(time.perf_counter() - t, 2)


async def readers(base: str, hoods: list[str], n: int, seconds: float, pause: tuple[float, float]) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds

    async def reader(session: aiohttp.ClientSession, rng: random.Random) -> None:
        nonlocal errors
        await asyncio.sleep(rng.uniform(0, pause[1]))  # readers arrive spread out, not in one burst
        while time.monotonic() < deadline:
            url = f"{base}/public/{rng.choice(['en', 'es'])}/neighborhoods/{rng.choice(hoods)}"
            t = time.perf_counter()
            async with session.get(url) as r:
                await r.read()
                ok = r.status == 200
            latencies.append((time.perf_counter() - t) * 1000)
            errors += not ok
            if pause[1]:
                await asyncio.sleep(rng.uniform(*pause))

    started = time.monotonic()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=n)) as session:
        await asyncio.gather(*(reader(session, random.Random(i)) for i in range(n)))
    elapsed = time.monotonic() - started
    return {
        "pages": len(latencies),
        "errors": errors,
        "pages_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(pct(latencies, 95), 1),
        "p99_ms": round(pct(latencies, 99), 1),
    }


async def flyers(base: str, hoods: list[str], n: int) -> dict[str, float]:
    times: list[float] = []
    rng = random.Random(7)
    async with aiohttp.ClientSession() as session:
        for _ in range(n):
            await asyncio.sleep(5.1)  # the page cache (5 s) expired: the flyer is laid out anew
            url = f"{base}/public/{rng.choice(['en', 'es'])}/neighborhoods/{rng.choice(hoods)}/flyer.pdf"
            t = time.perf_counter()
            async with session.get(url) as r:
                body = await r.read()
                assert r.status == 200 and body.startswith(b"%PDF"), r.status
            times.append((time.perf_counter() - t) * 1000)
    return {"flyers": n, "p50_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--readers", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--flyers", type=int, default=30)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="porchlight-public-bench-"))
    infra = Infrastructure(KitSettings(data_dir=tmp, log_format="text"), broker_port=free_port())
    server = None
    try:
        settings = infra.start()
        asyncio.run(prepare(settings, [get_service("dashboard")]))
        dsn = settings.require_database_url().replace("postgresql+asyncpg://", "postgresql://")
        counts = asyncio.run(seed(dsn, random.Random(42)))
        server, port = serve_dashboard(settings, tmp, DEMO_CITY)
        base = f"http://127.0.0.1:{port}"
        hoods = [n.code for n in load_city(DEMO_CITY).neighborhoods]
        report = {
            "load": counts,
            "first_build_of_every_page_s": asyncio.run(warm(base, hoods)),
            "readers": asyncio.run(readers(base, hoods, args.readers, args.seconds, (0.5, 1.5))),
            "readers_without_pauses": asyncio.run(readers(base, hoods, args.readers, args.seconds / 2, (0.0, 0.0))),
            "flyer": asyncio.run(flyers(base, hoods, args.flyers)),
        }
        print(json.dumps(report, indent=2))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        infra.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
