"""HTTP routes of priorities."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from porchlight.kit.app import Session
from porchlight.kit.auth import CurrentPrincipal, Supervisor
from porchlight.kit.paging import MAX_LIMIT, Cursor, CursorParam, LimitParam, cursor_of, next_link
from porchlight.projects.db import outbox
from porchlight.projects.inputs.fields import QueryText
from porchlight.projects.priorities import service
from porchlight.projects.priorities.repository import PriorityRepository
from porchlight.projects.priorities.schemas import PriorityIn, PriorityOut, PriorityPatch

router = APIRouter(prefix="/v1/priorities", tags=["priorities"])

#: Priorities are set by supervisors (district commanders) — admins always may; a supervisor whose
#: token names a district sets and changes that district's only (districts/scope.py).


@router.get("", response_model=list[PriorityOut])
async def list_priorities(
    session: Session,
    _: CurrentPrincipal,
    request: Request,
    response: Response,
    district: QueryText = None,
    quarter: QueryText = None,
    cursor: CursorParam = None,
    limit: LimitParam = MAX_LIMIT,
) -> list[PriorityOut]:
    """Priorities, newest first.

    Filtered by district and quarter. The next page's URL comes in the `Link` header (none on the
    last page); the body stays a plain list.
    """
    rows = await PriorityRepository(session).page(district, quarter, cursor_of(cursor), limit)
    more = len(rows) > limit
    rows = rows[:limit]
    next_link(request, response, Cursor(rows[-1].created_at, rows[-1].id) if more else None)
    return [PriorityOut.model_validate(p) for p in rows]


@router.post("", response_model=PriorityOut, status_code=201)
async def create_priority(body: PriorityIn, session: Session, who: Supervisor) -> PriorityOut:
    """Set a quarterly priority for a place.

    A concern without a place takes the priority's; its topic joins the priority's topics.
    Sends `priority.created`.
    """
    return PriorityOut.model_validate(await service.create_priority(session, outbox, body, who))


@router.get("/{priority_id}", response_model=PriorityOut)
async def get_priority(priority_id: uuid.UUID, session: Session, _: CurrentPrincipal) -> PriorityOut:
    """One priority.

    Its place, topics, linked concerns and outcome measure.
    """
    return PriorityOut.model_validate(await service.get_priority(session, priority_id))


@router.patch("/{priority_id}", response_model=PriorityOut)
async def update_priority(
    priority_id: uuid.UUID, patch: PriorityPatch, session: Session, who: Supervisor
) -> PriorityOut:
    """Outcome measure, before/after, justification.

    Changes the fields sent; a district's supervisor changes their district's priorities only.
    """
    return PriorityOut.model_validate(await service.patch_priority(session, priority_id, patch, who))
