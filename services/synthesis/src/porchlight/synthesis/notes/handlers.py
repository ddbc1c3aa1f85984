"""Events in: ``note.submitted`` -> a received note, ready for analysis."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Envelope, NoteSubmitted
from porchlight.synthesis.notes.models import ReceivedNote
from porchlight.synthesis.notes.repository import ReceivedNoteRepository


async def on_note_submitted(session: AsyncSession, event: NoteSubmitted, env: Envelope) -> None:
    await ReceivedNoteRepository(session).add(
        ReceivedNote(
            note_id=event.note_id,
            district=event.district,
            neighborhood=event.neighborhood,
            concerns=[c.text for c in event.concerns],
            text=event.text,
            submitted_at=event.submitted_at,
        )
    )
