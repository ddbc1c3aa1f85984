"""All SQL of concerns: replacing a note's concerns by revision, topics from analyses, reads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.db import upsert
from porchlight.layers.concerns.models import note_concerns, note_moods, note_topics
from porchlight.layers.places import cell_of


async def lock_note(session: AsyncSession, note_id: uuid.UUID) -> None:
    """Serialise a note's two events (they come on two topics, so two consumers at once): each
    side then sees what the other committed, and the topic lands on the concern either way."""
    await session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(str(note_id), 0))))


async def revision_of(session: AsyncSession, note_id: uuid.UUID) -> int | None:
    found: int | None = await session.scalar(
        sa.select(sa.func.max(note_concerns.c.revision)).where(note_concerns.c.note_id == note_id)
    )
    return found


async def replace(session: AsyncSession, note_id: uuid.UUID, rows: Sequence[dict[str, Any]]) -> None:
    """The note's concerns become ``rows`` (its latest revision replaces every earlier one)."""
    await session.execute(sa.delete(note_concerns).where(note_concerns.c.note_id == note_id))
    if rows:
        await session.execute(sa.insert(note_concerns), list(rows))


async def set_topics(session: AsyncSession, note_id: uuid.UUID, revision: int, topics: dict[str, str]) -> None:
    """Synthesis' topic for each concern text of the note (an older revision's analysis is ignored)."""
    await session.execute(
        sa.delete(note_topics).where(note_topics.c.note_id == note_id, note_topics.c.revision <= revision)
    )
    if topics:
        rows = [{"note_id": note_id, "text": t, "revision": revision, "topic": topic} for t, topic in topics.items()]
        await session.execute(upsert(note_topics, rows, key=["note_id", "text"]))
    await apply_topics(session, note_id)


async def apply_topics(session: AsyncSession, note_id: uuid.UUID) -> None:
    """Put synthesis' topics on the note's stored concerns, whichever event came first."""
    await session.execute(
        sa.update(note_concerns)
        .where(
            note_concerns.c.note_id == note_id,
            note_topics.c.note_id == note_concerns.c.note_id,
            note_topics.c.text == note_concerns.c.text,
        )
        .values(topic=note_topics.c.topic)
    )


async def set_mood(session: AsyncSession, row: dict[str, Any]) -> None:
    await session.execute(upsert(note_moods, row, key=["note_id"], where=lambda t, ex: t.c.revision <= ex.revision))


async def near(
    session: AsyncSession, bbox: tuple[float, float, float, float], since: datetime, topics: Sequence[str] | None = None
) -> Sequence[sa.Row[Any]]:
    """Placed concerns inside (min_lat, min_lon, max_lat, max_lon) raised since ``since``."""
    min_lat, min_lon, max_lat, max_lon = bbox
    query = sa.select(note_concerns).where(
        note_concerns.c.lat.between(min_lat, max_lat),
        note_concerns.c.lon.between(min_lon, max_lon),
        note_concerns.c.occurred_at >= since,
    )
    if topics:
        query = query.where(note_concerns.c.topic.in_(list(topics)))
    return (await session.execute(query)).all()


async def placed_since(session: AsyncSession, since: datetime, topics: Sequence[str]) -> Sequence[sa.Row[Any]]:
    query = sa.select(note_concerns).where(
        note_concerns.c.lat.is_not(None), note_concerns.c.occurred_at >= since, note_concerns.c.topic.in_(list(topics))
    )
    return (await session.execute(query)).all()


async def cells_of(session: AsyncSession, note_id: uuid.UUID) -> list[str]:
    """The cells of the note's placed concerns."""
    rows = (
        await session.execute(
            sa.select(note_concerns.c.lat, note_concerns.c.lon).where(
                note_concerns.c.note_id == note_id, note_concerns.c.lat.is_not(None)
            )
        )
    ).all()
    return [cell_of(lat, lon) for lat, lon in rows]
