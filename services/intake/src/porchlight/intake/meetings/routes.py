"""HTTP routes of meetings, and the route class of intake's forms (meetings and notes).

How intake takes a form: its JSON is capped by a setting (notes: ``max_note_bytes``), checked on
the declared ``Content-Length`` and on the bytes actually read, before anything is parsed; type
errors (pydantic) and context errors (unknown district, a date too far ahead, a meeting that does
not exist) are reported together in one 422: when the types are wrong somewhere, the parts that
are well-typed are still checked against the database and the clock.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.intake.db import outbox
from porchlight.intake.forms.checks import Errors, problem
from porchlight.intake.meetings.access import ListQuery, Visibility, list_query
from porchlight.intake.meetings.repository import MeetingRepository
from porchlight.intake.meetings.schemas import MeetingContext, MeetingIn, MeetingOut, MeetingPage, MeetingPatch
from porchlight.intake.meetings.service import (
    can_see,
    meeting_context_errors,
    meeting_out,
)
from porchlight.intake.meetings.service import record_attendance as record
from porchlight.intake.meetings.service import schedule_meeting as schedule
from porchlight.intake.settings import Config, IntakeSettings
from porchlight.kit.app import Session, runtime_of
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import NotFound, PayloadTooLarge, field_errors
from porchlight.kit.paging import Cursor, next_link

ContextCheck = Callable[[AsyncSession, IntakeSettings, Any], Awaitable[Errors]]


@dataclass(frozen=True)
class FormChecks:
    context: type[BaseModel]
    check: ContextCheck
    max_bytes: Callable[[IntakeSettings], int] | None = None


def form_checks(
    context: type[BaseModel], check: ContextCheck, *, max_bytes: Callable[[IntakeSettings], int] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a route of a ``FormRoute`` router: ``context`` is the part of the body ``check``
    verifies against the database and the clock (it must ignore extra fields)."""

    def mark(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        endpoint.__form_checks__ = FormChecks(context, check, max_bytes)  # type: ignore[attr-defined]
        return endpoint

    return mark


class FormRoute(APIRoute):
    """Routes marked with ``form_checks``: the size limit first, then merged validation errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        checks: FormChecks | None = getattr(self.endpoint, "__form_checks__", None)
        if checks is None:
            return handler

        async def checked(request: Request) -> Response:
            # A route class has no dependencies of its own: the running service hands both in.
            runtime = await runtime_of(request)
            settings = runtime.resource(IntakeSettings)
            if checks.max_bytes is not None:
                await _refuse_oversized(request, checks.max_bytes(settings))
            try:
                return await handler(request)
            except RequestValidationError as exc:
                errors = field_errors(exc)
                extra = await _context_errors(request, checks, runtime.sessions, settings, errors)
                if not extra:
                    raise
                raise problem(errors + extra) from None

        return checked


async def _refuse_oversized(request: Request, limit: int) -> None:
    length = request.headers.get("content-length", "")
    if (length.isdigit() and int(length) > limit) or len(await request.body()) > limit:
        raise PayloadTooLarge(f"The form exceeds {limit} bytes of JSON")


async def _context_errors(
    request: Request,
    checks: FormChecks,
    sessions: async_sessionmaker[AsyncSession],
    settings: IntakeSettings,
    errors: Errors,
) -> Errors:
    """Context errors of the well-typed parts of a body that failed type validation."""
    try:
        raw = json.loads(await request.body())
    except ValueError:
        return []
    if not isinstance(raw, dict):
        return []
    locations = [e["field"].split(".") for e in errors]
    if any(loc == ["body"] for loc in locations):
        return []  # no body, or not an object
    bad = {loc[1] for loc in locations if len(loc) > 1 and loc[0] == "body"}
    clean = {k: v for k, v in raw.items() if k not in bad and k in checks.context.model_fields}
    try:
        context = checks.context.model_validate(clean)
    except ValidationError:
        return []
    async with sessions() as session:
        found = await checks.check(session, settings, context)
    # A part left out for its type errors is not missing as well: say it once.
    return [e for e in found if e["field"].partition(".")[2].split(".")[0] not in bad]


router = APIRouter(prefix="/v1/meetings", tags=["meetings"], route_class=FormRoute)

Host = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.partner))]
Reader = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst, Role.partner))]


@router.post(
    "",
    status_code=201,
    response_model=MeetingOut,
    responses={
        200: {"description": "A retry: this id already holds this very meeting", "model": MeetingOut},
        409: {"description": "The id holds a different meeting"},
    },
)
@form_checks(MeetingContext, meeting_context_errors)
async def schedule_meeting(
    form: MeetingIn, session: Session, host: Host, config: Config, response: Response
) -> MeetingOut:
    """Schedule (or record) a micro-meeting.

    The host is the token's subject. A client may choose the `id`: sending the same meeting again
    with it is a harmless retry (200, the stored meeting); other content under that id is a 409.
    Every bad field, of type or of context (an unknown district, a date too far ahead), is named
    in one 422.
    """
    meeting, created = await schedule(session, outbox, config, form, host)
    if not created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/meetings/{meeting.id}"
    return meeting_out(meeting, config, host)


@router.get("", response_model=MeetingPage)
async def list_meetings(
    session: Session,
    reader: Reader,
    config: Config,
    request: Request,
    response: Response,
    q: Annotated[ListQuery, Depends(list_query)],
) -> MeetingPage:
    """Meetings, newest first, filtered and paged.

    Filters by district, neighborhood, host and date range; the next page's URL comes in the
    `Link` header (and its cursor as `next_cursor`). Hosts see their own meetings, a district's
    supervisor that district's; asking for more is a 403.
    """
    rows = await MeetingRepository(session).page(Visibility.of(reader).narrow(q, "meetings"))
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    cursor = Cursor(rows[-1].starts_at, rows[-1].id) if more else None
    return MeetingPage(
        items=[meeting_out(m, config, reader) for m in rows], next_cursor=next_link(request, response, cursor)
    )


@router.get("/{meeting_id}", response_model=MeetingOut)
async def get_meeting(meeting_id: uuid.UUID, session: Session, reader: Reader, config: Config) -> MeetingOut:
    """One meeting.

    A meeting the caller may not see is a 404, as one that does not exist (ids stay unconfirmed).
    """
    meeting = await MeetingRepository(session).get(meeting_id)
    if meeting is None or not can_see(reader, meeting):
        raise NotFound(f"no meeting {meeting_id}")
    return meeting_out(meeting, config, reader)


@router.patch(
    "/{meeting_id}", response_model=MeetingOut, responses={409: {"description": "The meeting has not started yet"}}
)
async def record_attendance(
    meeting_id: uuid.UUID, patch: MeetingPatch, session: Session, host: Host, config: Config
) -> MeetingOut:
    """Record the actual attendance (and how long it ran) afterwards.

    How many residents came and how long it ran, once it has been held.
    """
    meeting = await record(session, outbox, meeting_id, patch, host)
    return meeting_out(meeting, config, host)
