"""All SQL of flagged issues."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.paging import Cursor, keyset
from porchlight.layers.issues.models import issues
from porchlight.layers.records.models import records


async def insert(session: AsyncSession, row: dict[str, Any]) -> bool:
    """False when this issue id is stored already (an event delivered twice)."""
    stmt = pg_insert(issues).values(row).on_conflict_do_nothing().returning(issues.c.issue_id)
    return (await session.execute(stmt)).first() is not None


async def missing_records(session: AsyncSession, department: str, external_ids: Sequence[str]) -> set[str]:
    if not external_ids:
        return set()
    found = await session.scalars(
        sa.select(records.c.external_id).where(
            records.c.department == department, records.c.external_id.in_(list(external_ids))
        )
    )
    return set(external_ids) - set(found)


async def page(session: AsyncSession, cursor: Cursor | None, limit: int, district: str | None) -> Sequence[Any]:
    query = sa.select(issues)
    if district:
        query = query.where(issues.c.district == district)
    return (await session.execute(keyset(query, issues.c.flagged_at, issues.c.issue_id, cursor, limit))).all()


async def one(session: AsyncSession, issue_id: uuid.UUID) -> Any:
    return (await session.execute(sa.select(issues).where(issues.c.issue_id == issue_id))).first()
