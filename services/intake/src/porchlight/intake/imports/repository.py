"""All SQL about import jobs, their files, staged rows and issues."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import timedelta
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.contacts.repository import INSERT_COLUMNS, contacts
from porchlight.intake.imports.models import ACTIVE, ImportChunk, ImportIssue, ImportJob, ImportRow

#: Jobs whose file and rows are dropped once they expire (a commit under way finishes first).
_EXPIRABLE = ("queued", "validating", "validated", "failed")
#: The phase of an issue that does not stop its row (``validate`` and ``commit`` issues do).
WARNING = "warning"

_STAGE = (
    sa.text(
        "INSERT INTO intake.import_rows (import_id, row, entity_id, fingerprint, payload) "
        "SELECT :import_id, r, e, f, p::jsonb FROM unnest(:rows, :entities, :fingerprints, :payloads) AS t(r, e, f, p) "
        "ON CONFLICT DO NOTHING RETURNING row"
    )
    .bindparams(
        sa.bindparam("import_id", type_=sa.Uuid),
        sa.bindparam("rows", type_=ARRAY(sa.Integer)),
        sa.bindparam("entities", type_=ARRAY(sa.Uuid)),
        sa.bindparam("fingerprints", type_=ARRAY(sa.Text)),
        sa.bindparam("payloads", type_=ARRAY(sa.Text)),
    )
    .columns(row=sa.Integer)
)

#: What ``contact_logged`` reads of a contact (the note and the place name stay out of events).
EVENT_COLUMNS = (
    "id",
    "officer_id",
    "unit",
    "district",
    "neighborhood",
    "contact_type",
    "minutes",
    "residents_reached",
    "occurred_at",
    "lat",
    "lon",
)


def _from_staged(import_id: uuid.UUID, first: int, last: int) -> sa.Select[Any]:
    """The staged rows ``first..last`` as contact columns, cast in SQL (no row passes through Python)."""
    r = ImportRow.__table__.c
    return sa.select(*(sa.cast(r.payload[c.name].astext, c.type) for c in INSERT_COLUMNS)).where(
        r.import_id == import_id, r.row.between(first, last)
    )


class ImportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- jobs ------------------------------------------------------------------------------

    async def add(self, job: ImportJob) -> ImportJob:
        self.session.add(job)
        await self.session.flush()
        return job

    async def get(self, import_id: uuid.UUID, *, for_update: bool = False) -> ImportJob | None:
        query = sa.select(ImportJob).where(ImportJob.id == import_id).execution_options(populate_existing=True)
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def claim(self, import_id: uuid.UUID, owner: str, lease: timedelta) -> bool:
        """Take the job for ``owner`` if it is active and nobody else holds a live lease.

        One conditional UPDATE: of two replicas resuming the same job, exactly one wins.
        """
        j = ImportJob.__table__.c
        claimed = await self.session.scalar(
            sa.update(ImportJob)
            .where(
                j.id == import_id,
                j.status.in_(ACTIVE),
                sa.or_(j.lease_until.is_(None), j.lease_until < sa.func.now(), j.lease_owner == owner),
            )
            .values(lease_owner=owner, lease_until=sa.func.now() + lease, updated_at=sa.func.now())
            .returning(j.id)
        )
        return claimed is not None

    async def stale(self, limit: int = 10) -> Sequence[uuid.UUID]:
        """Active jobs whose runner is gone (lease run out), skipping those another replica locks."""
        j = ImportJob.__table__.c
        query = (
            sa.select(j.id)
            .where(j.status.in_(ACTIVE), sa.or_(j.lease_until.is_(None), j.lease_until < sa.func.now()))
            .order_by(j.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def expire(self) -> int:
        """Mark jobs past their expiry as expired and drop their file and staged rows."""
        j = ImportJob.__table__.c
        expired = (
            await self.session.scalars(
                sa.update(ImportJob)
                .where(j.expires_at < sa.func.now(), j.status.in_(_EXPIRABLE))
                .values(status="expired", lease_owner=None, lease_until=None, updated_at=sa.func.now())
                .returning(j.id)
            )
        ).all()
        if expired:
            await self.drop_file(*expired)
            await self.session.execute(sa.delete(ImportRow).where(ImportRow.import_id.in_(expired)))
        return len(expired)

    # --- the file --------------------------------------------------------------------------

    async def store_file(self, import_id: uuid.UUID, f: IO[bytes], chunk_bytes: int) -> None:
        f.seek(0)
        seq = 0
        while data := f.read(chunk_bytes):
            await self.session.execute(sa.insert(ImportChunk).values(import_id=import_id, seq=seq, data=data))
            seq += 1

    async def chunks(self, import_id: uuid.UUID) -> AsyncIterator[bytes]:
        """The file's pieces in order, one query each: memory holds one piece at a time."""
        seq = 0
        while True:
            data = await self.session.scalar(
                sa.select(ImportChunk.data).where(ImportChunk.import_id == import_id, ImportChunk.seq == seq)
            )
            if data is None:
                return
            yield data
            seq += 1

    async def drop_file(self, *import_ids: uuid.UUID) -> None:
        await self.session.execute(sa.delete(ImportChunk).where(ImportChunk.import_id.in_(import_ids)))

    # --- staged rows and issues ------------------------------------------------------------

    async def restart(self, import_id: uuid.UUID) -> None:
        """Forget a validation's partial results (a resumed validation starts over)."""
        await self.session.execute(sa.delete(ImportRow).where(ImportRow.import_id == import_id))
        await self.session.execute(sa.delete(ImportIssue).where(ImportIssue.import_id == import_id))

    async def stage(self, import_id: uuid.UUID, rows: Sequence[tuple[int, uuid.UUID, str, dict[str, Any]]]) -> set[int]:
        """Insert staged rows (row, id, fingerprint, payload); returns the rows that went in.

        One statement per batch over arrays (``unnest``): a row whose id is already staged
        stays out (the caller reports it as a repeat).
        """
        if not rows:
            return set()
        params = {
            "import_id": import_id,
            "rows": [r[0] for r in rows],
            "entities": [r[1] for r in rows],
            "fingerprints": [r[2] for r in rows],
            "payloads": [json.dumps(r[3], separators=(",", ":"), ensure_ascii=False) for r in rows],
        }
        return set((await self.session.execute(_STAGE, params)).scalars().all())

    async def staged_with(
        self, import_id: uuid.UUID, entity_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[int, str]]:
        """Row and fingerprint of the rows staged with these ids."""
        t = ImportRow.__table__.c
        query = sa.select(t.entity_id, t.row, t.fingerprint).where(
            t.import_id == import_id, t.entity_id.in_(list(entity_ids))
        )
        return {e: (r, f) for e, r, f in (await self.session.execute(query)).all()}

    async def staged_after(self, import_id: uuid.UUID, after: int, limit: int) -> list[tuple[int, uuid.UUID, str]]:
        """The next ``limit`` staged rows after ``after``: (row, id, fingerprint), in row order."""
        t = ImportRow.__table__.c
        query = (
            sa.select(t.row, t.entity_id, t.fingerprint)
            .where(t.import_id == import_id, t.row > after)
            .order_by(t.row)
            .limit(limit)
        )
        return [(r, e, f) for r, e, f in (await self.session.execute(query)).all()]

    async def payloads(self, import_id: uuid.UUID, first: int, last: int) -> list[tuple[int, dict[str, Any]]]:
        t = ImportRow.__table__.c
        query = sa.select(t.row, t.payload).where(t.import_id == import_id, t.row.between(first, last)).order_by(t.row)
        return [(r, p) for r, p in (await self.session.execute(query)).all()]

    async def unstage(self, import_id: uuid.UUID, through: int) -> None:
        t = ImportRow.__table__.c
        await self.session.execute(sa.delete(ImportRow).where(t.import_id == import_id, t.row <= through))

    async def add_issues(self, import_id: uuid.UUID, issues: Sequence[dict[str, Any]], phase: str) -> None:
        if issues:
            await self.session.execute(
                sa.insert(ImportIssue), [{**i, "import_id": import_id, "phase": phase} for i in issues]
            )

    async def first_issues(self, import_id: uuid.UUID, limit: int = 100) -> Sequence[ImportIssue]:
        return await self.issues_page(import_id, (0, 0), limit)

    async def first_warnings(self, import_id: uuid.UUID, limit: int = 100) -> Sequence[ImportIssue]:
        """Cells worth a look that do not stop their row (formula-like text), in row order."""
        return await self.issues_page(import_id, (0, 0), limit, warnings=True)

    async def issues_page(
        self, import_id: uuid.UUID, after: tuple[int, int], limit: int, *, warnings: bool = False
    ) -> Sequence[ImportIssue]:
        """Issues after (row, id), in row order: the errors CSV, streamed (``warnings``: those instead)."""
        phase = ImportIssue.phase == WARNING if warnings else ImportIssue.phase != WARNING
        query = (
            sa.select(ImportIssue)
            .where(
                ImportIssue.import_id == import_id,
                phase,
                sa.tuple_(ImportIssue.row, ImportIssue.id) > sa.tuple_(*after),
            )
            .order_by(ImportIssue.row, ImportIssue.id)
            .limit(limit)
        )
        return (await self.session.scalars(query)).all()

    async def insert_staged_contacts(self, import_id: uuid.UUID, first: int, last: int) -> Sequence[Row[Any]]:
        """Staged contacts ``first..last`` into intake's contacts: one INSERT ... SELECT ... ON
        CONFLICT DO NOTHING RETURNING, which brings back (``EVENT_COLUMNS`` of) the rows that went in."""
        statement = (
            pg_insert(contacts)
            .from_select([c.name for c in INSERT_COLUMNS], _from_staged(import_id, first, last))
            .on_conflict_do_nothing()
            .returning(*(contacts.c[name] for name in EVENT_COLUMNS))
        )
        return (await self.session.execute(statement)).all()

    async def contact_fingerprints(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The stored fingerprint of each contact of ``ids`` that exists."""
        stored = await self.session.execute(
            sa.select(contacts.c.id, contacts.c.fingerprint).where(contacts.c.id.in_(list(ids)))
        )
        return {contact_id: fp for contact_id, fp in stored.all()}
