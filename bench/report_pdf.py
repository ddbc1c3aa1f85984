"""Monthly report PDF for the whole city: time to gather the figures and render (issue 6: < 5 s).

    .venv/bin/python bench/report_pdf.py [--runs 5] [--json OUT]

Same load as bench/dashboard_api.py (6 districts, a year: 10,000 notes, 200,000 contacts,
100,000 incidents...), seeded the same way. Then, in this process, ``runs`` times: gather the
report (the SQL, as ``porchlight report monthly`` and ``GET /v1/reports/monthly`` do) and render
it to PDF with reportlab (charts included); and once over HTTP through ``porchlight serve
dashboard`` (GET /v1/reports/monthly?format=pdf), end to end. Prints the timings, the PDF's size
and page count.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
from dashboard_api import city_file, seed, serve_dashboard

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.reports.rendering.pdf import render_pdf
from porchlight.dashboard.reports.service import gather
from porchlight.kit.auth import mint_token
from porchlight.kit.city import load_city
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.embedded import free_port
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings
from porchlight.kit.standalone import Infrastructure, prepare


async def in_process(url: str, places: Path, runs: int) -> tuple[list[float], list[float], bytes]:
    engine = create_engine(url, pool_size=1)
    city = load_city(places)
    month = Month.parse(None)
    gathers, renders = [], []
    pdf = b""
    try:
        for _ in range(runs):
            t = time.perf_counter()
            async with session_factory(engine)() as session:
                report = await gather(session, city, month)
            gathers.append(time.perf_counter() - t)
            t = time.perf_counter()
            pdf = render_pdf(report)
            renders.append(time.perf_counter() - t)
    finally:
        await engine.dispose()
    return gathers, renders, pdf


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="porchlight-report-bench-"))
    infra = Infrastructure(KitSettings(data_dir=tmp, log_format="text"), broker_port=free_port())
    server = None
    try:
        settings = infra.start()
        asyncio.run(prepare(settings, [get_service("dashboard")]))
        places, codes = city_file(tmp)
        url = settings.require_database_url()
        asyncio.run(seed(url.replace("postgresql+asyncpg://", "postgresql://"), codes, random.Random(42)))
        gathers, renders, pdf = asyncio.run(in_process(url, places, args.runs))
        totals = [g + r for g, r in zip(gathers, renders, strict=True)]

        server, port = serve_dashboard(settings, tmp, places)
        token = mint_token(settings, subject="bench", roles=["analyst"])
        month = datetime.now(UTC).strftime("%Y-%m")
        http = []
        for _ in range(3):
            t = time.perf_counter()
            r = httpx.get(f"http://127.0.0.1:{port}/v1/reports/monthly", params={"month": month, "format": "pdf"},
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)  # fmt: skip
            http.append(time.perf_counter() - t)
            r.raise_for_status()
        out = {
            "districts": len(codes),
            "runs": args.runs,
            "gather_s": {"median": round(statistics.median(gathers), 3), "max": round(max(gathers), 3)},
            "render_s": {"median": round(statistics.median(renders), 3), "max": round(max(renders), 3)},
            "total_s": {"median": round(statistics.median(totals), 3), "max": round(max(totals), 3)},
            "http_s": {"median": round(statistics.median(http), 3), "max": round(max(http), 3)},
            "pdf_bytes": len(pdf),
            "pages": len(PdfReader(io.BytesIO(pdf)).pages),
            # Topic counts estimated (issue 17): the PDF's "about N, L-H" sayings.
            "estimated_counts": PdfReader(io.BytesIO(pdf)).pages[0].extract_text().count("about "),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        }
        print(json.dumps(out, indent=2))
        if args.json:
            args.json.write_text(json.dumps(out, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        infra.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
