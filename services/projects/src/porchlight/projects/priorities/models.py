"""A quarterly priority for a place: the goal, the concerns behind it, and how it is evaluated."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.projects.db import Base


class Priority(Base):
    __tablename__ = "priorities"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    title: Mapped[str] = mapped_column(sa.Text)
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    quarter: Mapped[str] = mapped_column(sa.Text)
    #: Topics of the residents' concerns that motivated it (synthesis's taxonomy).
    topics: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=list)
    #: The concerns themselves, picked by topic and place: ``{topic, district, neighborhood}``.
    #: Their counts are computed from the notes wherever they are shown (a priority set before
    #: issue 18 may still hold the figure and quote typed then: nothing reads them).
    concerns: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    #: The first day whose notes count, and the residents' words quoted, by reference
    #: (``{note_id, position}``: the words stay with the notes, redacted, gone when erased).
    heard_since: Mapped[date | None] = mapped_column(sa.Date)
    quotes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default=sa.text("'[]'::jsonb"))
    outcome_measure: Mapped[str | None] = mapped_column(sa.Text)
    outcome_before: Mapped[float | None] = mapped_column(sa.Float)
    outcome_after: Mapped[float | None] = mapped_column(sa.Float)
    #: Why enforcement comes first, when the first projects are all enforcement (DICE: last).
    enforcement_justification: Mapped[str | None] = mapped_column(sa.Text)
    created_by: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
