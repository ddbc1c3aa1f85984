"""All SQL of subscriptions."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.places.models import Place
from porchlight.intake.subscriptions.models import Mail, Newsletter, Subscriber, SubscriptionSecret


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def secret(self) -> bytes:
        """The deployment's link secret, made by the first caller (concurrent first callers agree)."""
        await self.session.execute(
            insert(SubscriptionSecret).values(id=1, secret=os.urandom(32)).on_conflict_do_nothing()
        )
        return (await self.session.execute(sa.select(SubscriptionSecret.secret))).scalar_one()

    async def neighborhood_name(self, code: str) -> str | None:
        stmt = sa.select(Place.name).where(Place.code == code, Place.kind == "neighborhood")
        return (await self.session.execute(stmt)).scalar()

    async def find(self, email_key: str, neighborhood: str, *, lock: bool = False) -> Subscriber | None:
        stmt = sa.select(Subscriber).where(Subscriber.email_key == email_key, Subscriber.neighborhood == neighborhood)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.execute(stmt)).scalar()

    async def get(self, subscriber_id: uuid.UUID, *, lock: bool = False) -> Subscriber | None:
        return await self.session.get(Subscriber, subscriber_id, with_for_update=lock or None)

    async def add(self, *rows: Any) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def counts(self, neighborhood: str) -> dict[tuple[str, str], int]:
        stmt = (
            sa.select(Subscriber.status, Subscriber.language, sa.func.count())
            .where(Subscriber.neighborhood == neighborhood)
            .group_by(Subscriber.status, Subscriber.language)
        )
        return {(status, lang): n for status, lang, n in await self.session.execute(stmt)}

    async def add_newsletter(self, values: dict[str, Any]) -> bool:
        """Keep a newsletter once (False: it was already kept — a redelivered event)."""
        stmt = insert(Newsletter).values(**values).on_conflict_do_nothing().returning(Newsletter.newsletter_id)
        return (await self.session.execute(stmt)).scalar() is not None

    async def queue_newsletter(
        self, newsletter_id: uuid.UUID, neighborhoods: list[str], languages: list[str], now: datetime
    ) -> int:
        """One message per confirmed subscriber of ``neighborhoods`` reading one of ``languages``,
        in one statement (50,000 rows in well under a second); how many were queued."""
        stmt = sa.text("""
            INSERT INTO intake.mail_queue (subscriber_id, kind, newsletter_id, message_id, status, attempts,
                                           next_attempt_at, created_at)
            SELECT s.id, 'newsletter', CAST(:n AS uuid), '<newsletter.' || :n || '.' || s.id || '@porchlight>',
                   'queued', 0, :now, :now
            FROM intake.subscribers s
            WHERE s.neighborhood = ANY(:hoods) AND s.status = 'confirmed' AND s.language = ANY(:langs)
            ON CONFLICT (newsletter_id, subscriber_id) DO NOTHING
        """).bindparams(sa.bindparam("hoods", type_=ARRAY(sa.Text)), sa.bindparam("langs", type_=ARRAY(sa.Text)))
        result = await self.session.execute(
            stmt, {"n": str(newsletter_id), "hoods": neighborhoods, "langs": languages, "now": now}
        )
        n = int(getattr(result, "rowcount", 0) or 0)
        await self.session.execute(
            sa.update(Newsletter).where(Newsletter.newsletter_id == newsletter_id).values(recipients=n)
        )
        return n

    async def newsletter(self, newsletter_id: uuid.UUID) -> Newsletter | None:
        return await self.session.get(Newsletter, newsletter_id)

    async def claim_mail(self, now: datetime, limit: int) -> Sequence[Any]:
        """Due messages with their subscriber, locked until this transaction ends (a second mailer
        skips them; one that dies leaves them due)."""
        stmt = (
            sa.select(Mail, Subscriber)
            .join(Subscriber, Subscriber.id == Mail.subscriber_id)
            .where(Mail.status == "queued", Mail.next_attempt_at <= now)
            .order_by(Mail.next_attempt_at, Mail.id)
            .limit(limit)
            .with_for_update(of=Mail, skip_locked=True)
        )
        return (await self.session.execute(stmt)).all()
