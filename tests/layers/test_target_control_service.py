"""Target vs control, wired: ``project.completed`` with a point reaches layers, which compares the
place's incidents (and residents' sentiment) with matched control cells of its district once a
whole day has passed, serves the result and publishes ``project.evaluated``. A planted drop is
found (p < 0.05); a place without one is not.

Each test has a district of its own at a fixed place in the Southern Ocean (no other test's city
is there), so the incidents, the cells and therefore the seeded result are the same every run.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import h3
import numpy as np
import pytest
import sqlalchemy as sa
from shapely.geometry import box
from support import bearer, eventually, published, running, scalar

from porchlight.events import EventProducer, ProjectCompleted, ProjectEvaluated, Topics
from porchlight.events.catalog import GeoPoint
from porchlight.kit.db import create_engine
from porchlight.kit.settings import KitSettings
from porchlight.layers.concerns.models import note_concerns, note_moods
from porchlight.layers.evaluation.comparison import cells_of, cells_within
from porchlight.layers.evaluation.worker import EvaluationWorker
from porchlight.layers.records.models import records
from porchlight.layers.records.startup import places_of
from porchlight.layers.settings import LayersSettings

pytestmark = pytest.mark.integration

DAY = timedelta(days=1)
NOTE_TEXT = "dark corner (target-vs-control test)"


@dataclass
class Place:
    path: Path
    code: str
    point: tuple[float, float]  # lat, lon: the project's place, the district's centre
    cells: list[str]


def place_at(tmp_path: Path, lat: float, lon: float, size: float = 0.03) -> Place:
    """A square district of its own (about 2 x 3 km) centred on (lat, lon)."""
    code = f"TC-{uuid.uuid4().hex[:6].upper()}"
    area = box(lon - size / 2, lat - size / 2, lon + size / 2, lat + size / 2)
    feature = {
        "type": "Feature",
        "properties": {"kind": "district", "code": code, "name": f"District {code}"},
        "geometry": area.__geo_interface__,
    }
    path = tmp_path / f"{code}.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "name": code, "features": [feature]}))
    return Place(path=path, code=code, point=(lat, lon), cells=cells_of(area))


async def plant(
    settings: KitSettings,
    place: Place,
    completed_at: datetime,
    *,
    seed: int,
    effect: float = 0.0,
    mood_shift: float | None = None,
) -> None:
    """Poisson incidents per cell over a year before completion and 90 days after, the target area
    three times as hot as a typical cell and ``effect`` less after; with ``mood_shift``, residents'
    notes in every cell, the target's scores ``mood_shift`` higher after completion."""
    rng = np.random.default_rng(seed)
    cells = place.cells
    centres = np.array([h3.cell_to_latlng(c) for c in cells])
    target = set(cells_within(place.point, 150))
    in_target = np.array([c in target for c in cells])
    rate = rng.gamma(2.0, 0.02, len(cells)) * np.where(in_target, 3.0, 1.0)  # per day

    def spread(counts: np.ndarray, offset: int, length: int) -> list[tuple[str, float, float, datetime]]:
        idx = np.repeat(np.arange(len(cells)), counts)
        jitter = rng.uniform(-5e-5, 5e-5, (len(idx), 2))
        days = offset + rng.random(len(idx)) * length
        return [
            (cells[i], float(centres[i, 0] + dy), float(centres[i, 1] + dx), completed_at + timedelta(days=float(d)))
            for i, (dy, dx), d in zip(idx, jitter, days, strict=True)
        ]

    incidents = []
    for offset, length, factor in ((-360, 360, 1.0), (0, 90, 1.0 - effect)):
        incidents += spread(rng.poisson(rate * np.where(in_target, factor, 1.0) * length), offset, length)
    rows = [
        {
            "record_id": uuid.uuid4(),
            "department": "police",
            "layer": "incident",
            "external_id": f"TC-{place.code}-{seed}-{n}",
            "category": "Larceny",
            "status": "closed",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "lat": lat,
            "lon": lon,
            "cell": cell,
            "district": place.code,
            "opened_at": at,
            "source": "file",
        }
        for n, (cell, lat, lon, at) in enumerate(incidents)
    ]
    concerns, moods = [], []
    if mood_shift is not None:
        for offset, shift in ((-90, 0.0), (0, mood_shift)):
            for cell, lat, lon, at in spread(rng.poisson(np.full(len(cells), 1.5)), offset, 90):
                note_id = uuid.uuid4()
                score = float(np.clip(rng.normal(-0.2, 0.3) + (shift if cell in target else 0.0), -1, 1))
                common = {"note_id": note_id, "revision": 1, "district": place.code, "occurred_at": at}
                concerns.append(common | {"position": 0, "text": NOTE_TEXT, "lat": lat, "lon": lon})
                moods.append(common | {"sentiment_score": score})
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.insert(records), rows)
            if concerns:
                await conn.execute(sa.insert(note_concerns), concerns)
                await conn.execute(sa.insert(note_moods), moods)
    finally:
        await engine.dispose()


