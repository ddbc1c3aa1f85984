"""Meetings as stored."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.intake.db import Base


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    host_id: Mapped[str] = mapped_column(sa.Text)
    #: officer, liaison, supervisor or partner (an organization, named in ``host_org``).
    host_kind: Mapped[str] = mapped_column(sa.Text)
    host_org: Mapped[str | None] = mapped_column(sa.Text)
    co_hosts: Mapped[list[str]] = mapped_column(JSONB, default=list)
    venue_type: Mapped[str] = mapped_column(sa.Text)
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    #: Where exactly ("Elm St library", or a resident's living room): never put in an event.
    place_name: Mapped[str | None] = mapped_column(sa.Text)
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    duration_minutes: Mapped[int | None] = mapped_column(sa.SmallInteger)
    language: Mapped[str] = mapped_column(sa.Text, default="en")
    expected_attendees: Mapped[int | None] = mapped_column(sa.SmallInteger)
    actual_attendees: Mapped[int | None] = mapped_column(sa.SmallInteger)
    #: Hash of the form as first submitted: a retry with the same id and form is not a conflict.
    content_hash: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
