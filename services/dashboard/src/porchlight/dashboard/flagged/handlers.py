"""Events in: ``issue.flagged`` -> the district page's flagged issues and map layer."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.flagged.models import flagged_issues
from porchlight.events import EventRouter, IssueFlagged

router = EventRouter()


@router.subscriber
async def on_issue_flagged(session: AsyncSession, event: IssueFlagged) -> None:
    row = {
        "issue_id": event.issue_id,
        "district": event.district,
        "department": event.department,
        "category": event.category,
        "description": event.description,
        "place": event.place,
        "lat": event.point.lat if event.point else None,
        "lon": event.point.lon if event.point else None,
        "flagged_at": event.flagged_at,
    }
    await session.execute(pg_insert(flagged_issues).values(row).on_conflict_do_nothing())
