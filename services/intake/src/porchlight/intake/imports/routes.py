"""HTTP routes of bulk imports: upload (dry run), watch, read the issues, commit.

``POST /v1/imports`` takes the file and validates every row without importing any: a file up
to ``import_inline_max_bytes`` inside the request (201, the full report), a larger one in the
background (202; ``GET /v1/imports/{id}`` shows its progress). ``POST .../commit`` with
``{"rows": "all"}`` imports everything and is refused (409) while any row is invalid;
``{"rows": "valid_only"}`` is the explicit choice to import the good rows and leave the rest.
Imports are a supervisor's job (admins too); a job is seen by who uploaded it, and admins.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.db import outbox
from porchlight.intake.imports.exports import issue_lines
from porchlight.intake.imports.models import ACTIVE, ImportJob
from porchlight.intake.imports.repository import ImportRepository
from porchlight.intake.imports.schemas import (
    CommitIn,
    CommitOut,
    DateFormat,
    ImportOptions,
    ImportReport,
    Kind,
    RowIssue,
)
from porchlight.intake.imports.service import choose, columns_of, create_job, progress_of
from porchlight.intake.imports.worker import Runner, in_session, spawn
from porchlight.intake.settings import Config, IntakeSettings
from porchlight.kit.app import Runtime, Session, Sessions, body_limit
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import NotFound, ValidationProblem, human_message
from porchlight.kit.runtime import ServiceRuntime

router = APIRouter(prefix="/v1/imports", tags=["imports"])

#: Room for the multipart envelope (boundaries, the form's other fields) above the file's limit.
MULTIPART_ROOM = 64 * 1024

Importer = Annotated[Principal, Depends(Allow(Role.supervisor))]


def _max_upload_bytes(runtime: ServiceRuntime) -> int:
    """The upload's limit, from the settings the runtime provides (read at the first request)."""
    return runtime.resource(IntakeSettings).import_max_bytes + MULTIPART_ROOM


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


async def _spawn(runtime: ServiceRuntime, import_id: uuid.UUID) -> None:
    """After the response (the upload's transaction has committed): start the job in this loop."""
    spawn(runtime, import_id)


#: Issues a report lists; the errors CSV has all of them.
FIRST_ISSUES = 100


