"""HTTP routes of the district page, the city page and the city's map.

The web UI reads these; every number is explained in the OpenAPI schema (pages/schemas.py).
"""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request

from porchlight.dashboard.pages.access import check_city_wide, check_district
from porchlight.dashboard.pages.period import Month
from porchlight.dashboard.pages.schemas import CityPage, DistrictPage, DistrictRef
from porchlight.dashboard.pages.service import city_page, district_page
from porchlight.dashboard.places import load_city
from porchlight.dashboard.settings import DashboardSettings
from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role

router = APIRouter(tags=["pages"])

#: Everyone who works in Porchlight sees the pages (texts in them are redacted by producers); a
#: caller with a district claim (not an analyst) sees that district's only (pages/access.py).
STAFF = Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst, Role.partner)
Staff = Annotated[Principal, Depends(STAFF)]
MonthQuery = Annotated[str | None, Query(description="YYYY-MM (default: this month, UTC)", examples=["2026-10"])]


def settings_of(request: Request) -> DashboardSettings:
    settings = getattr(request.app.state, "dashboard_settings", None)
    if settings is None:
        settings = request.app.state.dashboard_settings = DashboardSettings()
    return settings


@router.get("/v1/districts", response_model=list[DistrictRef], summary="The city's districts")
async def districts(_: Staff, request: Request) -> list[DistrictRef]:
    city = load_city(settings_of(request).places_file)
    return [DistrictRef(code=d.code, name=d.name) for d in city.districts]


@router.get(
    "/v1/city.geojson",
    summary="The city's districts and neighborhoods as GeoJSON (for maps drawn without a tile server)",
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def city_geojson(_: Staff, request: Request) -> dict[str, Any]:
    return load_city(settings_of(request).places_file).geojson


_SCOPED: dict[int | str, dict[str, Any]] = {
    403: {"description": "A caller scoped to one district (a district claim) asked for another one or the city"}
}


@router.get(
    "/v1/districts/{code}/page",
    response_model=DistrictPage,
    summary="Everything the supervisor's district page shows, for one month",
    responses=_SCOPED,
)
async def get_district_page(code: str, who: Staff, request: Request, month: MonthQuery = None) -> DistrictPage:
    check_district(who, code)
    settings = settings_of(request)
    return await district_page(
        request.app.state.runtime.sessions,
        load_city(settings.places_file),
        code,
        Month.parse(month),
        meeting_hours=settings.meeting_hours,
        with_officers=who.has(Role.supervisor, Role.analyst),
    )


@router.get(
    "/v1/city/page",
    response_model=CityPage,
    summary="All districts side by side, for one month (leadership; not district-scoped callers)",
    responses=_SCOPED,
)
async def get_city_page(who: Staff, request: Request, month: MonthQuery = None) -> CityPage:
    check_city_wide(who, "the city page")
    settings = settings_of(request)
    return await city_page(
        request.app.state.runtime.sessions,
        load_city(settings.places_file),
        Month.parse(month),
        meeting_hours=settings.meeting_hours,
    )


_POINTS = sa.text("""
SELECT c.topic, c.text, c.lat, c.lon, n.held_at
FROM dashboard.notes n JOIN dashboard.note_concerns c ON c.note_id = n.note_id AND c.source = 'host'
WHERE n.district = :d AND n.held_at >= :s AND n.held_at < :e AND c.lat IS NOT NULL
ORDER BY n.held_at DESC LIMIT 2000
""")


@router.get(
    "/v1/districts/{code}/concerns.geojson",
    summary="The month's located concerns of a district as GeoJSON points (topic, redacted text)",
    responses={200: {"content": {"application/geo+json": {}}}, **_SCOPED},
)
async def concern_points(code: str, session: Session, who: Staff, month: MonthQuery = None) -> dict[str, Any]:
    check_district(who, code)
    m = Month.parse(month)
    rows = await session.execute(_POINTS, {"d": code, "s": m.utc(m.start), "e": m.utc(m.end)})
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": {"topic": r.topic, "text": r.text, "held_at": r.held_at.isoformat()},
            }
            for r in rows
        ],
    }
