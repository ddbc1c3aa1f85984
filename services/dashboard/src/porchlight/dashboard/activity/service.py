"""The district note counters of ``GET /v1/activity`` (fed by notes/handlers.py)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.activity.repository import ActivityRepository
from porchlight.events import Envelope, NoteSubmitted


async def count_notes(session: AsyncSession, batch: list[tuple[NoteSubmitted, Envelope]]) -> None:
    """One upsert for a whole batch (the inbox already dropped redeliveries)."""
    counts: dict[str, int] = defaultdict(int)
    latest: dict[str, datetime] = {}
    for event, _ in batch:
        counts[event.district] += 1
        if event.district not in latest or event.submitted_at > latest[event.district]:
            latest[event.district] = event.submitted_at
    await ActivityRepository(session).count_notes({d: (n, latest[d]) for d, n in counts.items()})
