"""Department records through the HTTP and Kafka doors: checked, located, stored once, announced."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from support import bearer, eventually, running, scalar

from porchlight.events import EventProducer, RecordClosed, RecordReported, Topics, new_envelope, to_kafka
from porchlight.events.catalog import GeoPoint
from porchlight.layers.settings import LayersSettings

pytestmark = pytest.mark.integration

OPENED = (datetime.now(UTC) - timedelta(days=2)).isoformat()


def record(external_id: str, lat: float, lon: float, **extra: object) -> dict[str, object]:
    return {
        "department": "public-works",
        "layer": "street_light_outage",
        "external_id": external_id,
        "category": "Street light out",
        "point": {"lat": lat, "lon": lon},
        "opened_at": OPENED,
        **extra,
    }


async def test_http_door_stores_once_updates_by_external_id_and_announces_each_change(settings, test_city):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    ext = f"SL-{uuid.uuid4().hex[:8]}"
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(LayersSettings(places_file=tc.path))
        from porchlight.layers.records.startup import places_of

        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        dept = bearer(settings, "partner")
        r = await client.post("/v1/records", json=record(ext, lat, lon), headers=dept)
        assert r.status_code == 200, r.text
        assert r.json()["outcome"] == "created"
        rid = r.json()["record_id"]
        again = await client.post("/v1/records", json=record(ext, lat, lon), headers=dept)
        assert again.json() == {"record_id": rid, "outcome": "unchanged"}
        closed = await client.post(
            "/v1/records",
            json=record(ext, lat, lon, status="Closed", closed_at=datetime.now(UTC).isoformat()),
            headers=dept,
        )
        assert closed.json() == {"record_id": rid, "outcome": "updated"}

        got = (await client.get(f"/v1/records/{rid}", headers=bearer(settings, "supervisor"))).json()
        assert (got["district"], got["version"], got["open"], got["source"]) == (tc.a, 2, False, "http")
        assert await scalar(settings, "select count(*) from layers.records where external_id = :e", e=ext) == 1
        announced = await scalar(
            settings,
            "select count(*) from layers.outbox where event_type = 'org.porchlight.record.accepted.v1' and key = :r",
            r=rid,
        )
        assert announced == 2  # created, then closed; the unchanged delivery announced nothing

        geo = await client.get("/v1/records.geojson", params={"district": tc.a, "status": "closed"}, headers=dept)
        assert geo.headers["content-type"].startswith("application/geo+json")
        assert [f["properties"]["external_id"] for f in geo.json()["features"]] == [ext]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"layer": "unicorns"}, "body.layer"),
        ({"department": "nowhere"}, "body.department"),
        ({"layer": "incident"}, "body.layer"),  # police's layer, not Public Works'
        ({"point": {"lat": 0.5, "lon": 0.5}}, "body.point"),  # outside the city
        (
            {"point": None, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}},
            "body.geometry",
        ),
        ({"point": None}, "body.point"),
        ({"category": "out\u0000"}, "body.category"),
        ({"opened_at": None}, "body.opened_at"),
    ],
)
async def test_http_door_refuses_bad_records_naming_the_field(settings, test_city, change, field):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    ext = f"BAD-{uuid.uuid4().hex[:8]}"
    async with running("layers", settings, background=False) as (app, client):
        from porchlight.layers.records.startup import places_of

        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        r = await client.post(
            "/v1/records", json={**record(ext, lat, lon), **change}, headers=bearer(settings, "partner")
        )
        assert r.status_code == 422, r.text
        assert field in {e["field"] for e in r.json()["errors"]}, r.json()
    assert await scalar(settings, "select count(*) from layers.records where external_id = :e", e=ext) == 0


async def test_kafka_door_stores_reported_records_closes_them_and_dead_letters_the_refused(settings):
    from porchlight.kit.city import load_city

    city = load_city(None)  # the service's default: the demo city
    d = city.districts[0]
    p = d.geometry.representative_point()
    tag = uuid.uuid4().hex[:8]
    good = [
        RecordReported(
            department="public-works",
            layer="street_light_outage",
            external_id=f"K-{tag}-{i}",
            category="Street light out",
            point=GeoPoint(lat=p.y, lon=p.x),
            opened_at=datetime.now(UTC) - timedelta(hours=i + 1),
        )
        for i in range(20)
    ]
    bad = RecordReported(
        department="public-works",
        layer="street_light_outage",
        external_id=f"K-{tag}-outside",
        category="Street light out",
        point=GeoPoint(lat=0.5, lon=0.5),
        opened_at=datetime.now(UTC),
    )

    def dead() -> float:
        return (
            REGISTRY.get_sample_value(
                "porchlight_events_dead_lettered_total",
                {"service": "layers", "group": "porchlight.layers", "topic": Topics.RECORDS},
            )
            or 0.0
        )

    before = dead()
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("layers", settings):
            for event in [*good[:10], bad, *good[10:], good[0]]:  # good[0] twice: stored once
                key, value, headers = to_kafka(new_envelope(event, source="/city/public-works"))
                await (await producer.send_raw(Topics.RECORDS, key=key, value=value, headers=headers))

            async def stored() -> bool:
                n = await scalar(
                    settings, "select count(*) from layers.records where external_id like :p", p=f"K-{tag}-%"
                )
                return n == 20 and dead() == before + 1

            await eventually(stored, timeout_s=30)
            closing = RecordClosed(department="public-works", external_id=f"K-{tag}-3", closed_at=datetime.now(UTC))
            key, value, headers = to_kafka(new_envelope(closing, source="/city/public-works"))
            await (await producer.send_raw(Topics.RECORDS, key=key, value=value, headers=headers))

            async def closed() -> bool:
                status = await scalar(
                    settings, "select status from layers.records where external_id = :e", e=f"K-{tag}-3"
                )
                return status == "closed"

            await eventually(closed, timeout_s=30)
    finally:
        await producer.stop()
    assert (
        await scalar(settings, "select district from layers.records where external_id = :e", e=f"K-{tag}-0") == d.code
    )
    assert await scalar(settings, "select version from layers.records where external_id = :e", e=f"K-{tag}-3") == 2
