"""The RTM estimator proven by simulation on Boston's real layer geometry (issue 13): known relative
risks are planted near the real 2015 311 street light outages and graffiti reports, with a null
(relative risk 1) near park requests, abandoned vehicles and needle pickups, over the cells of
the demo city's 12 police districts; each planted relative risk must fall inside the returned 95 %
interval in at least 90 % of seeds, at the planted distance every time; a null layer must be left
out, or kept with an interval holding 1, in at least 90 % of seeds.

200 seeds rather than 20: even the true model's intervals miss 5 % of the time, and 20 seeds would
fall under 90 % one time in thirteen by chance alone (on seeds 0-99 the true model, fitted with
the planted covariates, covers the outages' 2.5 in exactly 90).

A null layer's reported interval is not held to 95 %: when it is left out, the figure reported is
its best of three distances, chosen because it fitted the noise best."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from shapely.ops import unary_union

from porchlight.kit.city import load_city
from porchlight.layers.risk.terrain import fit_risk
from porchlight.layers.risk.terrain.grid import Plane, centres, nearest_m, study_cells

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "boston_311_2015_layers.csv"
SEEDS = range(200)
# layer -> (planted distance, planted relative risk)
PLANTED = {
    "Street Light Outages": (200, 2.5),
    "Graffiti Removal": (100, 1.5),
    "Parks General Request": (100, 1.0),
    "Abandoned Vehicles": (200, 1.0),
    "Needle Pickup": (300, 1.0),
}


@pytest.fixture(scope="module")
def boston() -> tuple[list[str], np.ndarray, dict[str, np.ndarray], np.ndarray]:
    if not DATA.exists():
        pytest.skip(f"{DATA} is not here")
    points: dict[str, list[tuple[float, float]]] = {name: [] for name in PLANTED}
    with DATA.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["layer"] in points and row["latitude"] and row["longitude"]:
                points[row["layer"]].append((float(row["latitude"]), float(row["longitude"])))
    layers = {name: np.array(p) for name, p in points.items()}
    cells = study_cells(None, unary_union([d.geometry for d in load_city(None).districts]), np.empty((0, 2)))
    ll = centres(cells)
    plane = Plane.around(ll)
    rate = np.ones(len(cells))  # one incident per block away from every layer: ~20,000 over the city
    for name, (distance, rr) in PLANTED.items():
        rate *= np.where(nearest_m(plane.xy(ll), plane.xy(layers[name]), 1000) <= distance, rr, 1.0)
    return cells, ll, layers, rate


def test_planted_relative_risks_are_recovered(boston) -> None:
    cells, ll, layers, rate = boston
    assert len(cells) > 8000 and all(len(p) > 200 for p in layers.values())
    covered = dict.fromkeys(PLANTED, 0)  # seeds whose interval holds the planted relative risk
    null_fine = dict.fromkeys(PLANTED, 0)
    right_distance = dict.fromkeys(PLANTED, 0)
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        at = np.repeat(np.arange(len(cells)), rng.poisson(rate))
        incidents = ll[at] + rng.uniform(-1.5e-4, 1.5e-4, (len(at), 2))  # within ~20 m of the centre
        model = fit_risk(incidents, layers, cells=cells, seed=seed)
        assert model.family == "poisson" and model.outside == 0
        for f in model.factors:
            distance, rr = PLANTED[f.layer]
            covered[f.layer] += f.ci_low <= rr <= f.ci_high
            right_distance[f.layer] += f.distance_m == distance
            if rr == 1.0:
                null_fine[f.layer] += not f.selected or f.ci_low <= 1.0 <= f.ci_high
            else:
                assert f.selected
    for name, (_, rr) in PLANTED.items():
        if rr != 1.0:
            assert covered[name] >= 0.9 * len(SEEDS), (name, covered)
            assert right_distance[name] == len(SEEDS), (name, right_distance)
        else:
            assert null_fine[name] >= 0.9 * len(SEEDS), (name, null_fine)
