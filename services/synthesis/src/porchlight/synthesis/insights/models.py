"""What was last published as ``insight.updated`` for each district (the material-change rule's memory),
and the read model: built insights and the data version they are keyed on."""

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


class InsightChange(Base):
    """One change of a district's data (``'*'``: of every district's), written by triggers
    (migrations/versions/0004_insight_reads.py); a district's version is the sum of the weights."""

    __tablename__ = "insight_changes"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    district: Mapped[str] = mapped_column(sa.Text, index=True)
    weight: Mapped[int] = mapped_column(sa.BigInteger, server_default="1")


class InsightRead(Base):
    """A built insight (``kind`` 'place') or city view ('city') as served, at the version it was built at."""

    __tablename__ = "insight_reads"

    kind: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    district: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    neighborhood: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    period_start: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    period_end: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    emerging: Mapped[bool] = mapped_column(sa.Boolean, primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger)
    body: Mapped[str] = mapped_column(sa.Text)
    body_withheld: Mapped[str] = mapped_column(sa.Text)
    built_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
