"""All SQL of newsletter requests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.newsletters.models import newsletter_requests
from porchlight.dashboard.projections.models import updates


async def queue(session: AsyncSession, update_id: uuid.UUID, now: datetime) -> None:
    """Once per update: a redelivered event, or a rebuild of the read models, queues nothing more."""
    stmt = insert(newsletter_requests).values(update_id=update_id, status="pending", queued_at=now)
    await session.execute(stmt.on_conflict_do_nothing())


async def next_pending(session: AsyncSession) -> Any:
    """The oldest pending request whose update is in the read model, locked (SKIP LOCKED)."""
    stmt = (
        sa.select(updates)
        .join(newsletter_requests, newsletter_requests.c.update_id == updates.c.update_id)
        .where(newsletter_requests.c.status == "pending")
        .order_by(newsletter_requests.c.queued_at)
        .limit(1)
        .with_for_update(of=newsletter_requests, skip_locked=True)
    )
    return (await session.execute(stmt)).first()


async def mark_requested(session: AsyncSession, update_id: uuid.UUID, now: datetime) -> None:
    await session.execute(
        sa.update(newsletter_requests)
        .where(newsletter_requests.c.update_id == update_id)
        .values(status="requested", requested_at=now)
    )
