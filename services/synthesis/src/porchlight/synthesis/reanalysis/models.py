"""A re-analysis run and how far it got."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.synthesis.db import Base


class ReanalysisRun(Base):
    __tablename__ = "reanalysis_runs"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    since: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    model_version: Mapped[str] = mapped_column(sa.Text)
    #: The last note done, in (occurred_at, note_id) order: the run resumes after it.
    cursor_occurred_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    cursor_note_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    notes_seen: Mapped[int] = mapped_column(sa.Integer, default=0)
    notes_analyzed: Mapped[int] = mapped_column(sa.Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
