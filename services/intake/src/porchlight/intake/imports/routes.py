"""HTTP routes of bulk imports: upload (dry run), watch, read the issues, commit.

``POST /v1/imports`` takes the file and validates every row without importing any: a file up
to ``inline_max_bytes`` inside the request (201, the full report), a larger one in the
background (202; ``GET /v1/imports/{id}`` shows its progress). ``POST .../commit`` with
``{"rows": "all"}`` imports everything and is refused (409) while any row is invalid;
``{"rows": "valid_only"}`` is the explicit choice to import the good rows and leave the rest.
Imports are a supervisor's job (admins too); a job is seen by who uploaded it, and admins.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.intake.imports.models import ACTIVE, ImportJob
from porchlight.intake.imports.report import report_of
from porchlight.intake.imports.repository import ImportRepository
from porchlight.intake.imports.runner import Runner, in_session, spawn
from porchlight.intake.imports.schemas import CommitIn, DateFormat, ImportOptions, ImportReport, Kind
from porchlight.intake.imports.service import choose, create_job
from porchlight.intake.imports.settings import ImportSettings
from porchlight.intake.settings import Config, IntakeSettings
from porchlight.kit.app import Session, body_limit
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import NotFound, ValidationProblem
from porchlight.kit.runtime import ServiceRuntime

router = APIRouter(prefix="/v1/imports", tags=["imports"])

#: Room for the multipart envelope (boundaries, the form's other fields) above the file's limit.
MULTIPART_ROOM = 64 * 1024

Importer = Annotated[Principal, Depends(Allow(Role.supervisor))]


def settings_of(state: Any) -> ImportSettings:
    """Read once per app, at the first request that needs them (never at import)."""
    if not isinstance(getattr(state, "import_settings", None), ImportSettings):
        state.import_settings = ImportSettings()
    settings: ImportSettings = state.import_settings
    return settings


def import_settings(request: Request) -> ImportSettings:
    return settings_of(request.app.state)


Settings = Annotated[ImportSettings, Depends(import_settings)]


def parse_mapping(raw: str | None) -> dict[str, str | None]:
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    ):
        raise ValidationProblem(
            "Invalid fields: mapping",
            errors=[
                {
                    "field": "mapping",
                    "message": "a JSON object of column header -> field or null, e.g. "
                    '{"Mins": "minutes", "Internal": null}',
                }
            ],
        )
    return value


async def _visible(session: AsyncSession, import_id: uuid.UUID, who: Principal, *, lock: bool = False) -> ImportJob:
    job = await ImportRepository(session).get(import_id, for_update=lock)
    if job is None or (job.created_by != who.subject and Role.admin not in who.roles):
        raise NotFound(f"no import {import_id}")  # not a 403: others' ids stay unconfirmed
    return job


async def _spawn(
    runtime: ServiceRuntime, import_id: uuid.UUID, settings: ImportSettings, intake: IntakeSettings
) -> None:
    """After the response (the upload's transaction has committed): start the job in this loop."""
    spawn(runtime, import_id, settings, intake)


def _stale(job: ImportJob) -> bool:
    return job.status in ACTIVE and (job.lease_until is None or job.lease_until < datetime.now(UTC))


_ANSWERS: dict[int | str, dict[str, Any]] = {
    202: {"model": ImportReport, "description": "Accepted: runs in the background; GET the import for progress"},
    413: {"description": "The file exceeds the import size limit"},
    415: {"description": "Not a CSV or XLSX file (an old .xls, a PDF...)"},
    422: {"description": "Malformed encoding, no header, missing required columns, a bad mapping (all named)"},
}


@router.post(
    "",
    status_code=201,
    response_model=ImportReport,
    responses=_ANSWERS,
    summary="Upload a CSV or XLSX of past notes or contacts: a dry run, nothing imported",
)
@body_limit(lambda state: settings_of(state).max_bytes + MULTIPART_ROOM)  # not the kit's 1 MB default
async def upload(
    request: Request,
    response: Response,
    background: BackgroundTasks,
    session: Session,
    who: Importer,
    settings: Settings,
    intake: Config,
    file: Annotated[UploadFile, File(description="CSV (any of , ; TAB |) or XLSX")],
    kind: Annotated[Kind, Form(description="What the rows are")],
    mode: Annotated[Literal["dry_run"], Form(description="Always a dry run first; commit with .../commit")] = "dry_run",
    mapping: Annotated[str | None, Form(description='JSON: {"column header": "field" or null}')] = None,
    date_format: Annotated[DateFormat, Form(description="Numeric dates: mdy (US, default), dmy or ymd")] = "mdy",
    timezone: Annotated[str | None, Form(description="IANA zone of times without an offset")] = None,
    sheet: Annotated[str | None, Form(description="XLSX: sheet to read (default: the first)")] = None,
) -> ImportReport:
    try:
        options = ImportOptions(
            kind=kind,
            mapping=parse_mapping(mapping),
            date_format=date_format,
            timezone=timezone or None,
            sheet=sheet or None,
        )
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"][:1]), "message": e["msg"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise ValidationProblem(f"Invalid fields: {', '.join(e['field'] for e in errors)}", errors=errors) from None
    job = await create_job(session, file.file, file.filename or "upload", options, who, settings)
    if job.size_bytes <= settings.inline_max_bytes:
        runner = Runner(
            tx=in_session(session), outbox=request.app.state.spec.outbox, settings=settings, intake=intake, leased=False
        )
        job = await runner.run(job.id, file=file.file) or job
    else:
        background.add_task(_spawn, request.app.state.runtime, job.id, settings, intake)
        response.status_code = 202
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return await report_of(session, job)


@router.get("/{import_id}", response_model=ImportReport, summary="An import: status, progress, first issues")
async def get_import(
    import_id: uuid.UUID, request: Request, session: Session, who: Importer, settings: Settings, intake: Config
) -> ImportReport:
    job = await _visible(session, import_id, who)
    if _stale(job):  # its runner is gone (or never started): this replica takes it up
        spawn(request.app.state.runtime, job.id, settings, intake)
    return await report_of(session, job)


@router.get(
    "/{import_id}/errors.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Every issue: row, column, field, reason, phase"}},
    summary="Every issue of an import, as CSV (no cell values)",
)
async def errors_csv(import_id: uuid.UUID, request: Request, session: Session, who: Importer) -> StreamingResponse:
    job = await _visible(session, import_id, who)
    return StreamingResponse(
        _issue_lines(request.app.state.runtime.sessions, job.id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job.id}-errors.csv"'},
    )


