"""All SQL of erasure in layers: blank a note's concern texts and take its quotes out of evidence."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.layers.concerns.models import note_concerns, note_topics
from porchlight.layers.connections.models import connections


async def texts_of(session: AsyncSession, note_id: uuid.UUID) -> set[str]:
    """Every text of the note layers holds (its concerns, and the statements synthesis topiced)."""
    held = await session.scalars(sa.select(note_concerns.c.text).where(note_concerns.c.note_id == note_id))
    topiced = await session.scalars(sa.select(note_topics.c.text).where(note_topics.c.note_id == note_id))
    return {t for t in [*held.all(), *topiced.all()] if t}


async def blank(session: AsyncSession, note_id: uuid.UUID) -> None:
    """The note's concerns keep their place, topic and date (the counts) without text; the
    statement-to-topic pairs go (the topics are on the concerns already)."""
    await session.execute(
        sa.update(note_concerns).where(note_concerns.c.note_id == note_id, note_concerns.c.text != "").values(text="")
    )
    await session.execute(sa.delete(note_topics).where(note_topics.c.note_id == note_id))


async def drop_quotes(session: AsyncSession, note_id: uuid.UUID, texts: set[str]) -> int:
    """Take ``texts`` out of the quotes of every connection (open or closed) the note is evidence of."""
    c = connections.c
    rows = (
        await session.execute(
            sa.select(c.correlation_id, c.evidence)
            .where(c.evidence["note_ids"].contains([str(note_id)]))
            .with_for_update()
        )
    ).all()
    changed = 0
    for row in rows:
        quotes = row.evidence.get("quotes") or []
        kept = [q for q in quotes if q not in texts]
        if kept != quotes:
            await session.execute(
                sa.update(connections)
                .where(c.correlation_id == row.correlation_id)
                .values(evidence={**row.evidence, "quotes": kept})
            )
            changed += 1
    return changed
