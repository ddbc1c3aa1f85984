"""HTTP routes of wins: drafts to review, edit, send back or approve (supervisors), wins sent back
to edit and send again (their authors), published ones to read."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from porchlight.kit.app import Session
from porchlight.kit.auth import CurrentPrincipal, Staff, Supervisor
from porchlight.kit.paging import MAX_LIMIT, Cursor, CursorParam, LimitParam, next_link
from porchlight.projects.db import outbox
from porchlight.projects.inputs.fields import QueryText
from porchlight.projects.inputs.paging import cursor_at_time
from porchlight.projects.wins import service
from porchlight.projects.wins.repository import WinRepository
from porchlight.projects.wins.schemas import WinApproval, WinOut, WinPatch, WinReturn, WinStatus

router = APIRouter(prefix="/v1/wins", tags=["wins"])

#: Supervisors edit, send back and approve wins — a district supervisor their district's only
#: (districts/scope.py); a win's author edits it and sends it again once it was sent back.


@router.get("", response_model=list[WinOut])
async def list_wins(
    session: Session,
    _: CurrentPrincipal,
    request: Request,
    response: Response,
    status: WinStatus | None = None,
    district: QueryText = None,
    priority: uuid.UUID | None = None,
    department: QueryText = None,
    cursor: CursorParam = None,
    limit: LimitParam = MAX_LIMIT,
) -> list[WinOut]:
    """Wins, newest draft first.

    Filtered by status (`draft` to review, `returned` to its author, `published`), district,
    priority and the department that did the work. The next page's URL comes in the `Link`
    header; the body stays a plain list.
    """
    rows = await WinRepository(session).page(status, district, priority, cursor_at_time(cursor), limit, department)
    more = len(rows) > limit
    rows = rows[:limit]
    next_link(request, response, Cursor(rows[-1].drafted_at, rows[-1].id) if more else None)
    return [WinOut.model_validate(w) for w in rows]


@router.get("/{win_id}", response_model=WinOut)
async def get_win(win_id: uuid.UUID, session: Session, _: CurrentPrincipal) -> WinOut:
    """One win.

    A draft (until a supervisor approves it) or a published win.
    """
    return WinOut.model_validate(await service.get_win(session, win_id))


@router.patch("/{win_id}", response_model=WinOut, responses={403: {}, 409: {}})
async def update_win(win_id: uuid.UUID, patch: WinPatch, session: Session, who: Staff) -> WinOut:
    """Edit a win before it is published.

    Its title and body: a supervisor edits a draft, its author (the project's owner or department)
    a win sent back; a published win is final (409).
    """
    return WinOut.model_validate(await service.edit_win(session, win_id, patch, who))


@router.post("/{win_id}/return", response_model=WinOut, responses={409: {}})
async def return_win(win_id: uuid.UUID, body: WinReturn, session: Session, who: Supervisor) -> WinOut:
    """Send a draft back to its author, saying what to change.

    The win becomes `returned` with the reason; its author edits it and sends it again
    (`POST /v1/wins/{id}/submission`). Only a draft is sent back (409 otherwise).
    """
    return WinOut.model_validate(await service.return_win(session, win_id, body, who))


@router.post("/{win_id}/submission", response_model=WinOut, responses={403: {}, 409: {}})
async def resubmit_win(win_id: uuid.UUID, session: Session, who: Staff) -> WinOut:
    """Send a win that was sent back for approval again.

    By its author (the project's owner or department) or a supervisor; it is a draft once more.
    """
    return WinOut.model_validate(await service.resubmit_win(session, win_id, who))


@router.post("/{win_id}/approval", response_model=WinOut, responses={409: {}})
async def approve_win(win_id: uuid.UUID, session: Session, who: Supervisor, body: WinApproval | None = None) -> WinOut:
    """Approve a win: it goes out as update.published to the neighborhood's channels.

    With its district, neighborhood, place, point, topics and Spanish version; approving twice,
    or a win sent back to its author, is a 409. A win whose English or Spanish reads above grade
    10 needs a `reason` (422 naming `body.reason` without one), kept with the update.
    """
    approval = body or WinApproval()
    return WinOut.model_validate(await service.approve_win(session, outbox, win_id, approval, who))
