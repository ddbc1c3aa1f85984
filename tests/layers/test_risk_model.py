"""The RTM estimator on synthetic data over a small box of Boston: distance choice, family choice,
the surface, GeoJSON and the narrative's checkable numbers (no database)."""

from __future__ import annotations

import re

import h3
import numpy as np
import pytest
from shapely.geometry import box

from porchlight.layers.risk.terrain import RiskModel, describe, figure, fit_risk
from porchlight.layers.risk.terrain.grid import Plane, centres, count_in_cells, nearest_m, study_cells

AREA = box(-71.10, 42.30, -71.06, 42.33)  # ~3.3 x 3.3 km of Dorchester / Roxbury: ~700 cells
NUMBER = re.compile(r"\d+(?:\.\d+)?")


@pytest.fixture(scope="module")
def grid() -> tuple[list[str], np.ndarray, np.ndarray, Plane]:
    cells = study_cells(None, AREA, np.empty((0, 2)))
    ll = centres(cells)
    plane = Plane.around(ll)
    return cells, ll, plane.xy(ll), plane


def scatter(rng: np.random.Generator, k: int) -> np.ndarray:
    minx, miny, maxx, maxy = AREA.bounds
    return np.column_stack([rng.uniform(miny, maxy, k), rng.uniform(minx, maxx, k)])


