"""``porchlight import notes|contacts FILE``: the same dry run and commit as the API, in-process.

Without ``--commit`` it is a dry run: the report, nothing imported, exit 1 when rows are
invalid. ``--commit all`` imports only a file without invalid rows; ``--commit valid_only`` is
the explicit choice to import the good rows and leave the others out. Events go to intake's
outbox in the same transactions as the rows; a running intake's relay publishes them.
Exit codes: 0 done (or a clean dry run), 1 invalid rows and nothing imported, 2 the file itself
cannot be read (encoding, header, size).
"""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from porchlight.intake.imports.models import ImportIssue, ImportJob
    from porchlight.intake.imports.schemas import ImportOptions
    from porchlight.kit.errors import ProblemError
    from porchlight.kit.service import ServiceSpec
    from porchlight.kit.settings import KitSettings

    Sessions = async_sessionmaker[AsyncSession]

import_app = typer.Typer(
    help="Bulk import of past notes and contacts (CSV or XLSX), dry run first.", no_args_is_help=True
)

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A CSV or XLSX file")]
CommitOpt = Annotated[
    Literal["all", "valid_only"] | None,
    typer.Option(
        "--commit", help="Import after the dry run: all (only if no row is invalid) or valid_only (leave bad rows out)"
    ),
]
MapOpt = Annotated[list[str] | None, typer.Option("--map", help="COLUMN=FIELD, repeatable; COLUMN= ignores the column")]
DateOpt = Annotated[Literal["mdy", "dmy", "ymd"], typer.Option("--date-format", help="Order of numeric dates")]
ZoneOpt = Annotated[str | None, typer.Option(help="IANA zone of times without an offset")]
SheetOpt = Annotated[str | None, typer.Option(help="XLSX: the sheet to read")]
ErrorsOpt = Annotated[Path | None, typer.Option("--errors", help="Write every issue to this CSV file")]
SHOWN = 20


@import_app.command("notes")
def import_notes(
    ctx: typer.Context,
    file: FileArg,
    commit: CommitOpt = None,
    maps: MapOpt = None,
    date_format: DateOpt = "mdy",
    timezone: ZoneOpt = None,
    sheet: SheetOpt = None,
    errors: ErrorsOpt = None,
) -> None:
    """Notes of past meetings (host, date, place, concerns, sentiment, attendees...)."""
    _run(ctx, "notes", file, commit, maps or [], date_format, timezone, sheet, errors)


@import_app.command("contacts")
def import_contacts(
    ctx: typer.Context,
    file: FileArg,
    commit: CommitOpt = None,
    maps: MapOpt = None,
    date_format: DateOpt = "mdy",
    timezone: ZoneOpt = None,
    sheet: SheetOpt = None,
    errors: ErrorsOpt = None,
) -> None:
    """Positive community contacts (officer, date, type, minutes, residents, place...)."""
    _run(ctx, "contacts", file, commit, maps or [], date_format, timezone, sheet, errors)


