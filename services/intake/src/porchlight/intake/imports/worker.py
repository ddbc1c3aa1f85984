"""Running an import job (the worker): the boundary that opens one transaction per batch.

A request runs a small file's job inside its own unit of work (``in_session``: one transaction,
all or nothing). A large file runs in the background: an asyncio task in the process that took
the upload, one transaction per batch of ``batch_rows``. Each batch renews the job's lease; a
job whose lease ran out (its process died) is resumed by whichever replica looks at it next
(``GET /v1/imports/{id}``, a commit, or ``resume_stale``), claimed by one conditional UPDATE so
two replicas never run it together. A resumed validation starts over (its staged rows and issues
are dropped first); a resumed commit goes on after ``committed_row``, and the ids derived from
the file make a batch that committed without its bookkeeping a no-op when run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox
from porchlight.intake.db import outbox
from porchlight.intake.imports.models import ImportJob
from porchlight.intake.imports.parsing.columns import ColumnMap
from porchlight.intake.imports.parsing.reader import FileInfo, Source
from porchlight.intake.imports.repository import ImportRepository
from porchlight.intake.imports.schemas import ImportOptions
from porchlight.intake.imports.service import Prepared, commit_batch, prepare_batch, rules_of, validate_batch
from porchlight.intake.places.service import current_index
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.db import unit_of_work
from porchlight.kit.errors import ProblemError
from porchlight.kit.runtime import ServiceRuntime

log = logging.getLogger(__name__)

Tx = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class LeaseLost(Exception):
    """Another runner took the job over (this one was too slow to renew): stop quietly."""


def in_session(session: AsyncSession) -> Tx:
    """Every 'transaction' of the job is the caller's one (a request's unit of work)."""

    @contextlib.asynccontextmanager
    async def tx() -> AsyncIterator[AsyncSession]:
        yield session

    return tx


def new_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Runner:
    tx: Tx
    outbox: Outbox
    settings: IntakeSettings
    #: False inside a request: the request's transaction holds the job's row lock already.
    leased: bool = True
    progress: Callable[[ImportJob], None] | None = None
    owner: str = field(default_factory=new_owner)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.import_lease_seconds)

    async def run(self, import_id: uuid.UUID, *, file: IO[bytes] | None = None) -> ImportJob | None:
        """Drive the job as far as it goes (validate; commit once chosen); None if another runner has it."""
        if self.leased:
            async with self.tx() as session:
                if not await ImportRepository(session).claim(import_id, self.owner, self.lease):
                    return None
        try:
            job = await self._job(import_id)
            if job.status in ("queued", "validating"):
                await self.validate(import_id, file)
            job = await self._job(import_id)
            if job.status == "importing":
                await self.commit(import_id)
        except LeaseLost:
            log.warning("import taken over by another runner", extra={"import_id": str(import_id)})
            return None
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not self.leased:
                raise  # the request answers with the error and rolls back: nothing happened
            log.error("import failed: %s", type(exc).__name__, extra={"import_id": str(import_id)})
            # A ProblemError is the file's fault, found past its header (a damaged sheet).
            reason = exc.detail if isinstance(exc, ProblemError) else f"internal error ({type(exc).__name__})"
            await self._fail(import_id, reason)
        return await self._job(import_id)

    async def validate(self, import_id: uuid.UUID, file: IO[bytes] | None) -> None:
        async with self.tx() as session:
            repo = ImportRepository(session)
            job = await self._owned(repo, import_id)
            if job.status == "validating":  # resumed: start over
                await repo.restart(import_id)
            job.status, job.rows_seen, job.blank_rows, job.valid, job.invalid, job.bytes_seen = (
                "validating",
                0,
                0,
                0,
                0,
                0,
            )
            await session.flush()
            rules = rules_of(job, self.settings)
            info = FileInfo(job.file_format, job.encoding, job.size_bytes)
            sheet = ImportOptions.model_validate({**job.options, "kind": job.kind}).sheet
            kind, columns = job.kind, ColumnMap.from_json(job.columns)
            # The places as they are when the validation starts serve every batch.
            index = await current_index(session) if kind == "contacts" else None
        async with self._file(import_id, file) as f:
            source = Source(f, info, sheet=sheet)
            records = source.records()

            def next_batch() -> Prepared | None:
                batch = list(itertools.islice(records, self.settings.import_batch_rows))
                if not batch:
                    return None
                prepared = prepare_batch(kind, batch, columns, rules, index)
                prepared.position = source.position()
                return prepared

            # Reading and checking run in a worker thread, one batch ahead of the writes: the
            # event loop stays free for requests, and the CPU works while the database does.
            ahead = asyncio.ensure_future(asyncio.to_thread(next_batch))
            try:
                while (prepared := await ahead) is not None:
                    ahead = asyncio.ensure_future(asyncio.to_thread(next_batch))
                    async with self.tx() as session:
                        job = await self._owned(ImportRepository(session), import_id)
                        await validate_batch(session, job, prepared, rules, self.settings)
                        job.bytes_seen = prepared.position
                        job.rows_estimated = _estimate(job, source)
                    self._report(job)
            finally:
                with contextlib.suppress(Exception):
                    await ahead  # a thread cannot be cancelled: let it finish before closing the file
                source.close()
        async with self.tx() as session:
            job = await self._owned(ImportRepository(session), import_id)
            job.status, job.rows_total, job.rows_estimated = "validated", job.rows_seen, job.rows_seen
            job.bytes_seen, job.updated_at = job.size_bytes, datetime.now(UTC)
            # Released: the commit, when someone chooses it, may run on any replica at once.
            job.lease_owner, job.lease_until = None, None
        self._report(job)
        log.info(
            "import validated",
            extra={"import_id": str(import_id), "rows": job.rows_total, "valid": job.valid, "invalid": job.invalid},
        )

    async def commit(self, import_id: uuid.UUID) -> None:
        limit = self.settings.import_batch_rows
        while True:
            async with self.tx() as session:
                repo = ImportRepository(session)
                job = await self._owned(repo, import_id, lock=True)
                if job.status != "importing":
                    return
                done = await commit_batch(session, self.outbox, job, self.settings, limit)
                if done < limit:
                    job.status, job.lease_owner, job.lease_until = "done", None, None
                    await repo.drop_file(import_id)
                    await session.flush()
            self._report(job)
            if done < limit:
                log.info(
                    "import committed",
                    extra={
                        "import_id": str(import_id),
                        # Not "created": every log record has that field, and logging refuses to overwrite it.
                        "rows_created": job.created,
                        "rows_existing": job.existing,
                        "rows_conflicting": job.conflicts,
                    },
                )
                return
            await asyncio.sleep(0)

    # --- helpers ---------------------------------------------------------------------------

    async def _job(self, import_id: uuid.UUID) -> ImportJob:
        async with self.tx() as session:
            job = await ImportRepository(session).get(import_id)
        assert job is not None
        return job

    async def _owned(self, repo: ImportRepository, import_id: uuid.UUID, *, lock: bool = False) -> ImportJob:
        """The job, after renewing this runner's lease (``LeaseLost`` if another runner has it)."""
        if self.leased and not await repo.claim(import_id, self.owner, self.lease):
            raise LeaseLost(str(import_id))
        job = await repo.get(import_id, for_update=lock)
        assert job is not None
        return job

    @contextlib.asynccontextmanager
    async def _file(self, import_id: uuid.UUID, given: IO[bytes] | None) -> AsyncIterator[IO[bytes]]:
        """The upload at hand, or a local copy of the stored one (read piece by piece)."""
        if given is not None:
            yield given
            return
        with tempfile.TemporaryFile() as copy:
            async with self.tx() as session:
                async for piece in ImportRepository(session).chunks(import_id):
                    copy.write(piece)
            copy.seek(0)
            yield copy

    async def _fail(self, import_id: uuid.UUID, reason: str) -> None:
        with contextlib.suppress(Exception):  # the database may be what failed: the lease then runs out
            async with self.tx() as session:
                job = await ImportRepository(session).get(import_id, for_update=True)
                if job is not None and job.lease_owner == self.owner:
                    job.status, job.failure, job.lease_owner, job.lease_until = "failed", reason, None, None
                    job.updated_at = datetime.now(UTC)

    def _report(self, job: ImportJob) -> None:
        if self.progress is not None:
            self.progress(job)


