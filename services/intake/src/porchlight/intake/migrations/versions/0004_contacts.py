"""Positive community contacts (issue 3).

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25

One table: a contact is its own idempotency record. ``(officer_id, idempotency_key)`` and the
primary key (a client-generated id when the phone sends one) are the two unique constraints an
``INSERT ... ON CONFLICT DO NOTHING`` relies on, so a resent contact is counted once even when
both copies arrive at the same instant.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "intake"
TYPES = ("conversation", "youth_activity", "business_checkin", "event", "referral", "other")


def upgrade() -> None:
    types = ", ".join(f"'{t}'" for t in TYPES)
    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("officer_id", sa.Text, nullable=False),
        sa.Column("unit", sa.Text),
        sa.Column("contact_type", sa.Text, nullable=False),
        sa.Column("minutes", sa.SmallInteger, nullable=False),
        sa.Column("residents_reached", sa.SmallInteger, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("place_name", sa.Text),
        sa.Column("place_source", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("idempotency_key", sa.Text),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(f"contact_type IN ({types})", name="ck_contacts_type"),
        sa.CheckConstraint("minutes BETWEEN 1 AND 720", name="ck_contacts_minutes"),
        sa.CheckConstraint("residents_reached BETWEEN 0 AND 500", name="ck_contacts_residents"),
        sa.CheckConstraint(
            "place_source IN ('body', 'last_contact', 'token_district')", name="ck_contacts_place_source"
        ),
        sa.CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="ck_contacts_point"),
        sa.UniqueConstraint("officer_id", "idempotency_key", name="uq_contacts_officer_idempotency_key"),
        schema=SCHEMA,
    )
    # Keyset pages are newest first: (occurred_at, id) descending, narrowed by the usual filters.
    op.create_index("ix_contacts_occurred", "contacts", ["occurred_at", "id"], schema=SCHEMA)
    op.create_index("ix_contacts_officer_occurred", "contacts", ["officer_id", "occurred_at", "id"], schema=SCHEMA)
    op.create_index("ix_contacts_district_occurred", "contacts", ["district", "occurred_at", "id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("contacts", schema=SCHEMA)
