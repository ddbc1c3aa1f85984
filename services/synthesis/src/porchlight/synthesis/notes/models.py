"""A received note, kept for analysis."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.synthesis.db import Base


class ReceivedNote(Base):
    __tablename__ = "notes"

    # The note id is the primary key: applying one note twice would fail loudly, not count twice.
    note_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    concerns: Mapped[list[str]] = mapped_column(JSONB)
    text: Mapped[str] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
