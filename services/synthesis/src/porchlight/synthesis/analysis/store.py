"""Store a note's analysis — the note, its concerns — and queue ``note.analyzed``, in one transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import numpy as np
import sqlalchemy as sa
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


_NOTES = cast(sa.Table, ReceivedNote.__table__).fullname  # "synthesis.notes"
_CONCERNS = cast(sa.Table, AnalyzedConcern.__table__).fullname

# The batch statements of ``store``: fixed SQL over arrays (one parameter per column), so each is
# prepared once and reused whatever the batch size. Multi-row VALUES statements built per batch
# cost the event loop a quarter of a core at 150 notes/s (compiling, not the database's work).
_TOUCHED = sa.text(f"SELECT DISTINCT district FROM {_NOTES} WHERE note_id = ANY(CAST(:ids AS uuid[]))")
_UPSERT_NOTES = sa.text(
    f"INSERT INTO {_NOTES} AS n (note_id, revision, district, neighborhood, concerns, text, document, "
    "submitted_at, occurred_at, host_rating, sentiment, sentiment_score, model_version, analyzed_at) "
    "SELECT u.note_id, u.revision, u.district, u.neighborhood, CAST(u.concerns AS jsonb), u.text, u.document, "
    "u.submitted_at, u.occurred_at, u.host_rating, u.sentiment, u.sentiment_score, :model_version, :now "
    "FROM unnest(CAST(:note_id AS uuid[]), CAST(:revision AS int[]), CAST(:district AS text[]), "
    "CAST(:neighborhood AS text[]), CAST(:concerns AS text[]), CAST(:text AS text[]), CAST(:document AS text[]), "
    "CAST(:submitted_at AS timestamptz[]), CAST(:occurred_at AS timestamptz[]), CAST(:host_rating AS smallint[]), "
    "CAST(:sentiment AS text[]), CAST(:sentiment_score AS float8[])) "
    "AS u(note_id, revision, district, neighborhood, concerns, text, document, submitted_at, occurred_at, "
    "host_rating, sentiment, sentiment_score) "
    "ON CONFLICT (note_id) DO UPDATE SET revision = excluded.revision, district = excluded.district, "
    "neighborhood = excluded.neighborhood, concerns = excluded.concerns, text = excluded.text, "
    "document = excluded.document, submitted_at = excluded.submitted_at, occurred_at = excluded.occurred_at, "
    "host_rating = excluded.host_rating, sentiment = excluded.sentiment, "
    "sentiment_score = excluded.sentiment_score, model_version = excluded.model_version, "
    "analyzed_at = excluded.analyzed_at "
    # Never go back to an older revision (a re-analysis racing the consumer's newer one).
    "WHERE n.revision <= excluded.revision"
)
_DROP_CONCERNS = sa.text(f"DELETE FROM {_CONCERNS} WHERE note_id = ANY(CAST(:ids AS uuid[]))")
_INSERT_CONCERNS = sa.text(
    f"INSERT INTO {_CONCERNS} (note_id, position, text, span_start, span_end, district, neighborhood, "
    "occurred_at, topic, topic_score, best_topic, topic_source, sentiment, sentiment_score, model_version, "
    "embedding) "
    "SELECT u.note_id, u.position, u.text, u.span_start, u.span_end, u.district, u.neighborhood, u.occurred_at, "
    "u.topic, u.topic_score, u.best_topic, 'model', u.sentiment, u.sentiment_score, :model_version, u.embedding "
    "FROM unnest(CAST(:note_id AS uuid[]), CAST(:position AS int[]), CAST(:text AS text[]), "
    "CAST(:span_start AS int[]), CAST(:span_end AS int[]), CAST(:district AS text[]), "
    "CAST(:neighborhood AS text[]), CAST(:occurred_at AS timestamptz[]), CAST(:topic AS text[]), "
    "CAST(:topic_score AS float8[]), CAST(:best_topic AS text[]), CAST(:sentiment AS text[]), "
    "CAST(:sentiment_score AS float8[]), CAST(:embedding AS bytea[])) "
    "AS u(note_id, position, text, span_start, span_end, district, neighborhood, occurred_at, topic, "
    "topic_score, best_topic, sentiment, sentiment_score, embedding)"
)


async def store(
    session: AsyncSession, live: LiveModel, notes: Sequence[NoteFacts], results: Sequence[NoteResult]
) -> set[str]:
    ids = [n.note_id for n in notes]
    before = await session.execute(_TOUCHED, {"ids": ids})
    touched = {d for (d,) in before.all()} | {n.district for n in notes}
    pairs = list(zip(notes, results, strict=True))
    await session.execute(
        _UPSERT_NOTES,
        {
            "note_id": ids,
            "revision": [n.revision for n in notes],
            "district": [n.district for n in notes],
            "neighborhood": [n.neighborhood for n in notes],
            "concerns": [json.dumps(list(n.concern_fields)) for n in notes],
            "text": [n.text for n in notes],
            "document": [r.document for r in results],
            "submitted_at": [n.submitted_at for n in notes],
            "occurred_at": [n.occurred_at for n in notes],
            "host_rating": [n.host_rating for n in notes],
            "sentiment": [r.sentiment for r in results],
            "sentiment_score": [r.sentiment_score for r in results],
            "model_version": live.tag,
            "now": datetime.now(UTC),
        },
    )
    await session.execute(_DROP_CONCERNS, {"ids": ids})
    concerns = [(n, c) for n, r in pairs for c in r.concerns]
    if concerns:
        await session.execute(
            _INSERT_CONCERNS,
            {
                "note_id": [n.note_id for n, _ in concerns],
                "position": [c.position for _, c in concerns],
                "text": [c.text for _, c in concerns],
                "span_start": [c.start for _, c in concerns],
                "span_end": [c.end for _, c in concerns],
                "district": [n.district for n, _ in concerns],
                "neighborhood": [n.neighborhood for n, _ in concerns],
                "occurred_at": [n.occurred_at for n, _ in concerns],
                "topic": [c.topic for _, c in concerns],
                "topic_score": [c.topic_score for _, c in concerns],
                "best_topic": [c.best_topic for _, c in concerns],
                "sentiment": [c.sentiment for _, c in concerns],
                "sentiment_score": [c.sentiment_score for _, c in concerns],
                "model_version": live.tag,
                "embedding": [embedding_bytes(c.embedding) for _, c in concerns],
            },
        )
    await outbox().add(session, *(analyzed_event(n, r, live.tag) for n, r in pairs))
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
