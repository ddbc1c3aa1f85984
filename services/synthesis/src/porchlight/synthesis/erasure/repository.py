"""All SQL of erasure in synthesis: blank a note's texts where synthesis keeps them."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.learning.models import Correction
from porchlight.synthesis.notes.models import AnalyzedConcern, ReceivedNote


async def lock_note(session: AsyncSession, note_id: uuid.UUID) -> str | None:
    """The note's district, its row locked (the analyzer holds the same lock while it stores), or None."""
    query = sa.select(ReceivedNote.district).where(ReceivedNote.note_id == note_id).with_for_update()
    district: str | None = await session.scalar(query)
    return district


async def blank(session: AsyncSession, note_id: uuid.UUID) -> None:
    """Blank the note's texts; keep its counts (concerns, their topics and sentiment, dates).

    The statements keep their row (the topic counts and sentiment need it) without text, span or
    embedding: a span of -1 keeps them out of quotes, an empty embedding out of emerging clusters.
    The supervisors' corrections of its statements lose their text: the model no longer learns
    from them (``learning.repository.corrections_upto`` skips blank examples).
    """
    await session.execute(
        sa.text(
            "UPDATE synthesis.notes SET text = '', document = '', concerns = COALESCE("
            "(SELECT jsonb_agg(to_jsonb(''::text)) FROM jsonb_array_elements(concerns)), '[]'::jsonb) "
            "WHERE note_id = :note_id"
        ),
        {"note_id": note_id},
    )
    await session.execute(
        sa.update(AnalyzedConcern)
        .where(AnalyzedConcern.note_id == note_id)
        .values(text="", span_start=-1, span_end=-1, embedding=b"")
    )
    await session.execute(sa.update(Correction).where(Correction.note_id == note_id).values(text=""))
