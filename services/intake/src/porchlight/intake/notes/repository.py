"""All SQL about notes and their revisions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.meetings.access import ListQuery
from porchlight.intake.notes.models import Note, NoteRevision
from porchlight.kit.paging import keyset


class NoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_new(self, values: dict[str, Any]) -> Note | None:
        """Insert unless the id is taken (then None): two racing retries cannot both insert."""
        inserted = await self.session.scalar(
            insert(Note).values(**values).on_conflict_do_nothing(index_elements=[Note.id]).returning(Note.id)
        )
        return None if inserted is None else await self.get(inserted)

    async def get(self, note_id: uuid.UUID, *, for_update: bool = False) -> Note | None:
        query = sa.select(Note).where(Note.id == note_id).execution_options(populate_existing=True)
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def of_meeting(self, meeting_id: uuid.UUID, *, for_update: bool = False) -> Note | None:
        """The meeting's notes (the first filed, should older data hold more than one)."""
        query = (
            sa.select(Note)
            .where(Note.meeting_id == meeting_id)
            .order_by(Note.submitted_at, Note.id)
            .limit(1)
            .execution_options(populate_existing=True)
        )
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def add_revision(self, revision: NoteRevision) -> None:
        self.session.add(revision)
        await self.session.flush()

    async def revisions(self, note_id: uuid.UUID) -> Sequence[NoteRevision]:
        query = sa.select(NoteRevision).where(NoteRevision.note_id == note_id).order_by(NoteRevision.revision)
        return (await self.session.scalars(query)).all()

    async def page(self, q: ListQuery, meeting_id: uuid.UUID | None = None) -> Sequence[Note]:
        """One page of notes (newest submission first), plus one row if more follow.

        The date range applies to ``held_at`` (when residents spoke), the order to
        ``submitted_at`` (when intake heard it), so a page boundary never moves.
        """
        query = sa.select(Note)
        for column, value in (
            (Note.district, q.district),
            (Note.neighborhood, q.neighborhood),
            (Note.host_id, q.host),
            (Note.meeting_id, meeting_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if q.since is not None:
            query = query.where(Note.held_at >= q.since)
        if q.until is not None:
            query = query.where(Note.held_at < q.until)
        return (await self.session.scalars(keyset(query, Note.submitted_at, Note.id, q.cursor, q.limit))).all()
