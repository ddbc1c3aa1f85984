"""Events in: ``issue.flagged`` published by departments' own systems (layers' own are stored
when flagged, so they are skipped here)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Envelope, EventRefused, EventRouter, IssueFlagged
from porchlight.layers.db import outbox
from porchlight.layers.issues import service
from porchlight.layers.records.service import Places

router = EventRouter()


@router.subscriber
async def on_issue_flagged(session: AsyncSession, event: IssueFlagged, env: Envelope, places: Places) -> None:
    if env.source == outbox.source:
        return
    try:
        await service.store_external(session, event, places)
    except service.IssueRefused as exc:
        raise EventRefused(str(exc)) from None
