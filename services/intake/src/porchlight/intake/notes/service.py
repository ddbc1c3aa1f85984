"""Rules for notes: file one, correct it, and queue its event in the same transaction.

A note is filed once (``note.submitted``, revision 1) and corrected by its author only; each
correction is a new revision, kept in ``note_revisions``, announced by ``note.revised`` with
the note's full content. Texts in events are the redacted copy (see texts.py).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import MeetingScheduled, NoteSubmitted, Outbox
from porchlight.events.catalog import GeoPoint, NoteRevised
from porchlight.intake.meetings.forms import Errors, form_hash, problem, too_far_ahead
from porchlight.intake.meetings.listing import Visibility
from porchlight.intake.meetings.models import Meeting
from porchlight.intake.meetings.repository import MeetingRepository
from porchlight.intake.meetings.service import resolve_where
from porchlight.intake.notes.models import Note, NoteRevision
from porchlight.intake.notes.repository import NoteRepository
from porchlight.intake.notes.schemas import NoteContext, NoteIn
from porchlight.intake.notes.texts import concerns_of, redacted_copy, redacted_of
from porchlight.intake.places.service import ResolvedPlace
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.auth import Principal
from porchlight.kit.errors import Conflict, Forbidden, NotFound, ProblemError

log = logging.getLogger(__name__)

#: What notes and meetings add to intake's ``produces`` (note.submitted was there first).
PRODUCES = (NoteRevised, MeetingScheduled)


class PreconditionFailed(ProblemError):
    status, slug, title = 412, "precondition-failed", "The note changed since you read it"


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "Send If-Match with the note's ETag"


@dataclass(frozen=True)
class Checked:
    where: ResolvedPlace
    meeting: Meeting | None
    held_at: datetime | None


async def check_note(
    session: AsyncSession, settings: IntakeSettings, form: NoteContext
) -> tuple[Checked | None, Errors]:
    """Everything about a note that types alone cannot say, every error at once."""
    errors: Errors = []
    meeting = None
    if form.meeting_id is not None:
        meeting = await MeetingRepository(session).get(form.meeting_id)
        if meeting is None:
            errors.append({"field": "body.meeting_id", "message": "no meeting has this id"})
    where: ResolvedPlace | None = None
    if form.place is not None:
        where, bad_place = await resolve_where(session, form.place, "body.place")
        errors += bad_place
    elif meeting is not None:  # a note of a meeting took place where the meeting did
        point = None
        if meeting.lat is not None and meeting.lon is not None:
            point = GeoPoint(lat=meeting.lat, lon=meeting.lon)
        where = ResolvedPlace(meeting.district, meeting.neighborhood, point, meeting.place_name)
    elif form.meeting_id is None:
        errors.append({"field": "body.place", "message": "give a place (a district or a point) or a meeting_id"})
    errors += too_far_ahead(form.held_at, now=datetime.now(UTC), hours=settings.max_future_hours, field="body.held_at")
    if errors:
        return None, errors
    assert where is not None
    return Checked(where, meeting, form.held_at), []


async def note_context_errors(session: AsyncSession, settings: IntakeSettings, form: NoteContext) -> Errors:
    return (await check_note(session, settings, form))[1]


def _content(form: NoteIn, checked: Checked, held_at: datetime) -> dict[str, Any]:
    """A note's columns from a checked form (raw texts and their redacted copy)."""
    concerns = [c.model_dump(mode="json", exclude_none=True) for c in form.concerns]
    where = checked.where
    return {
        "meeting_id": form.meeting_id,
        "district": where.district,
        "neighborhood": where.neighborhood,
        "lat": where.point.lat if where.point else None,
        "lon": where.point.lon if where.point else None,
        "place_name": where.place_name,
        "concerns": concerns,
        "sentiment": form.sentiment,
        "attendees": form.attendees,
        "follow_ups": list(form.follow_ups),
        "text": form.notes,
        "held_at": held_at,
        "redacted": redacted_copy(concerns, form.notes, list(form.follow_ups), where.place_name),
    }


def _default_held_at(meeting: Meeting | None) -> datetime:
    now = datetime.now(UTC)
    # A note filed before its meeting's planned start means the meeting started early.
    return meeting.starts_at if meeting is not None and meeting.starts_at <= now else now


