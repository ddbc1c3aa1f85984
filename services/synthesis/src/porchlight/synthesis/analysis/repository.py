"""All SQL of analysis: pending notes, the batch store of analyzed notes and their concerns."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.notes.models import AnalyzedConcern, ReceivedNote

#: The model version of a note whose analysis failed on its own (it then has no concerns).
FAILED = "failed"

_NOTES = cast(sa.Table, ReceivedNote.__table__).fullname  # "synthesis.notes"
_CONCERNS = cast(sa.Table, AnalyzedConcern.__table__).fullname

# The batch statements of ``AnalysisRepository.store_*``: fixed SQL over arrays (one parameter per column), so each is
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
    "occurred_at, topic, topic_score, best_topic, topic_probs, topic_source, sentiment, sentiment_score, "
    "model_version, embedding) "
    "SELECT u.note_id, u.position, u.text, u.span_start, u.span_end, u.district, u.neighborhood, u.occurred_at, "
    "u.topic, u.topic_score, u.best_topic, u.topic_probs, 'model', u.sentiment, u.sentiment_score, :model_version, "
    "u.embedding "
    "FROM unnest(CAST(:note_id AS uuid[]), CAST(:position AS int[]), CAST(:text AS text[]), "
    "CAST(:span_start AS int[]), CAST(:span_end AS int[]), CAST(:district AS text[]), "
    "CAST(:neighborhood AS text[]), CAST(:occurred_at AS timestamptz[]), CAST(:topic AS text[]), "
    "CAST(:topic_score AS float8[]), CAST(:best_topic AS text[]), CAST(:topic_probs AS jsonb[]), "
    "CAST(:sentiment AS text[]), CAST(:sentiment_score AS float8[]), CAST(:embedding AS bytea[])) "
    "AS u(note_id, position, text, span_start, span_end, district, neighborhood, occurred_at, topic, "
    "topic_score, best_topic, topic_probs, sentiment, sentiment_score, embedding)"
)


class AnalysisRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take_pending(self, limit: int) -> Sequence[ReceivedNote]:
        """The oldest notes not analyzed yet, locked; those another transaction holds are skipped."""
        return (
            await self.session.scalars(
                sa.select(ReceivedNote)
                .where(ReceivedNote.analyzed_at.is_(None))
                .order_by(ReceivedNote.received_at, ReceivedNote.note_id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()

    async def pending_ids(self, limit: int) -> Sequence[uuid.UUID]:
        return (
            await self.session.scalars(
                sa.select(ReceivedNote.note_id)
                .where(ReceivedNote.analyzed_at.is_(None))
                .order_by(ReceivedNote.received_at)
                .limit(limit)
            )
        ).all()

    async def get_locked(self, note_id: uuid.UUID) -> ReceivedNote | None:
        return await self.session.get(ReceivedNote, note_id, with_for_update=True)

    async def mark_failed(self, note_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            sa.update(ReceivedNote).where(ReceivedNote.note_id == note_id).values(analyzed_at=now, model_version=FAILED)
        )

    async def districts_of(self, note_ids: Sequence[uuid.UUID]) -> set[str]:
        """The districts the stored notes are in (before a revision moves one)."""
        return {d for (d,) in (await self.session.execute(_TOUCHED, {"ids": list(note_ids)})).all()}

    async def store_notes(self, columns: dict[str, Any]) -> None:
        """Upsert analyzed notes (one array per column); never back to an older revision."""
        await self.session.execute(_UPSERT_NOTES, columns)

    async def replace_concerns(self, note_ids: Sequence[uuid.UUID], columns: dict[str, Any] | None) -> None:
        """Drop the notes' concerns and insert the new ones (one array per column), if any."""
        await self.session.execute(_DROP_CONCERNS, {"ids": list(note_ids)})
        if columns is not None:
            await self.session.execute(_INSERT_CONCERNS, columns)

    async def notes(self, note_ids: Sequence[Any]) -> Sequence[ReceivedNote]:
        return (await self.session.scalars(sa.select(ReceivedNote).where(ReceivedNote.note_id.in_(note_ids)))).all()

    async def concerns_of(self, note_id: uuid.UUID) -> Sequence[AnalyzedConcern]:
        return (
            await self.session.scalars(
                sa.select(AnalyzedConcern).where(AnalyzedConcern.note_id == note_id).order_by(AnalyzedConcern.position)
            )
        ).all()
