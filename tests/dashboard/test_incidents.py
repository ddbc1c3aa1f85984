"""Crime statistics: incidents imported into layers reach the dashboard's counts as events; a
changed or re-delivered incident moves its count instead of adding one."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from support import bearer, eventually, import_incidents, running, scalar

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.projections.service import rebuild
from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import EventProducer, RecordAccepted, new_envelope, to_kafka
from porchlight.events.catalog import GeoPoint
from porchlight.kit.db import create_engine
from porchlight.kit.service import get_service

pytestmark = pytest.mark.integration


async def execute(settings, sql: str, **params) -> None:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(sql), params)
    finally:
        await engine.dispose()


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
    # Counts under 10 get no percentage ("+300 %" for 1 -> 4 is noise): the change is said in counts.
    assert crime["change_vs_previous_month"] is None and crime["vs_previous_month"] == "1 → 4 vs last month"
    assert crime["change_vs_last_year"] is None and crime["vs_last_year"] == "2 → 4 vs last year"
    cats = {c["category"]: c for c in crime["by_category"]}
    assert cats["Motor vehicle theft"]["count"] == 2 and cats["Motor vehicle theft"]["nibrs_code"] == "240"
    assert cats["Simple assault"]["count"] == 1
    assert cats["Noise complaint"]["count"] == 1 and cats["Noise complaint"]["nibrs_code"] is None
    trend = {m["month"]: m["count"] for m in crime["trend"]}
    assert trend[MONTH.label] == 4 and trend[PREV.label] == 1


def accepted(record_id: uuid.UUID, version: int, district: str, category: str) -> RecordAccepted:
    """Layers' announcement of an incident record (version ``version``) in ``MONTH``."""
    when = datetime.combine(MONTH.start, datetime.min.time(), tzinfo=UTC)
    return RecordAccepted(
        record_id=record_id, version=version, department="police", layer="incident", external_id=str(record_id),
        category=category, status="closed", open=False, district=district, point=GeoPoint(lat=0, lon=0),
        opened_at=when, attributes={"nibrs_code": "240"},
    )  # fmt: skip


async def send_all(settings, events: list[RecordAccepted]) -> list[str]:
    """Publish ``events`` in order as layers would; their envelope ids."""
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    ids = []
    try:
        for event in events:
            env = new_envelope(event, source="/porchlight/layers")
            key, value, headers = to_kafka(env)
            await (await producer.send_raw(event.TOPIC, key=key, value=value, headers=headers))
            ids.append(str(env.id))
    finally:
        await producer.stop()
    return ids


async def applied(settings, ids: list[str]) -> bool:
    """The dashboard's consumer has taken every one of these envelopes (its inbox holds them)."""
    n = await scalar(
        settings,
        "SELECT count(*) FROM dashboard.inbox WHERE consumer = 'porchlight.dashboard' AND event_id = ANY(:ids)",
        ids=ids,
    )
    return n == len(ids)


async def totals(client, analyst: dict[str, str], *districts: str) -> tuple[int, ...]:
    r = (await client.get(f"/v1/incidents/stats?month={MONTH.label}", headers=analyst)).json()
    by = {d["district"]: d["crime"]["total"] for d in r["districts"]}
    return tuple(by[d] for d in districts)


async def test_a_changed_incident_moves_its_count_and_a_repeat_adds_nothing(settings, test_city):
    tc = test_city
    record_id = uuid.uuid4()
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=tc.path))
        analyst = bearer(settings, "analyst")
        ids = await send_all(
            settings,
            [
                accepted(record_id, 1, tc.a, "Motor vehicle theft"),
                accepted(record_id, 2, tc.b, "Robbery"),
                accepted(record_id, 2, tc.b, "Robbery"),  # re-delivered (another envelope, same version)
                accepted(record_id, 1, tc.a, "Motor vehicle theft"),  # version 1 again, late (a replay)
            ],
        )
        await eventually(lambda: applied(settings, ids), timeout_s=30)
        assert await totals(client, analyst, tc.a, tc.b) == (0, 1)
        r = (await client.get(f"/v1/incidents/stats?month={MONTH.label}&district={tc.b}", headers=analyst)).json()
        assert [(c["category"], c["count"]) for c in r["districts"][0]["crime"]["by_category"]] == [("Robbery", 1)]


async def test_rebuild_brings_the_counts_back_from_the_events(settings, test_city):
    tc = test_city
    first, second = uuid.uuid4(), uuid.uuid4()
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=tc.path))
        analyst = bearer(settings, "analyst")
        ids = await send_all(
            settings,
            [
                accepted(first, 1, tc.a, "Robbery"),
                accepted(second, 1, tc.a, "Robbery"),
                accepted(second, 2, tc.b, "Arson"),
            ],
        )
        await eventually(lambda: applied(settings, ids), timeout_s=30)
        assert await totals(client, analyst, tc.a, tc.b) == (1, 1)
        await execute(settings, "UPDATE dashboard.incident_counts SET n = 999 WHERE district = :d", d=tc.a)
        assert await totals(client, analyst, tc.a, tc.b) == (999, 1)

        # force: the session's database has applied the events of the tests' own brokers too, so
        # its inbox holds more than this broker does (the refusal: test_rebuild.py's last test).
        report = await rebuild(settings, get_service("dashboard"), force=True)
        assert report.records >= len(ids)
        assert await totals(client, analyst, tc.a, tc.b) == (1, 1)
