"""Events in: ``note.submitted`` / ``note.revised`` (concerns and where) and ``note.analyzed``
(synthesis' topics and sentiment). Texts arrive redacted by intake; nothing else is kept.

A consumed batch is applied in one transaction (the city's whole stream of notes passes through
here): its notes are locked in one sorted order first, so a batch of analyses running at the same
time never deadlocks with it, and the changed cells are marked once at the end."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import (
    Envelope,
    EventRouter,
    NoteAnalyzed,
    NoteAnalyzedV2,
    NoteRevised,
    NoteRevisedV2,
    NoteSubmitted,
    NoteSubmittedV2,
)
from porchlight.layers.concerns import repository
from porchlight.layers.places import cell_of
from porchlight.layers.records import repository as records_repository

router = EventRouter()


@router.batch_subscriber
async def on_notes(
    session: AsyncSession, batch: list[tuple[NoteSubmitted | NoteSubmittedV2 | NoteRevised | NoteRevisedV2, Envelope]]
) -> None:
    latest: dict[Any, NoteSubmitted | NoteRevised] = {}
    for event, _ in batch:
        held = latest.get(event.note_id)
        if held is None or event.revision > held.revision:
            latest[event.note_id] = event
    for note_id in sorted(latest, key=str):
        await repository.lock_note(session, note_id)
    cells: list[tuple[str | None, bool]] = []
    for note_id in sorted(latest, key=str):
        cells += await _apply_note(session, latest[note_id])
    await records_repository.mark_dirty(session, cells)


async def _apply_note(session: AsyncSession, event: NoteSubmitted | NoteRevised) -> list[tuple[str | None, bool]]:
    stored = await repository.revision_of(session, event.note_id)
    if stored is not None and stored > event.revision:
        return []  # an older revision arriving late: the newer one stands
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
    return [(cell_of(r["lat"], r["lon"]), True) for r in rows if r["lat"] is not None]


@router.batch_subscriber
async def on_notes_analyzed(session: AsyncSession, batch: list[tuple[NoteAnalyzed | NoteAnalyzedV2, Envelope]]) -> None:
    latest: dict[Any, NoteAnalyzed] = {}
    for event, _ in batch:
        held = latest.get(event.note_id)
        if held is None or (event.revision or 1) >= (held.revision or 1):
            latest[event.note_id] = event
    for note_id in sorted(latest, key=str):
        await repository.lock_note(session, note_id)
    cells: list[tuple[str | None, bool]] = []
    for note_id in sorted(latest, key=str):
        cells += await _apply_analysis(session, latest[note_id])
    await records_repository.mark_dirty(session, cells)


async def _apply_analysis(session: AsyncSession, event: NoteAnalyzed) -> list[tuple[str | None, bool]]:
    topics = {c.text: c.topic for c in event.concerns if c.topic}
    await repository.set_topics(session, event.note_id, event.revision or 1, topics)
    cells: list[tuple[str | None, bool]] = [(c, True) for c in await repository.cells_of(session, event.note_id)]
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
    return cells
