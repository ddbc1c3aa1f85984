"""A bulletin as published: written by a supervisor, scored for plain language, sent at once."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.projects.db import Base


class Bulletin(Base):
    __tablename__ = "bulletins"
    __table_args__ = (sa.Index("bulletins_district_published", "district", "published_at"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    title: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    title_es: Mapped[str | None] = mapped_column(sa.Text)
    body_es: Mapped[str | None] = mapped_column(sa.Text)
    #: The hardest version's reading grade, and the writer's reason when it is above 10.
    reading_grade: Mapped[float] = mapped_column(sa.Float)
    plain_language_reason: Mapped[str | None] = mapped_column(sa.Text)
    author: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
