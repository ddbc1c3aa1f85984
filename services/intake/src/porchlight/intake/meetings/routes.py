"""HTTP routes of meetings."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from porchlight.intake.meetings.forms import FormRoute, form_checks
from porchlight.intake.meetings.listing import Cursor, ListQuery, Visibility, list_query, next_link
from porchlight.intake.meetings.repository import MeetingRepository
from porchlight.intake.meetings.schemas import MeetingContext, MeetingIn, MeetingOut, MeetingPage, MeetingPatch
from porchlight.intake.meetings.service import (
    can_see,
    meeting_context_errors,
    meeting_out,
    record_attendance,
    schedule_meeting,
)
from porchlight.intake.settings import Config
from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import NotFound

router = APIRouter(prefix="/v1/meetings", tags=["meetings"], route_class=FormRoute)

Host = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.partner))]
Reader = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst, Role.partner))]


@router.post(
    "",
    status_code=201,
    response_model=MeetingOut,
    responses={200: {"description": "A retry: this id already holds this very meeting", "model": MeetingOut}},
    summary="Schedule (or record) a micro-meeting",
)
@form_checks(MeetingContext, meeting_context_errors)
async def post_meeting(
    form: MeetingIn, session: Session, host: Host, config: Config, request: Request, response: Response
) -> MeetingOut:
    meeting, created = await schedule_meeting(session, request.app.state.spec.outbox, config, form, host)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/meetings/{meeting.id}"
    return meeting_out(meeting, config, host)


@router.get("", response_model=MeetingPage, summary="Meetings, newest first, filtered and paged")
async def list_meetings(
    session: Session,
    reader: Reader,
    config: Config,
    request: Request,
    response: Response,
    q: Annotated[ListQuery, Depends(list_query)],
) -> MeetingPage:
    rows = await MeetingRepository(session).page(Visibility.of(reader).narrow(q, "meetings"))
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    cursor = Cursor(rows[-1].starts_at, rows[-1].id) if more else None
    return MeetingPage(
        items=[meeting_out(m, config, reader) for m in rows], next_cursor=next_link(request, response, cursor)
    )


@router.get("/{meeting_id}", response_model=MeetingOut)
async def get_meeting(meeting_id: uuid.UUID, session: Session, reader: Reader, config: Config) -> MeetingOut:
    meeting = await MeetingRepository(session).get(meeting_id)
    if meeting is None or not can_see(reader, meeting):
        raise NotFound(f"no meeting {meeting_id}")
    return meeting_out(meeting, config, reader)


@router.patch(
    "/{meeting_id}", response_model=MeetingOut, summary="Record the actual attendance (and how long it ran) afterwards"
)
async def patch_meeting(
    meeting_id: uuid.UUID, patch: MeetingPatch, session: Session, host: Host, config: Config, request: Request
) -> MeetingOut:
    meeting = await record_attendance(session, request.app.state.spec.outbox, meeting_id, patch, host)
    return meeting_out(meeting, config, host)
