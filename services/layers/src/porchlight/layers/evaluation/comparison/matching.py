"""The places of a target-vs-control comparison: the target area's cells, the control pool, and
control cells matched to each target cell on its baseline.

Cells are H3 at resolution 10 (~130 m between neighbouring centres: about one block). The target
area is the cell of the project's point and every cell whose centre lies within ``radius_m`` of
that cell's centre: at the default 150 m, the point's cell and its six neighbours. The control pool
is the rest of the district less a spillover buffer: a project that clears one corner may push
trouble round the next one, and a control cell that caught it would inflate the effect.

Matching is nearest-neighbour on the baseline, without replacement: for each target cell, the
``k`` pool cells closest in baseline count, ``|Δ baseline| + ½·|Δ trend|`` (the caller says what
they are: in ``did``, the count per period over the before period and the history before it, and
the before period against the history's average; half weight because a difference of Poisson
counts is noisy). Hotter target cells choose first, as fewer pool cells resemble them;
ties (many quiet cells share a count) are broken at random, seeded. Nearest neighbours rather
than a caliper: a caliper drops the target cells it cannot match, and a project's place is
exactly the hot spot a caliper would drop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import h3
import numpy as np

from porchlight.layers.places.cells import RESOLUTION

#: Half weight for the trend against the baseline count in the matching distance (see the docstring).
TREND_WEIGHT = 0.5


def cells_of(geometry: Any, res: int = RESOLUTION) -> list[str]:
    """The H3 cells whose centres lie in a (shapely, or GeoJSON-like) Polygon or MultiPolygon,
    sorted. GeoJSON order is [lon, lat]; h3 reads ``__geo_interface__`` in that order."""
    geo = geometry if isinstance(geometry, dict) else geometry.__geo_interface__
    return sorted(str(c) for c in h3.geo_to_cells(geo, res))


def _centre_metres(point: tuple[float, float], cells: Sequence[str]) -> np.ndarray:
    return np.fromiter(
        (h3.great_circle_distance(point, h3.cell_to_latlng(c), "m") for c in cells), dtype=float, count=len(cells)
    )


def cells_within(point: tuple[float, float], radius_m: float, res: int = RESOLUTION) -> list[str]:
    """The point's (lat, lon) own cell and the cells whose centre is within ``radius_m`` of its centre.

    Measured from the cell's centre, not the point: from a point near the cell's edge only two or
    three neighbours would be in reach, and the area's shape would depend on where in its block the
    project was pinned. At 150 m and resolution 10: the cell and its six neighbours."""
    own = str(h3.latlng_to_cell(point[0], point[1], res))
    point = h3.cell_to_latlng(own)
    # Neighbouring centres are about √3 edges apart; the smallest edges of a resolution are
    # well above half the average, so this many rings always covers the radius.
    spacing = math.sqrt(3) * h3.average_hexagon_edge_length(res, "m") / 2
    disk = sorted(str(c) for c in h3.grid_disk(own, math.ceil(radius_m / spacing) + 1))
    near = _centre_metres(point, disk) <= radius_m
    return sorted({own} | {c for c, ok in zip(disk, near, strict=True) if ok})


def control_pool(
    point: tuple[float, float],
    district_cells: Sequence[str],
    target: Sequence[str],
    exclude_m: float,
    res: int = RESOLUTION,
) -> list[str]:
    """The district's cells less the target and every cell whose centre is within ``exclude_m`` of
    the centre of the point's cell (the target radius plus the spillover buffer), sorted."""
    rest = sorted(set(district_cells) - set(target))
    if not rest:
        return []
    centre = h3.cell_to_latlng(h3.latlng_to_cell(point[0], point[1], res))
    far = _centre_metres(centre, rest) > exclude_m
    return [c for c, ok in zip(rest, far, strict=True) if ok]


@dataclass(frozen=True)
class Matched:
    """Row ``i`` of ``controls`` indexes the pool cells matched to target cell ``i``."""

    controls: np.ndarray  # (target cells, k) indices into the pool
    k: int


def match_controls(
    target_baseline: np.ndarray,
    target_trend: np.ndarray,
    pool_baseline: np.ndarray,
    pool_trend: np.ndarray,
    k: int,
    rng: np.random.Generator,
) -> Matched:
    """``k`` pool cells per target cell, nearest in baseline (and trend), without replacement.

    ``k`` shrinks to what the pool allows (at least one control per target cell); a pool smaller
    than the target area is a ValueError."""
    n, pool = len(target_baseline), len(pool_baseline)
    if n == 0:
        raise ValueError("the target area has no cells")
    if pool < n:
        raise ValueError(f"the control pool has {pool} cells, fewer than the target area's {n}")
    k = max(1, min(k, pool // n))
    taken = np.zeros(pool, dtype=bool)
    tie_break = rng.random(pool)
    controls = np.empty((n, k), dtype=np.int64)
    for i in np.argsort(-np.asarray(target_baseline, dtype=float), kind="stable"):
        distance = np.abs(pool_baseline - target_baseline[i]) + TREND_WEIGHT * np.abs(pool_trend - target_trend[i])
        distance = np.where(taken, np.inf, distance)
        order = np.lexsort((tie_break, distance))[:k]
        controls[i] = order
        taken[order] = True
    return Matched(controls=controls, k=k)
