"""A district's activity counters (a read model, rebuildable from the events)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.dashboard.db import Base


class DistrictActivity(Base):
    __tablename__ = "district_activity"

    district: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    # A counter, not a row per note: if an event were ever applied twice it would show here.
    notes: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_note_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
