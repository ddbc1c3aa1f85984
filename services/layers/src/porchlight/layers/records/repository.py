"""All SQL of records: the idempotent store, closing, reading pages and map features."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.paging import Cursor, keyset
from porchlight.layers.records.models import dirty_cells, open_clause, records

#: What a delivery may change; a delivery equal on all of these changes nothing (no new version).
_CONTENT = ("layer", "category", "status", "geometry", "lat", "lon", "cell", "district", "opened_at", "closed_at",
            "description", "attributes")  # fmt: skip


async def store(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> Sequence[sa.Row[Any]]:
    """Insert new records, update changed ones (version + 1); returns (record_id, version,
    department, external_id) of the rows that changed.

    One ``INSERT ... ON CONFLICT DO UPDATE ... WHERE changed``: a re-delivered record with the same
    content returns nothing and keeps its version, so re-reading a feed announces nothing twice.
    A changed row's stored content is what was given (the update sets every content column), so
    only its identity and version come back: whole rows would decode their geometry and
    attributes from JSON again for nothing.
    """
    values = [{"record_id": uuid.uuid4(), **r} for r in rows]
    return (await session.execute(_STORE, values)).all()


def _store_statement() -> Any:
    # One statement compiled once and run as "insertmanyvalues" with the rows as parameters: a
    # multi-row VALUES built per call costs more to compile than to run (the Kafka door's speed).
    stmt = pg_insert(records)
    ex = stmt.excluded
    changed = sa.or_(*(records.c[c].is_distinct_from(ex[c]) for c in _CONTENT))
    return stmt.on_conflict_do_update(
        constraint="records_department_external_id",
        set_={
            **{c: ex[c] for c in (*_CONTENT, "source")},
            "version": records.c.version + 1,
            "updated_at": sa.func.now(),
        },
        where=changed,
    ).returning(records.c.record_id, records.c.version, records.c.department, records.c.external_id)


_STORE = _store_statement()


async def close(
    session: AsyncSession, department: str, external_id: str, closed_at: datetime, status: str
) -> sa.Row[Any] | None:
    stmt = (
        sa.update(records)
        .where(records.c.department == department, records.c.external_id == external_id)
        .where(sa.or_(records.c.closed_at.is_distinct_from(closed_at), records.c.status != status))
        .values(closed_at=closed_at, status=status, version=records.c.version + 1, updated_at=sa.func.now())
        .returning(*records.c)
    )
    return (await session.execute(stmt)).first()


async def id_of(session: AsyncSession, department: str, external_id: str) -> uuid.UUID | None:
    stmt = sa.select(records.c.record_id).where(
        records.c.department == department, records.c.external_id == external_id
    )
    found: uuid.UUID | None = await session.scalar(stmt)
    return found


def _filtered(
    query: sa.Select[Any],
    *,
    layer: str | None = None,
    department: str | None = None,
    district: str | None = None,
    open_only: bool | None = None,
    since: datetime | None = None,
    now: datetime | None = None,
) -> sa.Select[Any]:
    if layer:
        query = query.where(records.c.layer == layer)
    if department:
        query = query.where(records.c.department == department)
    if district:
        query = query.where(records.c.district == district)
    if since is not None:
        query = query.where(records.c.opened_at >= since)
    if open_only is not None:
        query = query.where(open_clause(now) if open_only else sa.not_(open_clause(now)))
    return query


async def page(session: AsyncSession, cursor: Cursor | None, limit: int, **filters: Any) -> Sequence[sa.Row[Any]]:
    query = _filtered(sa.select(records), **filters)
    return (await session.execute(keyset(query, records.c.opened_at, records.c.record_id, cursor, limit))).all()


async def one(session: AsyncSession, record_id: uuid.UUID) -> sa.Row[Any] | None:
    return (await session.execute(sa.select(records).where(records.c.record_id == record_id))).first()


async def features(session: AsyncSession, limit: int, **filters: Any) -> Sequence[sa.Row[Any]]:
    """The newest ``limit`` records for the map."""
    query = _filtered(sa.select(records).where(records.c.geometry.is_not(None)), **filters)
    query = query.order_by(records.c.opened_at.desc()).limit(limit)
    return (await session.execute(query)).all()


async def open_counts(session: AsyncSession) -> dict[tuple[str, str], tuple[int, int]]:
    """(department, layer) -> (open, all) records."""
    query = sa.select(
        records.c.department, records.c.layer, sa.func.count().filter(open_clause()), sa.func.count()
    ).group_by(records.c.department, records.c.layer)
    return {(d, lay): (int(o), int(n)) for d, lay, o, n in (await session.execute(query)).all()}


async def mark_dirty(session: AsyncSession, cells: Sequence[tuple[str | None, bool]]) -> None:
    """Note (cell, spread) pairs whose contents changed, for the connections worker (see
    models.dirty_cells)."""
    merged: dict[str, bool] = {}
    for cell, spread in cells:
        if cell:
            merged[cell] = merged.get(cell, False) or spread
    if merged:
        stmt = pg_insert(dirty_cells)
        stmt = stmt.on_conflict_do_update(
            index_elements=[dirty_cells.c.cell],
            set_={
                "spread": dirty_cells.c.spread | stmt.excluded.spread,
                "marked_at": sa.func.least(dirty_cells.c.marked_at, stmt.excluded.marked_at),
            },
        )
        # A fixed order: concurrent writers never deadlock.
        await session.execute(stmt, [{"cell": c, "spread": merged[c]} for c in sorted(merged)])


class DirtyCell(NamedTuple):
    cell: str
    #: Incidents or concerns changed here: every record within reach is re-evaluated.
    spread: bool
    #: When it was first marked: otherwise only the records changed since are re-evaluated (a
    #: record changed in the marking transaction has ``updated_at`` = its now() >= this).
    since: datetime


async def take_dirty(session: AsyncSession) -> list[DirtyCell]:
    """The cells marked since the last take (removed when this transaction commits)."""
    stmt = sa.delete(dirty_cells).returning(dirty_cells.c.cell, dirty_cells.c.spread, dirty_cells.c.marked_at)
    return [DirtyCell(c, bool(s), m) for c, s, m in (await session.execute(stmt)).all()]
