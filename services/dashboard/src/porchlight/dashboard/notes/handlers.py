"""Events in: a note's revisions, its analysis (topics), its sentiment scores and synthesis'
calibration of its topic probabilities -> the notes read model; note.submitted also counts in its
district's activity (one handler per event: this one)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.activity.service import count_notes
from porchlight.dashboard.notes.repository import apply_analysis, apply_calibration, apply_notes, apply_sentiment
from porchlight.events import (
    Envelope,
    EventRouter,
    NoteAnalyzed,
    NoteAnalyzedV2,
    NoteRevised,
    NoteRevisedV2,
    NoteSubmitted,
    NoteSubmittedV2,
    SentimentScored,
    TopicCalibrated,
)

router = EventRouter()


@router.batch_subscriber
async def on_notes_submitted(
    session: AsyncSession, batch: list[tuple[NoteSubmitted | NoteSubmittedV2, Envelope]]
) -> None:
    await apply_notes(session, [event for event, _ in batch])
    # The district counters of GET /v1/activity last: every batch updates the same few rows, so
    # their locks are held only from here to the commit.
    await count_notes(session, batch)


@router.subscriber
async def on_note_revised(session: AsyncSession, event: NoteRevised | NoteRevisedV2, _: Envelope) -> None:
    await apply_notes(session, [event])


@router.subscriber
async def on_note_analyzed(session: AsyncSession, event: NoteAnalyzed | NoteAnalyzedV2, env: Envelope) -> None:
    await apply_analysis(session, event, env.time)


@router.subscriber
async def on_sentiment_scored(session: AsyncSession, event: SentimentScored, _: Envelope) -> None:
    await apply_sentiment(session, event)


@router.subscriber
async def on_topic_calibrated(session: AsyncSession, event: TopicCalibrated, _: Envelope) -> None:
    await apply_calibration(session, event)
