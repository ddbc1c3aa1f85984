"""HTTP routes of CSV export/import and the iCalendar feed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Request, Response
from pydantic import BaseModel

from porchlight.kit.app import Session, body_limit
from porchlight.kit.auth import ANY_STAFF, Allow, CurrentPrincipal, Principal
from porchlight.kit.errors import BadRequest
from porchlight.projects.departments.service import require_department
from porchlight.projects.exchange.calendar import department_calendar
from porchlight.projects.exchange.csv_io import export_csv, import_csv
from porchlight.projects.inputs import NO_NUL, QueryText
from porchlight.projects.work.schemas import Warning_

router = APIRouter(tags=["exchange"])

Staff = Annotated[Principal, Depends(Allow(*ANY_STAFF))]


class ImportReport(BaseModel):
    dry_run: bool
    created: int
    project_ids: list[uuid.UUID]
    warnings: list[Warning_]


@router.get(
    "/v1/exports/projects.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per project"}},
)
async def get_projects_csv(
    session: Session,
    _: CurrentPrincipal,
    priority: uuid.UUID | None = None,
    district: QueryText = None,
    department: QueryText = None,
) -> Response:
    text = await export_csv(session, priority, district, department)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="projects.csv"'},
    )


@router.post(
    "/v1/imports/projects",
    response_model=ImportReport,
    summary="Import projects from CSV (all or nothing; every bad cell named as rows.<n>.<column>)",
)
@body_limit(10_000_000)  # a city's projects CSV, past the kit's 1 MB default
async def post_projects_csv(
    request: Request,
    session: Session,
    who: Staff,
    body: Annotated[bytes, Body(media_type="text/csv")],
    dry_run: bool = False,
) -> ImportReport:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest("the CSV must be UTF-8") from exc
    created, warnings = await import_csv(session, request.app.state.spec.outbox, text, who, dry_run=dry_run)
    return ImportReport(
        dry_run=dry_run,
        created=len(created),
        project_ids=[] if dry_run else [p.id for p in created],
        warnings=warnings,
    )


@router.get(
    "/v1/departments/{code}/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}, "description": "Due dates of the department's projects"}},
)
async def get_calendar(
    code: Annotated[str, Path(max_length=60, pattern=NO_NUL)], session: Session, _: CurrentPrincipal
) -> Response:
    department = await require_department(session, code, "path.code")
    return Response(await department_calendar(session, department), media_type="text/calendar; charset=utf-8")
