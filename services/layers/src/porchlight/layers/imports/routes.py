"""POST /v1/records/imports: a department's file (CSV, GeoJSON, XLSX) with its mapping."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile

from porchlight.kit.app import Provided, Session, body_limit
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import ProblemError, ValidationProblem
from porchlight.layers.imports import service
from porchlight.layers.imports.reading import FileError, MappingError
from porchlight.layers.imports.schemas import ImportReportOut
from porchlight.layers.records.service import Places

router = APIRouter(tags=["records"])

#: A year of a big city's 311 cases is ~30 MB of CSV.
UPLOAD_LIMIT_BYTES = 50_000_000
Importer = Annotated[Principal, Depends(Allow(Role.partner, Role.analyst))]
PlacesDep = Annotated[Places, Provided(Places)]


class UnsupportedFile(ProblemError):
    status, slug, title = 415, "unsupported-file", "Not a CSV, GeoJSON or XLSX file"


@router.post(
    "/v1/records/imports",
    response_model=ImportReportOut,
    responses={413: {"description": "Larger than 50 MB"}, 415: {"description": "Not a CSV, GeoJSON or XLSX file"}},
)
@body_limit(UPLOAD_LIMIT_BYTES)
async def import_records(
    session: Session,
    who: Importer,
    places: PlacesDep,
    file: Annotated[UploadFile, File(description="The department's export: CSV, GeoJSON or XLSX")],
    mapping: Annotated[UploadFile | None, File(description="YAML: which column gives which field")] = None,
    dry_run: Annotated[bool, Form(description="Check only: the same report, nothing written")] = False,
) -> ImportReportOut:
    """Import a department's file of records.

    Each row goes through the mapping (see imports/reading/mapping.py; without one the columns are
    named after the record's fields) and is checked and stored as any record is: the same
    department and external id again updates it. A department system's key imports its own
    department's rows only. The report names the first 50 refused rows by line and field.
    """
    try:
        rules = service.mapping_of((await mapping.read()).decode("utf-8-sig") if mapping is not None else None)
    except UnicodeDecodeError:
        raise ValidationProblem(
            "the mapping is not UTF-8", errors=[{"field": "body.mapping", "message": "not UTF-8"}]
        ) from None
    except MappingError as exc:
        where = f"body.mapping.{exc.field}" if exc.field else "body.mapping"
        raise ValidationProblem(str(exc), errors=[{"field": where, "message": exc.message}]) from None
    data = await file.read()
    scope = who.department if who.department and not who.has(Role.analyst) else None
    try:
        report = await service.import_file(
            session, places, file.filename or "upload.csv", data, rules, dry_run=dry_run, department=scope
        )
    except FileError as exc:
        named = [{"field": "body.file", "message": str(exc)}]
        if exc.status == 415:
            raise UnsupportedFile(str(exc), errors=named) from None
        raise ValidationProblem(str(exc), errors=named) from None
    return ImportReportOut.model_validate(report.as_dict())
