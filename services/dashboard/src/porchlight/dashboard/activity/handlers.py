"""Events in: ``note.submitted`` -> the district's note counter."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.activity.repository import ActivityRepository
from porchlight.events import Envelope, NoteSubmitted


async def on_note_submitted(session: AsyncSession, event: NoteSubmitted, env: Envelope) -> None:
    await ActivityRepository(session).count_note(event.district, event.submitted_at)
