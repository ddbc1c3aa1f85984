"""Rules for notes: file one, correct it, and queue its event in the same transaction.

A note is filed once (``note.submitted``, revision 1) and corrected by its author only; each
correction is a new revision, kept in ``note_revisions``, announced by ``note.revised`` with
the note's full content. Texts in events are the redacted copy (see ``content_of`` below).

What a note must be to count (each note of a meeting, or without one, is a meeting hosted):

* not empty: residents came (``attendees`` > 0) or something they said is written down;
* one per meeting: the meeting's notes filed again by their author are a new revision of the
  first (``note.revised``, counted once); by anybody else, a 409 naming the meeting;
* of a meeting that has started, taking its time and place (the form may repeat them, not
  change them).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import MeetingScheduled, NoteSubmittedV2, Outbox
from porchlight.events.catalog import Concern, GeoPoint, NoteRevisedV2
from porchlight.intake.forms.checks import Errors, form_hash, problem, too_far_ahead
from porchlight.intake.meetings.access import Visibility
from porchlight.intake.meetings.models import Meeting
from porchlight.intake.meetings.repository import MeetingRepository
from porchlight.intake.meetings.schemas import PlaceOut
from porchlight.intake.meetings.service import resolve_where
from porchlight.intake.notes.models import Note, NoteRevision
from porchlight.intake.notes.repository import NoteRepository
from porchlight.intake.notes.schemas import NoteContext, NoteIn
from porchlight.intake.places.service import ResolvedPlace
from porchlight.intake.privacy import redact
from porchlight.intake.privacy.precision import coarse_point
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.auth import Principal
from porchlight.kit.errors import Conflict, Forbidden, NotFound, ProblemError

log = logging.getLogger(__name__)

#: What notes and meetings add to intake's ``produces`` (note.submitted was there first).
PRODUCES = (NoteRevisedV2, MeetingScheduled)


class NotesExist(Conflict):
    """The meeting's notes were filed by somebody else: only their author can correct them."""


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
    now = datetime.now(UTC)
    meeting = None
    if form.meeting_id is not None:
        meeting = await MeetingRepository(session).get(form.meeting_id)
        if meeting is None:
            errors.append({"field": "body.meeting_id", "code": "unknown_meeting", "message": "No meeting has this id."})
        elif meeting.starts_at > now:
            errors.append(_not_started(meeting))
    where: ResolvedPlace | None = None
    if form.place is not None:
        where, bad_place = await resolve_where(session, form.place, "body.place")
        errors += bad_place
        if meeting is not None and where is not None and where.district != meeting.district:
            errors.append(_elsewhere(meeting))
    elif form.meeting_id is None:
        errors.append(
            {
                "field": "body.place",
                "code": "no_place",
                "message": "Choose a district (or give a point), or the meeting these notes are of.",
            }
        )
    if meeting is not None:  # a note of a meeting took place where and when the meeting did
        point = None
        if meeting.lat is not None and meeting.lon is not None:
            point = GeoPoint(lat=meeting.lat, lon=meeting.lon)
        where = ResolvedPlace(meeting.district, meeting.neighborhood, point, meeting.place_name)
        if form.held_at is not None and form.held_at != meeting.starts_at:
            errors.append(_other_time(meeting))
    else:
        errors += too_far_ahead(form.held_at, now=now, hours=settings.max_future_hours, field="body.held_at")
    if isinstance(form, NoteIn) and is_empty(form):
        errors.append(
            {
                "field": "body.concerns",
                "code": "empty_note",
                "message": "These notes are empty: write down what residents raised, or how many came.",
            }
        )
    if errors:
        return None, errors
    assert where is not None
    return Checked(where, meeting, meeting.starts_at if meeting is not None else form.held_at), []


def is_empty(form: NoteIn) -> bool:
    """Nobody came and nothing was written down: a stray submit, not a meeting hosted."""
    return not (form.attendees or form.concerns or form.follow_ups or form.notes.strip())


def _when(meeting: Meeting) -> str:
    return f"{meeting.starts_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _not_started(meeting: Meeting) -> dict[str, str]:
    return {
        "field": "body.meeting_id",
        "code": "meeting_not_started",
        "message": f"This meeting starts at {_when(meeting)}: file its notes once it has started.",
    }


def _elsewhere(meeting: Meeting) -> dict[str, str]:
    return {
        "field": "body.place.district",
        "code": "not_the_meeting_place",
        "message": f"The meeting was in district {meeting.district}: notes of a meeting take its place.",
    }


def _other_time(meeting: Meeting) -> dict[str, str]:
    return {
        "field": "body.held_at",
        "code": "not_the_meeting_time",
        "message": f"The meeting started at {_when(meeting)}: notes of a meeting take its time (leave this empty).",
    }


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


async def submit_note(
    session: AsyncSession, outbox: Outbox, settings: IntakeSettings, form: NoteIn, host: Principal
) -> tuple[Note, bool]:
    """Store the note (revision 1) and queue ``note.submitted``; returns it and whether it is new."""
    checked, errors = await check_note(session, settings, form)
    if errors:
        raise problem(errors)
    assert checked is not None
    content = _content(form, checked, checked.held_at or datetime.now(UTC))
    digest = form_hash(form)
    repo = NoteRepository(session)
    if checked.meeting is not None:
        # The meeting's row lock orders two filings of its notes: the second sees the first.
        await MeetingRepository(session).get(checked.meeting.id, for_update=True)
        first = await repo.of_meeting(checked.meeting.id, for_update=True)
        if first is not None and first.id != form.id:
            return await _file_again(session, outbox, first, content, host), False
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
    # Version 2: the note's words leave sealed under its key (docs/adr/0014).
    await outbox.add(session, NoteSubmittedV2(**_event_fields(note), submitted_at=note.submitted_at))
    log.info("note submitted", extra={"note_id": str(note.id), "district": note.district})
    return note, True


