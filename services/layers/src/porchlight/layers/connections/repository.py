"""All SQL of connections: what the rules read (open records, incidents, placed concerns), the
connections found, and the city's rule set."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.paging import Cursor, keyset
from porchlight.layers.concerns.models import note_concerns
from porchlight.layers.connections.models import connection_rules, connections
from porchlight.layers.records.models import INCIDENT_LAYER, open_clause, records

CITY = "city"
#: Only one replica evaluates at a time (a transaction-scoped advisory lock on this key).
_LOCK_KEY = 0x636F6E6E  # "conn"


async def take_turn(session: AsyncSession) -> bool:
    """True when this transaction holds the evaluation lock (another replica is not evaluating)."""
    return bool(await session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(_LOCK_KEY))))


async def rule_document(session: AsyncSession) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await session.scalar(
        sa.select(connection_rules.c.document).where(connection_rules.c.city == CITY)
    )
    return found


async def save_rule_document(
    session: AsyncSession, document: dict[str, Any], by: str, *, only_if_absent: bool = False
) -> None:
    stmt = pg_insert(connection_rules).values(city=CITY, document=document, updated_by=by, updated_at=sa.func.now())
    if only_if_absent:
        await session.execute(stmt.on_conflict_do_nothing(index_elements=["city"]))
    else:
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["city"], set_={"document": document, "updated_by": by, "updated_at": sa.func.now()}
            )
        )


async def trigger_records(
    session: AsyncSession,
    layers: Sequence[str],
    now: datetime,
    near: Sequence[str] | None = None,
    changed: tuple[Sequence[str], datetime] | None = None,
) -> Sequence[Any]:
    """Located records of these layers still open now (the rules' first condition): the columns a
    rule reads (not the geometry and attributes, whose JSON decoding was a tenth of an evaluation).

    The whole city, or when ``near`` or ``changed`` is given only every record in the cells
    ``near`` and, in the cells of ``changed`` = (cells, since), the records changed since then."""
    c = records.c
    columns = (c.record_id, c.external_id, c.department, c.layer, c.category, c.status, c.closed_at, c.lat, c.lon,
               c.opened_at, c.district)  # fmt: skip
    query = sa.select(*columns).where(
        records.c.layer.in_(list(layers)), records.c.lat.is_not(None), records.c.district.is_not(None), open_clause(now)
    )
    if near is not None or changed is not None:
        where = []
        if near:
            where.append(c.cell.in_(list(near)))
        if changed is not None and changed[0]:
            where.append(sa.and_(c.cell.in_(list(changed[0])), c.updated_at >= changed[1]))
        if not where:
            return []
        query = query.where(sa.or_(*where))
    return (await session.execute(query)).all()


Box = tuple[float, float, float, float]  # min_lat, min_lon, max_lat, max_lon


async def incidents_since(session: AsyncSession, since: datetime, box: Box | None = None) -> Sequence[Any]:
    query = sa.select(
        records.c.record_id,
        records.c.lat,
        records.c.lon,
        records.c.opened_at,
        records.c.category,
        records.c.attributes["nibrs_code"].astext.label("nibrs_code"),
    ).where(records.c.layer == INCIDENT_LAYER, records.c.lat.is_not(None), records.c.opened_at >= since)
    if box is not None:
        query = query.where(records.c.lat.between(box[0], box[2]), records.c.lon.between(box[1], box[3]))
    return (await session.execute(query)).all()


async def concerns_since(
    session: AsyncSession, since: datetime, topics: Sequence[str], box: Box | None = None
) -> Sequence[sa.Row[Any]]:
    query = sa.select(note_concerns).where(
        note_concerns.c.lat.is_not(None), note_concerns.c.occurred_at >= since, note_concerns.c.topic.in_(list(topics))
    )
    if box is not None:
        query = query.where(note_concerns.c.lat.between(box[0], box[2]), note_concerns.c.lon.between(box[1], box[3]))
    return (await session.execute(query)).all()


async def open_connections(session: AsyncSession) -> Sequence[sa.Row[Any]]:
    return (await session.execute(sa.select(connections).where(connections.c.status == "open"))).all()


async def insert(session: AsyncSession, row: dict[str, Any]) -> bool:
    """False when another evaluation already opened this rule's connection for this record."""
    stmt = pg_insert(connections).values(row).on_conflict_do_nothing().returning(connections.c.correlation_id)
    return (await session.execute(stmt)).first() is not None


async def update_evidence(
    session: AsyncSession, correlation_id: uuid.UUID, evidence: dict[str, Any], now: datetime
) -> None:
    await session.execute(
        sa.update(connections)
        .where(connections.c.correlation_id == correlation_id)
        .values(evidence=evidence, updated_at=now)
    )


async def close(session: AsyncSession, correlation_id: uuid.UUID, reason: str, now: datetime) -> None:
    await session.execute(
        sa.update(connections)
        .where(connections.c.correlation_id == correlation_id, connections.c.status == "open")
        .values(status="closed", closed_at=now, updated_at=now, close_reason=reason)
    )


async def record_states(session: AsyncSession, record_ids: Sequence[uuid.UUID], now: datetime) -> dict[uuid.UUID, bool]:
    """Each record's open state now (a record missing from the answer was deleted)."""
    if not record_ids:
        return {}
    query = sa.select(records.c.record_id, open_clause(now)).where(records.c.record_id.in_(list(record_ids)))
    return {rid: bool(is_open) for rid, is_open in (await session.execute(query)).all()}


async def page(
    session: AsyncSession, cursor: Cursor | None, limit: int, district: str | None, status: str | None
) -> Sequence[sa.Row[Any]]:
    query = sa.select(connections)
    if district:
        query = query.where(connections.c.district == district)
    if status:
        query = query.where(connections.c.status == status)
    return (
        await session.execute(keyset(query, connections.c.detected_at, connections.c.correlation_id, cursor, limit))
    ).all()


async def one(session: AsyncSession, correlation_id: uuid.UUID) -> sa.Row[Any] | None:
    return (await session.execute(sa.select(connections).where(connections.c.correlation_id == correlation_id))).first()