async def report_of(session: AsyncSession, job: ImportJob) -> ImportReport:
    issues = await ImportRepository(session).first_issues(job.id, FIRST_ISSUES)
    warnings = await ImportRepository(session).first_warnings(job.id, FIRST_ISSUES)
    commit = None
    if job.choice is not None:
        commit = CommitOut(
            choice=job.choice,
            committed=job.committed,
            created=job.created,
            existing=job.existing,
            conflicts=job.conflicts,
            last_row=job.committed_row,
        )
    return ImportReport(
        import_id=job.id,
        kind=job.kind,
        status=job.status,
        filename=job.filename,
        file_format=job.file_format,
        encoding=job.encoding,
        delimiter=job.delimiter,
        size_bytes=job.size_bytes,
        rows=job.rows_seen,
        blank_rows=job.blank_rows,
        valid=job.valid,
        invalid=job.invalid,
        progress=progress_of(job),
        columns=columns_of(job),
        errors=[RowIssue(row=i.row, column=i.column, field=i.field, reason=i.reason) for i in issues],
        warnings=[RowIssue(row=i.row, column=i.column, field=i.field, reason=i.reason) for i in warnings],
        errors_url=f"/v1/imports/{job.id}/errors.csv",
        commit=commit,
        failure=job.failure,
        created_at=job.created_at,
        updated_at=job.updated_at,
        expires_at=job.expires_at,
    )


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
)
@body_limit(_max_upload_bytes)  # not the kit's 1 MB default
async def upload_import(
    runtime: Runtime,
    response: Response,
    background: BackgroundTasks,
    session: Session,
    who: Importer,
    settings: Config,
    file: Annotated[UploadFile, File(description="CSV (any of , ; TAB |) or XLSX")],
    kind: Annotated[Kind, Form(description="What the rows are")],
    mode: Annotated[Literal["dry_run"], Form(description="Always a dry run first; commit with .../commit")] = "dry_run",
    mapping: Annotated[str | None, Form(description='JSON: {"column header": "field" or null}')] = None,
    date_format: Annotated[DateFormat, Form(description="Numeric dates: mdy (US, default), dmy or ymd")] = "mdy",
    timezone: Annotated[str | None, Form(description="IANA zone of times without an offset")] = None,
    sheet: Annotated[str | None, Form(description="XLSX: sheet to read (default: the first)")] = None,
) -> ImportReport:
    """Upload a CSV or XLSX of past notes or contacts: a dry run, nothing imported.

    Every row is validated: a file up to `import_inline_max_bytes` inside the request (201, the
    full report), a larger one in the background (202; GET the import for its progress). Commit
    the rows with `POST /v1/imports/{id}/commit`.
    """
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
            {"field": ".".join(str(p) for p in e["loc"][:1]), "message": human_message(e), "code": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise ValidationProblem(f"Invalid fields: {', '.join(e['field'] for e in errors)}", errors=errors) from None
    job = await create_job(session, file.file, file.filename or "upload", options, who, settings)
    if job.size_bytes <= settings.import_inline_max_bytes:
        runner = Runner(tx=in_session(session), outbox=outbox, settings=settings, leased=False)
        job = await runner.run(job.id, file=file.file) or job
    else:
        background.add_task(_spawn, runtime, job.id)
        response.status_code = 202
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return await report_of(session, job)


@router.get("/{import_id}", response_model=ImportReport)
async def get_import(import_id: uuid.UUID, runtime: Runtime, session: Session, who: Importer) -> ImportReport:
    """An import: status, progress, first issues.

    A job whose runner is gone (its process died) is taken up by this replica. Jobs are seen by
    who uploaded them, and admins.
    """
    job = await _visible(session, import_id, who)
    if _stale(job):  # its runner is gone (or never started): this replica takes it up
        spawn(runtime, job.id)
    return await report_of(session, job)


@router.get(
    "/{import_id}/errors.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Every issue: row, column, field, reason, phase"}},
)
async def export_import_issues(
    import_id: uuid.UUID, sessions: Sessions, session: Session, who: Importer
) -> StreamingResponse:
    """Every issue of an import, as CSV (no cell values).

    One line per issue: row, column, field, reason and phase (validate or commit), streamed.
    """
    job = await _visible(session, import_id, who)
    return StreamingResponse(
        issue_lines(sessions, job.id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job.id}-errors.csv"'},
    )


@router.post(
    "/{import_id}/commit",
    response_model=ImportReport,
    responses={
        202: {"model": ImportReport, "description": "Importing in the background; GET the import for progress"},
        409: {"description": "rows=all while rows are invalid; not validated yet; expired; another choice made"},
    },
)
async def commit_import(
    import_id: uuid.UUID,
    body: CommitIn,
    runtime: Runtime,
    response: Response,
    background: BackgroundTasks,
    session: Session,
    who: Importer,
    settings: Config,
) -> ImportReport:
    """Import the rows: all (only when every row is valid) or valid_only (the explicit choice).

    `all` is a 409 while any row is invalid. Up to `import_inline_max_rows` rows commit inside the
    request; more in the background (202; GET the import for its progress).
    """
    job = await _visible(session, import_id, who, lock=True)
    if choose(job, body.rows):
        if job.lease_owner is None and job.valid - job.committed <= settings.import_inline_max_rows:
            runner = Runner(tx=in_session(session), outbox=outbox, settings=settings, leased=False)
            await runner.commit(job.id)
        elif job.lease_owner is None or _stale(job):
            background.add_task(_spawn, runtime, job.id)
    await session.flush()
    if job.status == "importing":
        response.status_code = 202
    return await report_of(session, job)
