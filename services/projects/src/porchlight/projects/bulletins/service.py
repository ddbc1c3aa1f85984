"""Rules for bulletins: a supervisor of the place writes one; it is scored for plain language as
a win is (above grade 10 it needs a written reason, kept with it) and goes out at once as
``update.published`` of kind ``bulletin`` (the dashboard puts it on every channel)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Outbox, UpdatePublished
from porchlight.events.catalog import UpdateText
from porchlight.kit.auth import Principal
from porchlight.kit.plain_language import Language, check
from porchlight.projects.bulletins.models import Bulletin
from porchlight.projects.bulletins.repository import BulletinRepository
from porchlight.projects.bulletins.schemas import BulletinIn
from porchlight.projects.districts.scope import check_district
from porchlight.projects.plainlanguage.service import publishable


async def publish_bulletin(session: AsyncSession, outbox: Outbox, body: BulletinIn, who: Principal) -> Bulletin:
    check_district(who, body.district, "a bulletin", "body.district")
    versions: dict[Language, tuple[str, str]] = {"en": (body.title, body.body)}
    if body.title_es and body.body_es:
        versions["es"] = (body.title_es, body.body_es)
    reading = {lang: check(f"{t}\n\n{b}", lang) for lang, (t, b) in versions.items()}
    grade, reason = publishable("the bulletin", reading, body.reason)
    bulletin = Bulletin(
        id=uuid.uuid4(),
        district=body.district,
        neighborhood=body.neighborhood,
        title=body.title,
        body=body.body,
        title_es=body.title_es,
        body_es=body.body_es,
        reading_grade=grade,
        plain_language_reason=reason,
        author=who.subject,
        published_at=datetime.now(UTC),
    )
    await BulletinRepository(session).add(bulletin)
    translations = {"es": UpdateText(title=body.title_es, body=body.body_es)} if body.title_es and body.body_es else {}
    await outbox.add(
        session,
        UpdatePublished(
            update_id=bulletin.id,
            district=bulletin.district,
            neighborhood=bulletin.neighborhood,
            kind="bulletin",
            title=bulletin.title,
            body=bulletin.body,
            published_at=bulletin.published_at,
            translations=translations,
            reading_grade=grade,
            plain_language_reason=bulletin.plain_language_reason,
        ),
    )
    return bulletin
