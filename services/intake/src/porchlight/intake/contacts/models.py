"""Contacts as stored. The row is also the idempotency record of the request that created it.

The free-text note stays here, raw, for supervisors; it never goes into an event.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.intake.db import Base

CONTACT_TYPES = ("conversation", "youth_activity", "business_checkin", "event", "referral", "other")
PLACE_SOURCES = ("body", "last_contact", "token_district")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        sa.UniqueConstraint("officer_id", "idempotency_key", name="uq_contacts_officer_idempotency_key"),
        sa.Index("ix_contacts_occurred", "occurred_at", "id"),
        sa.Index("ix_contacts_officer_occurred", "officer_id", "occurred_at", "id"),
        sa.Index("ix_contacts_district_occurred", "district", "occurred_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    officer_id: Mapped[str] = mapped_column(sa.Text)
    unit: Mapped[str | None] = mapped_column(sa.Text)
    contact_type: Mapped[str] = mapped_column(sa.Text)
    minutes: Mapped[int] = mapped_column(sa.SmallInteger)
    residents_reached: Mapped[int] = mapped_column(sa.SmallInteger)
    occurred_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str | None] = mapped_column(sa.Text)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)
    place_name: Mapped[str | None] = mapped_column(sa.Text)
    #: Where the place came from: the body, the officer's last contact, or the token's district.
    place_source: Mapped[str] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.Text)
    #: The request's ``Idempotency-Key`` (unique per officer), kept as long as the contact.
    idempotency_key: Mapped[str | None] = mapped_column(sa.Text)
    #: SHA-256 of the canonical request body: tells a resend from a different request.
    fingerprint: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())
