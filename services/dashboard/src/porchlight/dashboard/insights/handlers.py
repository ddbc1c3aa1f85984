"""Events in: ``insight.updated`` -> the district's latest summary (the newest one wins)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.projections.models import insights
from porchlight.events import Envelope, EventRouter, InsightUpdated
from porchlight.kit.db import upsert

router = EventRouter()


@router.subscriber
async def on_insight_updated(session: AsyncSession, event: InsightUpdated, env: Envelope) -> None:
    values = {
        "district": event.district,
        "period_start": event.period_start,
        "period_end": event.period_end,
        "top_topics": list(event.top_topics),
        "summary": event.summary,
        "model_version": event.model_version,
        "updated_at": env.time,
    }
    newer = lambda t, excluded: t.c.updated_at <= excluded.updated_at  # noqa: E731  (the newest insight wins)
    await session.execute(upsert(insights, values, key=["district"], where=newer))
