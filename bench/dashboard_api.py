"""Dashboard API benchmark: district page and city page p50/p95/p99 with a year of data (issue 6).

    .venv/bin/python bench/dashboard_api.py [--requests 400] [--json OUT]

Load: a city of 6 districts (the first six of the demo city), one year ending this month:
10,000 notes (2 concerns each, 80 % analysed, the model's with topic probabilities, and synthesis'
shipped calibration held: topic counts are estimated), 9,000 meetings, 200,000 contacts, 100,000
incidents, 360 micro-projects, 150 wins, 6 insights.

Seeding goes straight into the dashboard's read-model tables with COPY (fast; the numbers are
what the consumers would have projected from those events). Contacts are aggregated here into
``contact_stats`` exactly as ``on_contacts_logged`` does (per district, month, unit, officer and
kind): the read model never holds 200,000 rows, so neither does the bench. Incidents are one
row each in ``incident_records`` (each layers record's latest version), counted into
``incident_counts`` as the ``record.accepted`` handler does.

Then ``porchlight serve dashboard`` runs as its own process (uvicorn, the real app) and this
process sends ``--requests`` sequential GETs over HTTP/1.1 keep-alive to each of
``/v1/districts/{code}/page?month=M`` (random district) and ``/v1/city/page?month=M``, after
20 warm-up requests each. Embedded PostgreSQL and Tansu in a temp dir, removed at exit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from porchlight.kit.auth import mint_token
from porchlight.kit.city import DEMO_CITY
from porchlight.kit.embedded import free_port
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings
from porchlight.kit.standalone import Infrastructure, prepare
from porchlight.synthesis.calibration.service import SHIPPED_CALIBRATION as SHIPPED

TOPICS = ["speeding_traffic", "street_lighting", "parks", "trash_dumping", "noise", "roads_sidewalks",
          "property_code", "police_enforcement_safety", "graffiti", "parking"]  # fmt: skip
NIBRS = ["13B", "290", "23F", "23H", "23C", "220", "240", "13A", "35A", "120"]
CONTACT_TYPES = ["conversation", "youth_activity", "business_checkin", "event", "referral", "other"]


def months_back(n: int) -> list[date]:
    first = datetime.now(UTC).date().replace(day=1)
    out = []
    for i in range(n):
        y, m = divmod(first.year * 12 + first.month - 1 - i, 12)
        out.append(date(y, m + 1, 1))
    return out[::-1]


def moment(rng: random.Random, month: date) -> datetime:
    return datetime(month.year, month.month, rng.randint(1, 28), rng.randint(8, 20), rng.randrange(60), tzinfo=UTC)


def city_file(tmp: Path) -> tuple[Path, list[str]]:
    city = json.loads(DEMO_CITY.read_text())
    districts = [f for f in city["features"] if f["properties"]["kind"] == "district"][:6]
    city["features"] = districts
    path = tmp / "six.geojson"
    path.write_text(json.dumps(city))
    return path, [f["properties"]["code"] for f in districts]


async def copy(conn: asyncpg.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    await conn.copy_records_to_table(table, schema_name="dashboard", columns=columns, records=rows)


async def seed(dsn: str, codes: list[str], rng: random.Random) -> dict[str, int]:
    months = months_back(12)
    conn = await asyncpg.connect(dsn)
    try:
        meetings, notes, concerns, analyses = [], [], [], []
        for _ in range(9_000):
            m = rng.choice(months)
            meetings.append((uuid.uuid4(), rng.choice(codes), None, f"host-{rng.randrange(60)}", "library",
                             moment(rng, m), rng.randint(3, 9)))  # fmt: skip
        for i in range(10_000):
            mt = meetings[i % len(meetings)] if i < 8_000 else None
            d = mt[1] if mt else rng.choice(codes)
            held = mt[5] if mt else moment(rng, rng.choice(months))
            nid = uuid.uuid4()
            analysed = rng.random() < 0.8
            label = rng.choice(["negative", "neutral", "positive"]) if analysed else None
            notes.append((nid, 1, mt[0] if mt else None, d, None, f"host-{rng.randrange(60)}", held,
                          rng.randint(2, 9), rng.randint(1, 5), label))  # fmt: skip
            for k in range(2):
                topic = rng.choice(TOPICS[: 4 + codes.index(d)])
                text = f"residents worry about {topic.replace('_', ' ')} near the corner, week {k}"
                concerns.append((nid, "host", k, topic, text, None, None, 42.3 + rng.random() / 10, -71.1,
                                 not analysed, d, held))  # fmt: skip
                if analysed:
                    other = rng.choice(TOPICS)
                    sure = round(rng.uniform(0.4, 0.95), 4)
                    probs = {topic: sure} if other == topic else {topic: sure, other: round(1 - sure, 4)}
                    concerns.append((nid, "model", k, topic, text, sure, "negative", None, None, True, d, held,
                                     json.dumps(probs), "model"))  # fmt: skip
            if analysed:
                analyses.append((nid, d, "bench", label, rng.uniform(-1, 1)))
        await copy(conn, "meetings", ["meeting_id", "district", "neighborhood", "host_id", "venue_type", "starts_at",
                                      "expected_attendees"], meetings)  # fmt: skip
        await copy(conn, "notes", ["note_id", "revision", "meeting_id", "district", "neighborhood", "host_id",
                                   "held_at", "attendees", "sentiment", "model_sentiment"], notes)  # fmt: skip
        # Host rows have no probabilities: the model's carry them (note.analyzed), and synthesis'
        # calibration is held, so the pages and the report estimate every topic count (issue 17).
        concerns = [c if len(c) == 14 else (*c, None, None) for c in concerns]
        await copy(conn, "note_concerns", ["note_id", "source", "idx", "topic", "text", "topic_score", "sentiment",
                                           "lat", "lon", "active", "district", "held_at", "topic_probs",
                                           "topic_source"], concerns)  # fmt: skip
        await copy(conn, "topic_calibration", ["scope", "published_at", "body"],
                   [("city", datetime.now(UTC), SHIPPED.read_text())])  # fmt: skip
        await copy(conn, "note_analyses", ["note_id", "district", "model_version", "sentiment", "sentiment_score"],
                   analyses)  # fmt: skip

        # 200,000 contacts, projected into counters as the consumer does.
        stats: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        for _ in range(200_000):
            d = rng.choice(codes)
            officer = f"officer-{d}-{rng.randrange(25)}"
            key = (d, rng.choice(months), f"{d}-{rng.choice(['CSO', 'P1', 'P2', 'P3'])}", officer,
                   rng.choice(CONTACT_TYPES))  # fmt: skip
            s = stats[key]
            s[0] += 1
            s[1] += rng.choice([10, 15, 20, 30, 45, 60])
            s[2] += rng.randint(1, 10)
        totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
        for k, v in stats.items():
            t = totals[k[:2]]
            for i in range(3):
                t[i] += v[i]
        await copy(conn, "contact_totals", ["district", "month", "contacts", "minutes", "residents"],
                   [(*k, *v) for k, v in totals.items()])  # fmt: skip
        await copy(conn, "contact_stats", ["district", "month", "unit", "officer_id", "contact_type", "contacts",
                                           "minutes", "residents"], [(*k, *v) for k, v in stats.items()])  # fmt: skip

        incidents = []
        for _ in range(100_000):
            m = rng.choice(months)
            code = rng.choice(NIBRS)
            incidents.append((uuid.uuid4(), 1, rng.choice(codes), m, f"NIBRS {code}", code))
        await copy(conn, "incident_records", ["record_id", "version", "district", "month", "category", "nibrs_code"],
                   incidents)  # fmt: skip

        # What the record.accepted handler keeps next to them (incidents/handlers.py): counts per
        # district, month, category.
        await conn.execute(
            "INSERT INTO dashboard.incident_counts SELECT district, month, category, min(nibrs_code), count(*) "
            "FROM dashboard.incident_records WHERE district IS NOT NULL GROUP BY 1, 2, 3"
        )
        projects, updates = [], []
        today = datetime.now(UTC).date()
        for _ in range(360):
            start = today - timedelta(days=rng.randint(0, 360))
            done = rng.random() < 0.5
            pid = uuid.uuid4()
            projects.append((pid, uuid.uuid4(), "bench project", rng.choice(codes), "parks",
                             rng.choice(["physical", "positive_activity", "ownership", "policy", "enforcement"]),
                             start, start + timedelta(days=14),
                             datetime.combine(start + timedelta(days=12), datetime.min.time(), UTC) if done else None,
                             0, "done" if done else "planned", 1))  # fmt: skip
            if done and len(updates) < 150:
                published = datetime.combine(start + timedelta(days=13), datetime.min.time(), UTC)
                updates.append((uuid.uuid4(), projects[-1][3], None, "win", "A win", "We did it.", published, pid))
        await copy(conn, "projects", ["project_id", "priority_id", "title", "district", "department", "remedy_kind",
                                      "starts_on", "due_on", "completed_at", "tasks_done", "status", "version"],
                   projects)  # fmt: skip
        await copy(conn, "updates", ["update_id", "district", "neighborhood", "kind", "title", "body", "published_at",
                                     "project_id"], updates)  # fmt: skip
        await copy(conn, "insights", ["district", "period_start", "period_end", "top_topics", "summary",
                                      "model_version", "updated_at"],
                   [(d, months[-1], today, json.dumps(TOPICS[:3]), "bench", "bench", datetime.now(UTC))
                    for d in codes])  # fmt: skip
        await conn.execute("ANALYZE")
        return {
            "notes": len(notes), "meetings": len(meetings), "concern_rows": len(concerns), "contacts": 200_000,
            "contact_stat_rows": len(stats), "incidents": len(incidents), "projects": len(projects),
            "wins": len(updates),
        }  # fmt: skip
    finally:
        await conn.close()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] * 1000, 1)


async def measure(base: str, token: str, codes: list[str], n: int, month: str) -> dict[str, dict[str, float]]:
    headers = {"Authorization": f"Bearer {token}"}
    out = {}
    rng = random.Random(1)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as client:
        for name, path in (
            ("district_page", lambda: f"/v1/districts/{rng.choice(codes)}/page?month={month}"),
            ("city_page", lambda: f"/v1/city/page?month={month}"),
        ):
            for _ in range(20):
                (await client.get(path())).raise_for_status()
            times = []
            for _ in range(n):
                t = time.perf_counter()
                r = await client.get(path())
                times.append(time.perf_counter() - t)
                r.raise_for_status()
            out[name] = {"p50_ms": pct(times, 50), "p95_ms": pct(times, 95), "p99_ms": pct(times, 99),
                         "max_ms": round(max(times) * 1000, 1), "mean_ms": round(statistics.mean(times) * 1000, 1),
                         "requests": n, "bytes": len(r.content)}  # fmt: skip
    return out


def serve(service: str, settings: KitSettings, tmp: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """``porchlight serve SERVICE`` in its own process on a free port (``env`` added), once it answers."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=settings.database_url or "", KAFKA_BOOTSTRAP=settings.kafka_bootstrap or "",
               PORCHLIGHT_EMBEDDED_BROKER="true", PORCHLIGHT_DATA_DIR=str(tmp), PORCHLIGHT_LOG_LEVEL="WARNING",
               **env)  # fmt: skip
    exe = str(Path(sys.executable).parent / "porchlight")
    server = subprocess.Popen([exe, "serve", service, "--port", str(port), "--no-migrate"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server, port
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit(f"{service} did not start")
        time.sleep(0.2)


def serve_dashboard(settings: KitSettings, tmp: Path, places: Path) -> tuple[subprocess.Popen[bytes], int]:
    return serve("dashboard", settings, tmp, {"PORCHLIGHT_DASHBOARD_PLACES_FILE": str(places)})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="porchlight-dash-bench-"))
    infra = Infrastructure(KitSettings(data_dir=tmp, log_format="text"), broker_port=free_port())
    server = None
    try:
        settings = infra.start()
        asyncio.run(prepare(settings, [get_service("dashboard")]))
        places, codes = city_file(tmp)
        dsn = settings.require_database_url().replace("postgresql+asyncpg://", "postgresql://")
        t = time.perf_counter()
        counts = asyncio.run(seed(dsn, codes, random.Random(42)))
        seed_s = round(time.perf_counter() - t, 1)
        server, port = serve_dashboard(settings, tmp, places)
        token = mint_token(settings, subject="bench", roles=["supervisor"])
        month = datetime.now(UTC).strftime("%Y-%m")
        results = asyncio.run(measure(f"http://127.0.0.1:{port}", token, codes, args.requests, month))
        load = Path("/proc/loadavg").read_text().split()[:3]
        report = {"load": counts, "seed_s": seed_s, "loadavg_before_after": load, "results": results}
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
