"""HTTP routes of wins: drafts to review, edit and approve (supervisors), published ones to read."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, CurrentPrincipal, Principal, Role
from porchlight.projects.inputs import QueryText
from porchlight.projects.wins.schemas import WinOut, WinPatch
from porchlight.projects.wins.service import approve_win, edit_win, get_win, list_wins

router = APIRouter(prefix="/v1/wins", tags=["wins"])

#: Supervisors edit and approve wins — a district supervisor their district's only (districts.py).
Supervisor = Annotated[Principal, Depends(Allow(Role.supervisor))]


@router.get("", response_model=list[WinOut])
async def get_wins(
    session: Session,
    _: CurrentPrincipal,
    status: Literal["draft", "published"] | None = None,
    district: QueryText = None,
    priority: uuid.UUID | None = None,
) -> list[WinOut]:
    return [WinOut.model_validate(w) for w in await list_wins(session, status, district, priority)]


@router.get("/{win_id}", response_model=WinOut)
async def get_one(win_id: uuid.UUID, session: Session, _: CurrentPrincipal) -> WinOut:
    return WinOut.model_validate(await get_win(session, win_id))


@router.patch("/{win_id}", response_model=WinOut, responses={409: {}}, summary="Edit a draft before approving it")
async def patch_win(win_id: uuid.UUID, patch: WinPatch, session: Session, who: Supervisor) -> WinOut:
    return WinOut.model_validate(await edit_win(session, win_id, patch, who))


@router.post(
    "/{win_id}/approval",
    response_model=WinOut,
    responses={409: {}},
    summary="Approve a win: it goes out as update.published to the neighborhood's channels",
)
async def approve(win_id: uuid.UUID, session: Session, who: Supervisor, request: Request) -> WinOut:
    return WinOut.model_validate(await approve_win(session, request.app.state.spec.outbox, win_id, who))
