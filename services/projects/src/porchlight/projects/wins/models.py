"""A win drafted when a project completes; ``published_at`` is set when a supervisor approves.

A supervisor may send a draft back to its author (``returned``, with a reason); the author edits
it and sends it for approval again (``draft``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.projects.db import Base


class Win(Base):
    __tablename__ = "wins"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    priority_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("priorities.id"), index=True)
    district: Mapped[str] = mapped_column(sa.Text, index=True)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    place: Mapped[str | None] = mapped_column(sa.Text)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    title: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    #: The Spanish version residents who read Spanish get (drafted with the English one; a
    #: supervisor edits both before approving).
    title_es: Mapped[str | None] = mapped_column(sa.Text)
    body_es: Mapped[str | None] = mapped_column(sa.Text)
    #: At approval: the hardest version's reading grade, and the supervisor's reason when above 10.
    reading_grade: Mapped[float | None] = mapped_column(sa.Float)
    plain_language_reason: Mapped[str | None] = mapped_column(sa.Text)
    topics: Mapped[list[str]] = mapped_column(ARRAY(sa.Text), default=list)
    #: The priority's concerns this win answers ("you said") in the win's place, the day from
    #: which their notes count and the words quoted (references), copied when drafted.
    concerns: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    heard_since: Mapped[date | None] = mapped_column(sa.Date)
    quotes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default=sa.text("'[]'::jsonb"))
    status: Mapped[str] = mapped_column(sa.Text, default="draft")  # draft | returned | published
    #: Who wrote it: the project's owner, and its department (may edit it once sent back).
    author: Mapped[str | None] = mapped_column(sa.Text)
    department: Mapped[str | None] = mapped_column(sa.Text)
    #: The last time a supervisor sent it back: why, who, when (kept after it is sent again).
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    returned_by: Mapped[str | None] = mapped_column(sa.Text)
    returned_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    drafted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    approved_by: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
