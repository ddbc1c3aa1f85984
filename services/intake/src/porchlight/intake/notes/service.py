"""Rules for notes: store the note and queue ``note.submitted`` in the same transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import NoteSubmitted, Outbox
from porchlight.events.catalog import Concern
from porchlight.intake.notes.models import Note
from porchlight.intake.notes.repository import NoteRepository
from porchlight.intake.notes.schemas import NoteIn
from porchlight.kit.auth import Principal


async def submit_note(session: AsyncSession, outbox: Outbox, form: NoteIn, host: Principal) -> Note:
    note = await NoteRepository(session).add(
        Note(
            district=form.district,
            neighborhood=form.neighborhood,
            host_id=host.subject,
            concerns=form.concerns,
            sentiment=form.sentiment,
            attendees=form.attendees,
            text=form.text,
        )
    )
    await outbox.add(
        session,
        NoteSubmitted(
            note_id=note.id,
            district=note.district,
            neighborhood=note.neighborhood,
            host_id=note.host_id,
            submitted_at=note.submitted_at,
            concerns=[Concern(text=c) for c in note.concerns],
            sentiment=note.sentiment,
            attendees=note.attendees,
            text=note.text,
        ),
    )
    return note
