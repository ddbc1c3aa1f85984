"""Events in: ``note.submitted`` and ``note.revised`` -> the note stored, pending analysis.

Both are one batch handler that only stores what the note says (no model: fast, never held up by
a model load); the analyzer (worker.py) picks pending notes up right after the commit. A note is
kept at its highest revision: a ``note.submitted`` that arrives after a ``note.revised`` of the
same note (possible: a correction may move a note to another district, hence another partition)
is skipped, as is an older revision. A revision drops the note's previous concerns at once, so no
figure counts what the note no longer says.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Envelope, EventRouter, NoteRevised, NoteRevisedV2, NoteSubmitted, NoteSubmittedV2
from porchlight.events.tracing import EXTENSIONS as TRACE_EXTENSIONS
from porchlight.synthesis.analysis.worker import Analyzer
from porchlight.synthesis.insights.service import refresh_insights
from porchlight.synthesis.learning.service import current_taxonomy
from porchlight.synthesis.model.analyze import compose_document
from porchlight.synthesis.model.live import version_tag
from porchlight.synthesis.notes.repository import ReceivedNoteRepository

router = EventRouter()


def _row(event: NoteSubmitted | NoteRevised, env: Envelope) -> dict[str, Any]:
    fields = [c.text for c in event.concerns]
    return {
        "note_id": event.note_id,
        "revision": event.revision,
        "district": event.district,
        "neighborhood": event.neighborhood,
        "concerns": fields,
        "text": event.text,
        "document": compose_document(fields, event.text),
        "submitted_at": event.submitted_at,
        "occurred_at": event.held_at or event.submitted_at,
        "host_rating": event.sentiment,
        "sentiment": None,
        "sentiment_score": None,
        "model_version": None,
        "analyzed_at": None,
        # The analyzer continues the trace the note came in (it analyzes it later, in a batch).
        "trace_context": {k: env.extensions[k] for k in TRACE_EXTENSIONS if k in env.extensions} or None,
    }


@router.batch_subscriber
async def on_notes(
    session: AsyncSession,
    batch: list[tuple[NoteSubmitted | NoteSubmittedV2 | NoteRevised | NoteRevisedV2, Envelope]],
    analyzer: Analyzer,
) -> None:
    latest: dict[uuid.UUID, NoteSubmitted | NoteRevised] = {}
    envelopes: dict[uuid.UUID, Envelope] = {}
    for event, env in batch:
        seen = latest.get(event.note_id)
        if seen is None or event.revision > seen.revision:
            latest[event.note_id], envelopes[event.note_id] = event, env
    repo = ReceivedNoteRepository(session)
    stored = await repo.revisions_of(latest)
    todo = [e for e in latest.values() if stored.get(e.note_id, (0, ""))[0] < e.revision]
    if not todo:
        return
    await repo.upsert_newer([_row(e, envelopes[e.note_id]) for e in todo])
    revised = [e for e in todo if e.note_id in stored]
    if revised:
        await repo.drop_concerns([e.note_id for e in revised])
        # The districts the revised notes left (or stay in) lost figures until re-analysis.
        row, taxonomy = await current_taxonomy(session)
        await refresh_insights(session, {stored[e.note_id][1] for e in revised}, version_tag(row.version, taxonomy))
    analyzer.wake()
