"""A city's places file may give each neighborhood's population (the dashboard's listening gap):
a whole number of residents, or nothing; anything else is refused naming the field."""

from __future__ import annotations

import copy

import pytest
from support import bearer, running, scalar

from porchlight.intake.places.geometry.geojson import parse_city
from porchlight.intake.places.service import demo_city


def _first_neighborhood(city: dict) -> int:
    return next(i for i, f in enumerate(city["features"]) if f["properties"]["kind"] == "neighborhood")


def test_the_demo_city_with_its_populations_parses_clean():
    parsed = parse_city(demo_city())
    assert parsed.errors == []
    assert sum(p.kind == "neighborhood" for p in parsed.places) == 17


@pytest.mark.parametrize(
    ("prop", "bad"),
    [
        ("population", -5),
        ("population", 1200.5),
        ("population", "1,200"),
        ("population", True),
        ("population_year", "2020"),
    ],
)
def test_a_bad_population_is_named_by_feature_and_property(prop, bad):
    city = copy.deepcopy(demo_city())
    i = _first_neighborhood(city)
    city["features"][i]["properties"][prop] = bad
    parsed = parse_city(city, prefix="body.")
    assert [e["field"] for e in parsed.errors] == [f"body.features[{i}].properties.{prop}"]


def test_population_may_be_left_out_or_null():
    city = copy.deepcopy(demo_city())
    i = _first_neighborhood(city)
    city["features"][i]["properties"]["population"] = None
    del city["features"][i + 1]["properties"]["population"]
    assert parse_city(city).errors == []


@pytest.mark.integration
async def test_put_places_with_a_negative_population_is_a_422_and_changes_nothing(settings):
    city = copy.deepcopy(demo_city())
    i = _first_neighborhood(city)
    city["features"][i]["properties"]["population"] = -1
    async with running("intake", settings, background=False) as (_, client):
        version = await scalar(settings, "SELECT version FROM intake.places_version")
        r = await client.put("/v1/places", json=city, headers=bearer(settings, "admin"))
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == [f"body.features[{i}].properties.population"]
        assert "whole number of residents" in r.json()["errors"][0]["message"]
        assert await scalar(settings, "SELECT version FROM intake.places_version") == version