async def _issue_lines(sessions: async_sessionmaker[AsyncSession], import_id: uuid.UUID) -> AsyncIterator[str]:
    """Pages of issues, each read in a short session (the response outlives the request's)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "field", "reason", "phase"])
    after = (0, 0)
    while True:
        async with sessions() as session:
            page = await ImportRepository(session).issues_page(import_id, after, 1000)
        for i in page:
            writer.writerow([i.row, i.column or "", i.field, i.reason, i.phase])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(page) < 1000:
            return
        after = (page[-1].row, page[-1].id)


@router.post(
    "/{import_id}/commit",
    response_model=ImportReport,
    responses={
        202: {"model": ImportReport, "description": "Importing in the background; GET the import for progress"},
        409: {"description": "rows=all while rows are invalid; not validated yet; expired; another choice made"},
    },
    summary="Import the rows: all (only when every row is valid) or valid_only (the explicit choice)",
)
async def commit(
    import_id: uuid.UUID,
    body: CommitIn,
    request: Request,
    response: Response,
    background: BackgroundTasks,
    session: Session,
    who: Importer,
    settings: Settings,
    intake: Config,
) -> ImportReport:
    job = await _visible(session, import_id, who, lock=True)
    if choose(job, body.rows):
        if job.lease_owner is None and job.valid - job.committed <= settings.inline_max_rows:
            runner = Runner(
                tx=in_session(session),
                outbox=request.app.state.spec.outbox,
                settings=settings,
                intake=intake,
                leased=False,
            )
            await runner.commit(job.id)
        elif job.lease_owner is None or _stale(job):
            background.add_task(_spawn, request.app.state.runtime, job.id, settings, intake)
    await session.flush()
    if job.status == "importing":
        response.status_code = 202
    return await report_of(session, job)