async def _file_again(
    session: AsyncSession, outbox: Outbox, note: Note, content: dict[str, Any], host: Principal
) -> Note:
    """A meeting's notes filed again by their author: a revision of the first (unless unchanged)."""
    if note.host_id != host.subject:
        raise NotesExist(
            f"meeting {note.meeting_id} already has notes (note {note.id}) filed by another host: "
            "only they can correct them",
            meeting_id=str(note.meeting_id),
            note_id=str(note.id),
        )
    if all(getattr(note, name) == value for name, value in content.items() if name != "redacted"):
        return note  # the same notes sent twice (a double click): nothing new to count
    return await _revise(session, outbox, note, content, host)


async def _revise(
    session: AsyncSession, outbox: Outbox, note: Note, content: dict[str, Any], author: Principal
) -> Note:
    for name, value in content.items():
        setattr(note, name, value)
    note.revision += 1
    note.revised_at = datetime.now(UTC)
    await NoteRepository(session).add_revision(
        NoteRevision(note_id=note.id, revision=note.revision, author_id=author.subject, **content)
    )
    await outbox.add(
        session,
        NoteRevisedV2(**_event_fields(note), submitted_at=note.submitted_at, revised_at=note.revised_at),
    )
    log.info("note revised", extra={"note_id": str(note.id), "revision": note.revision})
    return note


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
    if note.erased_at is not None:
        # Erased on request or by retention: its words are gone for good, and stay gone.
        raise Conflict(f"note {note_id} was erased on {note.erased_at:%Y-%m-%d}: it takes no more words")
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
    if checked.meeting is not None and checked.meeting.id != note.meeting_id:
        await MeetingRepository(session).get(checked.meeting.id, for_update=True)
        other = await repo.of_meeting(checked.meeting.id)
        if other is not None and other.id != note.id:
            raise NotesExist(
                f"meeting {checked.meeting.id} already has notes (note {other.id}): correct those instead",
                meeting_id=str(checked.meeting.id),
                note_id=str(other.id),
            )
    content = _content(form, checked, checked.held_at or note.held_at)
    return await _revise(session, outbox, note, content, author)


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


# A note's texts, raw or redacted, and how they leave intake (API, events, exports). Texts are
# redacted once, when a revision is stored, and the copy is kept with it: the event, the lists and
# the CSV export then carry the very same redacted words. Raw text is only read back for
# supervisors who ask for it (``?raw=true``, audited by the route).


def _r(text: str | None) -> str | None:
    return None if text is None else redact(text).text


def redacted_copy(
    concerns: list[dict[str, Any]], text: str, follow_ups: list[str], place_name: str | None
) -> dict[str, Any]:
    """The redacted twin of a revision's free texts (a topic is typed in too: redacted as well)."""
    return {
        "concerns": [
            {"text": _r(c["text"]), "topic": _r(c.get("topic")), "location": _r(c.get("location"))} for c in concerns
        ],
        "notes": redact(text).text,
        "follow_ups": [redact(f).text for f in follow_ups],
        "place_name": _r(place_name),
    }


def redacted_of(row: Note | NoteRevision) -> dict[str, Any]:
    # Notes of the walking skeleton were stored before redaction was: redact them when read.
    return row.redacted or redacted_copy(list(row.concerns), row.text, list(row.follow_ups), row.place_name)


def _point(value: Any) -> GeoPoint | None:
    return None if value is None else GeoPoint.model_validate(value)


def concerns_of(row: Note | NoteRevision, *, raw: bool) -> list[Concern]:
    red = redacted_of(row)["concerns"]
    out = []
    for stored, hidden in zip(row.concerns, red, strict=True):
        shown = stored if raw else hidden
        out.append(
            Concern(
                text=shown["text"],
                topic=shown.get("topic"),
                location=shown.get("location"),
                # Outside intake a block, not the doorstep (privacy/precision.py); raw: the exact point.
                point=_point(stored.get("point")) if raw else coarse_point(_point(stored.get("point"))),
            )
        )
    return out


def content_of(row: Note | NoteRevision, *, raw: bool) -> dict[str, Any]:
    """The fields of ``NoteContent``: raw texts only when ``raw``."""
    red = redacted_of(row)
    point = GeoPoint(lat=row.lat, lon=row.lon) if row.lat is not None and row.lon is not None else None
    return {
        "meeting_id": row.meeting_id,
        "place": PlaceOut(
            district=row.district,
            neighborhood=row.neighborhood,
            point=point,
            place_name=row.place_name if raw else red["place_name"],
        ),
        "concerns": [c.model_dump() for c in concerns_of(row, raw=raw)],
        "sentiment": row.sentiment,
        "attendees": row.attendees,
        "follow_ups": list(row.follow_ups) if raw else red["follow_ups"],
        "notes": row.text if raw else red["notes"],
        "held_at": row.held_at,
        "redacted": not raw,
    }
