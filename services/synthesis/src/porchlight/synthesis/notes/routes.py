"""HTTP routes of received notes."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Role
from porchlight.synthesis.notes.repository import ReceivedNoteRepository
from porchlight.synthesis.notes.schemas import NoteStats

router = APIRouter(prefix="/v1/notes", tags=["notes"])


@router.get("/stats", response_model=NoteStats, dependencies=[Depends(Allow(Role.supervisor, Role.analyst))])
async def get_note_stats(session: Session) -> NoteStats:
    """How many notes synthesis received, in all and per district.

    Counts every stored note, analyzed or still waiting for the model."""
    by_district = await ReceivedNoteRepository(session).count_by_district()
    return NoteStats(total=sum(by_district.values()), by_district=by_district)
