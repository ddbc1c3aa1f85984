"""HTTP routes of crime statistics: counts by district and month (incidents are layers', see its
``POST /v1/incidents/imports``; the dashboard counts them from ``record.accepted``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from porchlight.dashboard.incidents.schemas import CrimeStats, DistrictCrime
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages import repository as queries
from porchlight.dashboard.pages.access import narrow
from porchlight.dashboard.pages.service import period_of
from porchlight.dashboard.settings import Config
from porchlight.kit.app import Session
from porchlight.kit.auth import Staff
from porchlight.kit.city import load_city
from porchlight.kit.errors import ValidationProblem

router = APIRouter(prefix="/v1/incidents", tags=["crime statistics"])


@router.get("/stats", response_model=CrimeStats)
async def get_crime_stats(
    session: Session,
    who: Staff,
    config: Config,
    month: Annotated[str | None, Query(description="YYYY-MM (default: this month, UTC)")] = None,
    district: Annotated[
        str | None, Query(description="One district code (default: all; a district-scoped caller's own)")
    ] = None,
) -> CrimeStats:
    """Incident counts by district for a month, with the changes against last month and last year.

    A month under way is compared with the same days of the month before. A caller scoped to one
    district gets that district's counts.
    """
    district = narrow(who, district)
    city = load_city(config.places_file)
    m = Month.parse(month)
    codes = [district] if district else city.codes
    if district and district not in city.codes:
        raise ValidationProblem(
            f"no district {district!r}", errors=[{"field": "query.district", "message": "unknown district"}]
        )
    found = await queries.crime(session, codes, m)
    return CrimeStats(period=period_of(m), districts=[DistrictCrime(district=d, crime=found[d]) for d in codes])
