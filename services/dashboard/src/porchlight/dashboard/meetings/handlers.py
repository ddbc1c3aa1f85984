"""Events in: ``meeting.scheduled`` (and its re-sends after a change) -> the meetings read model."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.projections.models import meetings
from porchlight.events import Envelope, EventRouter, MeetingScheduled
from porchlight.kit.db import upsert

router = EventRouter()


@router.subscriber
async def on_meeting_scheduled(session: AsyncSession, event: MeetingScheduled, _: Envelope) -> None:
    values = {
        "meeting_id": event.meeting_id,
        "district": event.district,
        "neighborhood": event.neighborhood,
        "host_id": event.host_id,
        "venue_type": event.venue_type,
        "starts_at": event.starts_at,
        "expected_attendees": event.expected_attendees,
        "duration_minutes": event.duration_minutes,
    }
    await session.execute(upsert(meetings, values, key=["meeting_id"]))
