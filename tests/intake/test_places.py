"""The city's places: the demo city, the resolver, loading, routes and the CLI (real database).

Other tests rely on the demo city being loaded: every test that loads something else puts the
demo city back in a ``finally``.
"""

from __future__ import annotations

import copy
import csv
import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from support import bearer, running, scalar
from typer.testing import CliRunner

from porchlight.events.catalog import GeoPoint
from porchlight.intake.places.service import ResolvedPlace, demo_city, load_demo_city, load_geojson, resolve_place
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.errors import ValidationProblem
from porchlight.kit.settings import KitSettings

BOSTON_CSV = Path("/work/shared/data/boston_311_2015_layers.csv")
DISTRICTS = {"A1", "A7", "A15", "B2", "B3", "C6", "C11", "D4", "D14", "E5", "E13", "E18"}

# Points well inside a district of the demo city (from the 311 cases).
IN_C6 = GeoPoint(lat=42.3335, lon=-71.0495)  # South Boston
IN_A7 = GeoPoint(lat=42.3790, lon=-71.0330)  # East Boston
NEW_YORK = GeoPoint(lat=40.7128, lon=-74.0060)


@pytest.fixture
async def session(settings: KitSettings) -> AsyncIterator[AsyncSession]:
    """A transaction that is committed when the test passes (like a request's boundary)."""
    engine = create_engine(settings.require_database_url(), pool_size=2)
    try:
        async with session_factory(engine)() as s, s.begin():
            await load_demo_city(s)  # no-op when loaded (the intake lifespan loads it too)
        async with session_factory(engine)() as s, s.begin():
            yield s
    finally:
        await engine.dispose()


async def in_transaction(settings: KitSettings, work: Any) -> Any:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with session_factory(engine)() as s, s.begin():
            return await work(s)
    finally:
        await engine.dispose()


async def restore_demo_city(settings: KitSettings) -> None:
    await in_transaction(settings, lambda s: load_geojson(s, demo_city()))


def square(lon: float, lat: float, size: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(kind: str, code: str, geometry: dict[str, Any], **props: str) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"kind": kind, "code": code, "name": code.title(), **props},
        "geometry": geometry,
    }


def tiny_city() -> dict[str, Any]:
    """Two square districts side by side near (0, 0); one neighborhood with no parent given."""
    return {
        "type": "FeatureCollection",
        "features": [
            feature("district", "west", square(0.0, 0.0, 1.0)),
            feature("district", "east", square(1.0, 0.0, 1.0)),
            feature("neighborhood", "harbor", square(1.2, 0.2, 0.5)),
        ],
    }


def boston_sample(n: int = 200) -> list[tuple[float, float, str]]:
    """Every k-th located case with a police district, skipping the geocoder's default point."""
    with BOSTON_CSV.open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["latitude"] and r["longitude"] and r["police_district"]]
    # ~1,700 cases of every district sit on one coordinate (City Hall): the geocoder's default.
    placeholder = Counter((r["latitude"], r["longitude"]) for r in rows).most_common(1)[0][0]
    rows = [r for r in rows if (r["latitude"], r["longitude"]) != placeholder]
    step = len(rows) // n
    return [
        (float(r["latitude"]), float(r["longitude"]), r["police_district"].replace("-", "")) for r in rows[::step][:n]
    ]


async def problem_fields(call: Any) -> dict[str, str]:
    with pytest.raises(ValidationProblem) as caught:
        await call
    return {e["field"]: e["message"] for e in caught.value.errors or []}


# --- the demo city ---------------------------------------------------------------------------


