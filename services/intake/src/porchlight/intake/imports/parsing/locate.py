"""Points of a whole batch placed at once, for ``resolve_in``.

``PlaceIndex.district_at`` / ``neighborhood_at`` query the tree one point at a time (~40 µs
each, mostly shapely's per-call overhead): for an import of a hundred thousand GPS points that
is a third of the validation. ``BatchIndex`` answers the same questions for the batch's points
from ``PlaceIndex.locate_many`` (one vectorized query per tree, the index's own rule) and defers
everything else to the index, so ``resolve_in`` (the API's rules) runs unchanged on top of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from porchlight.intake.places.geometry.index import IndexedPlace, LatLon, PlaceIndex

Point = LatLon  # (lat, lon), exactly as the row's point has them


class BatchIndex:
    """A ``PlaceIndex`` for ``resolve_in`` whose point lookups for a batch are precomputed."""

    def __init__(self, index: PlaceIndex, points: Sequence[Point]) -> None:
        self._index = index
        self.version = index.version
        self.districts = index.districts
        self.neighborhoods = index.neighborhoods
        self._located = index.locate_many(points)

    def find(self, kind: str, code: str) -> IndexedPlace | None:
        return self._index.find(kind, code)

    def district_at(self, lat: float, lon: float) -> IndexedPlace | None:
        located = self._located.get((lat, lon))
        return self._index.district_at(lat, lon) if located is None else located.district()

    def neighborhood_at(self, lat: float, lon: float, district: str | None = None) -> IndexedPlace | None:
        located = self._located.get((lat, lon))
        if located is None:
            return self._index.neighborhood_at(lat, lon, district=district)
        return located.neighborhood(district)
