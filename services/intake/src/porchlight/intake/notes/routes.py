"""HTTP routes of notes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from porchlight.intake.notes.repository import NoteRepository
from porchlight.intake.notes.schemas import NoteIn, NoteOut
from porchlight.intake.notes.service import submit_note
from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import NotFound

router = APIRouter(prefix="/v1/notes", tags=["notes"])

Host = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor))]
Reader = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]


@router.post("", status_code=201, response_model=NoteOut)
async def post_note(form: NoteIn, session: Session, host: Host, request: Request) -> NoteOut:
    note = await submit_note(session, request.app.state.spec.outbox, form, host)
    return NoteOut.model_validate(note)


@router.get("/{note_id}", response_model=NoteOut)
async def get_note(note_id: uuid.UUID, session: Session, _: Reader) -> NoteOut:
    note = await NoteRepository(session).get(note_id)
    if note is None:
        raise NotFound(f"no note {note_id}")
    return NoteOut.model_validate(note)
