"""CSV export of notes, redacted: one row per note, its concerns joined in one cell.

Streamed in keyset batches, each read in a short session of its own (the response outlives the
request's unit of work), so a city's whole history exports in constant memory.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.meetings.listing import Cursor, ListQuery
from porchlight.intake.notes.models import Note
from porchlight.intake.notes.repository import NoteRepository
from porchlight.intake.notes.texts import content_of

BATCH = 500
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
# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def note_row(note: Note) -> list[str]:
    content = content_of(note, raw=False)
    concerns = content["concerns"]
    values = [
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
    return [_cell(v) for v in values]


async def csv_lines(
    sessions: Callable[[], AsyncSession], q: ListQuery, meeting_id: uuid.UUID | None
) -> AsyncIterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    cursor: Cursor | None = None
    while True:
        async with sessions() as session:
            rows = await NoteRepository(session).page(replace(q, cursor=cursor, limit=BATCH), meeting_id)
        for note in rows[:BATCH]:
            writer.writerow(note_row(note))
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
        if len(rows) <= BATCH:
            return
        last = rows[BATCH - 1]
        cursor = Cursor(last.submitted_at, last.id)
