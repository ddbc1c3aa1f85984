"""Composing a newsletter: the update in each language residents read (with its "you said" line
and photos, as the public page shows it), in the outreach team's branding, for every neighborhood
it concerns (its own, or each of its district's when it has none)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.branding.service import current_brand
from porchlight.dashboard.db import outbox
from porchlight.dashboard.newsletters import repository as repo
from porchlight.dashboard.public.rendering.i18n import LANGUAGES
from porchlight.dashboard.public.rendering.newsletter import edition
from porchlight.dashboard.public.service import update_in
from porchlight.events import NewsletterRequested
from porchlight.kit.city import City

#: The kinds of update mailed to subscribers (a task announced goes to the page, feed and webhooks).
MAILED = frozenset({"win", "bulletin"})


def newsletter_id(update_id: uuid.UUID) -> uuid.UUID:
    """One newsletter per update, the same id however often it is composed (intake sends it once)."""
    return uuid.uuid5(update_id, "newsletter")


def neighborhoods_of(city: City, u: Any) -> list[str]:
    if u.neighborhood:
        return [u.neighborhood]
    return [n.code for n in city.neighborhoods if n.district == u.district]


async def compose(session: AsyncSession, city: City, u: Any, base: str) -> NewsletterRequested | None:
    hoods = neighborhoods_of(city, u)
    if not hoods:
        return None
    names = {n.code: n.name for n in city.neighborhoods} | {d.code: d.name for d in city.districts}
    place = names.get(u.neighborhood or u.district, u.neighborhood or u.district)
    where = f"neighborhoods/{u.neighborhood}" if u.neighborhood else f"districts/{u.district}"
    brand = await current_brand(session)
    editions = {}
    for lang in LANGUAGES:
        update = await update_in(session, city, u, lang, base)
        editions[lang] = edition(update, brand, language=lang, place=place, page_url=f"{base}/public/{lang}/{where}")
    return NewsletterRequested(
        newsletter_id=newsletter_id(u.update_id),
        update_id=u.update_id,
        district=u.district,
        neighborhoods=hoods,
        editions=editions,
        requested_at=datetime.now(UTC),
    )


async def compose_next(session: AsyncSession, city: City, base: str) -> uuid.UUID | None:
    """Compose the oldest pending newsletter and put it in the outbox (this transaction)."""
    u = await repo.next_pending(session)
    if u is None:
        return None
    event = await compose(session, city, u, base)
    if event is not None:
        await outbox.add(session, event)
    await repo.mark_requested(session, u.update_id, datetime.now(UTC))
    return u.update_id
