"""Point-in-polygon over the city's places, in-process with shapely (no database here).

An index is built from the places' rows (anything with their fields) in milliseconds for a city
of tens of places; ``places/service.py`` keeps one per database and rebuilds it when the table's
version moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree


class PlaceRow(Protocol):
    """What an index is built from: a row of the places table (``places.models.Place``)."""

    code: str
    kind: str
    name: str
    parent_code: str | None
    geometry: Any


@dataclass(frozen=True)
class IndexedPlace:
    code: str
    kind: str
    name: str
    parent_code: str | None


#: A point as rows and forms carry it: (lat, lon).
LatLon = tuple[float, float]


@dataclass(frozen=True)
class PointPlaces:
    """Every district and neighborhood a point lies in (in index order), and the index's rule
    for choosing one: the first, or the first in a wanted district."""

    districts: tuple[IndexedPlace, ...] = ()
    neighborhoods: tuple[IndexedPlace, ...] = ()

    def district(self) -> IndexedPlace | None:
        return self.districts[0] if self.districts else None

    def neighborhood(self, district: str | None = None) -> IndexedPlace | None:
        return next((n for n in self.neighborhoods if district is None or n.parent_code == district), None)


@dataclass
class PlaceIndex:
    """Districts and neighborhoods with an STRtree each; lookups are case-insensitive."""

    version: int
    districts: list[IndexedPlace] = field(default_factory=list)
    neighborhoods: list[IndexedPlace] = field(default_factory=list)
    _by_code: dict[tuple[str, str], IndexedPlace] = field(default_factory=dict)
    _district_tree: STRtree | None = None
    _neighborhood_tree: STRtree | None = None
    _district_array: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    _neighborhood_array: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))

    @classmethod
    def build(cls, version: int, places: Sequence[PlaceRow]) -> PlaceIndex:
        index = cls(version=version)
        district_shapes: list[BaseGeometry] = []
        neighborhood_shapes: list[BaseGeometry] = []
        for p in places:
            item = IndexedPlace(p.code, p.kind, p.name, p.parent_code)
            geom = shape(p.geometry)
            shapely.prepare(geom)
            if p.kind == "district":
                index.districts.append(item)
                district_shapes.append(geom)
            else:
                index.neighborhoods.append(item)
                neighborhood_shapes.append(geom)
            index._by_code[(p.kind, p.code.casefold())] = item
        # The shapes as arrays (one point against all: ``_at``) and in trees (many points: ``locate_many``).
        if district_shapes:
            index._district_tree = STRtree(district_shapes)
            index._district_array = np.array(district_shapes, dtype=object)
        if neighborhood_shapes:
            index._neighborhood_tree = STRtree(neighborhood_shapes)
            index._neighborhood_array = np.array(neighborhood_shapes, dtype=object)
        return index

    def find(self, kind: str, code: str) -> IndexedPlace | None:
        return self._by_code.get((kind, code.strip().casefold()))

    def district_at(self, lat: float, lon: float) -> IndexedPlace | None:
        return self._at(self._district_array, self.districts, lat, lon)

    def neighborhood_at(self, lat: float, lon: float, district: str | None = None) -> IndexedPlace | None:
        return self._at(self._neighborhood_array, self.neighborhoods, lat, lon, parent=district)

    def locate_many(self, points: Sequence[LatLon]) -> dict[LatLon, PointPlaces]:
        """The places of many points at once: one vectorized STRtree query per tree.

        Same answers as ``district_at`` / ``neighborhood_at`` point by point, without shapely's
        per-call overhead (~40 µs a call, which is most of placing a point).
        """
        unique = list(dict.fromkeys(points))
        districts = self._hits_many(self._district_tree, self.districts, unique)
        neighborhoods = self._hits_many(self._neighborhood_tree, self.neighborhoods, unique)
        return {p: PointPlaces(tuple(districts[i]), tuple(neighborhoods[i])) for i, p in enumerate(unique)}

    @staticmethod
    def _hits_many(tree: STRtree | None, items: list[IndexedPlace], points: list[LatLon]) -> list[list[IndexedPlace]]:
        out: list[list[IndexedPlace]] = [[] for _ in points]
        if tree is None or not points:
            return out
        lats = np.fromiter((p[0] for p in points), dtype=float, count=len(points))
        lons = np.fromiter((p[1] for p in points), dtype=float, count=len(points))
        pairs = tree.query(shapely.points(lons, lats), predicate="intersects")
        for i, j in sorted(zip(pairs[0].tolist(), pairs[1].tolist(), strict=True)):
            out[i].append(items[j])
        return out

    @staticmethod
    def _at(
        shapes: np.ndarray, items: list[IndexedPlace], lat: float, lon: float, parent: str | None = None
    ) -> IndexedPlace | None:
        """The first place (in index order) under the point, in ``parent`` when given.

        One vectorized test of the point against every prepared shape (``intersects_xy``, no
        Point object): for one point that is several times cheaper than an STRtree query, whose
        per-call overhead is most of placing a point (~10 µs against ~3 µs for a city of tens
        of places). "intersects", not "contains": a point exactly on a shared border is placed.
        """
        if not items:
            return None
        for i in np.flatnonzero(shapely.intersects_xy(shapes, lon, lat)).tolist():
            if parent is None or items[i].parent_code == parent:
                return items[i]
        return None
