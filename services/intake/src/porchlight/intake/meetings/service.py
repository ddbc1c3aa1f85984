"""Rules for meetings: who hosts, where, when; ``meeting.scheduled`` with the change.

Kitchen-table meetings are small by design: more residents than ``kitchen_table_max`` is
accepted (the conversation happened) with a warning in the response, never refused.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import MeetingScheduled, Outbox
from porchlight.events.catalog import GeoPoint
from porchlight.intake.forms.checks import Errors, form_hash, problem
from porchlight.intake.meetings.access import Visibility
from porchlight.intake.meetings.models import Meeting
from porchlight.intake.meetings.repository import MeetingRepository
from porchlight.intake.meetings.schemas import (
    FormWarning,
    HostOut,
    MeetingContext,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    PlaceIn,
    PlaceOut,
)
from porchlight.intake.places.service import ResolvedPlace, resolve_place
from porchlight.intake.privacy import redact
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Conflict, Forbidden, NotFound, ValidationProblem

log = logging.getLogger(__name__)

#: Meetings are planned weeks ahead, not years.
MAX_SCHEDULE_AHEAD = timedelta(days=366)


def host_of(principal: Principal) -> tuple[str, str | None]:
    """The host's kind and organization: partners host as their organization."""
    if Role.partner in principal.roles:
        if not principal.department:
            raise Forbidden("a partner hosts as an organization: the token needs a department claim")
        return "partner", principal.department
    for role in (Role.liaison, Role.officer, Role.supervisor):
        if role in principal.roles:
            return role.value, None
    return "admin", None


async def resolve_where(session: AsyncSession, place: PlaceIn, field: str) -> tuple[ResolvedPlace | None, Errors]:
    """The place resolved, or the errors naming its bad parts (never raised: callers collect)."""
    try:
        resolved = await resolve_place(
            session,
            district=place.district,
            neighborhood=place.neighborhood,
            point=place.point,
            place_name=place.place_name,
            field=field,
        )
    except ValidationProblem as exc:
        return None, list(exc.errors or [{"field": field, "message": exc.detail}])
    return resolved, []


async def check_meeting(
    session: AsyncSession, settings: IntakeSettings, form: MeetingContext
) -> tuple[ResolvedPlace | None, Errors]:
    """Everything about a meeting that types alone cannot say, every error at once."""
    now = datetime.now(UTC)
    errors: Errors = []
    resolved = None
    if form.place is not None:
        resolved, errors = await resolve_where(session, form.place, "body.place")
    if form.starts_at is not None:
        if form.starts_at > now + MAX_SCHEDULE_AHEAD:
            errors.append(
                {"field": "body.starts_at", "code": "too_far_ahead", "message": "This is more than a year ahead."}
            )
        if form.actual_attendees is not None and form.starts_at > now:
            errors.append(
                {
                    "field": "body.actual_attendees",
                    "code": "meeting_not_started",
                    "message": "Record how many came once the meeting has started.",
                }
            )
    return resolved, errors


async def meeting_context_errors(session: AsyncSession, settings: IntakeSettings, form: MeetingContext) -> Errors:
    return (await check_meeting(session, settings, form))[1]


async def schedule_meeting(
    session: AsyncSession, outbox: Outbox, settings: IntakeSettings, form: MeetingIn, principal: Principal
) -> tuple[Meeting, bool]:
    """Store the meeting and queue ``meeting.scheduled``; returns it and whether it is new."""
    kind, org = host_of(principal)
    resolved, errors = await check_meeting(session, settings, form)
    if errors:
        raise problem(errors)
    assert resolved is not None
    digest = form_hash(form)
    repo = MeetingRepository(session)
    meeting = await repo.insert_new(
        {
            "id": form.id or uuid.uuid4(),
            "host_id": principal.subject,
            "host_kind": kind,
            "host_org": org,
            "co_hosts": form.co_hosts,
            "venue_type": form.venue_type,
            "district": resolved.district,
            "neighborhood": resolved.neighborhood,
            "lat": resolved.point.lat if resolved.point else None,
            "lon": resolved.point.lon if resolved.point else None,
            "place_name": resolved.place_name,
            "starts_at": form.starts_at,
            "duration_minutes": form.duration_minutes,
            "language": form.language,
            "expected_attendees": form.expected_attendees,
            "actual_attendees": form.actual_attendees,
            "content_hash": digest,
        }
    )
    if meeting is None:
        assert form.id is not None  # a server-chosen id cannot collide
        existing = await repo.get(form.id)
        if existing is not None and existing.host_id == principal.subject and existing.content_hash == digest:
            return existing, False
        raise Conflict(f"a different meeting with id {form.id} exists")
    await outbox.add(session, scheduled_event(meeting))
    log.info("meeting scheduled", extra={"meeting_id": str(meeting.id), "district": meeting.district})
    return meeting, True


