"""All SQL of erasure: the erasure records, the rows whose words go, and what retention finds due."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from porchlight.intake.contacts.models import Contact
from porchlight.intake.erasure.models import Erasure
from porchlight.intake.imports.models import ImportChunk, ImportJob, ImportRow
from porchlight.intake.meetings.models import Meeting
from porchlight.intake.notes.models import Note, NoteRevision

#: Import jobs that are over: their file and staged rows are only kept for a look back.
_FINISHED = ("done", "failed", "expired")
#: What an import's file name becomes once its words are gone (the name is the uploader's words).
ERASED_FILENAME = "(erased)"


class ErasureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, kind: str, entity_id: uuid.UUID) -> Erasure | None:
        return await self.session.get(Erasure, (kind, entity_id))

    async def add(self, erasure: Erasure) -> Erasure:
        self.session.add(erasure)
        await self.session.flush()
        return erasure

    async def note(self, note_id: uuid.UUID) -> Note | None:
        """The note, locked: its erasure and a correction of it run one after the other."""
        query = sa.select(Note).where(Note.id == note_id).with_for_update().execution_options(populate_existing=True)
        return await self.session.scalar(query)

    async def revisions(self, note_id: uuid.UUID) -> Sequence[NoteRevision]:
        query = sa.select(NoteRevision).where(NoteRevision.note_id == note_id).order_by(NoteRevision.revision)
        return (await self.session.scalars(query)).all()

    async def contact(self, contact_id: uuid.UUID) -> Contact | None:
        query = (
            sa.select(Contact)
            .where(Contact.id == contact_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return await self.session.scalar(query)

    def _not_erased(self, kind: str, id_column: InstrumentedAttribute[uuid.UUID]) -> sa.ColumnElement[bool]:
        e = Erasure.__table__.c
        return ~sa.exists().where(e.kind == kind, e.entity_id == id_column)

    async def notes_due(self, before: datetime, limit: int) -> Sequence[uuid.UUID]:
        """Notes held before ``before`` whose words are still there (skipping those another replica holds)."""
        query = (
            sa.select(Note.id)
            .where(Note.held_at < before, self._not_erased("note", Note.id))
            .order_by(Note.held_at, Note.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def contacts_due(self, before: datetime, limit: int) -> Sequence[uuid.UUID]:
        query = (
            sa.select(Contact.id)
            .where(Contact.occurred_at < before, self._not_erased("contact", Contact.id))
            .order_by(Contact.occurred_at, Contact.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.scalars(query)).all()

    async def count_notes_due(self, before: datetime) -> int:
        query = sa.select(sa.func.count()).where(Note.held_at < before, self._not_erased("note", Note.id))
        return int(await self.session.scalar(query) or 0)

    async def count_contacts_due(self, before: datetime) -> int:
        query = sa.select(sa.func.count()).where(Contact.occurred_at < before, self._not_erased("contact", Contact.id))
        return int(await self.session.scalar(query) or 0)

    # A meeting's words are where it was (a resident's living room) and who co-hosted it; its
    # exact point too. What counts it stays: venue type, time, length, attendees, district.
    _MEETING_WORDS = sa.or_(
        Meeting.place_name.is_not(None), Meeting.lat.is_not(None), Meeting.co_hosts != sa.cast("[]", JSONB)
    )
    _MEETING_BLANK: ClassVar[dict[str, Any]] = {
        "place_name": None,
        "co_hosts": [],
        "lat": None,
        "lon": None,
        "content_hash": "erased",
    }

    async def erase_meeting(self, meeting_id: uuid.UUID) -> None:
        """Blank the words of the meeting a note was taken at."""
        await self.session.execute(sa.update(Meeting).where(Meeting.id == meeting_id).values(**self._MEETING_BLANK))

    async def count_meetings_due(self, before: datetime) -> int:
        query = sa.select(sa.func.count()).where(Meeting.starts_at < before, self._MEETING_WORDS)
        return int(await self.session.scalar(query) or 0)

    async def erase_meetings(self, before: datetime, limit: int) -> int:
        """Blank the words of meetings held before ``before``; returns how many."""
        due = (
            sa.select(Meeting.id)
            .where(Meeting.starts_at < before, self._MEETING_WORDS)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = (await self.session.scalars(due)).all()
        if ids:
            await self.session.execute(sa.update(Meeting).where(Meeting.id.in_(ids)).values(**self._MEETING_BLANK))
        return len(ids)

    def _imports_due(self, before: datetime) -> sa.Select[tuple[uuid.UUID]]:
        j = ImportJob.__table__.c
        return sa.select(j.id).where(j.status.in_(_FINISHED), j.updated_at < before, j.filename != ERASED_FILENAME)

    async def count_imports_due(self, before: datetime) -> int:
        return int(
            await self.session.scalar(sa.select(sa.func.count()).select_from(self._imports_due(before).subquery())) or 0
        )

    async def erase_imports(self, before: datetime, limit: int) -> int:
        """Drop the file and staged rows of finished imports last changed before ``before``, and
        blank their file name; the job's counts stay. Returns how many jobs."""
        ids = (
            await self.session.scalars(self._imports_due(before).limit(limit).with_for_update(skip_locked=True))
        ).all()
        if not ids:
            return 0
        await self.session.execute(sa.delete(ImportChunk).where(ImportChunk.import_id.in_(ids)))
        await self.session.execute(sa.delete(ImportRow).where(ImportRow.import_id.in_(ids)))
        await self.session.execute(sa.update(ImportJob).where(ImportJob.id.in_(ids)).values(filename=ERASED_FILENAME))
        return len(ids)
