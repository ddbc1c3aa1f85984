"""The whole-city report end to end for a city the demo's size: 12 districts, a month of events
each (meetings, notes, contacts, projects, a win), through the broker and the projections, then
GET /v1/reports/monthly?format=pdf: one page, every district's row in it."""

from __future__ import annotations

import io
import json
import random
import re
import uuid
from pathlib import Path

import pytest
from dashboard.test_read_models import LAST_MONTH, district_events, publish
from pypdf import PdfReader
from support import bearer, eventually, running

from porchlight.dashboard.settings import DashboardSettings
from porchlight.kit.city import load_city

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).parent.parent / "artifacts"

NAMES = ["Downtown", "East Harbor", "Charlestown", "Roxbury", "Mattapan", "South Shore", "Dorchester",
         "South End", "Brighton", "West Roxbury", "Jamaica Plain", "Hyde Park"]  # fmt: skip


def twelve_districts(tmp_path) -> tuple:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:4].upper()
    lon, lat = random.uniform(100, 170), random.uniform(-50, -40)
    features = []
    for i, name in enumerate(NAMES):
        x, y = lon + (i % 4) * 0.1, lat + (i // 4) * 0.1
        ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "district", "code": f"Q{i + 1}-{tag}", "name": f"District Q{i + 1} ({name})"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    path = tmp_path / "twelve.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "name": f"Twelveton {tag}", "features": features}))
    return path, load_city(path)


async def test_the_whole_city_pdf_of_a_demo_sized_month_is_one_page(settings, tmp_path):
    path, city = twelve_districts(tmp_path)
    events = [e for d in city.codes for e in district_events(d)]
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=path))
        await publish(settings, events)
        analyst = bearer(settings, "analyst")

        async def projected() -> bool:
            page = (await client.get(f"/v1/city/page?month={LAST_MONTH.label}", headers=analyst)).json()
            return all(
                s["engagement"]["contacts"] == 3 and s["wins_count"] == 1 and s["engagement"]["notes"] == 3
                and s["projects"]["done"] == 1 and s["top_concern"] and s["top_concern"]["count"] == 2
                for s in page["districts"]
            )  # fmt: skip

        await eventually(projected, timeout_s=90)
        r = await client.get(f"/v1/reports/monthly?month={LAST_MONTH.label}&format=pdf", headers=analyst)
    assert r.status_code == 200
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "monthly-report-12-districts.pdf").write_bytes(r.content)
    reader = PdfReader(io.BytesIO(r.content))
    assert len(reader.pages) == 1
    text = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert f"— {city.name}" in text
    assert "Meetings hosted 36" in text and "Positive contacts 36" in text and "Engagement hours 72.0" in text
    for d in city.districts:
        name = d.name[d.name.index("(") + 1 : -1]
        # 3 meetings, 32 residents, 1 h x 3 + 3 h of contacts, 3 contacts, sentiment 3.0; 1 done, 1 open,
        # 1 overdue, 1 win, no crime imported.
        # (The taxonomy's longer topic name may take the layout that prints codes without names.)
        row = "3 32 6.0 3 3.0 Speeding and traffic safety in 2 notes (new) 1 / 1 / 1 1 0"
        assert f"{d.code} {name} {row}" in text or f"{d.code} {row}" in text, d.code
    assert "Wins this month (12)" in text and "Elm Street lights fixed" in text
