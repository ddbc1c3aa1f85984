"""The risk grid: the study area's H3 cells, the incidents counted in each, and each cell's
exposure to a layer (its centre within an influence distance of at least one of the layer's points).

A resolution-10 cell (~66 m edges, ~130 m between neighbouring centres) is about one block; an
influence distance is counted in block lengths of ``BLOCK_M`` = 100 m, and RTM's usual test of
one to three block lengths is ``DISTANCES_M``.

Distances are measured on a local equirectangular plane around the study area's centre: across a
city (tens of km) its error is far below a metre per 100 m, and it lets a k-d tree answer "how far
is the nearest outage from each cell centre" for every cell at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import h3
import numpy as np
from h3.api import basic_int as h3_int
from scipy.spatial import cKDTree
from shapely.geometry import MultiPoint

from porchlight.layers.places.cells import RESOLUTION

#: One block length, the unit of influence distances.
BLOCK_M = 100.0
#: RTM's influence distances: one, two and three block lengths.
DISTANCES_M: tuple[int, ...] = (100, 200, 300)
_EARTH_RADIUS_M = 6_371_008.8


def points_of(points: Any, what: str) -> np.ndarray:
    """An (n, 2) float array of (lat, lon) rows; rows with a non-finite coordinate are dropped
    (a record without a place cannot be near anything)."""
    array = np.asarray(points, dtype=float)
    if array.size == 0:
        return np.empty((0, 2), dtype=float)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{what} must be an (n, 2) array of latitude, longitude; got shape {array.shape}")
    array = array[np.isfinite(array).all(axis=1)]
    if len(array) and (np.abs(array[:, 0]).max() > 90 or np.abs(array[:, 1]).max() > 180):
        raise ValueError(f"{what} has a latitude beyond ±90 or a longitude beyond ±180 (is it lon, lat?)")
    return array


def study_cells(
    cells: Sequence[str] | None, area: Any | None, incidents: np.ndarray, resolution: int = RESOLUTION
) -> list[str]:
    """The study area's cells, sorted: ``cells`` when given, else the cells whose centres lie in
    ``area`` (a shapely or GeoJSON-like Polygon/MultiPolygon), else those of the incidents' convex
    hull (without an area the incidents themselves are the only extent known)."""
    if cells is not None:
        out = sorted({str(c) for c in cells})
        bad = [c for c in out if not h3.is_valid_cell(c)]
        if bad:
            raise ValueError(f"not H3 cells: {bad[:3]}")
        if any(h3.get_resolution(c) != resolution for c in out):
            raise ValueError(f"every cell must be at resolution {resolution}")
        return out
    if area is None:
        if len(incidents) < 3:
            raise ValueError("give cells or an area: fewer than three incidents have no extent")
        area = MultiPoint(incidents[:, ::-1]).convex_hull  # shapely is (x, y) = (lon, lat)
        if area.geom_type != "Polygon":
            raise ValueError("give cells or an area: the incidents lie on a line")
    geo = area if isinstance(area, dict) else area.__geo_interface__
    return sorted(str(c) for c in h3.geo_to_cells(geo, resolution))


@dataclass(frozen=True)
class Plane:
    """Local equirectangular metres around (lat0, lon0)."""

    lat0: float
    lon0: float

    @classmethod
    def around(cls, latlon: np.ndarray) -> Plane:
        return cls(float(latlon[:, 0].mean()), float(latlon[:, 1].mean()))

    def xy(self, latlon: np.ndarray) -> np.ndarray:
        k = math.pi / 180 * _EARTH_RADIUS_M
        x = (latlon[:, 1] - self.lon0) * k * math.cos(math.radians(self.lat0))
        y = (latlon[:, 0] - self.lat0) * k
        return np.column_stack([x, y])


def centres(cells: Sequence[str]) -> np.ndarray:
    """(n, 2) (lat, lon) of each cell's centre."""
    return np.array([h3.cell_to_latlng(c) for c in cells], dtype=float).reshape(-1, 2)


def count_in_cells(incidents: np.ndarray, cells: Sequence[str], resolution: int = RESOLUTION) -> np.ndarray:
    """Incidents per cell (aligned with ``cells``, which must be sorted); incidents outside them are
    not counted. One h3 call per incident (h3 has no vectorised Python API: ~0.6 s per million),
    then integer ids and a binary search rather than a dict of strings."""
    ids = np.fromiter((h3.str_to_int(c) for c in cells), dtype=np.uint64, count=len(cells))
    order = np.argsort(ids)
    sorted_ids = ids[order]
    lat, lon = incidents[:, 0].tolist(), incidents[:, 1].tolist()
    at = np.fromiter(
        (h3_int.latlng_to_cell(a, b, resolution) for a, b in zip(lat, lon, strict=True)),
        dtype=np.uint64,
        count=len(lat),
    )
    pos = np.searchsorted(sorted_ids, at)
    pos_clipped = np.minimum(pos, len(sorted_ids) - 1)
    inside = sorted_ids[pos_clipped] == at
    counts_sorted = np.bincount(pos_clipped[inside], minlength=len(sorted_ids))
    counts = np.empty(len(cells), dtype=np.int64)
    counts[order] = counts_sorted
    return counts


def nearest_m(centres_xy: np.ndarray, features_xy: np.ndarray, reach_m: float) -> np.ndarray:
    """Distance in metres from each cell centre to the layer's nearest point; ``inf`` beyond
    ``reach_m`` (the tree stops searching there, which keeps a million-point layer cheap)."""
    if len(features_xy) == 0:
        return np.full(len(centres_xy), np.inf)
    tree = cKDTree(features_xy)
    distance, _ = tree.query(centres_xy, k=1, distance_upper_bound=reach_m)
    return np.asarray(distance, dtype=float)


def cell_ring(cell: str) -> list[list[float]]:
    """The cell's hexagon as a closed GeoJSON ring of [lon, lat]."""
    ring = [[lng, lat] for lat, lng in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]
