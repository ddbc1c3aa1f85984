"""HTTP: "you said, we did" from either end — a note, a priority, a micro-project or a published win."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from porchlight.dashboard.chain.schemas import Chain
from porchlight.dashboard.chain.service import chain_of
from porchlight.dashboard.pages.access import PoliceStaff
from porchlight.kit.app import Session

router = APIRouter(prefix="/v1/chain", tags=["you said, we did"])
_ERRORS: dict[int | str, dict[str, str]] = {
    403: {"description": "Another district than the caller's"},
    404: {"description": "No such note, priority, micro-project or published update"},
}


@router.get("/notes/{note_id}", response_model=Chain, responses=_ERRORS)
async def chain_of_note(note_id: uuid.UUID, session: Session, who: PoliceStaff) -> Chain:
    """Where a note led: its concerns, the priorities that pick them, their micro-projects and
    tasks, and the wins published since that answer it."""
    return await chain_of(session, "note", note_id, who)


@router.get("/priorities/{priority_id}", response_model=Chain, responses=_ERRORS)
async def chain_of_priority(priority_id: uuid.UUID, session: Session, who: PoliceStaff) -> Chain:
    """A priority's concerns counted from the notes (to now), the notes themselves, its quoted
    words, its micro-projects and their tasks, and the wins published."""
    return await chain_of(session, "priority", priority_id, who)


@router.get("/projects/{project_id}", response_model=Chain, responses=_ERRORS)
async def chain_of_project(project_id: uuid.UUID, session: Session, who: PoliceStaff) -> Chain:
    """A micro-project's tasks and wins, its priority and the notes behind it."""
    return await chain_of(session, "project", project_id, who)


@router.get("/updates/{update_id}", response_model=Chain, responses=_ERRORS)
async def chain_of_update(update_id: uuid.UUID, session: Session, who: PoliceStaff) -> Chain:
    """What a published win answers: the notes its concerns pick up to its publication, counted
    and listed, the words it quotes, its micro-project and tasks, and its priority."""
    return await chain_of(session, "update", update_id, who)
