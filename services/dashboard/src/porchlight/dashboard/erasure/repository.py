"""All SQL of erasure in the dashboard: blank a note's concern texts, keep the rows that count."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.projections.models import note_concerns


async def blank_concerns(session: AsyncSession, note_id: uuid.UUID) -> None:
    """Every concern row of the note (the host's and the model's) without its text: the topic,
    sentiment, district and date stay, so every count of the pages and the report is unchanged."""
    c = note_concerns.c
    await session.execute(sa.update(note_concerns).where(c.note_id == note_id, c.text != "").values(text=""))
