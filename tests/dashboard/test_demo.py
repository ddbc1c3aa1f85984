"""`porchlight demo load`: the demo quarter enters through the services' APIs and events flow."""

from __future__ import annotations

import contextlib
import random
import re
import uuid

import httpx
import pytest
from support import bearer, eventually, running, scalar

from porchlight.dashboard.demo.service import NS, Endpoints, TextDeck, load_demo, resident_texts
from porchlight.dashboard.months.period import Month
from porchlight.kit.city import DEMO_CITY, load_city

pytestmark = pytest.mark.integration


def test_demo_vehicle_crime_leans_towards_the_street_light_outages():
    """The place-risk page has a factor to find in the demo: half the vehicle crime of a district
    with outages falls within ~60 m of one; without outages none clusters there."""
    import csv
    import io
    import math
    import random
    from datetime import UTC, datetime

    from porchlight.dashboard.demo.service import VEHICLE_CODES, incidents_csv

    city = load_city(DEMO_CITY)
    d4 = next(d for d in city.districts if d.code == "D4")
    spot = d4.geometry.representative_point()
    outage = (spot.y, spot.x)

    def near_share(outages: dict[str, list[tuple[float, float]]] | None) -> float:
        text = incidents_csv(city, random.Random(5), datetime(2026, 12, 5, tzinfo=UTC), 1.0, outages)
        rows = [r for r in csv.DictReader(io.StringIO(text)) if r["incident_id"].startswith("DEMO-D4-")]
        vehicle = [r for r in rows if r["nibrs_code"] in VEHICLE_CODES]
        near = [
            r for r in vehicle
            if math.hypot((float(r["lat"]) - outage[0]) * 111_320, (float(r["lon"]) - outage[1]) * 82_000) < 80
        ]  # fmt: skip
        assert len(vehicle) > 50
        return len(near) / len(vehicle)

    assert 0.4 < near_share({"D4": [outage]}) < 0.6
    assert near_share(None) < 0.02


def test_resident_texts_are_the_licensed_polis_ones():
    texts = resident_texts()
    assert len(texts) > 350
    assert {t["source"] for t in texts} <= {"polis:american-assembly.bowling-green", "polis:london.youth.policing"}


#: Places, institutions and people of the conversations' own cities: a Bowling Green comment about
#: "WKU campus" or "Nashville onto Dishman" put in a Boston district is a quote no one there said.
ELSEWHERE = re.compile(
    r"\b(Bowling Green|BGs?|BG's|BGPD|BGMU|BGDN|BGISD|WKU|Western Kentucky|Warren|Kentucky|KY|Tennessee|TN|"
    r"Nashville|Louisville|Owensboro|Scottsville|Fairview|Fountain Squ\w*|Dishman|Natcher|Cave ?Mill|Shive|"
    r"Smallhouse|Campbell|Lovers Lane|Greenwood|Houchens|Hilltoppers?|London\w*|Brixton|Met Police)\b",
    re.IGNORECASE,
)
#: A named street ("Scottsville Road", "Chestnut St") is a place too.
STREET = re.compile(r"\b[A-Z][a-z]+ (Rd|Road|Ln|Lane|Ave|Avenue|St|Street|Blvd|Pike|Bypass|Dr|Drive|Hwy)\b")


def test_resident_texts_name_no_place_of_another_city():
    named = [t["text"] for t in resident_texts() if ELSEWHERE.search(t["text"]) or STREET.search(t["text"])]
    assert named == []


def test_the_demo_deals_each_resident_text_once():
    rows = resident_texts()
    deck = TextDeck(random.Random(1), rows)
    drawn = [deck.draw(topic) for topic in ["speeding_traffic", "parks", "noise"] * len(rows)]
    texts = [d[0] for d in drawn if d is not None]
    assert sorted(texts) == sorted(r["text"] for r in rows)  # every one, each once
    assert drawn[len(rows) :] == [None] * (len(drawn) - len(rows))
    topic_of = {r["text"]: r["topic"] or None for r in rows}
    assert all(topic == topic_of[text] for text, topic in (d for d in drawn if d is not None))