async def test_standalone_start_loads_the_demo_city_and_staff_can_read_it(settings):
    async with running("intake", settings, background=False) as (_, client):
        r = await client.get("/v1/places", headers=bearer(settings, "officer"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["type"] == "FeatureCollection"
        kinds = Counter(f["properties"]["kind"] for f in body["features"])
        assert kinds == {"district": 12, "neighborhood": 17}
        districts = {
            f["properties"]["code"]: f["properties"]["name"]
            for f in body["features"]
            if f["properties"]["kind"] == "district"
        }
        assert set(districts) == DISTRICTS
        assert districts["A1"] == "District A1 (Downtown)"

        only = await client.get("/v1/places", params={"kind": "district"}, headers=bearer(settings, "analyst"))
        assert {f["properties"]["kind"] for f in only.json()["features"]} == {"district"}
        assert (await client.get("/v1/places")).status_code == 401
        bad_kind = await client.get("/v1/places", params={"kind": "ward"}, headers=bearer(settings, "officer"))
        assert bad_kind.status_code == 422


def test_demo_city_file_is_small_and_rounded():
    text = (Path(__file__).parents[2] / "services/intake/src/porchlight/intake/places/demo_city.geojson").read_text()
    assert len(text) < 300_000
    coords = json.loads(text)["features"][0]["geometry"]["coordinates"][0][:20]
    assert all(len(repr(c).split(".")[-1]) <= 5 for point in coords for c in point)


async def test_known_boston_cases_land_in_their_police_district(session):
    sample = boston_sample()
    hits = 0
    for lat, lon, district in sample:
        place = await resolve_place(session, point=GeoPoint(lat=lat, lon=lon))
        hits += place.district == district
    rate = hits / len(sample)
    print(f"\n{hits}/{len(sample)} Boston 311 cases resolved to their recorded police district ({rate:.1%})")
    assert len(sample) == 200
    assert rate >= 0.90


async def test_resolve_route_gives_district_and_neighborhood(settings):
    async with running("intake", settings, background=False) as (_, client):
        r = await client.get(
            "/v1/places/resolve", params={"lat": IN_A7.lat, "lon": IN_A7.lon}, headers=bearer(settings, "liaison")
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"district": "A7", "neighborhood": "east-boston"}

        out = await client.get(
            "/v1/places/resolve", params={"lat": NEW_YORK.lat, "lon": NEW_YORK.lon}, headers=bearer(settings, "liaison")
        )
        assert out.status_code == 422
        assert [e["field"] for e in out.json()["errors"]] == ["query.point"]


# --- the resolver's rules --------------------------------------------------------------------


async def test_point_fills_district_and_neighborhood(session):
    place = await resolve_place(session, point=IN_C6)
    assert place == ResolvedPlace(district="C6", neighborhood="south-boston", point=IN_C6, place_name=None)
    # A district that agrees is fine, whatever its case.
    assert (await resolve_place(session, district="c6", point=IN_C6)).district == "C6"


async def test_point_and_district_disagreeing_names_the_district(session):
    fields = await problem_fields(resolve_place(session, district="A1", point=IN_C6, field="body.concerns[0]"))
    assert list(fields) == ["body.concerns[0].district"]
    assert "C6" in fields["body.concerns[0].district"]


async def test_unknown_codes_are_named_with_valid_codes_all_at_once(session):
    fields = await problem_fields(resolve_place(session, district="Z9", neighborhood="atlantis"))
    assert set(fields) == {"body.district", "body.neighborhood"}
    assert "A1" in fields["body.district"]  # lists valid codes
    assert "dorchester" in fields["body.neighborhood"]


async def test_point_outside_the_city_names_the_point(session):
    fields = await problem_fields(resolve_place(session, point=NEW_YORK, field="form"))
    assert list(fields) == ["form.point"]


async def test_neither_district_nor_point_is_refused(session):
    assert list(await problem_fields(resolve_place(session))) == ["body.district"]
    assert list(await problem_fields(resolve_place(session, place_name="Main St library"))) == ["body.district"]


async def test_named_place_without_coordinates_needs_only_a_district(session):
    place = await resolve_place(session, district="C11", neighborhood="dorchester", place_name="  Main St   library ")
    assert place == ResolvedPlace(district="C11", neighborhood="dorchester", point=None, place_name="Main St library")


async def test_neighborhood_must_belong_to_the_district(session):
    fields = await problem_fields(resolve_place(session, district="A1", neighborhood="dorchester"))
    assert list(fields) == ["body.neighborhood"]
    assert "C11" in fields["body.neighborhood"]


async def test_every_demo_neighborhood_lies_in_its_district(session):
    from shapely.geometry import shape

    from porchlight.intake.places.repository import PlaceRepository

    districts = {p.code for p in await PlaceRepository(session).all("district")}
    for hood in await PlaceRepository(session).all("neighborhood"):
        assert hood.parent_code in districts
        inside = shape(hood.geometry).representative_point()
        place = await resolve_place(session, point=GeoPoint(lat=inside.y, lon=inside.x))
        assert (place.district, place.neighborhood) == (hood.parent_code, hood.code)


# --- loading ---------------------------------------------------------------------------------


def test_locate_many_answers_as_each_point_alone():
    """The index's batch lookup (imports place a batch of points at once) follows its own rule."""
    import random

    from porchlight.intake.places.geometry.geojson import parse_city
    from porchlight.intake.places.geometry.index import PlaceIndex
    from porchlight.intake.places.models import Place

    index = PlaceIndex.build(1, [Place(**p.row()) for p in parse_city(demo_city(), prefix="").places])
    rng = random.Random(11)
    points = [(round(rng.uniform(42.22, 42.40), 4), round(rng.uniform(-71.19, -70.99), 4)) for _ in range(2000)]
    points += [(IN_C6.lat, IN_C6.lon), (NEW_YORK.lat, NEW_YORK.lon), (IN_C6.lat, IN_C6.lon)]  # a repeat too
    located = index.locate_many(points)
    assert set(located) == set(points)
    assert located[(IN_C6.lat, IN_C6.lon)].district().code == "C6"  # type: ignore[union-attr]
    assert located[(NEW_YORK.lat, NEW_YORK.lon)].district() is None
    assert located[(NEW_YORK.lat, NEW_YORK.lon)].neighborhoods == ()
    inside = 0
    for lat, lon in points:
        one = located[(lat, lon)]
        district = index.district_at(lat, lon)
        inside += district is not None
        assert one.district() == district
        for parent in (None, district.code if district else None, "A1"):
            assert one.neighborhood(parent) == index.neighborhood_at(lat, lon, district=parent)
    assert 500 < inside < len(points)  # both inside and outside the city were asked
    assert index.locate_many([]) == {}


async def test_reload_replaces_everything_and_a_bad_file_changes_nothing(settings):
    version_before = await scalar(settings, "SELECT version FROM intake.places_version")
    try:
        # The demo city's index is cached in this process; the reload must be noticed.
        await in_transaction(settings, lambda s: resolve_place(s, point=IN_C6))
        report = await in_transaction(settings, lambda s: load_geojson(s, tiny_city()))
        assert (report.districts, report.neighborhoods) == (2, 1)
        assert report.derived_parents == {"harbor": "east"}
        assert report.version > version_before
        assert await scalar(settings, "SELECT count(*) FROM intake.places") == 3

        place = await in_transaction(settings, lambda s: resolve_place(s, point=GeoPoint(lat=0.4, lon=1.4)))
        assert (place.district, place.neighborhood) == ("east", "harbor")
        fields = await problem_fields(in_transaction(settings, lambda s: resolve_place(s, point=IN_C6)))
        assert list(fields) == ["body.point"]

        bad = copy.deepcopy(tiny_city())
        bad["features"][0]["properties"]["kind"] = "ward"
        bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
        bad["features"][1]["geometry"] = bowtie
        bad["features"].append(feature("district", "EAST", square(3.0, 0.0, 1.0)))  # repeats "east"
        bad["features"].append(feature("neighborhood", "lost", square(1.2, 0.2, 0.1), district="nowhere"))
        fields = await problem_fields(in_transaction(settings, lambda s: load_geojson(s, bad)))
        assert set(fields) == {
            "body.features[0].properties.kind",
            "body.features[1].geometry",
            "body.features[3].properties.code",
            "body.features[4].properties.district",
        }
        assert "'east'" in fields["body.features[1].geometry"]  # names the feature's code
        assert "Self-intersection" in fields["body.features[1].geometry"]
        assert await scalar(settings, "SELECT count(*) FROM intake.places") == 3
        assert await scalar(settings, "SELECT version FROM intake.places_version") == report.version
    finally:
        await restore_demo_city(settings)
    assert await scalar(settings, "SELECT count(*) FROM intake.places") == 29


async def test_put_places_is_for_admins_and_names_bad_features(settings):
    async with running("intake", settings, background=False) as (_, client):
        officer = await client.put("/v1/places", json=demo_city(), headers=bearer(settings, "officer"))
        assert officer.status_code == 403

        bad = {
            "type": "FeatureCollection",
            "features": [
                feature("district", "ok", square(0.0, 0.0, 1.0)),
                {
                    "type": "Feature",
                    "properties": {"kind": "district", "code": "p"},
                    "geometry": {"type": "Point", "coordinates": [0, 0]},
                },
            ],
        }
        r = await client.put("/v1/places", json=bad, headers=bearer(settings, "admin"))
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert {e["field"] for e in r.json()["errors"]} == {
            "body.features[1].properties.name",
            "body.features[1].geometry",
        }
        not_geojson = await client.put("/v1/places", json={"type": "Topology"}, headers=bearer(settings, "admin"))
        assert [e["field"] for e in not_geojson.json()["errors"]] == ["body.type"]

        ok = await client.put("/v1/places", json=demo_city(), headers=bearer(settings, "admin"))
        assert ok.status_code == 200, ok.text
        assert (ok.json()["districts"], ok.json()["neighborhoods"]) == (12, 17)
        assert ok.json()["warnings"] == []


def test_cli_places_load(settings, tmp_path, monkeypatch):
    from porchlight.kit import cli

    monkeypatch.setenv("DATABASE_URL", settings.require_database_url())
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(tmp_path))
    if not any(g.name == "places" for g in cli.app.registered_groups):
        cli._add_service_clis()
    runner = CliRunner()

    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [feature("district", "x", {"type": "Polygon", "coordinates": []})],
            }
        )
    )
    result = runner.invoke(cli.app, ["places", "load", str(bad)])
    assert result.exit_code == 1
    assert "features[0].geometry" in result.output
    assert "nothing was changed" in result.output

    good = tmp_path / "city.geojson"
    good.write_text(json.dumps(demo_city()))
    result = runner.invoke(cli.app, ["places", "load", str(good)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["districts"], report["neighborhoods"]) == (12, 17)
