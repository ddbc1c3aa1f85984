"""Rules for imports: take a file, validate it batch by batch, commit it batch by batch.

Everything here flushes; the boundary (routes.py for a request, worker.py for a background job
or the CLI) decides where transactions begin and end. The rule that matters: a file with bad
rows imports nothing until someone chooses ``valid_only``; ``all`` is refused while any row is
invalid. Nothing is half-imported silently: a commit runs in batches of one transaction each
(rows + outbox events + the job's ``committed_row``), and ids derived from the file make a
re-run batch a no-op.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox
from porchlight.intake.contacts.service import contact_logged
from porchlight.intake.imports.models import ImportJob
from porchlight.intake.imports.parsing import contacts, notes
from porchlight.intake.imports.parsing.columns import HEADER_SEARCH_ROWS, ColumnMap, find_header, resolve
from porchlight.intake.imports.parsing.reader import FileInfo, Record, Source, inspect, trimmed
from porchlight.intake.imports.parsing.rows import (
    Cells,
    Checked,
    Committed,
    Issue,
    Rules,
    Staged,
    form_issues,
    validate_forms,
)
from porchlight.intake.imports.parsing.values import clean
from porchlight.intake.imports.repository import WARNING, ImportRepository
from porchlight.intake.imports.schemas import ColumnsOut, ImportOptions, Progress
from porchlight.intake.notes.schemas import NoteContext, NoteIn
from porchlight.intake.notes.service import NotesExist, check_note, submit_note
from porchlight.intake.places.geometry.index import PlaceIndex
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Conflict, ValidationProblem
from porchlight.kit.inputs import looks_like_formula

log = logging.getLogger(__name__)

FORMULA_WARNING = "starts like a spreadsheet formula (=, +, -, @): imported as text, quoted with ' in exports"
#: Fields whose cells keep their line breaks (free text).
_TEXT_FIELDS = frozenset({"note", "notes", "follow_ups", "concerns"})


def zone_of(options: ImportOptions, settings: IntakeSettings) -> ZoneInfo:
    name = options.timezone or settings.import_timezone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationProblem(
            "Unknown time zone", errors=[{"field": "timezone", "message": "not an IANA zone like America/Chicago"}]
        ) from None


def read_header(f: IO[bytes], info: FileInfo, options: ImportOptions) -> tuple[ColumnMap, Source]:
    """Find and read the header among the first rows; 422 naming every problem with it."""
    source = Source(f, info, sheet=options.sheet)
    try:
        top: list[tuple[int, list[Any]]] = []
        for record in source.records():
            if record.cells and any(c is not None and str(c).strip() for c in record.cells):
                top.append((record.row, record.cells))
            if len(top) >= HEADER_SEARCH_ROWS:
                break
    finally:
        source.close()
    at = find_header(options.kind, top, options.mapping)
    if at < 0:
        raise ValidationProblem(
            "No header row found",
            errors=[
                {
                    "field": "file",
                    "message": f"none of the first {HEADER_SEARCH_ROWS} rows names known columns "
                    "(Date, Officer, Type, Minutes...): add a header row or send a mapping",
                }
            ],
        )
    row, cells = top[at]
    return resolve(options.kind, row, trimmed(cells), options.mapping), source


async def create_job(
    session: AsyncSession,
    f: IO[bytes],
    filename: str,
    options: ImportOptions,
    who: Principal,
    settings: IntakeSettings,
) -> ImportJob:
    """Check the file (size, type, encoding, header) and store it; 413/415/422 before anything is kept."""
    info = inspect(f, max_bytes=settings.import_max_bytes)
    zone_of(options, settings)
    columns, source = read_header(f, info, options)
    repo = ImportRepository(session)
    await repo.expire()  # a cheap sweep: uploads that were never committed give their space back
    job = await repo.add(
        ImportJob(
            id=uuid.uuid4(),
            kind=options.kind,
            status="queued",
            filename="".join(c for c in filename if c.isprintable())[-200:] or "upload",
            file_format=info.file_format,
            encoding=info.encoding,
            delimiter=source.delimiter,
            size_bytes=info.size,
            options=options.model_dump(exclude={"kind"}),
            columns=columns.to_json(),
            created_by=who.subject,
            rows_estimated=_header_estimate(source, columns),
            expires_at=datetime.now(UTC) + timedelta(hours=settings.import_expire_hours),
        )
    )
    await repo.store_file(job.id, f, settings.import_chunk_bytes)
    log.info("import stored", extra={"import_id": str(job.id), "kind": job.kind, "bytes": info.size})
    return job


def _header_estimate(source: Source, columns: ColumnMap) -> int | None:
    if source.estimated_rows is None:
        return None
    return max(source.estimated_rows - columns.header_row, 0)


def rules_of(job: ImportJob, settings: IntakeSettings) -> Rules:
    options = ImportOptions.model_validate({**job.options, "kind": job.kind})
    return Rules(
        kind=job.kind,
        import_id=job.id,
        order=options.date_format,
        zone=zone_of(options, settings),
        now=datetime.now(UTC),
        max_future=timedelta(hours=settings.max_future_hours),
        max_age=timedelta(days=settings.import_max_age_days),
    )


def _cells(records: Sequence[Record], columns: ColumnMap) -> tuple[list[Cells], list[Issue], int]:
    """The data rows of a batch by field; rows unreadable as a whole; how many were blank."""
    out: list[Cells] = []
    issues: list[Issue] = []
    blank = 0
    width = len(trimmed(list(columns.headers)))
    for record in records:
        if record.row <= columns.header_row:
            continue
        if record.problem is not None:
            issues.append(Issue(record.row, "row", record.problem))
            continue
        cells = trimmed(record.cells)
        if not cells:
            blank += 1
            continue
        if len(cells) > width:
            issues.append(
                Issue(
                    record.row,
                    "row",
                    f"has {len(cells)} cells where the header has {width}: a "
                    "delimiter inside an unquoted text shifts every cell after it",
                )
            )
            continue
        values = {
            name: clean(cells[i] if i < len(cells) else None, keep_lines=name in _TEXT_FIELDS)
            for i, name in columns.fields.items()
        }
        out.append(Cells(record.row, values, columns))
    return out, issues, blank


@dataclass
class Prepared:
    """A batch read and checked as far as it can be without the database (see ``prepare_batch``)."""

    cells: list[Cells]
    issues: list[Issue]
    blank: int
    staged: list[Staged] | None  # None: checked against the database when stored (notes)
    position: int = 0  # bytes of the file read once this batch was


def prepare_batch(
    kind: str, records: Sequence[Record], columns: ColumnMap, rules: Rules, index: PlaceIndex | None
) -> Prepared:
    """The CPU part of a batch, no I/O: the runner does it in a worker thread, a batch ahead.

    Contacts are checked completely (their places against ``index``); notes only cell by cell,
    since their places and meetings are checked by ``check_note`` with a session.
    """
    cells, issues, blank = _cells(records, columns)
    staged = None
    if kind == "contacts":
        assert index is not None
        staged = [contacts.stage(c) for c in contacts.check(cells, rules, index)]
    return Prepared(cells, issues, blank, staged)


async def validate_batch(
    session: AsyncSession, job: ImportJob, batch: Prepared, rules: Rules, intake: IntakeSettings
) -> None:
    """Stage the good rows of a prepared batch, store the issues, count (flush only)."""
    columns = ColumnMap.from_json(job.columns)
    staged = batch.staged
    if staged is None:
        staged = [notes.stage(c) for c in await check_notes(session, intake, batch.cells, rules)]
    cells, blank = batch.cells, batch.blank
    issues = batch.issues + [i for c in cells for i in c.issues]
    repo = ImportRepository(session)
    firsts: dict[uuid.UUID, Staged] = {}
    repeats: list[Staged] = []
    for s in staged:  # a repeated id within the batch, then against the rows staged before
        if s.entity_id in firsts:
            repeats.append(s)
        else:
            firsts[s.entity_id] = s
    went_in = await repo.stage(job.id, [(s.row, s.entity_id, s.fingerprint, s.payload) for s in firsts.values()])
    repeats += [s for s in firsts.values() if s.row not in went_in]
    if repeats:
        earlier = await repo.staged_with(job.id, {s.entity_id for s in repeats})
        for s in repeats:
            row, fp = earlier[s.entity_id]
            reason = (
                f"repeats row {row} (same id, same content): it is imported once, from row {row}"
                if fp == s.fingerprint
                else f"has the id of row {row} but different content"
            )
            issues.append(Issue(s.row, "id", reason, columns.column_of("id")))
    await repo.add_issues(job.id, [i.to_json() for i in issues], "validate")
    await repo.add_issues(job.id, [i.to_json() for i in formula_warnings(cells)], WARNING)
    job.rows_seen += len(cells) + len({i.row for i in issues if i.field == "row"})
    job.blank_rows += blank
    job.valid += len(went_in)
    job.invalid += len({i.row for i in issues})
    job.updated_at = datetime.now(UTC)
    await session.flush()


def formula_warnings(cells: Sequence[Cells]) -> list[Issue]:
    """Text cells a spreadsheet would run as a formula (CSV injection): imported as the text they
    are, quoted in every export (``kit.inputs.csv_cell``); the preview points them out."""
    return [
        Issue(c.row, name, FORMULA_WARNING, c.column(name))
        for c in cells
        for name, raw in c.values.items()
        if isinstance(raw, str) and looks_like_formula(raw)
    ]


async def commit_batch(
    session: AsyncSession, outbox: Outbox, job: ImportJob, intake: IntakeSettings, limit: int
) -> int:
    """Commit the next ``limit`` staged rows with their events; returns how many (0: finished)."""
    repo = ImportRepository(session)
    staged = await repo.staged_after(job.id, job.committed_row, limit)
    if not staged:
        return 0
    last = staged[-1][0]
    if job.kind == "contacts":
        result = await commit_contacts(session, outbox, job.id, staged)
    else:
        payloads = await repo.payloads(job.id, staged[0][0], last)
        result = await commit_notes(session, outbox, intake, payloads)
    await repo.add_issues(job.id, [i.to_json() for i in result.issues], "commit")
    await repo.unstage(job.id, last)
    job.committed_row = last
    job.committed += len(staged)
    job.created += result.created
    job.existing += result.existing
    job.conflicts += len({i.row for i in result.issues})
    job.updated_at = datetime.now(UTC)
    await session.flush()
    return len(staged)


def choose(job: ImportJob, rows: str) -> bool:
    """Record the importer's choice (``all`` | ``valid_only``); True when a commit should run now.

    ``all`` is refused while any row is invalid: a file with bad rows imports nothing until
    someone explicitly leaves the bad rows out. Repeating the choice made is harmless; a commit
    that broke off (``failed`` after its choice) resumes after its last committed batch.
    """
    if job.choice is not None and job.choice != rows:
        raise Conflict(
            f"this import was committed with rows={job.choice}",
            errors=[{"field": "body.rows", "message": f"already committed with {job.choice}"}],
        )
    if job.status in ("queued", "validating"):
        raise Conflict("the file is still being validated: commit once its status is validated")
    if job.status == "expired" or (job.status == "failed" and job.choice is None):
        raise Conflict(f"this import is {job.status}: upload the file again")
    if job.status == "validated":
        if rows == "all" and job.invalid > 0:
            raise Conflict(
                f"{job.invalid} row(s) are invalid: fix them and upload again, or commit with rows=valid_only "
                f"to import the {job.valid} valid row(s) and leave the others out",
                errors=[{"field": "body.rows", "message": "all is refused while rows are invalid"}],
            )
        job.choice, job.status = rows, "importing"
    elif job.status == "failed":
        job.status, job.failure, job.lease_owner, job.lease_until = "importing", None, None, None
    return job.status == "importing"


# Per kind: contacts are checked without I/O (parsing/contacts.py) and inserted in one statement;
# notes are checked and filed by notes' own rules, row by row (hundreds of rows, not millions).


async def commit_contacts(
    session: AsyncSession, outbox: Outbox, import_id: uuid.UUID, batch: Sequence[tuple[int, uuid.UUID, str]]
) -> Committed:
    """Insert a batch of staged contacts with their ``contact.logged`` events (flush only).

    ``batch`` is (row, contact id, fingerprint) of consecutive staged rows. The rows that went in
    come back from the insert; their events are built from them (``contact_logged``, the API's)
    and queued with ``Outbox.add``.
    """
    if not batch:
        return Committed()
    repo = ImportRepository(session)
    inserted = await repo.insert_staged_contacts(import_id, batch[0][0], batch[-1][0])
    await outbox.add(session, *(contact_logged(row._mapping) for row in inserted))  # type: ignore[arg-type]
    result = Committed(created=len(inserted))
    new = {row.id for row in inserted}
    others = {entity: (row, fp) for row, entity, fp in batch if entity not in new}
    if others:
        for contact_id, stored_fp in (await repo.contact_fingerprints(others)).items():
            row, fp = others[contact_id]
            if stored_fp == fp:
                result.existing += 1  # imported before (or logged by the phone): counted once
            else:
                result.issues.append(Issue(row, "id", "a different contact with this id is already in intake"))
    return result


async def check_notes(
    session: AsyncSession, settings: IntakeSettings, cells_list: Sequence[Cells], rules: Rules
) -> list[Checked[NoteIn]]:
    """Forms, then ``check_note`` (places, meetings, the clock) on the parts that are well-typed."""
    hosts = [c.person("host") for c in cells_list]
    built = [notes.form_input(c, rules) for c in cells_list]
    results = validate_forms(notes.FORMS, NoteIn, [data for data, _ in built], {})
    checked: list[Checked[NoteIn]] = []
    for cells, host, (data, origin), result in zip(cells_list, hosts, built, results, strict=True):
        context: NoteContext | None = None
        if isinstance(result, ValidationError):
            form_issues(cells, result, notes.locator(origin))
            bad = {str(e["loc"][0]) for e in result.errors() if e["loc"]}
            parts = {k: data[k] for k in notes.CONTEXT_FIELDS if k in data and k not in bad}
            try:
                context = NoteContext.model_validate(parts)
            except ValidationError:
                context = None
        else:
            context = result
        if context is not None and (context.place is not None or context.meeting_id is not None):
            _, errors = await check_note(session, settings, context)
            for err in errors:
                name = notes.locator(origin)(tuple(err["field"].split(".")[1:]))
                if not cells.bad(name):
                    cells.problem(name, notes.plain(err["message"], data))
        elif context is not None and not (cells.bad("district") or cells.bad("lat")):
            cells.problem("district", "give a district, lat and lon, or a meeting id")
        if isinstance(result, ValidationError) or host is None or cells.issues:
            continue
        checked.append(Checked(cells, result, {"host": host}))
    return checked


async def commit_notes(
    session: AsyncSession, outbox: Outbox, settings: IntakeSettings, staged: Sequence[tuple[int, dict[str, Any]]]
) -> Committed:
    """File each staged note with ``submit_note`` (flush only); refusals become issues."""
    result = Committed()
    for row, payload in staged:
        form = NoteIn.model_validate(payload["form"])
        host = Principal(subject=payload["host"], roles=frozenset({Role.liaison}))
        try:
            _, created = await submit_note(session, outbox, settings, form, host)
        except NotesExist as exc:
            result.issues.append(Issue(row, "meeting_id", exc.detail))
            continue
        except Conflict:
            result.issues.append(Issue(row, "id", "a different note with this id is already in intake"))
            continue
        except ValidationProblem as exc:  # the city's places or a meeting changed since the dry run
            for err in exc.errors or [{"field": "row", "message": exc.detail}]:
                name = notes.locator([])(tuple(err["field"].split(".")[1:]))
                result.issues.append(Issue(row, name, notes.plain(err["message"], payload["form"])))
            continue
        if created:
            result.created += 1
        else:
            result.existing += 1
    return result


# What a job looks like from outside: parts of its report (routes and the CLI).


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
