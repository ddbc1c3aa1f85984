"""Projects as CSV: export what the board holds; import rows as new proposed projects.

An import is all or nothing: every row is checked (types, known priority, department and
team, dates in order, the DICE enforcement rule) and every bad cell named as
``rows.<n>.<column>`` (``n`` counts data rows from 1); only a file without errors is saved.
"""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox
from porchlight.kit.auth import Principal
from porchlight.kit.errors import BadRequest, ProblemError, ValidationProblem
from porchlight.projects.work.models import Project
from porchlight.projects.work.schemas import ProjectIn, Warning_
from porchlight.projects.work.service import create_project

COLUMNS = [
    "id",
    "priority_id",
    "title",
    "description",
    "district",
    "neighborhood",
    "place",
    "lat",
    "lon",
    "department",
    "team",
    "remedy_kind",
    "justification",
    "starts_on",
    "due_on",
    "status",
    "blocked_reason",
    "owner",
    "tasks_total",
    "tasks_done",
    "version",
    "win_text",
]
#: What an import reads (the rest of an export — id, status, counts — is the system's).
IMPORTED = {
    "priority_id",
    "title",
    "description",
    "district",
    "neighborhood",
    "place",
    "department",
    "team",
    "remedy_kind",
    "justification",
    "starts_on",
    "due_on",
    "owner",
    "win_text",
}
MAX_ROWS = 5000


async def export_csv(
    session: AsyncSession, priority: uuid.UUID | None, district: str | None, department: str | None
) -> str:
    stmt = sa.select(Project).order_by(Project.priority_id, Project.due_on, Project.id)
    if priority:
        stmt = stmt.where(Project.priority_id == priority)
    if district:
        stmt = stmt.where(Project.district == district)
    if department:
        stmt = stmt.where(Project.department == department)
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for p in await session.scalars(stmt):
        row = {c: getattr(p, c) for c in COLUMNS}
        writer.writerow({k: "" if v is None else _neutral(str(v)) for k, v in row.items()})
    return out.getvalue()


def _neutral(cell: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") and not _number(cell) else cell


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _row_input(raw: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {k: v.strip() for k, v in raw.items() if k in IMPORTED and v and v.strip()}
    for k, v in values.items():
        if isinstance(v, str) and v.startswith("'") and v[1:2] in ("=", "+", "-", "@"):
            values[k] = v[1:]  # undo _neutral on a round trip
    lat, lon = (raw.get("lat") or "").strip(), (raw.get("lon") or "").strip()
    if lat or lon:
        values["point"] = {"lat": lat, "lon": lon}
    return values


async def import_csv(
    session: AsyncSession, outbox: Outbox, text: str, who: Principal, *, dry_run: bool = False
) -> tuple[list[Project], list[Warning_]]:
    reader = csv.DictReader(io.StringIO(text))
    header = set(reader.fieldnames or [])
    missing = {"priority_id", "title", "department", "remedy_kind", "starts_on", "due_on"} - header
    if missing:
        raise ValidationProblem(
            "the CSV lacks required columns",
            errors=[{"field": f"header.{name}", "message": "missing column"} for name in sorted(missing)],
        )
    created: list[Project] = []
    warnings: list[Warning_] = []
    errors: list[dict[str, str]] = []
    # A savepoint around the whole file: a dry run rolls it back and keeps nothing (events neither).
    whole = await session.begin_nested()
    for n, raw in enumerate(reader, start=1):
        if n > MAX_ROWS:
            raise BadRequest(f"at most {MAX_ROWS} rows per import")
        try:
            body = ProjectIn.model_validate(_row_input(raw))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                errors.append({"field": f"rows.{n}.{loc}", "message": err["msg"]})
            continue
        try:
            async with session.begin_nested():
                project, row_warnings = await create_project(session, outbox, body, who)
        except ProblemError as exc:
            for problem in exc.errors or [{"field": "body", "message": exc.detail}]:
                name = problem["field"].removeprefix("body.")
                errors.append({"field": f"rows.{n}.{name}", "message": problem["message"]})
            continue
        created.append(project)
        warnings += [w.model_copy(update={"field": f"rows.{n}"}) for w in row_warnings]
    if errors:
        await whole.rollback()
        raise ValidationProblem(f"{len(errors)} problem(s) in the CSV; nothing was imported", errors=errors)
    if dry_run:
        await whole.rollback()
    else:
        await whole.commit()
    return created, warnings
