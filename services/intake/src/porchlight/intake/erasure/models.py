"""What was erased, when, why and by whom: ids and counts, never a word.

A row is the erasure's idempotency record (a second request finds it and changes nothing) and the
answer to "was this note erased, and why" once nothing of its words is left to show it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.intake.db import Base

KINDS = ("note", "contact")
REASONS = ("request", "retention")


class Erasure(Base):
    __tablename__ = "erasures"

    kind: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    entity_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    district: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    #: The subject of the supervisor or admin who asked, or "retention".
    erased_by: Mapped[str] = mapped_column(sa.Text)
    erased_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
