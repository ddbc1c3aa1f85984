"""A streetlight out on a block where vehicle thefts rise and residents raised lighting: the
connection opens with its evidence, is announced, and closes when the outage is fixed."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from support import bearer, eventually, published, running, scalar, unsealed

from porchlight.events import (
    CorrelationDetectedV2,
    EventProducer,
    NoteAnalyzed,
    NoteSubmitted,
    Topics,
    new_envelope,
    to_kafka,
)
from porchlight.events.catalog import Concern, ConcernAnalysis, GeoPoint
from porchlight.layers.records.startup import places_of
from porchlight.layers.settings import LayersSettings

pytestmark = pytest.mark.integration

M = 1 / 111_320  # a metre of latitude, in degrees


def rec(ext: str, lat: float, lon: float, when: datetime, **extra: object) -> dict[str, object]:
    return {"external_id": ext, "point": {"lat": lat, "lon": lon}, "opened_at": when.isoformat(), **extra}


async def test_outage_rising_thefts_and_lighting_concerns_open_a_connection_that_closes_with_the_outage(
    settings, test_city
):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    tag = uuid.uuid4().hex[:8]
    now = datetime.now(UTC)
    police = {"department": "police", "layer": "incident", "category": "Motor vehicle theft",
              "attributes": {"nibrs_code": "240"}}  # fmt: skip
    works = {"department": "public-works", "layer": "street_light_outage", "category": "Street light out"}
    note_id = uuid.uuid4()
    quote = "Nobody walks past the corner by the laundromat since the light went out"
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("layers", settings) as (app, client):
            app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
            analyst = bearer(settings, "analyst")
            for i in range(2):  # the place's own year: two thefts
                body = {**police, **rec(f"I-{tag}-b{i}", lat + 30 * M, lon, now - timedelta(days=100 + 90 * i))}
                assert (await client.post("/v1/records", json=body, headers=analyst)).status_code == 200
            for i in range(6):  # the last four weeks: six
                body = {**police, **rec(f"I-{tag}-w{i}", lat - 20 * M, lon, now - timedelta(days=2 + 3 * i))}
                assert (await client.post("/v1/records", json=body, headers=analyst)).status_code == 200
            submitted = NoteSubmitted(
                note_id=note_id, district=tc.a, host_id="liaison-1", submitted_at=now, held_at=now,
                concerns=[Concern(text=quote, point=GeoPoint(lat=lat + 40 * M, lon=lon))],
            )  # fmt: skip
            analyzed = NoteAnalyzed(
                note_id=note_id, district=tc.a, model_version="t", revision=1, occurred_at=now,
                sentiment="negative", sentiment_score=-0.5,
                concerns=[ConcernAnalysis(text=quote, topic="street_lighting", sentiment="negative",
                                          sentiment_score=-0.5)],
            )  # fmt: skip
            for topic, event in ((Topics.NOTES, submitted), (Topics.NOTE_ANALYSES, analyzed)):
                key, value, headers = to_kafka(new_envelope(event, source="/porchlight/tests"))
                await (await producer.send_raw(topic, key=key, value=value, headers=headers))

            async def concern_known() -> bool:
                sql = "select count(*) from layers.note_concerns where note_id = :n and topic = 'street_lighting'"
                return await scalar(settings, sql, n=note_id) == 1

            await eventually(concern_known, timeout_s=30)
            assert await scalar(settings, "select count(*) from layers.connections where district = :d", d=tc.a) == 0

            r = await client.post("/v1/records", json={**works, **rec(f"SL-{tag}", lat, lon, now - timedelta(days=1))},
                                  headers=bearer(settings, "partner"))  # fmt: skip
            assert r.status_code == 200, r.text
            outage_id = r.json()["record_id"]

            async def opened() -> bool:
                sql = "select count(*) from layers.connections where district = :d and status = 'open'"
                return await scalar(settings, sql, d=tc.a) == 1

            await eventually(opened, timeout_s=10)
            sup = bearer(settings, "supervisor")
            (conn,) = (await client.get("/v1/connections", params={"district": tc.a}, headers=sup)).json()
            ev = conn["evidence"]
            assert conn["rule"] == "dark-block-vehicle-crime" and conn["record_id"] == outage_id
            assert ev["test"]["incidents"] == 6 and ev["test"]["baseline_count"] == 2
            assert ev["test"]["p_value"] < 0.05
            assert ev["note_ids"] == [str(note_id)] and ev["quotes"] == [quote]  # exact words
            # A department partner reads the connection's figures, not the residents' words (issue 15).
            (seen,) = (
                await client.get("/v1/connections", params={"district": tc.a}, headers=bearer(settings, "partner"))
            ).json()
            assert "quotes" not in seen["evidence"] and seen["evidence"]["words_withheld"] is True
            # ... nor a count of fewer than 5 notes, nor the notes' ids (docs/privacy.md).
            assert "note_ids" not in seen["evidence"] and seen["evidence"]["figures"]["notes"] == "fewer than 5"
            assert "fewer than 5 residents' notes raised" in seen["evidence"]["explanation"]
            assert "1 residents' notes" in ev["explanation"]  # the supervisor's figure is the count
            one = await client.get(f"/v1/connections/{conn['correlation_id']}", headers=bearer(settings, "officer"))
            assert "quotes" not in one.json()["evidence"]
            assert len(ev["incident_ids"]) == 6
            assert ev["record"]["external_id"] == f"SL-{tag}"
            sealed = await published(settings, Topics.CORRELATIONS, CorrelationDetectedV2.TYPE, tc.a)
            assert sealed["quotes"] == [] and quote not in json.dumps(sealed)  # sealed (docs/adr/0014)
            detected = await unsealed(settings, CorrelationDetectedV2.TYPE, sealed)
            assert detected["record_ids"] == [f"SL-{tag}"] and detected["incidents"] == 6
            assert detected["quote_note_ids"] == [str(note_id)]
            assert detected["quotes"] == [quote] and detected["note_ids"] == [str(note_id)]
            geo = await client.get("/v1/connections.geojson", params={"district": tc.a}, headers=sup)
            assert len(geo.json()["features"]) == 1

            fixed = {**works, **rec(f"SL-{tag}", lat, lon, now - timedelta(days=1)), "status": "closed",
                     "closed_at": now.isoformat()}  # fmt: skip
            assert (
                await client.post("/v1/records", json=fixed, headers=bearer(settings, "partner"))
            ).status_code == 200

            async def closed() -> bool:
                sql = "select count(*) from layers.connections where district = :d and status = 'closed'"
                return await scalar(settings, sql, d=tc.a) == 1

            await eventually(closed, timeout_s=10)
            gone = await published(settings, Topics.CORRELATIONS, "org.porchlight.correlation.closed.v1", tc.a)
            assert gone["reason"] == "record closed" and gone["correlation_id"] == conn["correlation_id"]
    finally:
        await producer.stop()


async def test_rules_are_edited_over_the_api_with_the_field_named(settings):
    async with running("layers", settings, background=False) as (_, client):
        sup = bearer(settings, "supervisor")
        rules = (await client.get("/v1/connection-rules", headers=sup)).json()
        assert rules["radius_m"] == 150 and any(r["name"] == "dark-block-vehicle-crime" for r in rules["rules"])
        bad = {"name": "x", "title": "t", "record": {"layers": ["graffiti"]}, "incidents": {"categories": ["290"],
               "window_days": 0}}  # fmt: skip
        r = await client.put("/v1/connection-rules/x", json=bad, headers=sup)
        assert r.status_code == 422
        assert "body.incidents.window_days" in {e["field"] for e in r.json()["errors"]}
        good = {**bad, "incidents": {"categories": ["290"]}}
        r = await client.put("/v1/connection-rules/x", json=good, headers=sup)
        assert r.status_code == 200, r.text
        assert "x" in {rule["name"] for rule in r.json()["rules"]}
        assert (await client.delete("/v1/connection-rules/x", headers=sup)).status_code == 200
        assert (
            await client.put("/v1/connection-rules/x", json=good, headers=bearer(settings, "officer"))
        ).status_code == 403
