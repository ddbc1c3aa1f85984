"""Points of a whole batch placed at once: ``resolve_in`` with one STRtree query per batch.

``PlaceIndex.district_at`` / ``neighborhood_at`` query the tree one point at a time (~40 µs
each, mostly shapely's per-call overhead): for an import of a hundred thousand GPS points that
is a third of the validation. ``BatchIndex`` answers the same questions for the batch's points
from one vectorized query per tree, with the index's own rule (hits in tree order, the first
one in the wanted district), and defers everything else to the index, so ``resolve_in`` (the
API's rules) runs unchanged on top of it.

It reads the index's trees, which are private: a ``locate_many`` on ``PlaceIndex`` would be the
proper home for this. Should the index change shape, ``BatchIndex`` steps aside and every point
is placed one at a time, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from porchlight.intake.places.index import IndexedPlace, PlaceIndex

Point = tuple[float, float]  # (lat, lon), exactly as the row's point has them


def _hits(tree: Any, points: Sequence[Point]) -> dict[Point, list[int]]:
    """For each point, the indices of the tree's shapes it intersects, in ascending order."""
    if tree is None or not points:
        return {}
    lats = np.fromiter((p[0] for p in points), dtype=float, count=len(points))
    lons = np.fromiter((p[1] for p in points), dtype=float, count=len(points))
    pairs = tree.query(shapely.points(lons, lats), predicate="intersects")
    out: dict[Point, list[int]] = {p: [] for p in points}
    for i, j in sorted(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True)):
        out[points[i]].append(j)
    return out


class BatchIndex:
    """A ``PlaceIndex`` for ``resolve_in`` whose point lookups for a batch are precomputed."""

    def __init__(self, index: PlaceIndex, points: Sequence[Point]) -> None:
        self._index = index
        self.version = index.version
        self.districts = index.districts
        self.neighborhoods = index.neighborhoods
        unique = list(dict.fromkeys(points))
        trees = (getattr(index, "_district_tree", False), getattr(index, "_neighborhood_tree", False))
        usable = all(t is None or hasattr(t, "query") for t in trees)
        self._districts = _hits(trees[0], unique) if usable else {}
        self._neighborhoods = _hits(trees[1], unique) if usable else {}

    def find(self, kind: str, code: str) -> IndexedPlace | None:
        return self._index.find(kind, code)

    def district_at(self, lat: float, lon: float) -> IndexedPlace | None:
        hits = self._districts.get((lat, lon))
        if hits is None:
            return self._index.district_at(lat, lon)
        return self.districts[hits[0]] if hits else None

    def neighborhood_at(self, lat: float, lon: float, district: str | None = None) -> IndexedPlace | None:
        hits = self._neighborhoods.get((lat, lon))
        if hits is None:
            return self._index.neighborhood_at(lat, lon, district=district)
        for i in hits:
            if district is None or self.neighborhoods[i].parent_code == district:
                return self.neighborhoods[i]
        return None
