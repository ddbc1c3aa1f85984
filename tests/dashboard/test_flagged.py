"""issue.flagged on the district page's map and list; another district's supervisor sees none of it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from support import bearer, eventually, running

from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import EventProducer, IssueFlagged, new_envelope, to_kafka
from porchlight.events.catalog import GeoPoint

pytestmark = pytest.mark.integration


async def test_a_flagged_issue_is_on_its_districts_map(settings, test_city):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    event = IssueFlagged(
        issue_id=uuid.uuid4(), department="parks", category="Broken bench", district=tc.a,
        point=GeoPoint(lat=lat, lon=lon), description="Slats missing", flagged_at=datetime.now(UTC),
        place="Elm Park, north gate",
    )  # fmt: skip
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("dashboard", settings) as (app, client):
            app.state.runtime.provide(DashboardSettings(places_file=tc.path))
            for _ in range(2):  # delivered twice: shown once
                key, value, headers = to_kafka(new_envelope(event, source="/city/parks"))
                await (await producer.send_raw(event.TOPIC, key=key, value=value, headers=headers))
            sup = bearer(settings, "supervisor", district=tc.a)

            async def shown() -> bool:
                r = await client.get(f"/v1/districts/{tc.a}/flagged.geojson", headers=sup)
                return len(r.json()["features"]) > 0

            await eventually(shown, timeout_s=30)
            r = await client.get(f"/v1/districts/{tc.a}/flagged.geojson", headers=sup)
            assert r.headers["content-type"].startswith("application/geo+json")
            (feature,) = r.json()["features"]
            assert feature["geometry"]["coordinates"] == [lon, lat]
            assert (feature["properties"]["category"], feature["properties"]["place"]) == (
                "Broken bench",
                "Elm Park, north gate",
            )
            other = await client.get(
                f"/v1/districts/{tc.a}/flagged.geojson", headers=bearer(settings, "supervisor", district=tc.b)
            )
            assert other.status_code == 403
    finally:
        await producer.stop()
