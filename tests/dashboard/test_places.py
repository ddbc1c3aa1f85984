"""The kit's copy of the demo city (what dashboard and layers locate points in) must stay the one intake serves."""

from __future__ import annotations

import json
from importlib.resources import files

from porchlight.kit.city import DEMO_CITY, load_city


def test_kits_demo_city_equals_intakes():
    intake_copy = files("porchlight.intake.places").joinpath("demo_city.geojson").read_text(encoding="utf-8")
    assert json.loads(DEMO_CITY.read_text(encoding="utf-8")) == json.loads(intake_copy)


def test_points_are_located_in_their_district(test_city):
    (lat_a, lon_a), (lat_b, lon_b) = test_city.inside[test_city.a], test_city.inside[test_city.b]
    assert test_city.city.locate([lat_a, lat_b, 0.0], [lon_a, lon_b, 0.0]) == [test_city.a, test_city.b, None]


def test_demo_city_has_its_twelve_police_districts():
    city = load_city(DEMO_CITY)
    assert {"A1", "B2", "C11", "D4", "E18"} <= set(city.codes)
    assert len(city.codes) == 12
    # Boston Common is in A1 (Downtown).
    assert city.locate([42.355], [-71.066]) == ["A1"]
