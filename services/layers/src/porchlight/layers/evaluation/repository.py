"""All SQL of target vs control: the completed projects, what is due, and the incidents and
residents' notes around a project's place."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.layers.concerns.models import note_concerns, note_moods
from porchlight.layers.evaluation.models import project_evaluations
from porchlight.layers.records.models import INCIDENT_LAYER, records


async def add_project(session: AsyncSession, row: dict[str, Any]) -> bool:
    """Keep a completed project; False when it was kept already (a redelivered event)."""
    stmt = pg_insert(project_evaluations).values(row).on_conflict_do_nothing(index_elements=["project_id"])
    result = await session.execute(stmt.returning(project_evaluations.c.project_id))
    return result.first() is not None


async def get(session: AsyncSession, project_id: uuid.UUID) -> sa.Row[Any] | None:
    query = sa.select(project_evaluations).where(project_evaluations.c.project_id == project_id)
    return (await session.execute(query)).first()


async def take_due(session: AsyncSession, now: datetime) -> sa.Row[Any] | None:
    """The project most overdue for evaluation, locked for this transaction; replicas skip it."""
    query = (
        sa.select(project_evaluations)
        .where(project_evaluations.c.due_at <= now)
        .order_by(project_evaluations.c.due_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(query)).first()


async def save(session: AsyncSession, project_id: uuid.UUID, **values: Any) -> None:
    await session.execute(
        sa.update(project_evaluations).where(project_evaluations.c.project_id == project_id).values(**values)
    )


async def incidents(
    session: AsyncSession, district: str, cells: Sequence[str], since: datetime, until: datetime
) -> Sequence[sa.Row[Any]]:
    """``(time, lat, lon)`` of the police's incidents in the district, or in ``cells`` (a target
    area crossing the district's edge), that happened in [since, until)."""
    query = sa.select(records.c.opened_at, records.c.lat, records.c.lon).where(
        records.c.layer == INCIDENT_LAYER,
        records.c.lat.is_not(None),
        records.c.opened_at >= since,
        records.c.opened_at < until,
        sa.or_(records.c.district == district, records.c.cell.in_(list(cells))),
    )
    return (await session.execute(query)).all()


async def notes(session: AsyncSession, district: str, since: datetime, until: datetime) -> Sequence[sa.Row[Any]]:
    """``(time, lat, lon, sentiment score)`` of residents' scored notes of the district raised in
    [since, until), each at its first placed concern (a note with no placed concern has no place)."""
    placed = (
        sa.select(
            note_concerns.c.note_id,
            note_concerns.c.lat,
            note_concerns.c.lon,
        )
        .where(note_concerns.c.lat.is_not(None), note_concerns.c.lon.is_not(None))
        .ext(distinct_on(note_concerns.c.note_id))
        .order_by(note_concerns.c.note_id, note_concerns.c.position)
        .subquery()
    )
    query = (
        sa.select(note_moods.c.occurred_at, placed.c.lat, placed.c.lon, note_moods.c.sentiment_score)
        .join(placed, placed.c.note_id == note_moods.c.note_id)
        .where(
            note_moods.c.district == district,
            note_moods.c.occurred_at >= since,
            note_moods.c.occurred_at < until,
        )
    )
    return (await session.execute(query)).all()
