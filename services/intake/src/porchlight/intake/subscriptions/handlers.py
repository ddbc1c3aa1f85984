"""Events in: a newsletter the dashboard rendered -> one message per confirmed subscriber,
queued in the transaction that records the event (the inbox), so it is queued once."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Envelope, EventRouter, NewsletterRequested
from porchlight.intake.subscriptions.repository import SubscriptionRepository

router = EventRouter()


@router.subscriber
async def on_newsletter_requested(session: AsyncSession, event: NewsletterRequested, _: Envelope) -> None:
    repo = SubscriptionRepository(session)
    kept = await repo.add_newsletter(
        {
            "newsletter_id": event.newsletter_id,
            "update_id": event.update_id,
            "district": event.district,
            "neighborhoods": list(event.neighborhoods),
            "editions": {lang: e.model_dump() for lang, e in event.editions.items()},
            "requested_at": event.requested_at,
            "recipients": 0,
        }
    )
    if kept:
        await repo.queue_newsletter(
            event.newsletter_id, list(event.neighborhoods), list(event.editions), datetime.now(UTC)
        )
