"""Open311 ``POST requests``, measured (issue 13): residents' requests stored per second. Target ≥ 2,000/s.

layers runs in a child process (its own uvicorn on 127.0.0.1, as ``porchlight run`` serves it);
this process POSTs N spec forms (``api_key``, ``service_code``, ``lat``/``long``, a description,
an ``attribute[...]`` answer and the personal fields a city's app sends, which are dropped) over
``--connections`` keep-alive HTTP/1.1 connections, each with one request in flight. Every answer
must be 201 with a ``PL-`` id; the clock runs from the first POST to the last answer, and the
stored records are counted at the end (N with source ``open311``).

    .venv/bin/python bench/open311_post.py [--records 20000] [--connections 64] [--json OUT]

Everything runs on 127.0.0.1 with its own embedded PostgreSQL and Tansu, removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).parent))
from _platform import Platform, serve_service, start_platform, start_service, stop_platform


def start_child(p: Platform) -> None:
    start_service(p, "layers", __file__)


def create_key(p: Platform) -> str:
    """A 311 app's key, written as ``porchlight apikey create`` writes it (the child reads the file)."""
    from porchlight.kit.auth import hash_api_key, new_api_key

    key = new_api_key()
    entry = {"name": "bench 311 app", "role": "partner", "department": None, "sha256": hash_api_key(key)}
    (p.tmp / "api-keys.json").write_text(json.dumps([entry]))
    return key


def forms(n: int, key: str) -> list[dict[str, str]]:
    from porchlight.kit.city import load_city

    city = load_city(None)
    codes = ["street_light_outage", "graffiti", "needle_pickup", "abandoned_vehicle", "noise"]
    out: list[dict[str, str]] = []
    i = 0
    while len(out) < n:
        d = city.districts[i % len(city.districts)]
        minx, miny, maxx, maxy = d.geometry.bounds
        lon = minx + (maxx - minx) * ((i * 0.618) % 1)
        lat = miny + (maxy - miny) * ((i * 0.382) % 1)
        i += 1
        if not city.locate([lat], [lon])[0]:
            continue
        out.append(
            {
                "api_key": key,
                "service_code": codes[len(out) % len(codes)],
                "lat": f"{lat:.6f}",
                "long": f"{lon:.6f}",
                "description": f"Reported by the bench, number {len(out)}",
                "attribute[seen]": "today",
                "email": "resident@example.org",  # dropped by the server
                "first_name": "Dolores",
            }
        )
    return out


async def post_all(port: int, bodies: list[dict[str, str]], connections: int) -> dict[str, Any]:
    """POST every form; the load client is aiohttp (its C parser) with the forms encoded before the
    clock, so the client is not what is measured: httpx here took a whole core for ~370 POSTs/s."""
    import aiohttp
    import orjson

    latencies: list[float] = []
    failures: list[str] = []
    encoded = [urlencode(b).encode() for b in bodies]
    queue = iter(encoded[1:])
    url = f"http://127.0.0.1:{port}/open311/v2/requests.json"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def post(body: bytes) -> tuple[int, bytes]:
            async with http.post(url, data=body, headers=form) as r:
                return r.status, await r.read()

        async def worker() -> None:
            for body in queue:
                t = time.perf_counter()
                status, answer = await post(body)
                latencies.append(time.perf_counter() - t)
                if status != 201 or not orjson.loads(answer)[0]["service_request_id"].startswith("PL-"):
                    failures.append(f"{status} {answer[:200]!r}")

        status, answer = await post(encoded[0])  # one POST before the clock: the route's group writer
        if status != 201:
            raise RuntimeError(f"warm-up POST refused: {status} {answer!r}")
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "posted": len(latencies),
        "failed": len(failures),
        "first_failures": failures[:3],
        "seconds": round(elapsed, 3),
        "records_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 2),
        "p95_ms": round(1000 * latencies[int(0.95 * (len(latencies) - 1))], 2),
        "p99_ms": round(1000 * latencies[int(0.99 * (len(latencies) - 1))], 2),
    }


async def count_stored(p: Platform) -> int:
    import sqlalchemy as sa

    from porchlight.kit.db import create_engine

    engine = create_engine(p.settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            query = "select count(*) from layers.records where source = 'open311'"
            return int((await conn.execute(sa.text(query))).scalar_one())
    finally:
        await engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve-child", help=argparse.SUPPRESS)
    ap.add_argument("--records", type=int, default=20_000, help="POSTs to send (bounded)")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.serve_child:
        serve_service(args.serve_child)
        return
    if not 1 <= args.records <= 1_000_000:
        ap.error("--records: from 1 to 1,000,000")
    from porchlight.kit.service import get_service

    p = start_platform("porchlight-open311-", [get_service("layers")])
    try:
        key = create_key(p)
        bodies = forms(args.records + 1, key)
        start_child(p)
        result = asyncio.run(post_all(p.port, bodies, args.connections))
        result["stored"] = asyncio.run(count_stored(p)) - 1  # without the warm-up's
        result["target_per_s"] = 2000
        result["ok"] = result["failed"] == 0 and result["stored"] == result["posted"]
        print(json.dumps(result, indent=2))
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
        if not result["ok"]:
            sys.exit(1)
    finally:
        stop_platform(p)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
