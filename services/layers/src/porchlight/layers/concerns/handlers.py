"""Events in: ``note.submitted`` / ``note.revised`` (concerns and where) and ``note.analyzed``
(synthesis' topics and sentiment). Texts arrive redacted by intake; nothing else is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import EventRouter, NoteAnalyzed, NoteSubmitted
from porchlight.events.catalog import NoteRevised
from porchlight.layers.concerns import repository
from porchlight.layers.places import cell_of
from porchlight.layers.records import repository as records_repository

router = EventRouter()


@router.subscriber
async def on_note(session: AsyncSession, event: NoteSubmitted | NoteRevised) -> None:
    await repository.lock_note(session, event.note_id)
    stored = await repository.revision_of(session, event.note_id)
    if stored is not None and stored > event.revision:
        return  # an older revision arriving late: the newer one stands
    occurred: datetime = event.held_at or event.submitted_at
    rows = [
        {
            "note_id": event.note_id,
            "position": i,
            "revision": event.revision,
            "text": c.text,
            "lat": c.point.lat if c.point else None,
            "lon": c.point.lon if c.point else None,
            "district": event.district,
            "occurred_at": occurred,
            "topic": c.topic,
        }
        for i, c in enumerate(event.concerns)
        if c.text.strip()
    ]
    await repository.replace(session, event.note_id, rows)
    await repository.apply_topics(session, event.note_id)
    cells = [(cell_of(r["lat"], r["lon"]), True) for r in rows if r["lat"] is not None]
    await records_repository.mark_dirty(session, cells)


@router.subscriber
async def on_note_analyzed(session: AsyncSession, event: NoteAnalyzed) -> None:
    await repository.lock_note(session, event.note_id)
    topics = {c.text: c.topic for c in event.concerns if c.topic}
    await repository.set_topics(session, event.note_id, event.revision or 1, topics)
    await records_repository.mark_dirty(session, [(c, True) for c in await repository.cells_of(session, event.note_id)])
    if event.occurred_at is not None:
        await repository.set_mood(
            session,
            {
                "note_id": event.note_id,
                "revision": event.revision or 1,
                "district": event.district,
                "occurred_at": event.occurred_at,
                # synthesis' score: -1 (most negative) .. +1 (most positive)
                "sentiment_score": max(-1.0, min(1.0, float(event.sentiment_score))),
            },
        )
