"""The SQL of Open311: records read as GeoReport v2 requests (records' own writes go through accept)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.layers.records.models import open_clause, records

_COLUMNS = (
    records.c.external_id,
    records.c.department,
    records.c.layer,
    records.c.category,
    records.c.status,
    records.c.opened_at,
    records.c.closed_at,
    records.c.updated_at,
    records.c.description,
    records.c.lat,
    records.c.lon,
    records.c.attributes,
)


async def by_ids(
    session: AsyncSession, ids: Collection[str], *, departments: Collection[str], layers: Collection[str], limit: int
) -> Sequence[sa.Row[Any]]:
    """Records by their departments' own ids (an id may exist in two departments: both come).

    ``departments`` lets PostgreSQL use the (department, external_id) unique index.
    """
    query: sa.Select[Any] = (
        sa.select(*_COLUMNS)
        .where(
            records.c.department.in_(sorted(departments)),
            records.c.external_id.in_(sorted(ids)),
            records.c.layer.in_(sorted(layers)),
        )
        .order_by(records.c.opened_at.desc(), records.c.record_id)
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def in_window(
    session: AsyncSession,
    *,
    layers: Collection[str],
    start: datetime,
    end: datetime,
    open_only: bool | None,
    now: datetime,
    limit: int,
) -> Sequence[sa.Row[Any]]:
    """Records of ``layers`` opened from ``start`` to ``end`` (both inclusive), newest first."""
    query: sa.Select[Any] = sa.select(*_COLUMNS).where(
        records.c.layer.in_(sorted(layers)), records.c.opened_at >= start, records.c.opened_at <= end
    )
    if open_only is not None:
        is_open = open_clause(now)
        query = query.where(is_open if open_only else sa.not_(is_open))
    query = query.order_by(records.c.opened_at.desc(), records.c.record_id).limit(limit)
    return (await session.execute(query)).all()
