"""HTTP routes of crime statistics: import a CSV, read counts by district and month."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from pydantic import BaseModel, Field

from porchlight.dashboard.incidents.importer import MappingError, import_incidents
from porchlight.dashboard.pages import queries
from porchlight.dashboard.pages.access import narrow
from porchlight.dashboard.pages.period import Month
from porchlight.dashboard.pages.routes import STAFF, settings_of
from porchlight.dashboard.pages.schemas import Crime, Period
from porchlight.dashboard.pages.service import period_of
from porchlight.dashboard.places import load_city
from porchlight.kit.app import Session, body_limit
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import ValidationProblem

router = APIRouter(prefix="/v1/incidents", tags=["crime statistics"])


class RowError(BaseModel):
    row: int = Field(description="Line in the file (the header is line 1)")
    field: str
    message: str


class ImportReportOut(BaseModel):
    import_id: str
    filename: str
    rows: int
    imported: int
    duplicates: int = Field(description="Already imported before (same incident id): skipped")
    rejected: int
    unlocated: int = Field(description="Imported without a district (outside the city, or a block without a point)")
    by_district: dict[str, int]
    errors: list[RowError] = Field(description="The first 50 rejected rows")


class DistrictCrime(BaseModel):
    district: str
    crime: Crime


class CrimeStats(BaseModel):
    period: Period
    districts: list[DistrictCrime]


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
    summary="Import incidents from CSV (multipart: `file`, optional `mapping` of the city's codes)",
)
@body_limit(UPLOAD_LIMIT_BYTES)  # a year of a city's incidents is ~10 MB, past the kit's 1 MB default
async def post_import(
    file: UploadFile,
    session: Session,
    request: Request,
    _: Annotated[Principal, Depends(Allow(Role.analyst))],
    mapping: UploadFile | None = None,
) -> ImportReportOut:
    text = await _text(file, "file")
    mapping_text = await _text(mapping, "mapping") if mapping is not None else None
    try:
        report = await import_incidents(
            session, load_city(settings_of(request).places_file), file.filename or "upload.csv", text, mapping_text
        )
    except MappingError as exc:
        raise ValidationProblem(str(exc), errors=[{"field": f"body.{exc.source}", "message": str(exc)}]) from None
    out: dict[str, Any] = {**report.__dict__, "import_id": str(report.import_id)}
    return ImportReportOut(**out)


@router.get("/stats", response_model=CrimeStats, summary="Incident counts by district for a month, with changes")
async def stats(
    session: Session,
    who: Annotated[Principal, Depends(STAFF)],
    request: Request,
    month: Annotated[str | None, Query(description="YYYY-MM (default: this month, UTC)")] = None,
    district: Annotated[
        str | None, Query(description="One district code (default: all; a district-scoped caller's own)")
    ] = None,
) -> CrimeStats:
    district = narrow(who, district)
    city = load_city(settings_of(request).places_file)
    m = Month.parse(month)
    codes = [district] if district else city.codes
    if district and district not in city.codes:
        raise ValidationProblem(
            f"no district {district!r}", errors=[{"field": "query.district", "message": "unknown district"}]
        )
    found = await queries.crime(session, codes, m)
    return CrimeStats(period=period_of(m), districts=[DistrictCrime(district=d, crime=found[d]) for d in codes])
