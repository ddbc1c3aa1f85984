"""All SQL about received notes as the consumer stores them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.db import upsert
from porchlight.synthesis.notes.models import AnalyzedConcern, ReceivedNote


class ReceivedNoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_by_district(self) -> dict[str, int]:
        rows = await self.session.execute(
            sa.select(ReceivedNote.district, sa.func.count()).group_by(ReceivedNote.district)
        )
        return {district: n for district, n in rows.all()}

    async def revisions_of(self, note_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[int, str]]:
        """(revision, district) of each of ``note_ids`` already stored."""
        rows = await self.session.execute(
            sa.select(ReceivedNote.note_id, ReceivedNote.revision, ReceivedNote.district).where(
                ReceivedNote.note_id.in_(list(note_ids))
            )
        )
        return {note_id: (revision, district) for note_id, revision, district in rows.all()}

    async def upsert_newer(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert the notes, or replace a stored one by a higher revision only."""
        table = cast(sa.Table, ReceivedNote.__table__)
        await self.session.execute(
            upsert(table, rows, key=["note_id"], where=lambda stored, new: stored.c.revision < new.revision)
        )

    async def drop_concerns(self, note_ids: Sequence[uuid.UUID]) -> None:
        await self.session.execute(sa.delete(AnalyzedConcern).where(AnalyzedConcern.note_id.in_(note_ids)))
