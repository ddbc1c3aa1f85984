"""HTTP route of a priority's evaluation (DICE step 5)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from porchlight.kit.app import Session
from porchlight.kit.auth import CurrentPrincipal
from porchlight.projects.evaluation.schemas import Evaluation
from porchlight.projects.evaluation.service import evaluate
from porchlight.projects.priorities.service import get_priority

router = APIRouter(prefix="/v1/priorities", tags=["priorities"])


@router.get("/{priority_id}/evaluation", response_model=Evaluation)
async def evaluate_priority(priority_id: uuid.UUID, session: Session, _: CurrentPrincipal) -> Evaluation:
    """How a priority is doing.

    Its projects by status; done, in progress, blocked and overdue; the on-time share; days to
    complete (median, mean); the remedy mix; wins published; the outcome before, after and change.
    """
    return await evaluate(session, await get_priority(session, priority_id))
