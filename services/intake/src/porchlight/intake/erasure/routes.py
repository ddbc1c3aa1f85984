"""HTTP routes of erasure: a supervisor or admin erases one note's or one contact's words on request.

``POST .../erasure`` rather than ``DELETE``: the note or contact stays (it is still counted), only
its words go, and the request is an action with a record of its own. It answers 200 with the
erasure both the first time and after (``already_erased``): asking twice is harmless. A note or
contact of a district whose words the caller may not read is a 404, as for reading it.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from porchlight.intake.db import outbox
from porchlight.intake.erasure.models import Erasure
from porchlight.intake.erasure.schemas import ErasureOut
from porchlight.intake.erasure.service import erase_contact, erase_note
from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role

router = APIRouter(tags=["erasure"])

Eraser = Annotated[Principal, Depends(Allow(Role.supervisor, Role.admin))]


def _out(erasure: Erasure, new: bool) -> ErasureOut:
    return ErasureOut(
        kind=erasure.kind,
        id=erasure.entity_id,
        district=erasure.district,
        reason=erasure.reason,
        erased_by=erasure.erased_by,
        erased_at=erasure.erased_at,
        already_erased=not new,
    )


@router.post("/v1/notes/{note_id}/erasure", response_model=ErasureOut)
async def erase_note_words(note_id: uuid.UUID, session: Session, who: Eraser) -> ErasureOut:
    """Erase a note's words on request.

    Every text of the note goes — in every revision, raw and redacted, and in its events still
    waiting to be published — and `note.erased` tells every service to drop theirs. The note
    stays counted: district, dates, attendees, rating, number of concerns and their topic codes.
    """
    erasure, new = await erase_note(session, outbox, note_id, reason="request", by=who.subject, reader=who)
    return _out(erasure, new)


@router.post("/v1/contacts/{contact_id}/erasure", response_model=ErasureOut)
async def erase_contact_words(contact_id: uuid.UUID, session: Session, who: Eraser) -> ErasureOut:
    """Erase a contact's words on request.

    Its note, place name and exact point go; its type, minutes, residents reached, district and
    time stay counted. `contact.erased` announces it.
    """
    erasure, new = await erase_contact(session, outbox, contact_id, reason="request", by=who.subject, reader=who)
    return _out(erasure, new)
