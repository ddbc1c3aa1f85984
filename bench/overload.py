"""Overload, measured (issue 15 "no back-pressure"): 200 concurrent connections against one
service process, with load shedding (kit/shedding.py) as configured and with it off.

Issue 15 found ``POST /v1/notes`` and the district page answering in up to 9 s (p99) at 200
concurrent connections, with no 429 or 503. With shedding, the requests the process takes keep a
short latency and the rest get a quick 503 with ``Retry-After``, which the clients here honour
(they wait that long, then send again), as the officer's phone outbox and a department system do.

    .venv/bin/python bench/overload.py [--target notes|page] [--connections 200] [--seconds 20]
        [--max-in-flight 64] [--queue-wait 0.5] [--json OUT]
    .venv/bin/python bench/overload.py --max-in-flight 100000   # shedding off, for comparison

``notes``: intake's ``POST /v1/notes`` (a liaison's note of 2 concerns, each a new note).
``page``: the dashboard's ``GET /v1/districts/D4/page`` (empty read model: the queries still run).
Each client connection has one request in flight. Printed: answers per second, 2xx and 503
counts, p50/p95/p99 of the 2xx and of the 503 answers, other failures. Everything on 127.0.0.1
with its own embedded PostgreSQL and Tansu, removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _platform import Platform, serve_service, start_platform, start_service, stop_platform


def percentile(xs: list[float], q: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return round(1000 * xs[int(q * (len(xs) - 1))], 1)


def note_body(i: int) -> bytes:
    body = {
        "place": {"district": "D4", "neighborhood": "south-end"},
        "concerns": [
            {"text": f"streetlights out on Tremont St, block {i}", "topic": "street lighting"},
            {"text": "cars speed past the school at pickup"},
        ],
        "sentiment": 3,
        "attendees": 6,
        "notes": "Coffee at the library; good turnout.",
    }
    return json.dumps(body).encode()


async def drive(p: Platform, target: str, connections: int, seconds: float) -> dict[str, Any]:
    import aiohttp

    from porchlight.kit.auth import mint_token

    token = mint_token(p.settings, subject="bench-liaison", roles=["liaison", "supervisor"], district="D4")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    base = f"http://127.0.0.1:{p.port}"
    ok: list[float] = []
    shed: list[float] = []
    failures: list[str] = []
    counter = iter(range(10**9))
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def once() -> tuple[int, str | None]:
            if target == "notes":
                async with http.post(f"{base}/v1/notes", data=note_body(next(counter)), headers=headers) as r:
                    await r.read()
                    return r.status, r.headers.get("Retry-After")
            async with http.get(f"{base}/v1/districts/D4/page", headers=headers) as r:
                await r.read()
                return r.status, r.headers.get("Retry-After")

        status, _ = await once()  # warm-up, before the clock
        if status >= 300:
            raise RuntimeError(f"warm-up answered {status}")
        end = time.monotonic() + seconds

        async def client() -> None:
            while time.monotonic() < end:
                t = time.perf_counter()
                try:
                    status, retry_after = await once()
                except aiohttp.ClientError as exc:
                    failures.append(repr(exc)[:200])
                    continue
                took = time.perf_counter() - t
                if status < 300:
                    ok.append(took)
                elif status == 503 and retry_after:
                    shed.append(took)
                    await asyncio.sleep(float(retry_after))  # as a well-behaved client does
                else:
                    failures.append(str(status))

        start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    return {
        "seconds": round(elapsed, 1),
        "served": len(ok),
        "served_per_s": round(len(ok) / elapsed, 1),
        "served_p50_ms": percentile(ok, 0.50),
        "served_p95_ms": percentile(ok, 0.95),
        "served_p99_ms": percentile(ok, 0.99),
        "shed_503": len(shed),
        "shed_p99_ms": percentile(shed, 0.99),
        "failed": len(failures),
        "first_failures": failures[:3],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve-child", help=argparse.SUPPRESS)
    ap.add_argument("--target", choices=["notes", "page"], default="notes")
    ap.add_argument("--connections", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--max-in-flight", type=int, default=None, help="default: the setting's default")
    ap.add_argument("--queue-wait", type=float, default=None, help="seconds; default: the setting's default")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.serve_child:
        serve_service(args.serve_child)
        return
    if not 1 <= args.connections <= 1000 or not 1 <= args.seconds <= 300:
        ap.error("--connections 1..1000, --seconds 1..300 (bounded: this machine is shared)")
    from porchlight.kit.service import get_service

    service = "intake" if args.target == "notes" else "dashboard"
    p = start_platform("porchlight-overload-", [get_service(service)])
    try:
        changes: dict[str, Any] = {"rate_limit_writes": ""}
        if args.max_in_flight is not None:
            changes["shed_max_in_flight"] = args.max_in_flight
        if args.queue_wait is not None:
            changes["shed_queue_wait_s"] = args.queue_wait
        p.settings = p.settings.model_copy(update=changes)
        start_service(p, service, __file__)
        result = asyncio.run(drive(p, args.target, args.connections, args.seconds))
        result.update(
            target=args.target,
            connections=args.connections,
            max_in_flight=p.settings.shed_max_in_flight,
            queue_wait_s=p.settings.shed_queue_wait_s,
        )
        print(json.dumps(result, indent=2))
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
    finally:
        stop_platform(p)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
