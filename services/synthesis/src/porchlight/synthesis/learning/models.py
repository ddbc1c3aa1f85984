"""Versioned taxonomy, supervisors' corrections and the model versions they make.

A model version is fully determined by its row: the taxonomy version plus every correction up to
``corrections_upto``, and the topic shares it was adapted to (``topic_priors``). Any replica can
therefore rebuild exactly the model that labeled a concern.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.synthesis.db import Base


class TaxonomyVersion(Base):
    __tablename__ = "taxonomy_versions"

    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    document: Mapped[dict[str, Any]] = mapped_column(JSONB)
    fingerprint: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class Correction(Base):
    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    concern_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    note_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    text: Mapped[str] = mapped_column(sa.Text)
    from_topic: Mapped[str] = mapped_column(sa.Text)
    to_topic: Mapped[str] = mapped_column(sa.Text)
    #: The concern's topic probabilities when it was corrected: with ``to_topic``, one labeled
    #: example of how sure the model is when it is right or wrong (the counts' calibration).
    topic_probs: Mapped[dict[str, float] | None] = mapped_column(JSONB)
    corrected_by: Mapped[str] = mapped_column(sa.Text)
    corrected_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


class ModelVersion(Base):
    __tablename__ = "model_versions"

    version: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
    taxonomy_version: Mapped[int] = mapped_column(sa.Integer)
    corrections_upto: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: The taxonomy's topic shares fitted to ``adapted_on`` received concerns (model/topics.py
    #: ``adapt``); None: every topic equally likely. Stored, not recomputed: the row decides the model.
    topic_priors: Mapped[dict[str, float] | None] = mapped_column(JSONB)
    adapted_on: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    reason: Mapped[str] = mapped_column(sa.Text)
    created_by: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
