"""POST /v1/records/imports: a department's file (CSV, GeoJSON, XLSX) with its mapping."""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, UploadFile

from porchlight.kit.app import Provided, Session, body_limit
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import ProblemError, ValidationProblem
from porchlight.layers.imports import service
from porchlight.layers.imports.reading import FileError, MappingError, parse_mapping
from porchlight.layers.imports.schemas import ImportReportOut, RowError
from porchlight.layers.records.service import Places

router = APIRouter(tags=["records"])

#: A year of a big city's 311 cases is ~30 MB of CSV.
UPLOAD_LIMIT_BYTES = 50_000_000
Importer = Annotated[Principal, Depends(Allow(Role.partner, Role.analyst))]
PlacesDep = Annotated[Places, Provided(Places)]
#: Without a mapping file the columns are named after the record's fields.
DEFAULT_MAPPING = files("porchlight.layers.imports.mappings").joinpath("fields.yaml")


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
        text = (await mapping.read()).decode("utf-8-sig") if mapping is not None else DEFAULT_MAPPING.read_text()
        rules = parse_mapping(text)
    except UnicodeDecodeError:
        raise ValidationProblem(
            "the mapping is not UTF-8", errors=[{"field": "body.mapping", "message": "not UTF-8"}]
        ) from None
    except MappingError as exc:
        raise ValidationProblem(
            str(exc), errors=[{"field": f"body.mapping.{exc.field}", "message": exc.message}]
        ) from None
    data = await file.read()
    scope = who.department if who.department and not who.has(Role.analyst) else None
    try:
        report = await service.import_file(
            session, places, file.filename or "upload.csv", data, rules, dry_run=dry_run, department=scope
        )
    except FileError as exc:
        if exc.status == 415:
            raise UnsupportedFile(str(exc)) from None
        raise ValidationProblem(str(exc), errors=[{"field": "body.file", "message": str(exc)}]) from None
    return ImportReportOut(
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        refused=report.refused,
        by_layer=dict(report.by_layer),
        errors=[RowError(**e) for e in report.errors],
        dry_run=report.dry_run,
    )
