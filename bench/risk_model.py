"""The risk model (RTM) over 1,000,000 incidents x 10 layers (issue 13: under 60 s, under 1 GB on 2 cores).

The study area is the demo city (Boston's 12 police districts, ~8,500 H3 cells at resolution 10).
Five layers are the real 2015 311 points of ../shared/data/boston_311_2015_layers.csv (street light
outages, graffiti, abandoned vehicles, needle pickups, park requests), five are uniform random
points over the city's bounding box. Incidents are planted per cell at rate base x 2.5 near outages
(200 m) x 1.5 near graffiti (100 m) x 1.3 near needle pickups (300 m), scaled to N in all, each
scattered up to ~20 m around its cell's centre. The clock runs over ``fit_risk`` alone (counting
into cells, exposures, family, cross-validated selection, final fit) and the surface's GeoJSON.

    .venv/bin/python bench/risk_model.py [--incidents 1000000] [--folds 5] [--seed 0] [--overdispersion A]
                                         [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import time
from pathlib import Path

import numpy as np
from shapely.ops import unary_union

from porchlight.kit.city import load_city
from porchlight.layers.risk.terrain import fit_risk
from porchlight.layers.risk.terrain.grid import Plane, centres, nearest_m, study_cells

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data" / "boston_311_2015_layers.csv"
REAL = ["Street Light Outages", "Graffiti Removal", "Abandoned Vehicles", "Needle Pickup", "Parks General Request"]
RANDOM = {"Random A": 200, "Random B": 500, "Random C": 1000, "Random D": 2000, "Random E": 5000}
PLANTED = {"Street Light Outages": (200, 2.5), "Graffiti Removal": (100, 1.5), "Needle Pickup": (300, 1.3)}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(n: int, seed: int, alpha: float) -> tuple[list[str], np.ndarray, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    points: dict[str, list[tuple[float, float]]] = {name: [] for name in REAL}
    with DATA.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["layer"] in points and row["latitude"] and row["longitude"]:
                points[row["layer"]].append((float(row["latitude"]), float(row["longitude"])))
    layers = {name: np.array(p) for name, p in points.items()}
    city = unary_union([d.geometry for d in load_city(None).districts])
    minx, miny, maxx, maxy = city.bounds
    for name, k in RANDOM.items():
        layers[name] = np.column_stack([rng.uniform(miny, maxy, k), rng.uniform(minx, maxx, k)])
    cells = study_cells(None, city, np.empty((0, 2)))
    ll = centres(cells)
    plane = Plane.around(ll)
    rate = np.ones(len(cells))
    for name, (distance, rr) in PLANTED.items():
        rate *= np.where(nearest_m(plane.xy(ll), plane.xy(layers[name]), 1000) <= distance, rr, 1.0)
    if alpha > 0:  # cell-level heterogeneity no layer explains: the negative binomial path
        rate *= rng.gamma(1 / alpha, alpha, len(rate))
    counts = rng.multinomial(n, rate / rate.sum())
    at = np.repeat(np.arange(len(cells)), counts)
    incidents = ll[at] + rng.uniform(-1.5e-4, 1.5e-4, (len(at), 2))
    return cells, incidents, layers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--incidents", type=int, default=1_000_000)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--overdispersion", type=float, default=0.0, help="gamma-mixing alpha per cell (0: Poisson)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    t0 = time.perf_counter()
    _, incidents, layers = make_data(args.incidents, args.seed, args.overdispersion)
    synth_s = time.perf_counter() - t0
    rss_before = rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    # The area as a polygon, not the cell list: fit_risk then finds the cells itself, as the route will.
    area = unary_union([d.geometry for d in load_city(None).districts])
    model = fit_risk(incidents, layers, area=area, folds=args.folds, seed=args.seed)
    fit_s = time.perf_counter() - t0
    geojson = model.geojson()
    total_s = time.perf_counter() - t0
    cpu_s = time.process_time() - c0
    result = {
        "incidents": len(incidents),
        "layers": len(layers),
        "cells": model.cells,
        "modelled": model.incidents,
        "outside": model.outside,
        "family": model.family,
        "dispersion": round(model.dispersion, 3),
        "alpha": None if model.alpha is None else round(model.alpha, 3),
        "synthesis_s": round(synth_s, 2),
        "fit_s": round(fit_s, 2),
        "fit_and_geojson_s": round(total_s, 2),
        "cpu_s": round(cpu_s, 2),
        "peak_rss_mb_before_fit": round(rss_before, 1),
        "peak_rss_mb": round(rss_mb(), 1),
        "geojson_features": len(geojson["features"]),
        "factors": [
            {
                "layer": f.layer,
                "selected": f.selected,
                "distance_m": f.distance_m,
                "relative_risk": round(f.relative_risk, 3),
                "ci": [round(f.ci_low, 3), round(f.ci_high, 3)],
                "planted": PLANTED.get(f.layer, (None, 1.0)),
                "exposed_cells": f.exposed_cells,
            }
            for f in model.factors
        ],
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
