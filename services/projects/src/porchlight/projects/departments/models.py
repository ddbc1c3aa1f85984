"""Departments (police units, Public Works, Parks...) and co-response teams (police + social worker)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.projects.db import Base


class Department(Base):
    __tablename__ = "departments"

    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    #: police, public_works, parks, schools, health, code_enforcement, social_services, other
    kind: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class Team(Base):
    """A co-response team: several departments owning work together."""

    __tablename__ = "teams"

    code: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    departments: Mapped[list[str]] = mapped_column(ARRAY(sa.Text))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
