"""Store a note's analysis — the note, its concerns — and queue ``note.analyzed`` and ``sentiment.scored``, in one
transaction."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from opentelemetry.context import Context
from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Event, NoteAnalyzedV2, SentimentScored
from porchlight.events.catalog import ConcernAnalysis, ConcernSentiment
from porchlight.synthesis.analysis.repository import AnalysisRepository
from porchlight.synthesis.db import outbox
from porchlight.synthesis.insights.service import label_of, refresh_insights
from porchlight.synthesis.learning.service import current_taxonomy
from porchlight.synthesis.model.analyze import ConcernResult, NoteInput, NoteResult, analyze_notes, embedding_bytes
from porchlight.synthesis.model.live import LiveModel
from porchlight.synthesis.model.taxonomy import UNASSIGNED, Taxonomy
from porchlight.synthesis.model.threads import in_daemon_thread
from porchlight.synthesis.notes.models import ReceivedNote

#: Seconds the model took for one batch of notes (embedding, topics, sentiment), off the event
#: loop: the Grafana dashboard's "Model latency" panel (deploy/k8s/monitoring).
MODEL_SECONDS = Histogram(
    "porchlight_model_batch_seconds",
    "Time the model took to analyze one batch of notes",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
#: Notes the model analyzed; with the histogram's sum, the seconds per note.
MODEL_NOTES = Counter("porchlight_model_notes_total", "Notes the model analyzed")


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


async def analyze_and_store(
    session: AsyncSession,
    live: LiveModel,
    notes: Sequence[NoteFacts],
    traces: Sequence[Context | None] | None = None,
) -> set[str]:
    """Analyze ``notes`` off the event loop, store them and queue their events; returns the
    districts whose figures changed (including the one a revised note moved away from).
    ``traces``: the trace each note's ``note.analyzed`` continues (analysis/worker.py)."""
    if not notes:
        return set()
    with MODEL_SECONDS.time():
        results = await in_daemon_thread(analyze_notes, live, [n.as_input() for n in notes])
    MODEL_NOTES.inc(len(notes))
    return await store(session, live, notes, results, traces)


async def store(
    session: AsyncSession,
    live: LiveModel,
    notes: Sequence[NoteFacts],
    results: Sequence[NoteResult],
    traces: Sequence[Context | None] | None = None,
) -> set[str]:
    repo = AnalysisRepository(session)
    ids = [n.note_id for n in notes]
    touched = await repo.districts_of(ids) | {n.district for n in notes}
    pairs = list(zip(notes, results, strict=True))
    now = datetime.now(UTC)
    await repo.store_notes(
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
            "now": now,
        }
    )
    concerns = [(n, c) for n, r in pairs for c in r.concerns]
    await repo.replace_concerns(
        ids,
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
            # JSON text: asyncpg's jsonb codec takes strings (a rebuilt concern without them: NULL).
            "topic_probs": [json.dumps(c.topic_probs) if c.topic_probs else None for _, c in concerns],
            "sentiment": [c.sentiment for _, c in concerns],
            "sentiment_score": [c.sentiment_score for _, c in concerns],
            "model_version": live.tag,
            "embedding": [embedding_bytes(c.embedding) for _, c in concerns],
        }
        if concerns
        else None,
    )
    # Per note, its note.analyzed then its sentiment.scored (same key: they stay in that order).
    events: list[Event] = []
    for n, r in pairs:
        events += [analyzed_event(n, r, live.tag, live.taxonomy), scored_event(n, r, live.tag, now)]
    await outbox.add(session, *events, traces=None if traces is None else [t for t in traces for _ in range(2)])
    return touched


def analyzed_event(note: NoteFacts, result: NoteResult, model_version: str, taxonomy: Taxonomy) -> NoteAnalyzedV2:
    """The event carries each topic's name from the taxonomy (the insight's ``label``), so the
    dashboard shows synthesis' name for a topic and never makes one from its code; and the model's
    topic probabilities, from which the dashboard estimates counts as synthesis does."""
    return NoteAnalyzedV2(
        note_id=note.note_id,
        district=note.district,
        neighborhood=note.neighborhood,
        model_version=model_version,
        concerns=[
            ConcernAnalysis(
                text=c.text,
                topic=None if c.topic == UNASSIGNED else c.topic,
                topic_label=None if c.topic == UNASSIGNED else label_of(taxonomy, c.topic),
                topic_score=c.topic_score,
                sentiment=c.sentiment,
                sentiment_score=c.sentiment_score,
                topic_probs=c.topic_probs or None,
                topic_source="supervisor" if c.topic_source == "supervisor" else "model",
            )
            for c in result.concerns
        ],
        sentiment=result.sentiment,
        sentiment_score=result.sentiment_score,
        revision=note.revision,
        occurred_at=note.occurred_at,
    )


def scored_event(note: NoteFacts, result: NoteResult, model_version: str, analyzed_at: datetime) -> SentimentScored:
    """The analysis' sentiment, with the host's own rating beside it: scores and ids, no words."""
    return SentimentScored(
        note_id=note.note_id,
        revision=note.revision,
        district=note.district,
        neighborhood=note.neighborhood,
        occurred_at=note.occurred_at,
        analyzed_at=analyzed_at,
        model_version=model_version,
        sentiment=result.sentiment,
        sentiment_score=result.sentiment_score,
        concerns=[
            ConcernSentiment(position=c.position, sentiment=c.sentiment, sentiment_score=c.sentiment_score)
            for c in result.concerns
        ],
        host_rating=note.host_rating,
    )


# A correction or a promoted topic changes topics, not sentiment: only note.analyzed goes out again.
async def announce_notes(session: AsyncSession, note_ids: Sequence[Any], tag: str) -> None:
    """Queue ``note.analyzed`` again for notes whose labels changed (a correction, a promoted
    topic); refresh their districts' insight."""
    repo = AnalysisRepository(session)
    # The taxonomy of the newest model version: the caller made it in this transaction (a promoted
    # topic is in it, with its given name).
    _, taxonomy = await current_taxonomy(session)
    districts = set()
    for note in await repo.notes(note_ids):
        rows = await repo.concerns_of(note.note_id)
        result = NoteResult(
            note.document,
            tuple(
                ConcernResult(
                    c.position,
                    c.text,
                    c.span_start,
                    c.span_end,
                    c.topic,
                    c.topic_score,
                    c.best_topic,
                    c.sentiment,
                    c.sentiment_score,
                    np.zeros(0),
                    topic_probs=c.topic_probs or {},
                    topic_source=c.topic_source,
                )
                for c in rows
            ),
            note.sentiment or "neutral",
            note.sentiment_score or 0.0,
        )
        await outbox.add(session, analyzed_event(facts_of_stored(note), result, tag, taxonomy))
        districts.add(note.district)
    await refresh_insights(session, districts, tag)
