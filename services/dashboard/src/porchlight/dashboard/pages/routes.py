"""HTTP routes of the district page, the city page and the city's map.

The web UI reads these; every number is explained in the OpenAPI schema (pages/schemas.py).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages.access import PoliceStaff, check_city_wide, check_district, own_district
from porchlight.dashboard.pages.repository import concern_points, note_sources
from porchlight.dashboard.pages.schemas import CityPage, DistrictPage, DistrictRef, MeetingRef, NoteSource
from porchlight.dashboard.pages.service import city_page, district_page
from porchlight.dashboard.settings import Config
from porchlight.kit.app import GeoJSONResponse, Session, Sessions, geojson_answer
from porchlight.kit.auth import Role, Staff, words_district
from porchlight.kit.city import load_city

router = APIRouter(tags=["pages"])

# Everyone who works in Porchlight sees the pages (texts in them are redacted by producers); a
# caller with a district claim (not an analyst) sees that district's only (pages/access.py).
MonthQuery = Annotated[str | None, Query(description="YYYY-MM (default: this month, UTC)", examples=["2026-10"])]


@router.get("/v1/districts", response_model=list[DistrictRef])
async def list_districts(_: Staff, config: Config) -> list[DistrictRef]:
    """The city's districts.

    Codes and names from the dashboard's places file (the demo city unless the city set its own).
    """
    city = load_city(config.places_file)
    return [DistrictRef(code=d.code, name=d.name) for d in city.districts]


@router.get(
    "/v1/city.geojson",
    response_class=GeoJSONResponse,
    responses=geojson_answer("A FeatureCollection of the districts and neighborhoods"),
)
async def get_city_geojson(_: Staff, config: Config) -> GeoJSONResponse:
    """The city's districts and neighborhoods as GeoJSON.

    For maps drawn without a tile server: the boundaries are the places file's.
    """
    return GeoJSONResponse(load_city(config.places_file).geojson)


_SCOPED: dict[int | str, dict[str, Any]] = {
    403: {"description": "A caller scoped to one district (a district claim) asked for another one or the city"}
}


@router.get("/v1/districts/{code}/page", response_model=DistrictPage, responses=_SCOPED)
async def get_district_page(
    code: str, who: PoliceStaff, sessions: Sessions, config: Config, month: MonthQuery = None
) -> DistrictPage:
    """Everything the supervisor's district page shows, for one month.

    Engagement, the residents' top concerns with a quote each, sentiment, micro-projects, wins and
    crime next to them; a month under way is compared with the same days of the month before.
    """
    check_district(who, code)
    return await district_page(
        sessions,
        load_city(config.places_file),
        code,
        Month.parse(month),
        meeting_hours=config.meeting_hours,
        with_officers=who.has(Role.supervisor, Role.analyst),
        with_quotes=who.reads_words_of(code),
    )


@router.get("/v1/city/page", response_model=CityPage, responses=_SCOPED)
async def get_city_page(who: PoliceStaff, sessions: Sessions, config: Config, month: MonthQuery = None) -> CityPage:
    """All districts side by side, for one month.

    For leadership and analysts; a caller scoped to one district gets 403.
    """
    check_city_wide(who, "the city page")
    return await city_page(
        sessions,
        load_city(config.places_file),
        Month.parse(month),
        meeting_hours=config.meeting_hours,
        with_quotes=who.reads_words_of(None),
    )


@router.get(
    "/v1/districts/{code}/concerns.geojson",
    response_class=GeoJSONResponse,
    responses={**geojson_answer("A FeatureCollection of points: topic, redacted text, held_at"), **_SCOPED},
)
async def list_concern_points(
    code: str, session: Session, who: PoliceStaff, month: MonthQuery = None
) -> GeoJSONResponse:
    """The month's located concerns of a district as GeoJSON points.

    Each point has the concern's topic, its redacted text and when the meeting was held (at most 2,000).
    """
    check_district(who, code)
    words_district(who, code)  # the points carry residents' words: a 403 for a reader of figures only
    m = Month.parse(month)
    rows = await concern_points(session, code, m.utc(m.start), m.utc(m.end))
    return GeoJSONResponse(
        {
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
    )


#: Who may see who hosted a meeting behind a figure: the sergeant who checks a claim and leadership.
#: Officers and liaisons see when, where and at which meeting — not a colleague's name.
HOST_READERS = (Role.supervisor, Role.analyst, Role.admin)


@router.get("/v1/notes/sources", response_model=list[NoteSource], responses=_SCOPED)
async def list_note_sources(
    session: Session,
    who: PoliceStaff,
    ids: Annotated[list[uuid.UUID], Query(alias="id", max_length=200, description="Note ids (repeat: id=..&id=..)")],
) -> list[NoteSource]:
    """Where the notes behind a figure come from: date, meeting (kind of venue, time), place; host for
    supervisors and leadership.

    A caller scoped to one district gets that district's notes only (others are left out)."""
    show_host = who.has(*HOST_READERS)
    rows = await note_sources(session, ids, own_district(who))
    return [
        NoteSource(
            note_id=r.note_id,
            district=r.district,
            neighborhood=r.neighborhood,
            held_at=r.held_at,
            attendees=r.attendees,
            meeting=MeetingRef(
                meeting_id=r.meeting_id,
                venue_type=r.venue_type,
                starts_at=r.starts_at,
                neighborhood=r.meeting_neighborhood,
            )
            if r.meeting_id
            else None,
            host_id=r.host_id if show_host else None,
        )
        for r in rows
    ]