async def submit_note(
    session: AsyncSession, outbox: Outbox, settings: IntakeSettings, form: NoteIn, host: Principal
) -> tuple[Note, bool]:
    """Store the note (revision 1) and queue ``note.submitted``; returns it and whether it is new."""
    checked, errors = await check_note(session, settings, form)
    if errors:
        raise problem(errors)
    assert checked is not None
    content = _content(form, checked, checked.held_at or _default_held_at(checked.meeting))
    digest = form_hash(form)
    repo = NoteRepository(session)
    note = await repo.insert_new(
        {"id": form.id or uuid.uuid4(), "host_id": host.subject, "revision": 1, "content_hash": digest, **content}
    )
    if note is None:
        assert form.id is not None  # a server-chosen id cannot collide
        existing = await repo.get(form.id)
        if existing is not None and existing.host_id == host.subject and existing.content_hash == digest:
            return existing, False  # a retry of a note already filed: counted once
        raise Conflict(f"a different note with id {form.id} exists")
    await repo.add_revision(NoteRevision(note_id=note.id, revision=1, author_id=host.subject, **content))
    await outbox.add(session, NoteSubmitted(**_event_fields(note), submitted_at=note.submitted_at))
    log.info("note submitted", extra={"note_id": str(note.id), "district": note.district})
    return note, True


def _etag_matches(if_match: str | None, revision: int) -> bool:
    if if_match is None:
        raise PreconditionRequired("send If-Match with the ETag of the revision you corrected")
    tags = [t.strip().removeprefix("W/").strip('"') for t in if_match.split(",")]
    return "*" in tags or str(revision) in tags


async def revise_note(
    session: AsyncSession,
    outbox: Outbox,
    settings: IntakeSettings,
    note_id: uuid.UUID,
    form: NoteIn,
    author: Principal,
    if_match: str | None,
) -> Note:
    """The author's correction: revision n+1, history kept, ``note.revised`` queued."""
    repo = NoteRepository(session)
    note = await repo.get(note_id, for_update=True)  # serialises concurrent corrections
    if note is None or not can_see(author, note):
        raise NotFound(f"no note {note_id}")
    if note.host_id != author.subject:
        raise Forbidden("only the note's author can correct it")
    if not _etag_matches(if_match, note.revision):
        raise PreconditionFailed(f"the note is at revision {note.revision}; read it again and redo your change")
    errors: Errors = []
    if form.id is not None and form.id != note_id:
        errors.append({"field": "body.id", "message": "differs from the note's id in the path"})
    checked, context_errors = await check_note(session, settings, form)
    errors += context_errors
    if errors:
        raise problem(errors)
    assert checked is not None
    content = _content(form, checked, checked.held_at or note.held_at)
    for name, value in content.items():
        setattr(note, name, value)
    note.revision += 1
    note.revised_at = datetime.now(UTC)
    await repo.add_revision(NoteRevision(note_id=note.id, revision=note.revision, author_id=author.subject, **content))
    await outbox.add(
        session,
        NoteRevised(**_event_fields(note), submitted_at=note.submitted_at, revised_at=note.revised_at),
    )
    log.info("note revised", extra={"note_id": str(note.id), "revision": note.revision})
    return note


def _event_fields(note: Note) -> dict[str, Any]:
    """What ``note.submitted`` and ``note.revised`` share: the content, texts redacted."""
    red = redacted_of(note)
    return {
        "note_id": note.id,
        "revision": note.revision,
        "meeting_id": note.meeting_id,
        "district": note.district,
        "neighborhood": note.neighborhood,
        "host_id": note.host_id,
        "concerns": concerns_of(note, raw=False),
        "sentiment": note.sentiment,
        "attendees": note.attendees,
        "text": red["notes"],
        "follow_ups": red["follow_ups"],
        "held_at": note.held_at,
    }


def can_see(principal: Principal, note: Note) -> bool:
    return Visibility.of(principal).allows(host_id=note.host_id, district=note.district)


async def visible_note(session: AsyncSession, note_id: uuid.UUID, reader: Principal) -> Note:
    """The note if the reader may see it; 404 otherwise (not 403: ids are not confirmed)."""
    note = await NoteRepository(session).get(note_id)
    if note is None or not can_see(reader, note):
        raise NotFound(f"no note {note_id}")
    return note