def _mapping(maps: list[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in maps:
        column, sep, field = item.partition("=")
        if not sep or not column.strip():
            raise typer.BadParameter(f"{item!r}: use COLUMN=FIELD (or COLUMN= to ignore it)", param_hint="--map")
        out[column.strip()] = field.strip() or None
    return out


def _run(
    ctx: typer.Context,
    kind: str,
    file: Path,
    commit: str | None,
    maps: list[str],
    date_format: str,
    timezone: str | None,
    sheet: str | None,
    errors: Path | None,
) -> None:
    from porchlight.intake.imports.schemas import ImportOptions
    from porchlight.kit.commands import infrastructure, service_of

    options = ImportOptions.model_validate(
        {"kind": kind, "mapping": _mapping(maps), "date_format": date_format, "timezone": timezone, "sheet": sheet}
    )
    spec = service_of(ctx)
    # As `porchlight places load`: a known database needs nothing started, else embedded servers.
    with infrastructure() as settings:
        code = asyncio.run(_import(spec, settings, file, options, commit, errors))
    raise typer.Exit(code)


async def _import(
    spec: ServiceSpec,
    settings: KitSettings,
    file: Path,
    options: ImportOptions,
    commit: str | None,
    errors: Path | None,
) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from porchlight.intake.imports.repository import ImportRepository
    from porchlight.intake.imports.service import choose, create_job
    from porchlight.intake.imports.worker import Runner
    from porchlight.intake.settings import IntakeSettings
    from porchlight.kit.auth import Principal, Role
    from porchlight.kit.commands import database
    from porchlight.kit.db import unit_of_work
    from porchlight.kit.errors import ProblemError

    who = Principal(subject=f"cli:{getpass.getuser()}", roles=frozenset({Role.admin}))
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_stderr(),
        transient=False,
    )
    # The schema is migrated first: a fresh embedded database has no tables yet.
    async with database(spec, settings) as (_, sessions):
        runner = Runner(tx=lambda: unit_of_work(sessions), outbox=spec.outbox, settings=IntakeSettings())
        with file.open("rb") as f:
            try:
                async with unit_of_work(sessions) as session:
                    job = await create_job(session, f, file.name, options, who, runner.settings)
            except ProblemError as exc:
                _problem(file, exc)
                return 2
            with bar:
                task = bar.add_task("validating", total=job.size_bytes if job.file_format == "csv" else None)

                def validating(j: ImportJob) -> None:
                    done = j.bytes_seen if j.file_format == "csv" else j.rows_seen
                    bar.update(task, completed=done, total=j.size_bytes if j.file_format == "csv" else j.rows_estimated)

                runner.progress = validating
                job = await runner.run(job.id, file=f) or job
        _print_report(file, job, await _first_issues(sessions, job))
        if errors is not None:
            await _write_errors(sessions, job, errors)
        if commit is None:
            typer.echo(f"dry run: nothing imported (import {job.id}); --commit all|valid_only imports")
            return 1 if job.invalid else 0
        try:
            async with unit_of_work(sessions) as session:
                locked = await ImportRepository(session).get(job.id, for_update=True)
                assert locked is not None
                choose(locked, commit)
        except ProblemError as exc:
            typer.echo(f"nothing imported: {exc.detail}", err=True)
            return 1
        with bar:
            task = bar.add_task("importing", total=job.valid)
            runner.progress = lambda j: bar.update(task, completed=j.committed)
            job = await runner.run(job.id) or job
        typer.echo(
            f"imported: {job.created} new, {job.existing} already there, {job.conflicts} refused "
            f"({job.invalid} invalid row(s) left out); events queued in intake's outbox"
        )
        return 0 if job.status == "done" else 1


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def _problem(file: Path, exc: ProblemError) -> None:
    typer.echo(f"{file}: {exc.detail}", err=True)
    for e in exc.errors or []:
        typer.echo(f"  {e['field']}: {e['message']}", err=True)
    typer.echo("nothing was imported", err=True)


async def _first_issues(sessions: Sessions, job: ImportJob) -> list[ImportIssue]:
    from porchlight.intake.imports.repository import ImportRepository

    async with sessions() as session:
        return list(await ImportRepository(session).first_issues(job.id, SHOWN))


def _print_report(file: Path, job: ImportJob, issues: list[ImportIssue]) -> None:
    from porchlight.intake.imports.service import columns_of

    cols = columns_of(job)
    how = f"{job.file_format}" + (f", {job.encoding}, delimiter {job.delimiter!r}" if job.encoding else "")
    typer.echo(
        f"{file.name}: {job.rows_seen} rows ({job.blank_rows} blank skipped), {job.valid} valid, "
        f"{job.invalid} invalid [{how}; header on row {cols.header_row}]"
    )
    typer.echo("columns: " + ", ".join(f"{h} -> {f}" for h, f in cols.mapped.items()))
    if cols.unknown:
        typer.echo("not read (unknown columns): " + ", ".join(cols.unknown))
    for issue in issues:
        column = f"{issue.column} ({issue.field})" if issue.column else issue.field
        typer.echo(f"  row {issue.row:>6}  {column}: {issue.reason}")
    if job.invalid and len(issues) >= SHOWN:
        typer.echo(f"  ... every issue: --errors FILE, or GET /v1/imports/{job.id}/errors.csv")


async def _write_errors(sessions: Sessions, job: ImportJob, path: Path) -> None:
    from porchlight.intake.imports.exports import issue_lines

    # The very file GET /v1/imports/{id}/errors.csv streams.
    with path.open("w", newline="", encoding="utf-8") as out:
        async for chunk in issue_lines(sessions, job.id):
            out.write(chunk)