async def forget(settings: KitSettings, place: Place) -> None:
    """Remove the incidents and notes ``plant`` put in the place's district (they sit at fixed
    places: a rerun on a kept database must not count them twice)."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.delete(records).where(
                    records.c.district == place.code, records.c.external_id.startswith(f"TC-{place.code}-")
                )
            )
            notes = sa.select(note_concerns.c.note_id).where(
                note_concerns.c.district == place.code, note_concerns.c.text == NOTE_TEXT
            )
            await conn.execute(sa.delete(note_moods).where(note_moods.c.note_id.in_(notes)))
            await conn.execute(sa.delete(note_concerns).where(note_concerns.c.note_id.in_(notes)))
    finally:
        await engine.dispose()


def completed(place: Place, at: datetime, project_id: uuid.UUID | None = None) -> ProjectCompleted:
    return ProjectCompleted(
        project_id=project_id or uuid.uuid4(),
        priority_id=uuid.uuid4(),
        district=place.code,
        department="public-works",
        completed_at=at,
        point=GeoPoint(lat=place.point[0], lon=place.point[1]),
    )


async def evaluated(client, settings: KitSettings, project_id: uuid.UUID) -> dict:  # type: ignore[no-untyped-def]
    url = f"/v1/evaluations/projects/{project_id}"
    staff = bearer(settings, "analyst")

    async def done() -> bool:
        r = await client.get(url, headers=staff)
        return r.status_code == 200 and r.json()["status"] != "waiting"

    await eventually(done, timeout_s=60)
    body: dict = (await client.get(url, headers=staff)).json()
    return body


async def test_a_planted_drop_is_found_served_and_announced_once(settings: KitSettings, tmp_path: Path) -> None:
    place = place_at(tmp_path, -53.2, 175.2)
    done_at = datetime.now(UTC) - 100 * DAY  # the after period is whole: one final result
    await plant(settings, place, done_at, seed=11, effect=0.7, mood_shift=0.6)
    event = completed(place, done_at)
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("layers", settings) as (app, client):
            app.state.runtime.provide(places_of(LayersSettings(places_file=place.path)))
            for _ in range(2):  # delivered twice (a producer's retry): kept and evaluated once
                await producer.publish(event, source="/porchlight/projects")
            body = await evaluated(client, settings, event.project_id)
            await app.state.runtime.relay.drain()
        announced = await published(settings, Topics.EVALUATIONS, ProjectEvaluated.TYPE, str(event.project_id))
    finally:
        await producer.stop()
        await forget(settings, place)

    assert body["status"] == "evaluated" and body["final"] and body["version"] == 1, body
    result = body["result"]
    assert result["days"] == 90 and not result["so_far"]
    assert result["significant"] and result["p_value"] < 0.05, result
    assert result["did"] < 0 and result["did_high"] < 0
    assert result["target_after"] < result["target_before"] * 0.6
    assert abs(result["control_after_mean"] - result["control_before_mean"]) < 0.4 * result["control_before_mean"]
    assert len(result["target_cells"]) == 7 and result["controls_per_cell"] == 5
    mood = result["sentiment"]
    assert mood is not None and mood["significant"] and mood["target_after_mean"] > mood["target_before_mean"]
    assert f"went from {result['target_before']} to {result['target_after']} in 90 days" in result["summary"]
    assert "Residents' sentiment in the target area went from" in result["summary"]

    assert announced["project_id"] == str(event.project_id) and announced["version"] == 1
    assert announced["p_value"] == result["p_value"] and announced["summary"] == result["summary"]
    kept = await scalar(settings, "select count(*) from layers.project_evaluations where project_id = :p",
                        p=event.project_id)  # fmt: skip
    assert kept == 1  # and evaluated once (version 1): the redelivery changed nothing


async def test_a_place_without_an_effect_is_not_significant(settings: KitSettings, tmp_path: Path) -> None:
    place = place_at(tmp_path, -53.5, 175.6)
    done_at = datetime.now(UTC) - 95 * DAY
    await plant(settings, place, done_at, seed=12)
    event = completed(place, done_at)
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("layers", settings) as (app, client):
            app.state.runtime.provide(places_of(LayersSettings(places_file=place.path)))
            await producer.publish(event, source="/porchlight/projects")
            body = await evaluated(client, settings, event.project_id)
    finally:
        await producer.stop()
        await forget(settings, place)
    result = body["result"]
    assert body["status"] == "evaluated", body
    assert not result["significant"] and result["p_value"] >= 0.05, result
    assert result["did_low"] < 0 < result["did_high"]
    assert result["sentiment"] is None
    assert result["sentiment_reason"].startswith("only 0 residents' notes")


async def test_waiting_until_a_whole_day_has_passed_and_unknown_projects(settings: KitSettings, tmp_path: Path) -> None:
    place = place_at(tmp_path, -53.8, 175.9)
    event = completed(place, datetime.now(UTC) - timedelta(hours=3))
    no_place = completed(place, datetime.now(UTC) - 10 * DAY).model_copy(
        update={"project_id": uuid.uuid4(), "point": None}
    )
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("layers", settings) as (app, client):
            app.state.runtime.provide(places_of(LayersSettings(places_file=place.path)))
            skipped = await producer.publish(no_place, source="/porchlight/projects")
            await producer.publish(event, source="/porchlight/projects")
            url = f"/v1/evaluations/projects/{event.project_id}"
            staff = bearer(settings, "analyst")

            async def received() -> bool:
                applied = await scalar(settings, "select count(*) from layers.inbox where event_id = :i", i=skipped)
                return applied == 1 and (await client.get(url, headers=staff)).status_code == 200

            await eventually(received, timeout_s=60)
            body = (await client.get(url, headers=staff)).json()
            assert body["status"] == "waiting" and body["result"] is None and not body["final"]
            assert body["next_evaluation_at"] == (event.completed_at + DAY).isoformat().replace("+00:00", "Z")
            worker = app.state.runtime.resource(EvaluationWorker)
            assert event.project_id not in await worker.run_once()  # not due yet

            other = bearer(settings, "supervisor", district="D4")
            assert (await client.get(url, headers=other)).status_code == 403
            # A project without a place has nothing to compare: never kept.
            missing = await client.get(f"/v1/evaluations/projects/{no_place.project_id}", headers=staff)
            assert missing.status_code == 404
            assert (await client.get(f"/v1/evaluations/projects/{uuid.uuid4()}", headers=staff)).status_code == 404
    finally:
        await producer.stop()
