"""CSV export of notes, redacted: one row per note, its concerns joined in one cell.

Streamed in keyset batches (``csvexport``), each read in a short session of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.intake.csvexport.stream import keyset_csv
from porchlight.intake.meetings.access import ListQuery
from porchlight.intake.notes.models import Note
from porchlight.intake.notes.repository import NoteRepository
from porchlight.intake.notes.service import content_of
from porchlight.kit.paging import Cursor

JOIN = " | "
COLUMNS = (
    "id",
    "revision",
    "meeting_id",
    "district",
    "neighborhood",
    "host_id",
    "held_at",
    "submitted_at",
    "sentiment",
    "attendees",
    "concerns",
    "concern_topics",
    "concern_locations",
    "follow_ups",
    "notes",
)


def note_row(note: Note) -> list[Any]:
    content = content_of(note, raw=False)
    concerns = content["concerns"]
    return [
        note.id,
        note.revision,
        note.meeting_id,
        note.district,
        note.neighborhood,
        note.host_id,
        note.held_at.isoformat(),
        note.submitted_at.isoformat(),
        note.sentiment,
        note.attendees,
        JOIN.join(c["text"] for c in concerns),
        JOIN.join(c["topic"] or "" for c in concerns),
        JOIN.join(c["location"] or "" for c in concerns),
        JOIN.join(content["follow_ups"]),
        content["notes"],
    ]


def csv_lines(
    sessions: async_sessionmaker[AsyncSession], q: ListQuery, meeting_id: uuid.UUID | None
) -> AsyncIterator[str]:
    """``q`` is already narrowed to what the caller may see."""

    async def fetch(cursor: Cursor | None, limit: int) -> Sequence[Note]:
        async with sessions() as session:
            return await NoteRepository(session).page(replace(q, cursor=cursor, limit=limit), meeting_id)

    return keyset_csv(COLUMNS, fetch, note_row, lambda note: Cursor(note.submitted_at, note.id))
