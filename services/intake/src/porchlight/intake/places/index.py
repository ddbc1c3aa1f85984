"""Point-in-polygon over the city's places, in-process with shapely.

An index is built from the places table once per process and kept while the table's version
(``places_version``) stays the same; a load on any replica bumps the version, and the next
resolve on every replica rebuilds. Building takes milliseconds for a city of tens of places.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.intake.places.models import Place
from porchlight.intake.places.repository import PlaceRepository

log = logging.getLogger(__name__)


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
    def build(cls, version: int, places: Sequence[Place]) -> PlaceIndex:
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


# One index per database (tests and tools may talk to several). No lock: two requests racing
# after a reload may both build, which costs milliseconds and yields the same index.
_cache: dict[str, PlaceIndex] = {}


def _db_key(session: AsyncSession) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


async def current_index(session: AsyncSession) -> PlaceIndex:
    """The index matching the table's current version, rebuilt when it moved."""
    repo = PlaceRepository(session)
    version = await repo.version()
    key = _db_key(session)
    cached = _cache.get(key)
    if cached is not None and cached.version == version:
        return cached
    index = PlaceIndex.build(version, await repo.all())
    _cache[key] = index
    return index


def forget_index() -> None:
    """Drop every cached index (after a load in this process, or in tests)."""
    _cache.clear()


class IndexKeeper:
    """The current index for a hot path (``POST /v1/contacts``), checked at most every ``max_age_s``.

    ``current_index`` asks the database for the table's version on every call: a round trip per
    request. Here the version is checked at most every ``max_age_s``, by one task at a time;
    requests arriving meanwhile are placed with the index in hand. Without that single flight,
    every request of the moment the check falls due ran its own check (and opened connections
    beyond the pool), a burst seen at the p99. A city reloads its places a few times a year: a
    point placed in the second after a reload may be placed on the previous map.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], max_age_s: float = 1.0) -> None:
        self.sessions, self.max_age_s = sessions, max_age_s
        self._index: PlaceIndex | None = None
        self._checked = 0.0
        self._check: asyncio.Task[PlaceIndex] | None = None

    async def get(self) -> PlaceIndex:
        if self._index is not None and time.monotonic() - self._checked < self.max_age_s:
            return self._index
        if self._check is None or self._check.done():
            self._check = asyncio.create_task(self._refresh())
            self._check.add_done_callback(self._checked_or_logged)
        if self._index is not None:
            return self._index
        return await asyncio.shield(self._check)  # the first requests wait for the first index

    async def _refresh(self) -> PlaceIndex:
        async with self.sessions() as session:
            index = await current_index(session)
        self._index, self._checked = index, time.monotonic()
        return index

    def _checked_or_logged(self, task: asyncio.Task[PlaceIndex]) -> None:
        if not task.cancelled() and task.exception() is not None:
            # Requests go on with the index in hand; the next one after max_age_s tries again.
            log.warning("checking the places' version failed (%s)", type(task.exception()).__name__)
