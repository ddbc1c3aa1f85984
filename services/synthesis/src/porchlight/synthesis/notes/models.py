"""A received note (its latest revision, redacted) and the concern statements analyzed from it."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.synthesis.db import Base


class ReceivedNote(Base):
    __tablename__ = "notes"

    note_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    revision: Mapped[int] = mapped_column(sa.Integer, default=1)
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    #: The note's top-concern fields, redacted, as intake sent them.
    concerns: Mapped[list[str]] = mapped_column(JSONB)
    text: Mapped[str] = mapped_column(sa.Text)
    #: What quotes are cut from: the concern fields (whitespace-normalized), one per line, then the
    #: free text. Every concern's text is ``document[span_start:span_end]``.
    document: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    #: When the conversation took place (intake's ``held_at``), else when the note was filed.
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    #: The host's own five-point rating of the conversation.
    host_rating: Mapped[int | None] = mapped_column(sa.SmallInteger)
    sentiment: Mapped[str | None] = mapped_column(sa.Text)
    sentiment_score: Mapped[float | None] = mapped_column(sa.Float)
    model_version: Mapped[str | None] = mapped_column(sa.Text)
    analyzed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    #: The trace the note's latest revision came in (its event's ``traceparent``/``tracestate``):
    #: its analysis, done later by the analyzer, continues it (docs/operations.md, "Tracing").
    trace_context: Mapped[dict[str, str] | None] = mapped_column(JSONB)


class AnalyzedConcern(Base):
    __tablename__ = "concerns"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    note_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey(ReceivedNote.note_id, ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(sa.Integer)
    text: Mapped[str] = mapped_column(sa.Text)
    span_start: Mapped[int] = mapped_column(sa.Integer)
    span_end: Mapped[int] = mapped_column(sa.Integer)
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    topic: Mapped[str] = mapped_column(sa.Text)
    topic_score: Mapped[float] = mapped_column(sa.Float)
    best_topic: Mapped[str] = mapped_column(sa.Text)
    #: The model's probability of each topic (those of at least 0.0005), before the city's fitted
    #: shares: what topic counts are estimated from (porchlight.kit.quantify). None: analyzed before 0006.
    topic_probs: Mapped[dict[str, float] | None] = mapped_column(JSONB)
    #: "model", or "supervisor" once a supervisor set the topic by hand.
    topic_source: Mapped[str] = mapped_column(sa.Text, default="model")
    sentiment: Mapped[str] = mapped_column(sa.Text)
    sentiment_score: Mapped[float] = mapped_column(sa.Float)
    model_version: Mapped[str] = mapped_column(sa.Text)
    #: float32 little-endian, 384 values: kept for clustering the unassigned (emerging topics).
    embedding: Mapped[bytes] = mapped_column(sa.LargeBinary)
