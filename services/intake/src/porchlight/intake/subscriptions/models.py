"""Subscribers, the deployment's token secret, and the mail to send (one row per message)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.intake.db import Base


class Subscriber(Base):
    """An address subscribed to one neighborhood's updates, in one language."""

    __tablename__ = "subscribers"
    __table_args__ = (sa.UniqueConstraint("email_key", "neighborhood", name="subscribers_email_neighborhood"),)

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)
    #: The address as normalised by email-validator ('' once unsubscribed or bounced), and the
    #: SHA-256 of its lower-cased form (what a repeat subscription is found by).
    email: Mapped[str] = mapped_column(sa.Text)
    email_key: Mapped[str] = mapped_column(sa.Text)
    neighborhood: Mapped[str] = mapped_column(sa.Text, index=True)
    language: Mapped[str] = mapped_column(sa.Text)
    #: pending (waiting for the confirmation click) | confirmed | unsubscribed | bounced
    status: Mapped[str] = mapped_column(sa.Text, default="pending")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    bounced_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    bounce_reason: Mapped[str | None] = mapped_column(sa.Text)


class SubscriptionSecret(Base):
    """The key confirmation and unsubscribe links are signed with: made once, shared by replicas."""

    __tablename__ = "subscription_secret"

    id: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, default=1)
    secret: Mapped[bytes] = mapped_column(sa.LargeBinary)


class Mail(Base):
    """One message to one subscriber: queued in the transaction that asks for it, sent by the
    mailer (worker.py), ``message_id`` fixed when queued (the same on a retry)."""

    __tablename__ = "mail_queue"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    subscriber_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("intake.subscribers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.Text)  # confirm | newsletter
    #: The newsletter it carries (kind newsletter): one message per newsletter and subscriber.
    newsletter_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("intake.newsletters.newsletter_id"))
    message_id: Mapped[str] = mapped_column(sa.Text, unique=True)
    #: queued | sent | bounced (the server refused the address) | failed (retries spent)
    status: Mapped[str] = mapped_column(sa.Text, default="queued")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))

    __table_args__ = (
        # The mailer's claim reads this index in its order (the time due, then the id) and stops at
        # the first row it can lock: with 50,000 due at once, a sort of them all on every claim
        # took the database's CPU.
        sa.Index("mail_queue_due", "next_attempt_at", "id", postgresql_where=sa.text("status = 'queued'")),
        sa.UniqueConstraint("newsletter_id", "subscriber_id", name="mail_queue_once_per_newsletter"),
    )


class Newsletter(Base):
    """A newsletter the dashboard rendered (newsletter.requested): its editions per language, and
    how many confirmed subscribers it was queued for."""

    __tablename__ = "newsletters"

    newsletter_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    update_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    district: Mapped[str] = mapped_column(sa.Text)
    neighborhoods: Mapped[list[str]] = mapped_column(ARRAY(sa.Text))
    #: {language: {subject, html, text}}, as the event gave them.
    editions: Mapped[dict[str, Any]] = mapped_column(JSONB)
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    recipients: Mapped[int] = mapped_column(sa.Integer, default=0)
