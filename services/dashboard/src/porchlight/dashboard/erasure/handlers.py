"""Events in: ``note.erased`` (the host's concern rows, from the notes topic) and
``note.analysis-erased`` (the model's, from the analyses topic: it follows every note.analyzed of
the note there, so no analysis read later brings its words back)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.erasure.repository import blank_concerns
from porchlight.events import Envelope, EventRouter
from porchlight.events.catalog import NoteAnalysisErased, NoteErased

router = EventRouter()


@router.subscriber
async def on_note_erased(session: AsyncSession, event: NoteErased, _: Envelope) -> None:
    await blank_concerns(session, event.note_id)


@router.subscriber
async def on_note_analysis_erased(session: AsyncSession, event: NoteAnalysisErased, _: Envelope) -> None:
    await blank_concerns(session, event.note_id)
