"""HTTP routes of notes.

Texts come back redacted to everyone; supervisors and admins may ask for the raw text with
``?raw=true``, and every such read is written to the audit log (the note and the reader, never
the text). Officers and liaisons see their own notes, supervisors their district's (all when
their token has no district), analysts all.
"""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse

from porchlight.intake.db import outbox
from porchlight.intake.meetings.access import ListQuery, Visibility, list_filters, list_query
from porchlight.intake.meetings.routes import FormRoute, form_checks
from porchlight.intake.notes.exports import csv_lines
from porchlight.intake.notes.models import Note
from porchlight.intake.notes.repository import NoteRepository
from porchlight.intake.notes.schemas import NoteContext, NoteIn, NoteOut, NotePage, RevisionList, RevisionOut
from porchlight.intake.notes.service import content_of, note_context_errors, visible_note
from porchlight.intake.notes.service import revise_note as revise
from porchlight.intake.notes.service import submit_note as submit
from porchlight.intake.settings import Config, IntakeSettings
from porchlight.kit.app import Session, Sessions
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import Forbidden
from porchlight.kit.paging import Cursor, next_link

router = APIRouter(prefix="/v1/notes", tags=["notes"], route_class=FormRoute)
audit = logging.getLogger("porchlight.intake.audit")

Host = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor))]
Reader = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]
Raw = Annotated[bool, Query(description="Raw text instead of redacted (supervisors and admins; audited)")]
MeetingFilter = Annotated[uuid.UUID | None, Query(description="Only the notes of this meeting")]


def _max_note_bytes(settings: IntakeSettings) -> int:
    return settings.max_note_bytes


def _raw_allowed(reader: Principal, note_id: uuid.UUID, raw: bool) -> bool:
    if not raw:
        return False
    if not reader.has(Role.supervisor):
        raise Forbidden("raw text is for supervisors and admins; others read it redacted")
    audit.info("raw note text read", extra={"note_id": str(note_id), "reader": reader.subject})
    return True


def note_out(note: Note, *, raw: bool = False) -> NoteOut:
    return NoteOut(
        id=note.id,
        revision=note.revision,
        host_id=note.host_id,
        submitted_at=note.submitted_at,
        revised_at=note.revised_at,
        **content_of(note, raw=raw),
    )


def _etag(response: Response, note: Note) -> None:
    response.headers["ETag"] = f'"{note.revision}"'


@router.post(
    "",
    status_code=201,
    response_model=NoteOut,
    responses={
        200: {
            "description": "A retry (this id already holds this very note), or the meeting's notes filed again by "
            "their author: a new revision of them",
            "model": NoteOut,
        },
        409: {"description": "The id holds a different note, or another host filed this meeting's notes"},
    },
)
@form_checks(NoteContext, note_context_errors, max_bytes=_max_note_bytes)
async def create_note(form: NoteIn, session: Session, host: Host, config: Config, response: Response) -> NoteOut:
    """File a note (standardized form).

    The host is the token's subject. Texts are redacted when stored; a retry with the same `id`
    and content is a 200 with the stored note. A meeting has one set of notes: filing them again
    (its author) is a 200 with a new revision, by another host a 409 naming the meeting. Notes of
    a meeting take its time and place and are refused before it starts; empty notes (nobody came,
    nothing written) are refused. Every bad field is named in one 422; a form over
    `max_note_bytes` of JSON is a 413.
    """
    note, created = await submit(session, outbox, config, form, host)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/notes/{note.id}"
    _etag(response, note)
    return note_out(note)


@router.get("", response_model=NotePage)
async def list_notes(
    session: Session,
    reader: Reader,
    request: Request,
    response: Response,
    q: Annotated[ListQuery, Depends(list_query)],
    meeting_id: MeetingFilter = None,
) -> NotePage:
    """Notes, newest first, filtered and paged (redacted).

    The list's filters (district, neighborhood, host, dates, meeting); the next page's URL comes
    in the `Link` header. Officers and liaisons see their own notes, a district's supervisor that
    district's.
    """
    rows = await NoteRepository(session).page(Visibility.of(reader).narrow(q, "notes"), meeting_id)
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    cursor = Cursor(rows[-1].submitted_at, rows[-1].id) if more else None
    return NotePage(items=[note_out(n) for n in rows], next_cursor=next_link(request, response, cursor))


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per note, texts redacted"}},
)
async def export_notes(
    reader: Reader,
    sessions: Sessions,
    q: Annotated[ListQuery, Depends(list_filters)],
    meeting_id: MeetingFilter = None,
) -> StreamingResponse:
    """Notes as CSV (redacted), with the list's filters.

    Every matching note the caller may see, one row each, streamed; cells that a spreadsheet
    would run as formulas are quoted.
    """
    lines = csv_lines(sessions, Visibility.of(reader).narrow(q, "notes"), meeting_id)
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="notes.csv"'},
    )


@router.get("/{note_id}", response_model=NoteOut)
async def get_note(
    note_id: uuid.UUID, session: Session, reader: Reader, response: Response, raw: Raw = False
) -> NoteOut:
    """One note, redacted (raw text for supervisors who ask, audited).

    Its `ETag` is its revision, for a correction's `If-Match`. A note the caller may not see is
    a 404.
    """
    note = await visible_note(session, note_id, reader)
    shown = note_out(note, raw=_raw_allowed(reader, note.id, raw))
    _etag(response, note)
    return shown


@router.put(
    "/{note_id}",
    response_model=NoteOut,
    responses={412: {"description": "If-Match is not the current revision"}, 428: {"description": "No If-Match"}},
)
@form_checks(NoteContext, note_context_errors, max_bytes=_max_note_bytes)
async def revise_note(
    note_id: uuid.UUID,
    form: NoteIn,
    session: Session,
    author: Host,
    config: Config,
    response: Response,
    if_match: Annotated[str | None, Header(description='The ETag of the revision corrected, e.g. "1"')] = None,
) -> NoteOut:
    """Correct a note (its author only): a new revision.

    `If-Match` must carry the current revision's ETag (412 when it moved on, 428 without it);
    the whole form is sent again and checked as a new one.
    """
    note = await revise(session, outbox, config, note_id, form, author, if_match)
    _etag(response, note)
    return note_out(note)


@router.get("/{note_id}/revisions", response_model=RevisionList)
async def list_revisions(note_id: uuid.UUID, session: Session, reader: Reader, raw: Raw = False) -> RevisionList:
    """Every revision of a note, oldest first.

    Redacted like the note (raw for supervisors who ask, audited).
    """
    note = await visible_note(session, note_id, reader)
    shown_raw = _raw_allowed(reader, note.id, raw)
    revisions = await NoteRepository(session).revisions(note.id)
    return RevisionList(
        note_id=note.id,
        items=[
            RevisionOut(
                revision=r.revision, author_id=r.author_id, created_at=r.created_at, **content_of(r, raw=shown_raw)
            )
            for r in revisions
        ],
    )
