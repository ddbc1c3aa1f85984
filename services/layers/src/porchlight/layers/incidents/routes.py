"""POST /v1/incidents/imports: the records system's incident CSV (moved here from the dashboard,
same multipart fields, same answer)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, UploadFile

from porchlight.kit.app import Provided, Session, body_limit
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import ValidationProblem
from porchlight.layers.incidents.parsing import FileProblem
from porchlight.layers.incidents.schemas import IncidentImportOut
from porchlight.layers.incidents.service import import_incidents
from porchlight.layers.records.service import Places

router = APIRouter(prefix="/v1/incidents", tags=["crime incidents"])

UPLOAD_LIMIT_BYTES = 50_000_000


async def _text(upload: UploadFile, field: str) -> str:
    try:
        text = (await upload.read()).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationProblem(
            f"{field} is not UTF-8 text", errors=[{"field": f"body.{field}", "message": "not UTF-8"}]
        ) from None
    if "\x00" in text:
        raise ValidationProblem(f"{field} is not text", errors=[{"field": f"body.{field}", "message": "NUL bytes"}])
    return text


@router.post("/imports", status_code=201, response_model=IncidentImportOut)
@body_limit(UPLOAD_LIMIT_BYTES)  # a year of a city's incidents is ~10 MB, past the kit's 1 MB default
async def import_incidents_csv(
    file: UploadFile,
    session: Session,
    places: Annotated[Places, Provided(Places)],
    _: Annotated[Principal, Depends(Allow(Role.analyst))],
    mapping: UploadFile | None = None,
) -> IncidentImportOut:
    """Import crime incidents from CSV.

    Multipart: `file` (the records system's export) and optionally `mapping` (CSV
    `code,nibrs_code,category` for the city's own offence codes). Each incident becomes a record
    of the police department's `incident` layer, located by point-in-polygon; an incident
    imported before (same id) and unchanged is a duplicate; the first 50 rejected rows are named
    with their line and field (a point outside the city among them).
    """
    text = await _text(file, "file")
    mapping_text = await _text(mapping, "mapping") if mapping is not None else None
    try:
        report = await import_incidents(session, places, file.filename or "upload.csv", text, mapping_text)
    except FileProblem as exc:
        raise ValidationProblem(str(exc), errors=[{"field": f"body.{exc.source}", "message": str(exc)}]) from None
    out: dict[str, Any] = {**report.__dict__, "import_id": str(report.import_id)}
    return IncidentImportOut(**out)
