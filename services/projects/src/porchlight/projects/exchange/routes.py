"""HTTP routes of CSV export/import and the iCalendar feed."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Path, Response

from porchlight.kit.app import Session, body_limit
from porchlight.kit.auth import CurrentPrincipal, Staff
from porchlight.kit.errors import BadRequest
from porchlight.projects.db import outbox
from porchlight.projects.departments.service import require_department
from porchlight.projects.exchange.exports import department_calendar, export_csv
from porchlight.projects.exchange.schemas import ImportReport
from porchlight.projects.exchange.service import import_csv
from porchlight.projects.inputs.fields import NO_NUL, QueryText

router = APIRouter(tags=["exchange"])


@router.get(
    "/v1/exports/projects.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per project"}},
)
async def export_projects(
    session: Session,
    _: CurrentPrincipal,
    priority: uuid.UUID | None = None,
    district: QueryText = None,
    department: QueryText = None,
) -> Response:
    """Projects as CSV.

    One row per project, with the board's filters; cells that a spreadsheet would run as a formula
    are quoted. The file imports again (as new proposed projects).
    """
    text = await export_csv(session, priority, district, department)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="projects.csv"'},
    )


@router.post("/v1/imports/projects", response_model=ImportReport)
@body_limit(10_000_000)  # a city's projects CSV, past the kit's 1 MB default
async def import_projects(
    session: Session,
    who: Staff,
    body: Annotated[bytes, Body(media_type="text/csv")],
    dry_run: bool = False,
) -> ImportReport:
    """Import projects from CSV (all or nothing; every bad cell named as rows.<n>.<column>).

    Each row becomes a new proposed project under the same rules as `POST /v1/projects`;
    `dry_run=true` checks the file and keeps nothing.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadRequest("the CSV must be UTF-8") from exc
    created, warnings = await import_csv(session, outbox, text, who, dry_run=dry_run)
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
async def get_department_calendar(
    code: Annotated[str, Path(max_length=60, pattern=NO_NUL)], session: Session, _: CurrentPrincipal
) -> Response:
    """A department's project due dates as an iCalendar feed.

    RFC 5545, an all-day event per project on its due date, its teams' projects included: any
    calendar app subscribes to it.
    """
    department = await require_department(session, code, "path.code")
    return Response(await department_calendar(session, department), media_type="text/calendar; charset=utf-8")
