"""All SQL about notes."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.notes.models import Note


class NoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, note: Note) -> Note:
        self.session.add(note)
        await self.session.flush()
        await self.session.refresh(note)
        return note

    async def get(self, note_id: uuid.UUID) -> Note | None:
        return await self.session.get(Note, note_id)
