"""HTTP routes of priorities."""

from __future__ import annotations

from fastapi import APIRouter

from porchlight.kit.app import Session
from porchlight.kit.auth import CurrentPrincipal
from porchlight.projects.priorities.repository import PriorityRepository
from porchlight.projects.priorities.schemas import PriorityOut

router = APIRouter(prefix="/v1/priorities", tags=["priorities"])


@router.get("", response_model=list[PriorityOut])
async def list_priorities(session: Session, _: CurrentPrincipal, district: str | None = None) -> list[PriorityOut]:
    return [PriorityOut.model_validate(p) for p in await PriorityRepository(session).list_for(district)]
