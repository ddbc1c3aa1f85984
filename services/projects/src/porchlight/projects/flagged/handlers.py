"""Events in: ``issue.flagged`` from any department (layers' form and API, or a department's own
system) -> a card in the Flagged column."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import EventRouter, IssueFlagged
from porchlight.projects.flagged import service

router = EventRouter()


@router.subscriber
async def on_issue_flagged(session: AsyncSession, event: IssueFlagged) -> None:
    await service.on_flagged(session, event)
