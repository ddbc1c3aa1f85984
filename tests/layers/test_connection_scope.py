"""What the connections worker re-evaluates: in a cell where only records changed, the records
changed since the cell was marked, not every record ever stored there (the Kafka door spent a
fifth of its time re-evaluating the same records tick after tick); in a cell whose incidents
changed, every record within reach."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from porchlight.kit.db import create_engine, session_factory
from porchlight.layers.connections import repository as connections
from porchlight.layers.places import cell_of
from porchlight.layers.records import repository as records
from porchlight.layers.records.service import RecordIn, accept
from porchlight.layers.records.startup import places_of
from porchlight.layers.settings import LayersSettings

pytestmark = pytest.mark.integration

M = 1 / 111_320


def beside(lat: float, lon: float, metres: float) -> tuple[float, float]:
    """A point ``metres`` north or south of (lat, lon) in the same cell: a step one way may cross
    the cell's edge (H3 resolution 10, ~66 m edges), and then the other way does not."""
    return next((lat + d, lon) for d in (metres * M, -metres * M) if cell_of(lat + d, lon) == cell_of(lat, lon))


def outage(tag: str, lat: float, lon: float) -> RecordIn:
    return RecordIn(
        department="public-works",
        layer="street_light_outage",
        external_id=f"SL-{tag}",
        category="Street light out",
        point=(lat, lon),
        opened_at=datetime.now(UTC) - timedelta(days=1),
    )


async def test_a_quiet_cell_re_evaluates_only_its_changed_records(settings, test_city) -> None:
    places = places_of(LayersSettings(places_file=test_city.path))
    lat, lon = test_city.inside[test_city.a]
    cell = cell_of(lat, lon)
    tag = uuid.uuid4().hex[:8]
    engine = create_engine(settings.require_database_url(), pool_size=2)
    sessions = session_factory(engine)
    try:
        async with sessions() as s, s.begin():
            report = await accept(s, [outage(f"{tag}-old", lat, lon)], places, source="http")
            (old_id,) = report.record_ids
        async with sessions() as s, s.begin():
            assert cell in {d.cell for d in await records.take_dirty(s)}  # taken: the worker's tick
        async with sessions() as s, s.begin():
            report = await accept(s, [outage(f"{tag}-new", *beside(lat, lon, 5))], places, source="http")
            (new_id,) = report.record_ids
        async with sessions() as s, s.begin():
            (mine,) = [d for d in await records.take_dirty(s) if d.cell == cell]
            assert not mine.spread
            now = datetime.now(UTC)
            changed = await connections.trigger_records(
                s, ["street_light_outage"], now, near=[], changed=([mine.cell], mine.since)
            )
            assert [str(r.record_id) for r in changed] == [new_id]
            # Incidents changed here: every record in the cells within reach, the old one too.
            spread = await connections.trigger_records(s, ["street_light_outage"], now, near=[cell])
            assert {str(r.record_id) for r in spread} == {old_id, new_id}
    finally:
        await engine.dispose()


async def test_a_later_mark_keeps_the_earliest_time(settings, test_city) -> None:
    """Two transactions mark one cell before the worker takes it: the records of both are found."""
    places = places_of(LayersSettings(places_file=test_city.path))
    lat, lon = test_city.inside[test_city.b]
    cell = cell_of(lat, lon)
    tag = uuid.uuid4().hex[:8]
    engine = create_engine(settings.require_database_url(), pool_size=2)
    sessions = session_factory(engine)
    try:
        ids = []
        for i in range(2):
            async with sessions() as s, s.begin():
                point = beside(lat, lon, i)
                ids += (await accept(s, [outage(f"{tag}-{i}", *point)], places, source="http")).record_ids
        async with sessions() as s, s.begin():
            (mine,) = [d for d in await records.take_dirty(s) if d.cell == cell]
            found = await connections.trigger_records(
                s, ["street_light_outage"], datetime.now(UTC), near=[], changed=([cell], mine.since)
            )
            assert {str(r.record_id) for r in found} == set(ids)
    finally:
        await engine.dispose()
