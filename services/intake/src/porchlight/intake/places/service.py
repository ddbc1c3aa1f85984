"""Rules for places: resolve what a form says about a place; load a city's places.

``resolve_place`` is what every capability calls before storing a place: it turns a district
code, a neighborhood code, a point or a named place into a checked ``ResolvedPlace``, or
raises one ``ValidationProblem`` naming every bad field at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.events.catalog import GeoPoint
from porchlight.intake.places.geometry.geojson import ParsedCity, parse_city
from porchlight.intake.places.geometry.index import IndexedPlace, PlaceIndex
from porchlight.intake.places.repository import PlaceRepository
from porchlight.intake.places.schemas import LoadReport
from porchlight.kit.errors import ValidationProblem

log = logging.getLogger(__name__)

DEMO_CITY = Path(__file__).with_name("demo_city.geojson")
#: Share of a neighborhood's area outside its district above which the load warns.
_OUTSIDE_WARN = 0.05

#: How many valid codes an "unknown code" message lists.
_LISTED_CODES = 8


@dataclass(frozen=True)
class ResolvedPlace:
    district: str  # district code
    neighborhood: str | None  # neighborhood code
    point: GeoPoint | None
    place_name: str | None  # a named place without coordinates ("Main St library")


def _codes(items: list[IndexedPlace]) -> str:
    codes = [p.code for p in items[:_LISTED_CODES]]
    more = ", ..." if len(items) > _LISTED_CODES else ""
    return ", ".join(codes) + more if codes else "none loaded (run `porchlight places load`)"


async def resolve_place(
    session: AsyncSession,
    *,
    district: str | None = None,
    neighborhood: str | None = None,
    point: GeoPoint | None = None,
    place_name: str | None = None,
    field: str = "body",
) -> ResolvedPlace:
    """Check and complete a place; raise ``ValidationProblem`` naming ``{field}.<part>``.

    - a point is placed in its district and neighborhood;
    - a district given with a point must be the point's district;
    - a neighborhood given explicitly wins over the point's (the polygons are approximate, the
      host knows the street) but must belong to the district;
    - a named place without coordinates needs a district.
    """
    index = await current_index(session)
    return resolve_in(
        index, district=district, neighborhood=neighborhood, point=point, place_name=place_name, field=field
    )


def resolve_in(
    index: PlaceIndex,
    *,
    district: str | None = None,
    neighborhood: str | None = None,
    point: GeoPoint | None = None,
    place_name: str | None = None,
    field: str = "body",
) -> ResolvedPlace:
    """``resolve_place`` against an index already at hand (pure, no I/O)."""
    errors: list[dict[str, str]] = []
    district = (district or "").strip() or None
    neighborhood = (neighborhood or "").strip() or None
    place_name = " ".join((place_name or "").split()) or None

    given: IndexedPlace | None = None
    if district is not None:
        given = index.find("district", district)
        if given is None:
            errors.append(
                {
                    "field": f"{field}.district",
                    "message": f"unknown district {district!r}; valid codes: {_codes(index.districts)}",
                }
            )

    located: IndexedPlace | None = None
    if point is not None:
        located = index.district_at(point.lat, point.lon)
        if located is None:
            errors.append({"field": f"{field}.point", "message": "the point is outside every district of the city"})
        elif given is not None and given.code != located.code:
            errors.append(
                {
                    "field": f"{field}.district",
                    "message": f"district {given.code!r} disagrees with the point, which is in {located.code!r}",
                }
            )

    if district is None and point is None:
        what = "a named place needs a district" if place_name else "give a district or a point"
        errors.append({"field": f"{field}.district", "message": what})

    chosen = given or located
    hood: IndexedPlace | None = None
    if neighborhood is not None:
        hood = index.find("neighborhood", neighborhood)
        if hood is None:
            errors.append(
                {
                    "field": f"{field}.neighborhood",
                    "message": f"unknown neighborhood {neighborhood!r}; valid codes: "
                    f"{_codes(_in_district(index, chosen))}",
                }
            )
        elif chosen is not None and hood.parent_code != chosen.code:
            errors.append(
                {
                    "field": f"{field}.neighborhood",
                    "message": f"neighborhood {hood.code!r} belongs to district {hood.parent_code!r}, "
                    f"not {chosen.code!r}",
                }
            )
    elif point is not None and chosen is not None:
        hood = index.neighborhood_at(point.lat, point.lon, district=chosen.code)

    if errors:
        raise ValidationProblem(f"Invalid place: {', '.join(e['field'] for e in errors)}", errors=errors)
    assert chosen is not None  # no errors means a district was given or located
    return ResolvedPlace(
        district=chosen.code,
        neighborhood=hood.code if hood else None,
        point=point,
        place_name=place_name,
    )


def _in_district(index: PlaceIndex, district: IndexedPlace | None) -> list[IndexedPlace]:
    if district is None:
        return index.neighborhoods
    return [n for n in index.neighborhoods if n.parent_code == district.code]


async def load_geojson(session: AsyncSession, feature_collection: dict[str, Any], *, field: str = "body") -> LoadReport:
    """Replace the city's places with a FeatureCollection's, inside the caller's transaction.

    All or nothing: any bad feature raises ``ValidationProblem`` (every one named as
    ``{field}.features[i]...``) before anything is written; the boundary's rollback covers the rest.
    """
    parsed = parse_city(feature_collection, prefix=f"{field}." if field else "")
    if parsed.errors:
        raise ValidationProblem(f"Invalid places: {len(parsed.errors)} problem(s)", errors=parsed.errors)
    version = await PlaceRepository(session).replace_all([p.row() for p in parsed.places])
    report = LoadReport(
        version=version,
        districts=sum(p.kind == "district" for p in parsed.places),
        neighborhoods=sum(p.kind == "neighborhood" for p in parsed.places),
        derived_parents=parsed.derived_parents,
        warnings=_warnings(parsed),
    )
    log.info(
        "places loaded: version %s, %s districts, %s neighborhoods",
        report.version,
        report.districts,
        report.neighborhoods,
    )
    return report


def _warnings(parsed: ParsedCity) -> list[str]:
    """Shapes that load but will resolve oddly: overlaps, neighborhoods leaving their district."""
    out: list[str] = []
    districts = [p for p in parsed.places if p.kind == "district"]
    by_code = {d.code: d for d in districts}
    for i, a in enumerate(districts):
        for b in districts[i + 1 :]:
            shared = a.shape.intersection(b.shape).area
            if shared > _OUTSIDE_WARN * min(a.shape.area, b.shape.area):
                out.append(f"districts {a.code!r} and {b.code!r} overlap; points there go to {a.code!r}")
    for n in parsed.places:
        parent = by_code.get(n.parent_code or "")
        if n.kind == "neighborhood" and parent is not None and n.shape.area > 0:
            outside = n.shape.difference(parent.shape).area / n.shape.area
            if outside > _OUTSIDE_WARN:
                out.append(f"neighborhood {n.code!r}: {outside:.0%} of it lies outside district {parent.code!r}")
    return out


def demo_city() -> dict[str, Any]:
    """The bundled demo city (Boston, approximated from 311 case locations)."""
    data: dict[str, Any] = json.loads(DEMO_CITY.read_text(encoding="utf-8"))
    return data


async def load_demo_city(session: AsyncSession) -> LoadReport | None:
    """Load the demo city if no places are loaded yet; None when places were already there."""
    repo = PlaceRepository(session)
    await repo.lock()
    if await repo.count() > 0:
        return None
    return await load_geojson(session, demo_city(), field="")


# One index per database (tests and tools may talk to several). No lock: two requests racing
# after a reload may both build, which costs milliseconds and yields the same index.
_indexes: dict[str, PlaceIndex] = {}


def _db_key(session: AsyncSession) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


async def current_index(session: AsyncSession) -> PlaceIndex:
    """The index matching the table's current version, rebuilt when it moved."""
    repo = PlaceRepository(session)
    version = await repo.version()
    key = _db_key(session)
    cached = _indexes.get(key)
    if cached is not None and cached.version == version:
        return cached
    index = PlaceIndex.build(version, await repo.all())
    _indexes[key] = index
    return index


def forget_index() -> None:
    """Drop every cached index (after a load in this process, or in tests)."""
    _indexes.clear()


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
