"""Events in: ``note.erased`` -> the note's words blanked here, and ``note.analysis-erased`` out.

note.erased comes after the note's note.submitted/revised on their partition, so the note is
stored; the analyzer may be storing its analysis right now: the note's row lock waits for it. An
analysis that comes later reads the blanked note. The note.analyzed events still in the outbox
leave blanked; note.analysis-erased, queued after them on the same key, tells the readers of the
analyses (dashboard, layers) to drop the words of those already published.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Envelope, EventRouter, NoteAnalyzed
from porchlight.events.catalog import NoteAnalysisErased, NoteErased
from porchlight.events.erasure import rewrite_pending
from porchlight.synthesis.db import outbox
from porchlight.synthesis.erasure import repository

router = EventRouter()


def _blank_analysis(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "concerns": [{**c, "text": ""} for c in data.get("concerns") or []]}


@router.subscriber
async def on_note_erased(session: AsyncSession, event: NoteErased, _: Envelope) -> None:
    district = await repository.lock_note(session, event.note_id)
    await repository.blank(session, event.note_id)
    await rewrite_pending(session, outbox, [NoteAnalyzed.TYPE], {"note_id": str(event.note_id)}, _blank_analysis)
    await outbox.add(
        session,
        NoteAnalysisErased(
            note_id=event.note_id, district=district or event.district, erased_at=event.erased_at, reason=event.reason
        ),
    )
