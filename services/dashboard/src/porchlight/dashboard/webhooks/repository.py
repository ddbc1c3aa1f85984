"""All SQL of webhooks and their deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.projections.models import updates
from porchlight.dashboard.webhooks.models import webhook_deliveries, webhooks

_HOOK = [c for c in webhooks.c if c.name != "secret"]
_DELIVERY = list(webhook_deliveries.c)


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(sa.insert(webhooks).values(**values))


async def listed(session: AsyncSession) -> Sequence[Any]:
    return (await session.execute(sa.select(*_HOOK).order_by(webhooks.c.created_at))).all()


async def get(session: AsyncSession, webhook_id: uuid.UUID) -> Any:
    return (await session.execute(sa.select(*_HOOK).where(webhooks.c.webhook_id == webhook_id))).first()


async def deactivate(session: AsyncSession, webhook_id: uuid.UUID) -> None:
    await session.execute(sa.update(webhooks).where(webhooks.c.webhook_id == webhook_id).values(active=False))


async def active_ids(session: AsyncSession) -> list[uuid.UUID]:
    return list((await session.execute(sa.select(webhooks.c.webhook_id).where(webhooks.c.active))).scalars())


async def queue(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """One delivery per endpoint and update, once: a redelivered event queues nothing more."""
    if rows:
        await session.execute(insert(webhook_deliveries).values(rows).on_conflict_do_nothing())


async def claim(session: AsyncSession, now: datetime, lease_until: datetime, limit: int) -> Sequence[Any]:
    """Due deliveries, leased until ``lease_until`` (their ``next_attempt_at``): another sender
    skips them, and they are due again if this one dies before it records the answer."""
    due = (
        sa.select(webhook_deliveries.c.delivery_id)
        .where(webhook_deliveries.c.status == "pending", webhook_deliveries.c.next_attempt_at <= now)
        .order_by(webhook_deliveries.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        sa.update(webhook_deliveries)
        .where(webhook_deliveries.c.delivery_id.in_(due))
        .values(next_attempt_at=lease_until, attempts=webhook_deliveries.c.attempts + 1)
        .returning(
            webhook_deliveries.c.delivery_id,
            webhook_deliveries.c.update_id,
            webhook_deliveries.c.attempts,
            webhooks.c.url,
            webhooks.c.secret,
        )
    )
    stmt = stmt.where(webhooks.c.webhook_id == webhook_deliveries.c.webhook_id)
    return (await session.execute(stmt)).all()


async def updates_of(session: AsyncSession, update_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    """The published updates the deliveries carry (the dashboard's own read model)."""
    stmt = sa.select(updates).where(updates.c.update_id.in_(list(update_ids)))
    return {r.update_id: r for r in await session.execute(stmt)}


async def record(session: AsyncSession, delivery_id: uuid.UUID, values: dict[str, Any]) -> None:
    await session.execute(
        sa.update(webhook_deliveries).where(webhook_deliveries.c.delivery_id == delivery_id).values(**values)
    )


async def deliveries(
    session: AsyncSession, status: str | None, limit: int, update_id: uuid.UUID | None = None
) -> Sequence[Any]:
    stmt = sa.select(*_DELIVERY).order_by(webhook_deliveries.c.created_at.desc()).limit(limit)
    if status:
        stmt = stmt.where(webhook_deliveries.c.status == status)
    if update_id:
        stmt = stmt.where(webhook_deliveries.c.update_id == update_id)
    return (await session.execute(stmt)).all()


async def delivery(session: AsyncSession, delivery_id: uuid.UUID, *, lock: bool = False) -> Any:
    stmt = sa.select(*_DELIVERY).where(webhook_deliveries.c.delivery_id == delivery_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()
