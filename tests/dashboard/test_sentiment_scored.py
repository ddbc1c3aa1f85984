"""The dashboard's sentiment figures come from sentiment.scored (issue 17), on the real database.

Per note the latest analysis wins (highest revision, then latest ``analyzed_at``): a reading
arriving late from an older analysis changes nothing. sentiment.scored's label wins over
note.analyzed's deprecated one, in either order; note.analyzed's stands only for a note that has
no sentiment.scored (analysed before the event existed). Once through the handlers directly, once
through the broker and the running consumer.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from support import eventually, running

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.notes.handlers import on_note_analyzed, on_notes_submitted, on_sentiment_scored
from porchlight.dashboard.pages import repository as queries
from porchlight.events import EventProducer, NoteAnalyzed, NoteSubmitted, SentimentScored
from porchlight.events.catalog import ConcernSentiment
from porchlight.events.envelope import new_envelope
from porchlight.kit.db import create_engine, session_factory
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

AT = datetime(2026, 2, 10, 18, tzinfo=UTC)  # when the conversations took place
T0 = datetime(2026, 2, 11, 9, tzinfo=UTC)  # when synthesis analysed them (first)


def submitted(note_id: uuid.UUID, district: str, rating: int, revision: int = 1) -> NoteSubmitted:
    return NoteSubmitted(
        note_id=note_id,
        revision=revision,
        district=district,
        host_id="host-ss",
        submitted_at=AT,
        held_at=AT,
        sentiment=rating,  # type: ignore[arg-type]
    )


def analyzed(note_id: uuid.UUID, district: str, label: str) -> NoteAnalyzed:
    return NoteAnalyzed(
        note_id=note_id,
        district=district,
        model_version="old",
        sentiment=label,
        sentiment_score=0.0,  # type: ignore[arg-type]
    )


def scored(
    note_id: uuid.UUID, district: str, label: str, version: str, minutes: int, revision: int = 1
) -> SentimentScored:
    score = {"negative": -0.6, "neutral": 0.0, "positive": 0.7}[label]
    return SentimentScored(
        note_id=note_id,
        revision=revision,
        district=district,
        occurred_at=AT,
        analyzed_at=T0 + timedelta(minutes=minutes),
        model_version=version,
        sentiment=label,  # type: ignore[arg-type]
        sentiment_score=score,
        concerns=[ConcernSentiment(position=0, sentiment=label, sentiment_score=score)],  # type: ignore[arg-type]
        host_rating=3,
    )


async def held(settings: KitSettings, district: str) -> dict[uuid.UUID, tuple[Any, ...]]:
    """Per note: its label on the note, and the kept reading's model version, revision and concerns."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                sa.text(
                    "SELECT n.note_id, n.model_sentiment, s.model_version, s.revision, s.concerns"
                    " FROM dashboard.notes n LEFT JOIN dashboard.note_sentiments s USING (note_id)"
                    " WHERE n.district = :d"
                ),
                {"d": district},
            )
            return {r.note_id: tuple(r)[1:] for r in found}
    finally:
        await engine.dispose()


async def test_the_latest_reading_wins_and_the_figures_follow_it(settings: KitSettings) -> None:
    district = f"SSD-{uuid.uuid4().hex[:6]}"
    reread, early, revised, legacy = (uuid.uuid4() for _ in range(4))
    engine = create_engine(settings.require_database_url(), pool_size=2)
    sessions = session_factory(engine)

    async def apply(*events: Any) -> None:
        for e in events:  # each in its own transaction, as the consumer commits them
            async with sessions() as session, session.begin():
                env = new_envelope(e, source="/tests")
                if isinstance(e, NoteSubmitted):
                    await on_notes_submitted(session, [(e, env)])
                elif isinstance(e, NoteAnalyzed):
                    await on_note_analyzed(session, e, env)
                else:
                    await on_sentiment_scored(session, e, env)

    try:
        await apply(
            # A note re-analysed with a newer model; the older reading arrives last and changes
            # nothing, nor does note.analyzed's label before or after.
            submitted(reread, district, 4),
            analyzed(reread, district, "negative"),
            scored(reread, district, "positive", "v2", minutes=30),
            scored(reread, district, "negative", "v1", minutes=0),
            analyzed(reread, district, "negative"),
            # The reading before the note itself (another topic): copied onto it when it comes.
            scored(early, district, "neutral", "v1", minutes=0),
            submitted(early, district, 2),
            # A higher revision wins even when its analysis is stamped earlier (another replica's clock).
            submitted(revised, district, 5, revision=2),
            scored(revised, district, "positive", "v1", minutes=60),
            scored(revised, district, "negative", "v1", minutes=10, revision=2),
            # A note analysed before sentiment.scored existed: note.analyzed's label stands.
            submitted(legacy, district, 1),
            analyzed(legacy, district, "negative"),
        )
        after = await held(settings, district)
        async with sessions() as session:
            figures = (await queries.sentiment(session, [district], Month(AT.date().replace(day=1))))[district]
    finally:
        await engine.dispose()

    one = [{"position": 0, "sentiment": "positive", "sentiment_score": 0.7}]
    assert after == {
        reread: ("positive", "v2", 1, one),
        early: ("neutral", "v1", 1, [{"position": 0, "sentiment": "neutral", "sentiment_score": 0.0}]),
        revised: ("negative", "v1", 2, [{"position": 0, "sentiment": "negative", "sentiment_score": -0.6}]),
        legacy: ("negative", None, None, None),
    }
    month = figures.trend[-1]
    assert (month.notes, month.positive, month.neutral, month.negative) == (4, 1, 1, 2)
    assert figures.positive_share == 0.25 and month.average == 3.0  # hosts' own 4, 2, 5, 1


async def test_through_the_broker_a_late_older_reading_does_not_overwrite(settings: KitSettings) -> None:
    district = f"SSB-{uuid.uuid4().hex[:6]}"
    note_id, marker = uuid.uuid4(), uuid.uuid4()
    producer = EventProducer(settings.require_kafka_bootstrap(), idempotent=False)
    async with running("dashboard", settings) as (_, _dash):
        await producer.start()
        try:
            for e in (submitted(note_id, district, 3), scored(note_id, district, "positive", "v2", minutes=30)):
                await producer.publish(e, source="/porchlight/synthesis")

            async def newer_kept() -> bool:
                return (await held(settings, district)).get(note_id, (None,))[0] == "positive"

            await eventually(newer_kept, timeout_s=30)
            # The older analysis' reading comes late; then another note's, on the same partition
            # (same key): once that one is applied, the late one has been through the handler.
            await producer.publish(
                scored(note_id, district, "negative", "v1", minutes=0), source="/porchlight/synthesis"
            )
            await producer.publish(submitted(marker, district, 3), source="/porchlight/synthesis")
            await producer.publish(scored(marker, district, "neutral", "v1", minutes=0), source="/porchlight/synthesis")

            async def marker_applied() -> bool:
                return (await held(settings, district)).get(marker, (None,))[0] == "neutral"

            await eventually(marker_applied, timeout_s=30)
        finally:
            await producer.stop()
    assert (await held(settings, district))[note_id][:2] == ("positive", "v2")
