"""Places as stored: one row per district or neighborhood, GeoJSON geometry in JSONB.

No PostGIS: the city has tens of places, so point-in-polygon runs in-process with shapely
(see ``geometry/index.py``); the database only keeps the shapes and a version the replicas poll.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.intake.db import Base


class Place(Base):
    __tablename__ = "places"

    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    kind: Mapped[str] = mapped_column(sa.Text)  # 'district' | 'neighborhood'
    name: Mapped[str] = mapped_column(sa.Text)
    #: A neighborhood's district; None for districts.
    parent_code: Mapped[str | None] = mapped_column(sa.Text, sa.ForeignKey("intake.places.code"))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONB)
    min_lon: Mapped[float] = mapped_column(sa.Float)
    min_lat: Mapped[float] = mapped_column(sa.Float)
    max_lon: Mapped[float] = mapped_column(sa.Float)
    max_lat: Mapped[float] = mapped_column(sa.Float)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class PlacesVersion(Base):
    """One row, bumped by every load: replicas compare it to rebuild their index."""

    __tablename__ = "places_version"

    id: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, default=1)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
