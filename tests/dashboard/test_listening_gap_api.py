"""The listening gap through the API, on real PostgreSQL and broker: residents reached per 1,000
residents per neighborhood from seeded meetings, notes and contacts; the under-heard list; the same
residents the district page counts (one number for one thing)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from dashboard.test_read_models import LAST_MONTH, at, publish
from support import bearer, eventually, running

from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import ContactLogged, MeetingScheduled, NoteSubmitted
from porchlight.events.catalog import Concern

pytestmark = pytest.mark.integration


def city_with_neighborhoods(test_city, tmp_path: Path) -> tuple[Path, list[str]]:
    """The test city, district a split into three neighborhoods: 2,000 residents, 500, and unknown."""
    city = json.loads(test_city.path.read_text())
    a = next(f for f in city["features"] if f["properties"]["code"] == test_city.a)
    (x0, y0), (x1, y1) = a["geometry"]["coordinates"][0][0], a["geometry"]["coordinates"][0][2]
    codes = [f"n{i}-{test_city.a.lower()}" for i in (1, 2, 3)]
    step = (x1 - x0) / 3
    for i, (code, population) in enumerate(zip(codes, [2_000, 500, None], strict=True)):
        left = x0 + i * step
        ring = [[left, y0], [left + step, y0], [left + step, y1], [left, y1], [left, y0]]
        props = {"kind": "neighborhood", "code": code, "name": f"Hood {i + 1}", "district": test_city.a}
        if population is not None:
            props |= {"population": population, "population_year": 2020, "population_source": "Testville census"}
        city["features"].append(
            {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}
        )
    path = tmp_path / "city-hoods.geojson"
    path.write_text(json.dumps(city))
    return path, codes


def contact(d: str, hood: str | None, residents: int) -> ContactLogged:
    return ContactLogged(
        contact_id=uuid.uuid4(), officer_id="off-1", district=d, neighborhood=hood, contact_type="conversation",
        minutes=20, residents_reached=residents, occurred_at=at(5),
    )  # fmt: skip


async def test_listening_gap_counts_residents_per_1000_per_neighborhood(settings, test_city, tmp_path):
    d = test_city.a
    path, (n1, n2, n3) = city_with_neighborhoods(test_city, tmp_path)
    m1 = uuid.uuid4()
    note = dict(host_id="host-1", district=d, submitted_at=at(12), sentiment=3, concerns=[Concern(text="dark corner")])
    events = [
        MeetingScheduled(
            meeting_id=m1, host_id="host-1", district=d, neighborhood=n1, venue_type="library", starts_at=at(10)
        ),
        NoteSubmitted(note_id=uuid.uuid4(), meeting_id=m1, held_at=at(10), attendees=6, **note),  # n1 by its meeting
        NoteSubmitted(note_id=uuid.uuid4(), neighborhood=n2, held_at=at(11), attendees=3, **note),  # n2, no meeting
        NoteSubmitted(note_id=uuid.uuid4(), held_at=at(12), attendees=4, **note),  # no neighborhood
        contact(d, n1, 4), contact(d, n2, 2), contact(d, n3, 5), contact(d, None, 1),
    ]  # fmt: skip
    staff = bearer(settings, "supervisor", district=d)
    url = f"/v1/listening-gap?district={d}&month={LAST_MONTH.label}"
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=path))
        await publish(settings, events)

        async def arrived() -> bool:
            body = (await client.get(url, headers=staff)).json()
            return body.get("residents_reached_elsewhere") == 5 and body["neighborhoods"][2]["residents_reached"] == 5

        await eventually(arrived, timeout_s=30)
        r = await client.get(url, headers=staff)
        page = (await client.get(f"/v1/districts/{d}/page?month={LAST_MONTH.label}", headers=staff)).json()

        # Scoped callers: their district only, never the whole city; bad input named.
        other = await client.get(f"/v1/listening-gap?district={test_city.b}", headers=staff)
        city_wide = await client.get("/v1/listening-gap", headers=staff)
        bad_month = await client.get(f"/v1/listening-gap?district={d}&month=2026-13", headers=staff)
        unknown = await client.get("/v1/listening-gap?district=NOPE", headers=bearer(settings, "analyst"))
        whole_city = await client.get(
            f"/v1/listening-gap?month={LAST_MONTH.label}", headers=bearer(settings, "analyst")
        )

    assert r.status_code == 200, r.text
    gap = r.json()
    assert gap["district"] == d and gap["period"]["month"] == LAST_MONTH.label and not gap["period"]["under_way"]
    rows = {n["code"]: n for n in gap["neighborhoods"]}
    assert [n["name"] for n in gap["neighborhoods"]] == ["Hood 1", "Hood 2", "Hood 3"]
    assert (rows[n1]["residents_at_meetings"], rows[n1]["residents_via_contacts"], rows[n1]["residents_reached"]) == (
        6,
        4,
        10,
    )
    assert rows[n1]["residents_reached_per_1000"] == 5.0  # 10 of 2,000
    assert (rows[n2]["residents_reached"], rows[n2]["residents_reached_per_1000"]) == (5, 10.0)  # 5 of 500
    assert rows[n3]["population"] is None and rows[n3]["residents_reached_per_1000"] is None  # unknown: no rate
    assert rows[n1]["population_source"] == "Testville census" and rows[n1]["population_year"] == 2020
    assert gap["residents_reached_per_1000"] == 6.0  # 15 reached of 2,500 residents of known population
    assert gap["residents_reached_elsewhere"] == 5  # the note and the contact that named no neighborhood
    # Lowest first, the neighborhood of unknown population left out; n1 needs 2 more to reach 6.0.
    assert [u["code"] for u in gap["under_heard"]] == [n1, n2]
    assert gap["under_heard"][0]["to_reach"] == 2
    assert gap["under_heard"][0]["suggestion"].startswith(
        "Next micro-meetings: Hood 1 — 5.0 residents reached per 1,000"
    )
    assert "so far" not in gap["under_heard"][0]["suggestion"]
    # The same residents as the district page's "residents reached": per neighborhood + elsewhere.
    total = sum(n["residents_reached"] for n in gap["neighborhoods"]) + gap["residents_reached_elsewhere"]
    assert total == page["engagement"]["residents_reached"] == 25

    assert other.status_code == 403 and city_wide.status_code == 403
    assert bad_month.status_code == 422 and bad_month.json()["errors"][0]["field"] == "query.month"
    assert unknown.status_code == 404
    # The whole city: the demo-free test city here (its file is the runtime's), every neighborhood.
    assert whole_city.status_code == 200 and whole_city.json()["district"] is None
    assert {n["code"] for n in whole_city.json()["neighborhoods"]} == {n1, n2, n3}
