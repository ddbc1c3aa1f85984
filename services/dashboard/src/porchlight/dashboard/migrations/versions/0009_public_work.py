"""Public work (issue 18): each project's place and whether residents see it, each task's latest
state (task.completed and task.reopened), so a task done, undone and done again counts one, and
each update's other languages, place and topics for the neighborhoods' channels, the
outreach team's branding, the photos of the work and the webhooks to the city's own tools and the
updates waiting to be mailed.

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "dashboard"


def upgrade() -> None:
    op.add_column("projects", sa.Column("neighborhood", sa.Text), schema=S)
    op.add_column("projects", sa.Column("place", sa.Text), schema=S)
    op.add_column("projects", sa.Column("lat", sa.Float), schema=S)
    op.add_column("projects", sa.Column("lon", sa.Float), schema=S)
    op.add_column("projects", sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()), schema=S)
    op.create_table(
        "project_tasks",
        sa.Column("task_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("project_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("title", sa.Text),
        sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.add_column(
        "updates", sa.Column("translations", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")), schema=S
    )
    op.add_column("updates", sa.Column("place", sa.Text), schema=S)
    op.add_column(
        "updates", sa.Column("topics", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")), schema=S
    )
    op.create_index("updates_neighborhood_published", "updates", ["neighborhood", "published_at"], schema=S)
    op.create_table(
        "branding",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("tagline", sa.Text, nullable=False),
        sa.Column("primary_color", sa.Text, nullable=False),
        sa.Column("on_primary", sa.Text, nullable=False),
        sa.Column("accent", sa.Text, nullable=False),
        sa.Column("contact", sa.Text),
        sa.Column("logo", sa.LargeBinary),
        sa.Column("logo_etag", sa.Text),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "photos",
        sa.Column("photo_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("project_id", UUID(as_uuid=True), nullable=False, index=True),
        sa.Column("task_id", UUID(as_uuid=True)),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("alt_text", sa.Text, nullable=False),
        sa.Column("alt_text_es", sa.Text),
        sa.Column("image", sa.LargeBinary, nullable=False),
        sa.Column("thumb", sa.LargeBinary, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("uploaded_by", sa.Text, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.Text),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("reject_reason", sa.Text),
        schema=S,
    )
    op.create_table(
        "webhooks",
        sa.Column("webhook_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("delivery_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("webhook_id", UUID(as_uuid=True), nullable=False),
        sa.Column("update_id", UUID(as_uuid=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "newsletter_requests",
        sa.Column("update_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_index(
        "newsletter_requests_pending",
        "newsletter_requests",
        ["queued_at"],
        schema=S,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        schema=S,
        postgresql_where=sa.text("status = 'pending'"),
    )


def downgrade() -> None:
    op.drop_table("newsletter_requests", schema=S)
    op.drop_table("webhook_deliveries", schema=S)
    op.drop_table("webhooks", schema=S)
    op.drop_table("photos", schema=S)
    op.drop_table("branding", schema=S)
    op.drop_index("updates_neighborhood_published", table_name="updates", schema=S)
    for name in ("topics", "place", "translations"):
        op.drop_column("updates", name, schema=S)
    op.drop_table("project_tasks", schema=S)
    for name in ("public", "lon", "lat", "place", "neighborhood"):
        op.drop_column("projects", name, schema=S)
