"""Which calibration was last published as ``topic.calibrated`` (calibration/service.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.synthesis.db import Base


class PublishedCalibration(Base):
    """The calibration last published as ``topic.calibrated`` (by its digest): a start or a refit
    publishes again only when it differs."""

    __tablename__ = "published_calibration"

    scope: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    digest: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
