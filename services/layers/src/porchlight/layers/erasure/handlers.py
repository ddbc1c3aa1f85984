"""Events in: ``note.erased`` (the concerns from note.submitted) and ``note.analysis-erased`` (the
statements from note.analyzed, which come on another topic and may arrive after note.erased; this
one follows them there). Either blanks whatever the note left here and takes its quotes out of
connections' evidence; correlation.detected events still in the outbox leave without them.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import CorrelationDetected, Envelope, EventRouter
from porchlight.events.catalog import NoteAnalysisErased, NoteErased
from porchlight.events.erasure import rewrite_pending
from porchlight.layers.concerns.repository import lock_note
from porchlight.layers.db import outbox
from porchlight.layers.erasure import repository

router = EventRouter()


async def _erase(session: AsyncSession, note_id: uuid.UUID) -> None:
    await lock_note(session, note_id)  # the same lock as the note's own events take
    texts = await repository.texts_of(session, note_id)
    await repository.blank(session, note_id)
    if not texts:
        return
    await repository.drop_quotes(session, note_id, texts)

    def without(data: dict[str, Any]) -> dict[str, Any] | None:
        quotes = data.get("quotes") or []
        kept = [q for q in quotes if q not in texts]
        return None if kept == quotes else {**data, "quotes": kept}

    await rewrite_pending(session, outbox, [CorrelationDetected.TYPE], {"note_ids": [str(note_id)]}, without)


@router.subscriber
async def on_note_erased(session: AsyncSession, event: NoteErased, _: Envelope) -> None:
    await _erase(session, event.note_id)


@router.subscriber
async def on_note_analysis_erased(session: AsyncSession, event: NoteAnalysisErased, _: Envelope) -> None:
    await _erase(session, event.note_id)
