"""An import job as its report: counts, progress, the first issues (never a cell's value)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.imports.columns import ColumnMap
from porchlight.intake.imports.models import ImportJob
from porchlight.intake.imports.repository import ImportRepository
from porchlight.intake.imports.schemas import ColumnsOut, CommitOut, ImportReport, Progress, RowIssue

#: Issues a report lists; the errors CSV has all of them.
FIRST_ISSUES = 100


def progress_of(job: ImportJob) -> Progress:
    if job.status in ("importing", "done") and job.choice is not None:
        total = job.valid
        done = job.committed
        phase = "finished" if job.status == "done" else "importing"
        return Progress(phase=phase, done=done, total=total, fraction=1.0 if not total else min(done / total, 1.0))
    if job.status in ("queued", "validating"):
        if job.file_format == "csv" and job.size_bytes:
            fraction = min(job.bytes_seen / job.size_bytes, 1.0)
        else:
            fraction = min(job.rows_seen / job.rows_estimated, 1.0) if job.rows_estimated else 0.0
        return Progress(phase="validating", done=job.rows_seen, total=job.rows_estimated, fraction=fraction)
    return Progress(phase="finished", done=job.rows_seen, total=job.rows_total, fraction=1.0)


def columns_of(job: ImportJob) -> ColumnsOut:
    columns = ColumnMap.from_json(job.columns)
    return ColumnsOut(
        header_row=columns.header_row,
        mapped={columns.headers[i]: f for i, f in sorted(columns.fields.items())},
        unknown=columns.unknown,
        ignored=columns.ignored,
    )


async def report_of(session: AsyncSession, job: ImportJob) -> ImportReport:
    issues = await ImportRepository(session).first_issues(job.id, FIRST_ISSUES)
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
        errors_url=f"/v1/imports/{job.id}/errors.csv",
        commit=commit,
        failure=job.failure,
        created_at=job.created_at,
        updated_at=job.updated_at,
        expires_at=job.expires_at,
    )
