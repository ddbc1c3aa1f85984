"""Projects from CSV: rows become new proposed projects, all or nothing.

Every row is checked (types, known priority, department and team, dates in order, the DICE
enforcement rule) and every bad cell named as ``rows.<n>.<column>`` (``n`` counts data rows from
1); only a file without errors is saved.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox
from porchlight.kit.auth import Principal
from porchlight.kit.errors import BadRequest, ProblemError, ValidationProblem
from porchlight.kit.inputs import unneutralize
from porchlight.projects.work.models import Project
from porchlight.projects.work.schemas import PlanningWarning, ProjectIn
from porchlight.projects.work.service import create_project

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


def _row_input(raw: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {k: v.strip() for k, v in raw.items() if k in IMPORTED and v and v.strip()}
    for k, v in values.items():
        values[k] = unneutralize(v)  # an exported file imported again: its formulas' quotes undone
    lat, lon = (raw.get("lat") or "").strip(), (raw.get("lon") or "").strip()
    if lat or lon:
        values["point"] = {"lat": lat, "lon": lon}
    return values


def _unreadable(exc: csv.Error) -> BadRequest:
    # A stray carriage return or a NUL byte: a file the csv module cannot split is the caller's
    # to fix (400, like a file that is not UTF-8), not a server error.
    return BadRequest(f"the CSV cannot be read: {exc}")


def _header(reader: csv.DictReader[str]) -> set[str]:
    try:
        return set(reader.fieldnames or [])
    except csv.Error as exc:
        raise _unreadable(exc) from exc


def _rows(reader: csv.DictReader[str]) -> Iterator[dict[str, Any]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise _unreadable(exc) from exc


async def import_csv(
    session: AsyncSession, outbox: Outbox, text: str, who: Principal, *, dry_run: bool = False
) -> tuple[list[Project], list[PlanningWarning]]:
    reader = csv.DictReader(io.StringIO(text))
    header = _header(reader)
    missing = {"priority_id", "title", "department", "remedy_kind", "starts_on", "due_on"} - header
    if missing:
        raise ValidationProblem(
            "the CSV lacks required columns",
            errors=[{"field": f"header.{name}", "message": "missing column"} for name in sorted(missing)],
        )
    created: list[Project] = []
    warnings: list[PlanningWarning] = []
    errors: list[dict[str, str]] = []
    # A savepoint around the whole file: a dry run rolls it back and keeps nothing (events neither).
    whole = await session.begin_nested()
    for n, raw in enumerate(_rows(reader), start=1):
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