def _estimate(job: ImportJob, source: Source) -> int | None:
    if source.estimated_rows is not None:  # XLSX: the sheet's dimension
        return job.rows_estimated
    if not job.bytes_seen:
        return None
    return max(job.rows_seen, round(job.rows_seen * job.size_bytes / job.bytes_seen))


# --- background jobs in a service process -------------------------------------------------


def background_runner(runtime: ServiceRuntime) -> Runner:
    settings = runtime.resource(IntakeSettings)
    return Runner(tx=lambda: unit_of_work(runtime.sessions), outbox=outbox, settings=settings)


class ImportTasks(set[asyncio.Task[Any]]):
    """The import jobs running in this process (kept referenced until they end)."""


def spawn(runtime: ServiceRuntime, import_id: uuid.UUID) -> None:
    """Run the job in this process's loop; the task is kept by the runtime until it ends."""
    tasks = runtime.resources.get(ImportTasks) or runtime.provide(ImportTasks())
    assert isinstance(tasks, ImportTasks)
    task = asyncio.create_task(background_runner(runtime).run(import_id), name=f"import:{import_id}")
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def resume_stale(runtime: ServiceRuntime) -> int:
    """Resume every active job whose runner is gone (e.g. after a restart); returns how many."""
    async with unit_of_work(runtime.sessions) as session:
        stale = await ImportRepository(session).stale()
    for import_id in stale:
        spawn(runtime, import_id)
    return len(stale)
