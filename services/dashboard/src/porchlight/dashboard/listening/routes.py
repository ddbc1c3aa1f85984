"""The listening gap's route: the figures behind the district and city pages' map and under-heard list."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from porchlight.dashboard.listening.schemas import ListeningGap
from porchlight.dashboard.listening.service import listening_gap
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages.access import PoliceStaff, check_city_wide, check_district
from porchlight.dashboard.settings import Config
from porchlight.kit.app import Session
from porchlight.kit.city import load_city

router = APIRouter(tags=["pages"])

_SCOPED: dict[int | str, dict[str, Any]] = {
    403: {"description": "A caller scoped to one district asked for another one or the whole city"},
    404: {"description": "No such district in the city"},
}


@router.get("/v1/listening-gap", response_model=ListeningGap, responses=_SCOPED)
async def get_listening_gap(
    session: Session,
    who: PoliceStaff,
    config: Config,
    month: Annotated[str | None, Query(description="YYYY-MM (default: this month, UTC)", examples=["2026-10"])] = None,
    district: Annotated[str | None, Query(description="A district's code; leave out for the whole city")] = None,
) -> ListeningGap:
    """Who was heard against who lives there: residents reached per 1,000 residents, per neighborhood.

    Residents reached are the month's meeting attendees (notes) and contacts' residents placed in each
    neighborhood; the population is the places file's. The under-heard list ranks the neighborhoods
    of known population, lowest rate first, with where the next micro-meetings should be.
    """
    if district is None:
        check_city_wide(who, "the whole city's listening gap")
    else:
        check_district(who, district)
    return await listening_gap(session, load_city(config.places_file), Month.parse(month), district)