def incidents_from(counts: np.ndarray, ll: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``counts[i]`` incidents in cell ``i``, scattered up to ~20 m from its centre (inside the cell)."""
    at = np.repeat(np.arange(len(counts)), counts)
    return ll[at] + rng.uniform(-1.5e-4, 1.5e-4, (len(at), 2))


def plant(grid, layers: dict[str, tuple[np.ndarray, int, float]], base: float, seed: int, alpha: float = 0.0):
    """Incidents with rate base x RR^[within distance of the layer]; gamma-mixed when alpha > 0."""
    _, ll, xy, plane = grid
    rng = np.random.default_rng(seed)
    rate = np.full(len(ll), base)
    for points, distance, rr in layers.values():
        rate = rate * np.where(nearest_m(xy, plane.xy(points), 1000) <= distance, rr, 1.0)
    if alpha > 0:
        rate = rate * rng.gamma(1 / alpha, alpha, len(rate))
    return incidents_from(rng.poisson(rate), ll, rng)


@pytest.mark.parametrize("distance", [100, 200, 300])
def test_the_planted_distance_is_chosen(grid, distance: int) -> None:
    rng = np.random.default_rng(distance)
    outages = scatter(rng, 25)
    incidents = plant(grid, {"outages": (outages, distance, 2.5)}, base=1.5, seed=distance)
    model = fit_risk(incidents, {"outages": outages, "parks": scatter(rng, 25)}, cells=grid[0])
    by_layer = {f.layer: f for f in model.factors}
    assert by_layer["outages"].selected
    assert by_layer["outages"].distance_m == distance
    assert by_layer["outages"].ci_low < 2.5 < by_layer["outages"].ci_high
    assert model.family == "poisson"
    assert model.factors[0].layer == "outages"  # kept layers first


@pytest.fixture(scope="module")
def fitted(grid) -> RiskModel:
    rng = np.random.default_rng(7)
    outages, graffiti, parks = scatter(rng, 30), scatter(rng, 40), scatter(rng, 15)
    incidents = plant(grid, {"outages": (outages, 200, 2.5), "graffiti": (graffiti, 100, 1.8)}, base=1.5, seed=7)
    layers = {"outages": outages, "graffiti": graffiti, "parks": parks, "permits": np.empty((0, 2))}
    return fit_risk(incidents, layers, area=AREA)


def test_factors_surface_and_counts(grid, fitted: RiskModel) -> None:
    by_layer = {f.layer: f for f in fitted.factors}
    assert [f.layer for f in fitted.selected] == ["outages", "graffiti"]
    assert by_layer["permits"].distance_m is None and not by_layer["permits"].selected
    assert np.isnan(by_layer["permits"].relative_risk)
    assert by_layer["parks"].distance_m in (100, 200, 300)  # not kept, still reported with its best distance
    assert fitted.cells == len(grid[0]) and fitted.outside == 0
    assert fitted.incidents == int(fitted.observed.sum())

    surface = fitted.surface()
    assert len(surface) == fitted.cells
    assert [c.rrs for c in surface] == sorted((c.rrs for c in surface), reverse=True)
    for c in surface:
        expected_rrs = np.prod([by_layer[name].relative_risk for name in c.factors])
        assert c.rrs == pytest.approx(expected_rrs)
        assert c.expected == pytest.approx(fitted.baseline * c.rrs)
    assert sum(c.observed for c in surface) == fitted.incidents
    assert fitted.cell(surface[3].cell) == surface[3]
    with pytest.raises(KeyError):
        fitted.cell("8a2a1072b59ffff")  # Boston, but outside the box


def test_geojson(fitted: RiskModel) -> None:
    collection = fitted.geojson(top=5)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert [f["properties"]["cell"] for f in features] == [c.cell for c in fitted.surface(5)]
    for f in features:
        ring = f["geometry"]["coordinates"][0]
        assert f["geometry"]["type"] == "Polygon" and len(ring) == 7 and ring[0] == ring[-1]
        lon, lat = ring[0]
        assert -71.2 < lon < -71.0 and 42.2 < lat < 42.4  # GeoJSON order: lon, lat
        assert set(f["properties"]) == {"cell", "rrs", "expected", "observed", "factors"}
        assert h3.latlng_to_cell(*h3.cell_to_latlng(f["id"]), 10) == f["id"]
    assert len(fitted.geojson()["features"]) == fitted.cells


def check_numbers(sentences) -> None:
    for s in sentences:
        written = {figure(v) for v in s.figures.values()}
        numbers = NUMBER.findall(s.text)
        for n in numbers:
            assert n in written, f"{n!r} in {s.text!r} is not one of {sorted(written)}"


def test_every_number_of_the_narrative_is_a_returned_figure(fitted: RiskModel) -> None:
    area = describe(fitted, subject="vehicle thefts")
    assert len(area) == 1 + len(fitted.factors)
    assert "Vehicle thefts:" in area[0].text
    outage = next(s for s in area if s.layer == "outages")
    assert outage.distance_m == 200 and outage.figures["relative_risk"] == fitted.factors[0].relative_risk
    assert f"{figure(fitted.factors[0].relative_risk)} times as likely within 200 m" in outage.text
    top, bottom = fitted.surface()[0], fitted.surface()[-1]
    assert top.factors and not bottom.factors
    at_top, at_bottom = describe(fitted, top.cell), describe(fitted, bottom.cell)
    assert f"{figure(top.rrs)} times" in at_top[0].text
    assert "near none of the risk factors" in at_bottom[0].text
    for sentences in (area, at_top, at_bottom):
        assert any(NUMBER.search(s.text) for s in sentences)
        check_numbers(sentences)


def test_the_number_check_catches_a_number_not_returned() -> None:
    from porchlight.layers.risk.terrain import Sentence

    with pytest.raises(AssertionError):
        check_numbers([Sentence("2.4 times as likely within 150 m", {"rr": 2.4, "distance": 200})])


def test_figure() -> None:
    assert [figure(x) for x in (2.44, 3.0, 0.4312, 0.0123, 0, 8495, 95)] == [
        "2.4",
        "3",
        "0.43",
        "0.012",
        "0",
        "8495",
        "95",
    ]


def test_negative_binomial_on_overdispersed_counts(grid) -> None:
    rng = np.random.default_rng(3)
    outages = scatter(rng, 30)
    incidents = plant(grid, {"outages": (outages, 200, 2.0)}, base=3.0, seed=3, alpha=0.8)
    model = fit_risk(incidents, {"outages": outages}, cells=grid[0])
    assert model.family == "negative binomial"
    assert model.dispersion > 1.5
    assert model.alpha is not None and 0.5 < model.alpha < 1.2
    outage = model.factors[0]
    assert outage.selected and outage.ci_low < 2.0 < outage.ci_high
    poisson = fit_risk(plant(grid, {"outages": (outages, 200, 2.0)}, 3.0, 4), {"outages": outages}, cells=grid[0])
    assert poisson.family == "poisson" and poisson.alpha is None and poisson.dispersion < 1.5


def test_incidents_are_counted_in_their_cells(grid) -> None:
    cells = grid[0]
    rng = np.random.default_rng(1)
    points = scatter(rng, 2000)
    points = np.vstack([points, [[42.36, -71.06]]])  # downtown: outside the box
    counts = count_in_cells(points, cells)
    truth: dict[str, int] = {}
    for lat, lon in points:
        cell = h3.latlng_to_cell(lat, lon, 10)
        truth[cell] = truth.get(cell, 0) + 1
    assert counts.tolist() == [truth.get(c, 0) for c in cells]
    assert counts.sum() < len(points)


def test_errors(grid) -> None:
    layers = {"outages": np.array([[42.31, -71.08]])}
    with pytest.raises(ValueError, match="no incidents"):
        fit_risk(np.empty((0, 2)), layers, area=AREA)
    with pytest.raises(ValueError, match="no incidents"):
        fit_risk([[np.nan, np.nan]], layers, area=AREA)
    with pytest.raises(ValueError, match="inside the study area"):
        fit_risk(np.array([[42.36, -71.06]]), layers, area=AREA)
    with pytest.raises(ValueError, match="lon, lat"):
        fit_risk(np.array([[100.0, -71.08]]), layers, area=AREA)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        fit_risk(np.array([42.31, -71.08, 1.0]), layers, area=AREA)
    with pytest.raises(ValueError, match="too few"):
        fit_risk(np.array([[42.31, -71.08]]), layers, cells=grid[0][:3])
    with pytest.raises(ValueError, match="not H3 cells"):
        fit_risk(np.array([[42.31, -71.08]]), layers, cells=["nope"])
    with pytest.raises(ValueError, match="folds"):
        fit_risk(np.array([[42.31, -71.08]]), layers, area=AREA, folds=1)
