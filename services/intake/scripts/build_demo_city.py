"""Build the demo city's districts and neighborhoods from Boston's 2015 311 cases.

    python services/intake/scripts/build_demo_city.py /work/shared/data/boston_311_2015_layers.csv \
        [-o services/intake/src/porchlight/intake/places/demo_city.geojson]

Boston publishes its official boundaries too, but this repository only holds the 311 cases
(City of Boston open data, ODC PDDL), so the shapes are APPROXIMATIONS drawn from where cases
were filed, labelled with the police district and neighborhood Boston recorded for each case:

1. Cases at a placeholder coordinate (the geocoder's default, City Hall, shared by ~1,700
   cases of every district) and cases without a label are left out.
2. Each distinct coordinate takes the label most common among its k nearest coordinates
   (weighted by cases), which removes isolated mislabelled cases.
3. Voronoi cells of the coordinates, clipped to a buffered concave hull of all cases, are
   unioned per label; small detached pieces join the neighbor sharing most of their border.
4. The district coverage is simplified without opening gaps (shapely ``coverage_simplify``).
   Each neighborhood goes to the district holding most of its cases and is clipped to it.
5. Coordinates are snapped to 5 decimals (``set_precision`` keeps polygons valid).

Deterministic: the same CSV gives the same file. Needs only shapely and numpy.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

OUT = Path(__file__).resolve().parents[1] / "src/porchlight/intake/places/demo_city.geojson"

#: Boston Police Department's own names for its districts (public knowledge, bpd.org).
DISTRICT_NAMES = {
    "A1": "Downtown",
    "A7": "East Boston",
    "A15": "Charlestown",
    "B2": "Roxbury",
    "B3": "Mattapan",
    "C6": "South Boston",
    "C11": "Dorchester",
    "D4": "South End",
    "D14": "Brighton",
    "E5": "West Roxbury",
    "E13": "Jamaica Plain",
    "E18": "Hyde Park",
}
#: The CSV's neighborhood labels folded into one name each; "Boston" and "" say nothing.
NEIGHBORHOOD_ALIASES = {
    "Allston": "Allston / Brighton",
    "Brighton": "Allston / Brighton",
    "South Boston": "South Boston / South Boston Waterfront",
    "Mattapan": "Greater Mattapan",
}
NEIGHBORHOOD_CODES = {
    "Downtown / Financial District": "downtown",
    "Fenway / Kenmore / Audubon Circle / Longwood": "fenway-kenmore",
    "South Boston / South Boston Waterfront": "south-boston",
}
UNINFORMATIVE = {"", "Boston"}

#: Who lives there, for the listening gap (residents reached per 1,000 residents). Published
#: figures only: the Boston Planning & Development Agency (BPDA) Research Division's 2020
#: Decennial Census total population per census-tract approximation of Boston's neighborhoods,
#: adjusted for the 2020 group-quarters count challenge (the 23 neighborhoods add up to the city's
#: 681,937), from its Neighborhood Change Explorer data: github.com/bpda-research-division/
#: neighborhood-change, data_preprocessing/csv/hbic_neigh_totpop_sex_bins.csv, YEAR 2020,
#: male + female. The 311 labels group BPDA's neighborhoods: 311 files North End and Chinatown
#: cases under "Downtown / Financial District" and most West End (02114) cases under "Beacon
#: Hill", so those are summed as below. A figure that cannot be verified is left out (None).
POPULATION_YEAR = 2020
POPULATION_SOURCE = (
    "BPDA Research Division, Neighborhood Change Explorer (github.com/bpda-research-division/neighborhood-change,"
    " data_preprocessing/csv/hbic_neigh_totpop_sex_bins.csv): 2020 Census total population by tract-approximated"
    " neighborhood, adjusted for the group-quarters challenge"
)
#: neighborhood label -> BPDA neighborhoods and their 2020 population.
POPULATION_PARTS: dict[str, dict[str, int]] = {
    "Allston / Brighton": {"Allston": 27_533, "Brighton": 52_020},
    "Back Bay": {"Back Bay": 18_280},
    "Beacon Hill": {"Beacon Hill": 9_336, "West End": 8_135},
    "Charlestown": {"Charlestown": 19_120},
    "Dorchester": {"Dorchester": 123_268},
    "Downtown / Financial District": {"Downtown": 13_798, "Chinatown": 6_215, "North End": 10_805},
    "East Boston": {"East Boston": 43_066},
    "Fenway / Kenmore / Audubon Circle / Longwood": {"Fenway": 38_356, "Longwood": 5_479},
    "Greater Mattapan": {"Mattapan": 23_754},
    "Hyde Park": {"Hyde Park": 34_125},
    "Jamaica Plain": {"Jamaica Plain": 40_091},
    "Mission Hill": {"Mission Hill": 17_853},
    "Roslindale": {"Roslindale": 29_586},
    "Roxbury": {"Roxbury": 55_121},
    "South Boston / South Boston Waterfront": {"South Boston": 37_917, "South Boston Waterfront": 5_595},
    "South End": {"South End": 30_923},
    "West Roxbury": {"West Roxbury": 31_561},
}


def population_properties(label: str) -> dict[str, object]:
    """A neighborhood's ``population``, ``population_year`` and ``population_source`` properties."""
    parts = POPULATION_PARTS.get(label)
    if not parts:
        return {"population": None, "population_year": None, "population_source": None}
    summed = " + ".join(f"{name} {n:,}" for name, n in parts.items())
    return {
        "population": sum(parts.values()),
        "population_year": POPULATION_YEAR,
        "population_source": f"{POPULATION_SOURCE}: {summed}",
    }


