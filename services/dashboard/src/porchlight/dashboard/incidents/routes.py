"""HTTP routes of crime statistics: import a CSV, read counts by district and month."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, UploadFile

from porchlight.dashboard.incidents.schemas import CrimeStats, DistrictCrime, ImportReportOut
from porchlight.dashboard.incidents.service import MappingError, import_incidents
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages import repository as queries
from porchlight.dashboard.pages.access import narrow
from porchlight.dashboard.pages.service import period_of
from porchlight.dashboard.settings import Config
from porchlight.kit.app import Session, body_limit
from porchlight.kit.auth import Allow, Principal, Role, Staff
from porchlight.kit.city import load_city
from porchlight.kit.errors import ValidationProblem

router = APIRouter(prefix="/v1/incidents", tags=["crime statistics"])


UPLOAD_LIMIT_BYTES = 50_000_000


async def _text(upload: UploadFile, field: str) -> str:
    try:
        return (await upload.read()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationProblem(
            f"{field} is not UTF-8 text", errors=[{"field": f"body.{field}", "message": "not UTF-8"}]
        ) from None


@router.post(
    "/imports",
    status_code=201,
    response_model=ImportReportOut,
)
@body_limit(UPLOAD_LIMIT_BYTES)  # a year of a city's incidents is ~10 MB, past the kit's 1 MB default
async def import_incidents_csv(
    file: UploadFile,
    session: Session,
    config: Config,
    _: Annotated[Principal, Depends(Allow(Role.analyst))],
    mapping: UploadFile | None = None,
) -> ImportReportOut:
    """Import crime incidents from CSV.

    Multipart: `file` (the records system's export) and optionally `mapping` (CSV
    `code,nibrs_code,category` for the city's own offence codes). Districts are found by
    point-in-polygon; an incident imported before (same id) is skipped, and the first 50
    rejected rows are named with their line and field.
    """
    text = await _text(file, "file")
    mapping_text = await _text(mapping, "mapping") if mapping is not None else None
    try:
        report = await import_incidents(
            session, load_city(config.places_file), file.filename or "upload.csv", text, mapping_text
        )
    except MappingError as exc:
        raise ValidationProblem(str(exc), errors=[{"field": f"body.{exc.source}", "message": str(exc)}]) from None
    out: dict[str, Any] = {**report.__dict__, "import_id": str(report.import_id)}
    return ImportReportOut(**out)


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
