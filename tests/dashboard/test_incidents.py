"""Crime statistics: incidents imported into layers reach the dashboard's counts as events; a
changed or re-delivered incident moves its count instead of adding one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from support import bearer, eventually, import_incidents, running

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import EventProducer, RecordAccepted, new_envelope, to_kafka
from porchlight.events.catalog import GeoPoint

pytestmark = pytest.mark.integration

MONTH = Month.parse(None).shift(-1)
PREV, LAST_YEAR = MONTH.shift(-1), MONTH.shift(-12)
MAPPING = "code,nibrs_code,category\nAUTO,240,\nNOISE,,Noise complaint\n"


def incidents_csv(tc, prefix: str) -> str:
    (lat_a, lon_a), (lat_b, lon_b) = tc.inside[tc.a], tc.inside[tc.b]
    m, p, y = (x.start.isoformat() for x in (MONTH, PREV, LAST_YEAR))
    rows = [
        "case_number,offense_code,nibrs_code,occurred_at,latitude,longitude,block,district",
        f"{prefix}-1,AUTO,,{m},{lat_a},{lon_a},,",  # mapped: 240 Motor vehicle theft
        f"{prefix}-2,240,,{m}T22:15:00Z,{lat_a},{lon_a},,",  # a NIBRS code needs no mapping
        f"{prefix}-3,LOCAL-7,13B,{m},{lat_a},{lon_a},,",  # the file's own NIBRS column wins
        f"{prefix}-4,NOISE,,{m},,,100 block of Elm St,{tc.a}",  # a block: the file's district
        f"{prefix}-5,240,,{p},{lat_a},{lon_a},,",
        f"{prefix}-6,240,,{y},{lat_a},{lon_a},,",
        f"{prefix}-7,240,,{y},{lat_a},{lon_a},,",
        f"{prefix}-8,240,,{m},{lat_b},{lon_b},,",
        f"{prefix}-9,240,,{m},0.5,0.5,,",  # outside the city: refused by layers (line, field)
        f"{prefix}-10,240,,not a date,{lat_a},{lon_a},,",  # rejected
        f"{prefix}-11,240,,{m},95,{lon_a},,",  # rejected: not a WGS84 point
    ]
    return "\n".join(rows) + "\n"


async def test_imported_incidents_are_counted_by_district_and_month_with_their_changes(settings, test_city):
    tc = test_city
    files = {
        "file": ("incidents.csv", incidents_csv(tc, tc.a).encode(), "text/csv"),
        "mapping": ("codes.csv", MAPPING.encode(), "text/csv"),
    }
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=tc.path))
        assert (await import_incidents(settings, tc.path, files)).status_code == 201
        analyst = bearer(settings, "analyst")

        async def counted() -> bool:
            r = await client.get(f"/v1/incidents/stats?month={MONTH.label}&district={tc.a}", headers=analyst)
            return r.json()["districts"][0]["crime"]["total"] == 4

        await eventually(counted, timeout_s=30)
        r = await client.get(f"/v1/incidents/stats?month={MONTH.label}&district={tc.a}", headers=analyst)
        crime = r.json()["districts"][0]["crime"]
    assert (crime["total"], crime["previous_month"], crime["last_year"]) == (4, 1, 2)
    assert crime["change_vs_previous_month"] == 3.0
    assert crime["change_vs_last_year"] == 1.0
    cats = {c["category"]: c for c in crime["by_category"]}
    assert cats["Motor vehicle theft"]["count"] == 2 and cats["Motor vehicle theft"]["nibrs_code"] == "240"
    assert cats["Simple assault"]["count"] == 1
    assert cats["Noise complaint"]["count"] == 1 and cats["Noise complaint"]["nibrs_code"] is None
    trend = {m["month"]: m["count"] for m in crime["trend"]}
    assert trend[MONTH.label] == 4 and trend[PREV.label] == 1


async def test_a_changed_incident_moves_its_count_and_a_repeat_adds_nothing(settings, test_city):
    tc = test_city
    record_id = uuid.uuid4()
    when = datetime.combine(MONTH.start, datetime.min.time(), tzinfo=UTC)

    def accepted(version: int, district: str, category: str) -> RecordAccepted:
        return RecordAccepted(
            record_id=record_id, version=version, department="police", layer="incident", external_id=str(record_id),
            category=category, status="closed", open=False, district=district, point=GeoPoint(lat=0, lon=0),
            opened_at=when, attributes={"nibrs_code": "240"},
        )  # fmt: skip

    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("dashboard", settings) as (app, client):
            app.state.runtime.provide(DashboardSettings(places_file=tc.path))
            events = [
                accepted(1, tc.a, "Motor vehicle theft"),
                accepted(2, tc.b, "Robbery"),
                accepted(1, tc.a, "Motor vehicle theft"),
            ]
            for event in events:  # the last: version 1 again, late (a replay)
                key, value, headers = to_kafka(new_envelope(event, source="/porchlight/layers"))
                await (await producer.send_raw(event.TOPIC, key=key, value=value, headers=headers))
            analyst = bearer(settings, "analyst")

            async def totals() -> tuple[int, int]:
                r = (await client.get(f"/v1/incidents/stats?month={MONTH.label}", headers=analyst)).json()
                by = {d["district"]: d["crime"]["total"] for d in r["districts"]}
                return by[tc.a], by[tc.b]

            async def moved() -> bool:
                return await totals() == (0, 1)

            await eventually(moved, timeout_s=30)
            r = (await client.get(f"/v1/incidents/stats?month={MONTH.label}&district={tc.b}", headers=analyst)).json()
            assert [c["category"] for c in r["districts"][0]["crime"]["by_category"]] == ["Robbery"]
    finally:
        await producer.stop()
