"""HTTP routes of priorities."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, CurrentPrincipal, Principal, Role
from porchlight.projects.inputs import QueryText
from porchlight.projects.priorities.evaluation import evaluate
from porchlight.projects.priorities.repository import PriorityRepository
from porchlight.projects.priorities.schemas import Evaluation, PriorityIn, PriorityOut, PriorityPatch
from porchlight.projects.priorities.service import create_priority, get_priority, patch_priority

router = APIRouter(prefix="/v1/priorities", tags=["priorities"])

#: Priorities are set by supervisors (district commanders) — admins always may; a supervisor whose
#: token names a district sets and changes that district's only (districts.py).
Supervisor = Annotated[Principal, Depends(Allow(Role.supervisor))]


@router.get("", response_model=list[PriorityOut])
async def list_priorities(
    session: Session, _: CurrentPrincipal, district: QueryText = None, quarter: QueryText = None
) -> list[PriorityOut]:
    rows = await PriorityRepository(session).list_for(district, quarter)
    return [PriorityOut.model_validate(p) for p in rows]


@router.post("", response_model=PriorityOut, status_code=201, summary="Set a quarterly priority for a place")
async def post_priority(body: PriorityIn, session: Session, who: Supervisor, request: Request) -> PriorityOut:
    priority = await create_priority(session, request.app.state.spec.outbox, body, who)
    return PriorityOut.model_validate(priority)


@router.get("/{priority_id}", response_model=PriorityOut)
async def get_one(priority_id: uuid.UUID, session: Session, _: CurrentPrincipal) -> PriorityOut:
    return PriorityOut.model_validate(await get_priority(session, priority_id))


@router.patch("/{priority_id}", response_model=PriorityOut, summary="Outcome measure, before/after, justification")
async def patch_one(priority_id: uuid.UUID, patch: PriorityPatch, session: Session, who: Supervisor) -> PriorityOut:
    return PriorityOut.model_validate(await patch_priority(session, priority_id, patch, who))


@router.get("/{priority_id}/evaluation", response_model=Evaluation)
async def get_evaluation(priority_id: uuid.UUID, session: Session, _: CurrentPrincipal) -> Evaluation:
    return await evaluate(session, await get_priority(session, priority_id))
