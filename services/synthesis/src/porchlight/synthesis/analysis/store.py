"""Store a note's analysis — the note, its concerns — and queue ``note.analyzed``, in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import NoteAnalyzed
from porchlight.events.catalog import ConcernAnalysis
from porchlight.synthesis.analysis.analyze import NoteInput, NoteResult, analyze_notes
from porchlight.synthesis.analysis.live import LiveModel
from porchlight.synthesis.analysis.threads import in_daemon_thread
from porchlight.synthesis.notes.models import AnalyzedConcern, ReceivedNote
from porchlight.synthesis.outbox import outbox
from porchlight.synthesis.taxonomy import UNASSIGNED


@dataclass(frozen=True)
class NoteFacts:
    """What synthesis keeps of a note (from ``note.submitted``/``note.revised``, or stored)."""

    note_id: uuid.UUID
    revision: int
    district: str
    neighborhood: str | None
    concern_fields: tuple[str, ...]
    text: str
    submitted_at: datetime
    occurred_at: datetime
    host_rating: int | None

    def as_input(self) -> NoteInput:
        return NoteInput(self.concern_fields, self.text)


def facts_of_stored(n: ReceivedNote) -> NoteFacts:
    return NoteFacts(
        n.note_id,
        n.revision,
        n.district,
        n.neighborhood,
        tuple(n.concerns),
        n.text,
        n.submitted_at,
        n.occurred_at,
        n.host_rating,
    )


def embedding_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def embedding_of(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


async def analyze_and_store(session: AsyncSession, live: LiveModel, notes: Sequence[NoteFacts]) -> set[str]:
    """Analyze ``notes`` off the event loop, store them and queue their events; returns the
    districts whose figures changed (including the one a revised note moved away from)."""
    if not notes:
        return set()
    results = await in_daemon_thread(analyze_notes, live, [n.as_input() for n in notes])
    return await store(session, live, notes, results)


async def store(
    session: AsyncSession, live: LiveModel, notes: Sequence[NoteFacts], results: Sequence[NoteResult]
) -> set[str]:
    ids = [n.note_id for n in notes]
    before = await session.execute(sa.select(ReceivedNote.district).where(ReceivedNote.note_id.in_(ids)).distinct())
    touched = {d for (d,) in before.all()} | {n.district for n in notes}
    now = datetime.now(UTC)
    rows = [
        {
            "note_id": n.note_id,
            "revision": n.revision,
            "district": n.district,
            "neighborhood": n.neighborhood,
            "concerns": list(n.concern_fields),
            "text": n.text,
            "document": r.document,
            "submitted_at": n.submitted_at,
            "occurred_at": n.occurred_at,
            "host_rating": n.host_rating,
            "sentiment": r.sentiment,
            "sentiment_score": r.sentiment_score,
            "model_version": live.tag,
            "analyzed_at": now,
        }
        for n, r in zip(notes, results, strict=True)
    ]
    stmt = insert(ReceivedNote).values(rows)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[ReceivedNote.note_id],
            set_={k: stmt.excluded[k] for k in rows[0] if k != "note_id"},
            # Never go back to an older revision (a re-analysis racing the consumer's newer one).
            where=ReceivedNote.revision <= stmt.excluded.revision,
        )
    )
    await session.execute(sa.delete(AnalyzedConcern).where(AnalyzedConcern.note_id.in_(ids)))
    concern_rows = [
        {
            "note_id": n.note_id,
            "position": c.position,
            "text": c.text,
            "span_start": c.start,
            "span_end": c.end,
            "district": n.district,
            "neighborhood": n.neighborhood,
            "occurred_at": n.occurred_at,
            "topic": c.topic,
            "topic_score": c.topic_score,
            "best_topic": c.best_topic,
            "topic_source": "model",
            "sentiment": c.sentiment,
            "sentiment_score": c.sentiment_score,
            "model_version": live.tag,
            "embedding": embedding_bytes(c.embedding),
        }
        for n, r in zip(notes, results, strict=True)
        for c in r.concerns
    ]
    if concern_rows:
        await session.execute(sa.insert(AnalyzedConcern), concern_rows)
    await outbox().add(session, *(analyzed_event(n, r, live.tag) for n, r in zip(notes, results, strict=True)))
    return touched


def analyzed_event(note: NoteFacts, result: NoteResult, model_version: str) -> NoteAnalyzed:
    return NoteAnalyzed(
        note_id=note.note_id,
        district=note.district,
        neighborhood=note.neighborhood,
        model_version=model_version,
        concerns=[
            ConcernAnalysis(
                text=c.text,
                topic=None if c.topic == UNASSIGNED else c.topic,
                topic_score=c.topic_score,
                sentiment=c.sentiment,
                sentiment_score=c.sentiment_score,
            )
            for c in result.concerns
        ],
        sentiment=result.sentiment,
        sentiment_score=result.sentiment_score,
        revision=note.revision,
        occurred_at=note.occurred_at,
    )