K_NEAREST = 12
PLACEHOLDER_MIN_CASES = 200  # one coordinate shared by this many cases is a geocoder default
HULL_RATIO = 0.04
HULL_BUFFER_M = 350.0
SIMPLIFY_M = 45.0
MIN_PIECE_SHARE = 0.02  # detached pieces under this share of their place's main piece are merged

LAT0, LON0 = 42.32, -71.08
M_PER_DEG_LAT = 110_540.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))


def to_m(lon: float, lat: float) -> tuple[float, float]:
    return (lon - LON0) * M_PER_DEG_LON, (lat - LAT0) * M_PER_DEG_LAT


def to_deg(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: xy / [M_PER_DEG_LON, M_PER_DEG_LAT] + [LON0, LAT0])


def read_cases(path: Path) -> list[tuple[float, float, str, str]]:
    """(x, y, district, neighborhood) in metres, placeholders and unplaced cases left out."""
    raw = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["latitude"] and r["longitude"]:
                district = r["police_district"].replace("-", "").strip()
                hood = NEIGHBORHOOD_ALIASES.get(r["neighborhood"].strip(), r["neighborhood"].strip())
                raw.append((r["longitude"], r["latitude"], district, hood))
    per_coord = Counter((lon, lat) for lon, lat, _, _ in raw)
    placeholders = {c for c, n in per_coord.items() if n >= PLACEHOLDER_MIN_CASES}
    return [(*to_m(float(lon), float(lat)), d, n) for lon, lat, d, n in raw if (lon, lat) not in placeholders]


