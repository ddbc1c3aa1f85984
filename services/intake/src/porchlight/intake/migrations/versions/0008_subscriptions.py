"""Email subscriptions (issue 18): subscribers, the links' signing secret, the newsletters the
dashboard asked for and the mail queue (one row per message).

Revision ID: 0008_subscriptions
Revises: 0007_note_erased_at
Create Date: 2027-01-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision: str = "0008_subscriptions"
down_revision: str | None = "0007_note_erased_at"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

S = "intake"


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("email_key", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text, nullable=False, index=True),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmation_sent_at", sa.DateTime(timezone=True)),
        sa.Column("confirmed_at", sa.DateTime(timezone=True)),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True)),
        sa.Column("bounced_at", sa.DateTime(timezone=True)),
        sa.Column("bounce_reason", sa.Text),
        sa.UniqueConstraint("email_key", "neighborhood", name="subscribers_email_neighborhood"),
        schema=S,
    )
    op.create_table(
        "subscription_secret",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("secret", sa.LargeBinary, nullable=False),
        schema=S,
    )
    op.create_table(
        "newsletters",
        sa.Column("newsletter_id", sa.Uuid, primary_key=True),
        sa.Column("update_id", sa.Uuid, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhoods", ARRAY(sa.Text), nullable=False),
        sa.Column("editions", JSONB, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
        schema=S,
    )
    op.create_table(
        "mail_queue",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("subscriber_id", sa.Uuid, sa.ForeignKey("intake.subscribers.id"), nullable=False, index=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("newsletter_id", sa.Uuid, sa.ForeignKey("intake.newsletters.newsletter_id")),
        sa.Column("message_id", sa.Text, nullable=False, unique=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("newsletter_id", "subscriber_id", name="mail_queue_once_per_newsletter"),
        schema=S,
    )
    op.create_index(
        "mail_queue_due",
        "mail_queue",
        ["next_attempt_at", "id"],
        schema=S,
        postgresql_where=sa.text("status = 'queued'"),
    )


def downgrade() -> None:
    op.drop_table("mail_queue", schema=S)
    op.drop_table("newsletters", schema=S)
    op.drop_table("subscription_secret", schema=S)
    op.drop_table("subscribers", schema=S)
