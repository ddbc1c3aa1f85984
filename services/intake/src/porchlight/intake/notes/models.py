"""Notes as stored: the raw text stays in intake; the redacted copy is what leaves it.

``redacted`` holds the note's texts as they went out in its event (``concerns``, ``notes``,
``follow_ups``, ``place_name``), so lists, exports and events agree. Every revision, the first
included, is kept in ``note_revisions``; ``notes`` holds the current one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.intake.db import Base


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("intake.meetings.id"))
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    place_name: Mapped[str | None] = mapped_column(sa.Text)
    host_id: Mapped[str] = mapped_column(sa.Text)
    #: ``[{"text", "topic", "location", "point": {"lat", "lon"}}]``, raw.
    concerns: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    sentiment: Mapped[int | None] = mapped_column(sa.SmallInteger)
    attendees: Mapped[int | None] = mapped_column(sa.SmallInteger)
    follow_ups: Mapped[list[str]] = mapped_column(JSONB, default=list)
    #: The free-text notes (``notes`` in the API), raw.
    text: Mapped[str] = mapped_column(sa.Text, default="")
    held_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    revision: Mapped[int] = mapped_column(sa.Integer, default=1)
    revised_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    #: Hash of the form as first submitted: a retry with the same id and form is not a conflict.
    content_hash: Mapped[str | None] = mapped_column(sa.Text)
    redacted: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    #: When its words were erased (erasure/service.py): an erased note takes no revision.
    erased_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))


class NoteRevision(Base):
    """One revision of a note as its author filed it (revision 1 is the submission)."""

    __tablename__ = "note_revisions"

    note_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, sa.ForeignKey("intake.notes.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    author_id: Mapped[str] = mapped_column(sa.Text)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    place_name: Mapped[str | None] = mapped_column(sa.Text)
    concerns: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    sentiment: Mapped[int | None] = mapped_column(sa.SmallInteger)
    attendees: Mapped[int | None] = mapped_column(sa.SmallInteger)
    follow_ups: Mapped[list[str]] = mapped_column(JSONB, default=list)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    held_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    redacted: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())

    #: The columns a revision shares with its note (what the author can change).
    CONTENT = (
        "meeting_id",
        "district",
        "neighborhood",
        "lat",
        "lon",
        "place_name",
        "concerns",
        "sentiment",
        "attendees",
        "follow_ups",
        "text",
        "held_at",
        "redacted",
    )