async def test_demo_load_fills_the_demo_city_through_the_apis(settings):
    async with contextlib.AsyncExitStack() as stack:
        apps = {}
        for name in ("intake", "dashboard", "projects", "layers"):
            app, _ = await stack.enter_async_context(running(name, settings))
            apps[name] = app
        mounts = {f"http://{n}": httpx.ASGITransport(app=a) for n, a in apps.items()}
        http = httpx.AsyncClient(mounts=mounts, timeout=30)
        ep = Endpoints(
            intake="http://intake", projects="http://projects", dashboard="http://dashboard", layers="http://layers"
        )
        counts = await load_demo(settings, ep, seed=3, scale=0.05, http=http)
        assert counts["meetings"] >= 12 and counts["notes"] == counts["meetings"]
        assert counts["contacts"] >= 12 * 5
        assert counts["incidents"] > 500  # 13 months, 12 districts
        mine = ("meetings", "notes", "contacts", "incident_imports")
        assert not [k for k in counts if k.startswith(mine) and "refused" in k and not k.endswith("_409")], counts
        print("demo load:", counts)  # projects' part is reported, not required (another service)

        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=apps["dashboard"]), base_url="http://dashboard")
        headers = bearer(settings, "analyst")

        async def counted() -> bool:
            city = (await client.get("/v1/city/page", headers=headers)).json()
            before = (
                await client.get(f"/v1/city/page?month={Month.parse(None).shift(-1).label}", headers=headers)
            ).json()
            notes = city["totals"]["notes"] + before["totals"]["notes"]
            return (
                notes > 0 and city["crime_total"] > 0 and city["totals"]["contacts"] + before["totals"]["contacts"] > 0
            )

        await eventually(counted, timeout_s=40)
        await client.aclose()

        # DICE's example is in the demo from the start: the dark block in D4 is a connection.
        assert counts.get("dark_block") == 7, counts  # six thefts and the outage
        layers = httpx.AsyncClient(transport=httpx.ASGITransport(app=apps["layers"]), base_url="http://layers")

        async def connected() -> bool:
            r = await layers.get("/v1/connections", params={"district": "D4"}, headers=headers)
            return any(c["evidence"]["record"]["external_id"] == "DEMO-SL-D4" for c in r.json())

        await eventually(connected, timeout_s=40)
        (link,) = [
            c
            for c in (await layers.get("/v1/connections", params={"district": "D4"}, headers=headers)).json()
            if c["evidence"]["record"]["external_id"] == "DEMO-SL-D4"
        ]
        assert link["rule"] == "dark-block-vehicle-crime" and link["evidence"]["test"]["incidents"] >= 6
        assert link["evidence"]["quotes"] and "pitch dark" in link["evidence"]["quotes"][0]
        await layers.aclose()

        # Demo meetings last 45 minutes to 2 hours, and the dashboard's hours use that.
        ids = [uuid.uuid5(NS, f"meeting/{d.code}/{k}") for d in load_city(DEMO_CITY).districts for k in range(2)]
        sql = "SELECT {} FROM {} WHERE {} = ANY(CAST(:ids AS uuid[]))"
        durations = await scalar(
            settings, sql.format("array_agg(DISTINCT duration_minutes)", "intake.meetings", "id"), ids=ids
        )
        assert durations and set(durations) <= {45, 60, 75, 90, 120} and len(durations) > 1, durations
        durations_all = await scalar(
            settings, sql.format("array_agg(duration_minutes)", "intake.meetings", "id"), ids=ids
        )
        assert isinstance(durations_all, list) and len(durations_all) >= 12  # one a district at least

        async def durations_projected() -> bool:
            what = "count(*) FILTER (WHERE duration_minutes BETWEEN 45 AND 120)"
            n = await scalar(settings, sql.format(what, "dashboard.meetings", "meeting_id"), ids=ids)
            return n == len(durations_all)

        await eventually(durations_projected, timeout_s=30)