def smoothed_labels(xy: np.ndarray, labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """Distinct coordinates and the label most common among each one's k nearest (by cases)."""
    names = sorted(set(labels))
    coords: dict[tuple[float, float], np.ndarray] = defaultdict(lambda: np.zeros(len(names)))
    for (x, y), label in zip(xy, labels, strict=True):
        coords[(float(x), float(y))][names.index(label)] += 1
    pts = np.array(list(coords))
    counts = np.array(list(coords.values()))
    out: list[str] = []
    for start in range(0, len(pts), 1000):  # chunks keep the distance matrix small
        chunk = pts[start : start + 1000]
        d2 = ((chunk[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2)
        nearest = np.argpartition(d2, K_NEAREST, axis=1)[:, :K_NEAREST]
        out.extend(names[int(np.argmax(counts[row].sum(axis=0)))] for row in nearest)
    return pts, out


def partition(pts: np.ndarray, labels: list[str], outline: BaseGeometry) -> dict[str, BaseGeometry]:
    """Voronoi cells of the points, clipped to the outline, unioned per label."""
    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=outline)
    tree = shapely.STRtree(shapely.points(pts))
    groups: dict[str, list[BaseGeometry]] = defaultdict(list)
    for cell in cells.geoms:
        # Each cell holds exactly one generating point; find it by index, not by order.
        hit = tree.query(cell, predicate="contains")
        if len(hit):
            groups[labels[int(hit[0])]].append(cell.intersection(outline))
    return {label: unary_union(parts) for label, parts in groups.items()}


def parts_of(geom: BaseGeometry) -> list[Polygon]:
    if isinstance(geom, Polygon):
        return [geom] if not geom.is_empty else []
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]


def merge_fragments(shapes: dict[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    """Give each place's small detached pieces to the neighbor that shares most of their border."""
    pieces: dict[str, list[Polygon]] = {k: sorted(parts_of(v), key=lambda p: -p.area) for k, v in shapes.items()}
    keep: dict[str, list[BaseGeometry]] = {k: [] for k in shapes}
    orphans: list[Polygon] = []
    for label, ps in pieces.items():
        for p in ps:
            (keep[label] if p.area >= MIN_PIECE_SHARE * ps[0].area else orphans).append(p)
    merged = {k: unary_union(v) for k, v in keep.items()}
    for piece in sorted(orphans, key=lambda p: p.area):
        border = piece.boundary.buffer(1.0)
        best = max(merged, key=lambda k: merged[k].intersection(border).area)
        if merged[best].intersection(border).area > 0:
            merged[best] = unary_union([merged[best], piece])
    return {k: v.buffer(0) for k, v in merged.items() if not v.is_empty}


def snapped(geom: BaseGeometry) -> BaseGeometry:
    """Degrees, snapped to 5 decimals, polygonal and valid."""
    geom = shapely.set_precision(to_deg(geom), 1e-5)
    polys = [p for p in parts_of(geom) if p.area > 0]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def slug(name: str) -> str:
    return NEIGHBORHOOD_CODES.get(name) or re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def build(csv_path: Path) -> dict[str, object]:
    cases = read_cases(csv_path)
    xy_all = np.array([(x, y) for x, y, _, _ in cases])
    outline = shapely.concave_hull(MultiPoint(xy_all), ratio=HULL_RATIO).buffer(HULL_BUFFER_M)

    placed = [(x, y, d) for x, y, d, _ in cases if d]
    pts, labels = smoothed_labels(np.array([(x, y) for x, y, _ in placed]), [d for _, _, d in placed])
    districts_m = merge_fragments(partition(pts, labels, outline))
    codes = sorted(districts_m, key=lambda c: (c[0], int(c[1:])))
    simplified = shapely.coverage_simplify([districts_m[c] for c in codes], SIMPLIFY_M)
    districts = {c: snapped(g) for c, g in zip(codes, simplified, strict=True)}

    named = [(x, y, n, d) for x, y, d, n in cases if n not in UNINFORMATIVE]
    pts, labels = smoothed_labels(np.array([(x, y) for x, y, _, _ in named]), [n for _, _, n, _ in named])
    hoods_m = merge_fragments(partition(pts, labels, outline))
    hood_names = sorted(hoods_m)
    hoods_simple = dict(
        zip(hood_names, shapely.coverage_simplify([hoods_m[n] for n in hood_names], SIMPLIFY_M), strict=True)
    )
    home = {n: Counter(d for _, _, nn, d in named if nn == n and d).most_common(1)[0][0] for n in hood_names}

    top_hood = {d: Counter(n for _, _, n, dd in named if dd == d).most_common(1)[0][0] for d in codes}
    features: list[dict[str, object]] = []
    for c in codes:
        label = DISTRICT_NAMES.get(c) or top_hood[c].split(" / ")[0]
        features.append(feature("district", c, f"District {c} ({label})", districts[c]))
    for n in hood_names:
        clipped = snapped(hoods_simple[n]).intersection(districts[home[n]])
        pieces = sorted(parts_of(shapely.set_precision(clipped, 1e-5)), key=lambda p: -p.area)
        pieces = [p for p in pieces if p.area >= MIN_PIECE_SHARE * pieces[0].area]
        geom = pieces[0] if len(pieces) == 1 else MultiPolygon(pieces)
        features.append(feature("neighborhood", slug(n), n, geom, district=home[n], **population_properties(n)))
    return {
        "type": "FeatureCollection",
        "name": "Porchlight demo city (Boston, approximate)",
        "attribution": "Derived from City of Boston 311 cases (2015), ODC PDDL; approximations, not official"
        " boundaries.",
        "features": features,
    }


def feature(kind: str, code: str, name: str, geom: BaseGeometry, **extra: object) -> dict[str, object]:
    assert geom.is_valid and not geom.is_empty, f"{kind} {code} is not a valid polygon"
    return {
        "type": "Feature",
        "properties": {"kind": kind, "code": code, "name": name, **extra},
        "geometry": rounded(mapping(geom)),
    }


def rounded(value: object) -> object:
    """Coordinates as 5-decimal numbers (already on that grid; this trims float noise)."""
    if isinstance(value, float):
        return round(value, 5)
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", type=Path, help="boston_311_2015_layers.csv")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args()
    city = build(args.csv)
    text = json.dumps(city, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    kinds = Counter(f["properties"]["kind"] for f in json.loads(text)["features"])
    print(
        f"{args.output}: {len(text) // 1024} KB, {kinds['district']} districts, {kinds['neighborhood']} neighborhoods"
    )


if __name__ == "__main__":
    main()