def scheduled_event(meeting: Meeting) -> MeetingScheduled:
    """``meeting.scheduled`` as the meeting stands (no place name: it may be somebody's home)."""
    return MeetingScheduled(
        meeting_id=meeting.id,
        host_id=meeting.host_id,
        district=meeting.district,
        neighborhood=meeting.neighborhood,
        venue_type=meeting.venue_type,
        starts_at=meeting.starts_at,
        language=meeting.language,
        expected_attendees=meeting.expected_attendees,
        duration_minutes=meeting.duration_minutes,
    )


async def record_attendance(
    session: AsyncSession, outbox: Outbox, meeting_id: uuid.UUID, patch: MeetingPatch, principal: Principal
) -> Meeting:
    """After the meeting, its host (or a supervisor) records how many residents came, and maybe
    how long it ran: a new duration is sent again as ``meeting.scheduled`` (engagement hours)."""
    repo = MeetingRepository(session)
    meeting = await repo.get(meeting_id, for_update=True)
    if meeting is None or not can_see(principal, meeting):
        raise NotFound(f"no meeting {meeting_id}")
    if meeting.host_id != principal.subject and not principal.has(Role.supervisor):
        raise Forbidden("only the meeting's host or a supervisor records its attendance")
    if meeting.starts_at > datetime.now(UTC):
        raise Conflict("the meeting has not started yet: record its attendance afterwards")
    meeting.actual_attendees = patch.actual_attendees
    duration_changed = patch.duration_minutes is not None and patch.duration_minutes != meeting.duration_minutes
    if duration_changed:
        meeting.duration_minutes = patch.duration_minutes
    meeting.updated_at = datetime.now(UTC)
    await session.flush()
    if duration_changed:
        await outbox.add(session, scheduled_event(meeting))
    return meeting


def can_see(principal: Principal, meeting: Meeting) -> bool:
    return Visibility.of(principal).allows(host_id=meeting.host_id, district=meeting.district)


def kitchen_table_warnings(meeting: Meeting, settings: IntakeSettings) -> list[FormWarning]:
    limit = settings.kitchen_table_max
    return [
        FormWarning(
            field=name,
            message=f"{count} residents: micro-meetings are kitchen-table conversations of at most {limit}",
        )
        for name, count in (
            ("expected_attendees", meeting.expected_attendees),
            ("actual_attendees", meeting.actual_attendees),
        )
        if count is not None and count > limit
    ]


def meeting_out(meeting: Meeting, settings: IntakeSettings, viewer: Principal) -> MeetingOut:
    place_name, co_hosts = meeting.place_name, list(meeting.co_hosts)
    if meeting.host_id != viewer.subject and not viewer.has(Role.supervisor):
        # A living room is somebody's home, a co-host a person: others see them redacted.
        place_name = redact(place_name).text if place_name else place_name
        co_hosts = [redact(c).text for c in co_hosts]
    point = GeoPoint(lat=meeting.lat, lon=meeting.lon) if meeting.lat is not None and meeting.lon is not None else None
    return MeetingOut(
        id=meeting.id,
        host=HostOut(id=meeting.host_id, kind=meeting.host_kind, organization=meeting.host_org),
        co_hosts=co_hosts,
        venue_type=meeting.venue_type,
        place=PlaceOut(
            district=meeting.district, neighborhood=meeting.neighborhood, point=point, place_name=place_name
        ),
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        language=meeting.language,
        expected_attendees=meeting.expected_attendees,
        actual_attendees=meeting.actual_attendees,
        created_at=meeting.created_at,
        updated_at=meeting.updated_at,
        warnings=kitchen_table_warnings(meeting, settings),
    )
