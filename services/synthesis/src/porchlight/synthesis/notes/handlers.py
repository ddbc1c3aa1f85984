"""Events in: ``note.submitted`` and ``note.revised`` -> the note stored, pending analysis.

Both are batch handlers that only store what the note says (no model: fast, never held up by a
model load); the analyzer (analysis/worker.py) picks pending notes up right after the commit. A
note is kept at its highest revision: a ``note.submitted`` that arrives after a ``note.revised``
of the same note (possible: a correction may move a note to another district, hence another
partition) is skipped, as is an older revision. A revision drops the note's previous concerns at
once, so no figure counts what the note no longer says.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Envelope, NoteSubmitted
from porchlight.events.catalog import NoteRevised
from porchlight.synthesis.analysis.analyze import compose_document
from porchlight.synthesis.analysis.live import latest_version, taxonomy_at, version_tag
from porchlight.synthesis.analysis.worker import ANALYZER
from porchlight.synthesis.insights.material import refresh_insights
from porchlight.synthesis.notes.models import AnalyzedConcern, ReceivedNote


def _row(event: NoteSubmitted | NoteRevised) -> dict[str, Any]:
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
    }


async def on_notes(session: AsyncSession, batch: list[tuple[Any, Envelope]]) -> None:
    latest: dict[uuid.UUID, NoteSubmitted | NoteRevised] = {}
    for event, _ in batch:
        seen = latest.get(event.note_id)
        if seen is None or event.revision > seen.revision:
            latest[event.note_id] = event
    stored = {
        note_id: (revision, district)
        for note_id, revision, district in (
            await session.execute(
                sa.select(ReceivedNote.note_id, ReceivedNote.revision, ReceivedNote.district).where(
                    ReceivedNote.note_id.in_(latest)
                )
            )
        ).all()
    }
    todo = [e for e in latest.values() if stored.get(e.note_id, (0, ""))[0] < e.revision]
    if not todo:
        return
    rows = [_row(e) for e in todo]
    stmt = insert(ReceivedNote).values(rows)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[ReceivedNote.note_id],
            set_={k: stmt.excluded[k] for k in rows[0] if k != "note_id"},
            where=ReceivedNote.revision < stmt.excluded.revision,
        )
    )
    revised = [e for e in todo if e.note_id in stored]
    if revised:
        await session.execute(
            sa.delete(AnalyzedConcern).where(AnalyzedConcern.note_id.in_([e.note_id for e in revised]))
        )
        # The districts the revised notes left (or stay in) lost figures until re-analysis.
        row = await latest_version(session)
        tag = version_tag(row.version, await taxonomy_at(session, row.taxonomy_version))
        await refresh_insights(session, {stored[e.note_id][1] for e in revised}, tag)
    ANALYZER.wake()
