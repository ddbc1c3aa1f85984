"""GET /v1/risk end to end over 1,000,000 incidents x 10 layers (issue 13: under 60 s, under 1 GB).

bench/risk_model.py times the estimator alone; this one times what a supervisor waits for: the
layers service (a child process under uvicorn, its own embedded PostgreSQL) reading the incidents
and every layer's features from its records table, fitting the model off the event loop, writing
the narrative and the surface's GeoJSON, and answering. The same planted data as risk_model.py
(five real Boston 311 layers, five random ones; relative risks 2.5 near outages, 1.5 near
graffiti, 1.3 near needle pickups), loaded straight into the table with COPY (the doors' speed
is bench/layers_ingest.py's). The study area is the whole demo city as one district, so the one
request models all 1,000,000 incidents. Figures: the first request (a cold fit), the second (the
kept model), and the layers process's peak resident memory.

    .venv/bin/python bench/risk_api.py [--incidents 1000000] [--seed 0] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil
from _platform import serve_service, start_platform, start_service, stop_platform
from risk_model import PLANTED, make_data
from shapely.geometry import mapping
from shapely.ops import unary_union

CODES = {  # risk_model.py's layer names -> the demo registry's layer codes
    "Street Light Outages": "street_light_outage",
    "Graffiti Removal": "graffiti",
    "Abandoned Vehicles": "abandoned_vehicle",
    "Needle Pickup": "needle_pickup",
    "Parks General Request": "park_maintenance",
    "Random A": "street_light_knockdown",
    "Random B": "lighting_request",
    "Random C": "noise",
    "Random D": "school_event",
    "Random E": "permit",
}


def city_as_one_district(path: Path) -> None:
    from porchlight.kit.city import load_city

    whole = unary_union([d.geometry for d in load_city(None).districts])
    feature = {"type": "Feature", "properties": {"kind": "district", "code": "CITY", "name": "The whole city"},
               "geometry": mapping(whole)}  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "name": "Bench city", "features": [feature]}))


async def load(url: str, incidents, layers) -> None:  # type: ignore[no-untyped-def]
    import asyncpg
    import h3

    dsn = url.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    now = datetime.now(UTC)
    rng = __import__("numpy").random.default_rng(1)
    days = rng.uniform(1, 360, len(incidents))

    def rows():  # type: ignore[no-untyped-def]
        for i, (lat, lon) in enumerate(incidents):
            yield (uuid.uuid4(), "police", "incident", f"B-{i}", "Motor vehicle theft", "closed", float(lat),
                   float(lon), h3.latlng_to_cell(lat, lon, 10), "CITY", now - timedelta(days=float(days[i])),
                   json.dumps({"nibrs_code": "240"}), "file")  # fmt: skip
        opened = now - timedelta(days=200)
        for name, points in layers.items():
            code = CODES[name]
            for j, (lat, lon) in enumerate(points):
                yield (uuid.uuid4(), "public-works", code, f"{code}-{j}", name, "open", float(lat), float(lon),
                       h3.latlng_to_cell(lat, lon, 10), "CITY", opened, "{}", "file")  # fmt: skip

    columns = ["record_id", "department", "layer", "external_id", "category", "status", "lat", "lon", "cell",
               "district", "opened_at", "attributes", "source"]  # fmt: skip
    # COPY is binary: jsonb's binary form is a version byte (1) and the text.
    await conn.set_type_codec(
        "jsonb", encoder=lambda v: b"\x01" + v.encode(), decoder=lambda b: json.loads(b[1:]), schema="pg_catalog",
        format="binary",
    )  # fmt: skip
    await conn.copy_records_to_table("records", schema_name="layers", records=rows(), columns=columns)
    await conn.execute("analyze layers.records")
    await conn.close()


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-child":
        serve_service(sys.argv[2])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    from porchlight.kit.auth import mint_token
    from porchlight.kit.service import get_service

    platform = start_platform("porchlight-bench-risk-", [get_service("layers")])
    try:
        places = platform.tmp / "city.geojson"
        city_as_one_district(places)
        _, incidents, layers = make_data(args.incidents, args.seed, 0.0)
        t0 = time.perf_counter()
        asyncio.run(load(platform.settings.require_database_url(), incidents, layers))
        load_s = time.perf_counter() - t0
        start_service(platform, "layers", __file__, env={"PORCHLIGHT_LAYERS_PLACES_FILE": str(places)})
        child = psutil.Process(platform.child.pid)  # type: ignore[union-attr]
        rss_idle = child.memory_info().rss / 2**20
        token = mint_token(platform.settings, subject="bench", roles=["analyst"])
        headers = {"Authorization": f"Bearer {token}"}
        url = f"http://127.0.0.1:{platform.port}/v1/risk"
        peak = [rss_idle]

        def watch(stop: list[bool]) -> None:
            while not stop[0]:
                peak[0] = max(peak[0], child.memory_info().rss / 2**20)
                time.sleep(0.05)

        import threading

        stop = [False]
        watcher = threading.Thread(target=watch, args=(stop,), daemon=True)
        watcher.start()
        timings = []
        with httpx.Client(timeout=600) as client:
            for _ in range(2):
                t0 = time.perf_counter()
                r = client.get(url, params={"district": "CITY", "offence": "240"}, headers=headers)
                timings.append(time.perf_counter() - t0)
                r.raise_for_status()
        stop[0] = True
        watcher.join()
        body = r.json()
        result = {
            "incidents": len(incidents),
            "layers": len(layers),
            "cells": body["model"]["cells"],
            "modelled": body["model"]["incidents"],
            "family": body["model"]["family"],
            "copy_load_s": round(load_s, 1),
            "first_request_s": round(timings[0], 2),
            "second_request_s": round(timings[1], 3),
            "response_mb": round(len(r.content) / 2**20, 2),
            "layers_rss_idle_mb": round(rss_idle, 1),
            "layers_rss_peak_mb": round(peak[0], 1),
            "factors": [
                {
                    "layer": f["layer"],
                    "selected": f["selected"],
                    "distance_m": f["distance_m"],
                    "relative_risk": f["relative_risk"] and round(f["relative_risk"], 3),
                    "ci": [f["ci_low"] and round(f["ci_low"], 3), f["ci_high"] and round(f["ci_high"], 3)],
                }
                for f in body["factors"]
            ],
            "planted": {CODES[k]: v for k, v in PLANTED.items()},
        }
        print(json.dumps(result, indent=2))
        if args.json:
            args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    finally:
        stop_platform(platform)


if __name__ == "__main__":
    main()
