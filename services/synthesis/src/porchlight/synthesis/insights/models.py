"""What was last published as ``insight.updated`` for each district (the material-change rule's memory)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.synthesis.db import Base


class InsightState(Base):
    """What was last published for a district."""

    __tablename__ = "insight_state"

    district: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    top_topics: Mapped[list[str]] = mapped_column(JSONB)
    topic_notes: Mapped[dict[str, int]] = mapped_column(JSONB)
    model_version: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
