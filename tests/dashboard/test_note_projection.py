"""The dashboard's note projection applied a batch at a time, on the real database.

A batch mixes new notes, a revision older than the one held, two revisions of one note, and a
note whose analysis arrived first (note.analyzed travels on another topic): the rows must be
what applying the events one at a time, in any order, would give.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from porchlight.dashboard.notes.handlers import on_note_analyzed, on_note_revised, on_notes_submitted
from porchlight.events import NoteAnalyzed, NoteSubmitted
from porchlight.events.catalog import Concern, ConcernAnalysis, NoteRevised
from porchlight.events.envelope import new_envelope
from porchlight.kit.db import create_engine, session_factory

pytestmark = pytest.mark.integration

AT = datetime(2026, 3, 4, 18, tzinfo=UTC)


def note(note_id: uuid.UUID, district: str, *texts: str, revision: int = 1) -> NoteSubmitted:
    return NoteSubmitted(
        note_id=note_id,
        revision=revision,
        host_id="host-np",
        district=district,
        submitted_at=AT,
        attendees=revision + 2,
        sentiment=3,
        concerns=[Concern(text=t) for t in texts],
    )


def revised(note_id: uuid.UUID, district: str, text: str, revision: int) -> NoteRevised:
    return NoteRevised(
        note_id=note_id,
        revision=revision,
        host_id="host-np",
        district=district,
        submitted_at=AT,
        revised_at=AT,
        attendees=revision + 2,
        sentiment=3,
        concerns=[Concern(text=text)],
    )


async def test_a_batch_of_notes_gives_the_rows_one_at_a_time_would(settings):
    district = f"NP-{uuid.uuid4().hex[:6]}"
    plain, analysed_first, revised_later, stale = (uuid.uuid4() for _ in range(4))
    engine = create_engine(settings.require_database_url(), pool_size=2)
    sessions = session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            # Before the batch: an analysis of a note not seen yet, and revision 3 of another.
            analysis = NoteAnalyzed(
                note_id=analysed_first,
                district=district,
                model_version="t1",
                sentiment="negative",
                sentiment_score=-0.5,
                concerns=[
                    ConcernAnalysis(
                        text="dark alley",
                        topic="street_lighting",
                        topic_score=0.9,
                        sentiment="negative",
                        sentiment_score=-0.5,
                    )
                ],
            )
            await on_note_analyzed(session, analysis, new_envelope(analysis, source="/tests"))
            await on_note_revised(session, revised(stale, district, "held text", 3), None)  # type: ignore[arg-type]
        batch = [
            note(plain, district, "speeding", "trash"),
            note(analysed_first, district, "the alley is dark"),
            note(stale, district, "older text"),  # revision 1 < 3 held: ignored
            note(revised_later, district, "first words"),
        ]
        async with sessions() as session, session.begin():
            await on_notes_submitted(session, [(e, new_envelope(e, source="/tests")) for e in batch])
            await on_note_revised(session, revised(revised_later, district, "second words", 2), None)  # type: ignore[arg-type]
        async with engine.connect() as conn:
            notes = {
                r.note_id: r
                for r in await conn.execute(
                    sa.text(
                        "SELECT note_id, revision, attendees, model_sentiment FROM dashboard.notes WHERE district = :d"
                    ),
                    {"d": district},
                )
            }
            concerns = sorted(
                (r.note_id, r.source, r.idx, r.text, r.active, r.district)
                for r in await conn.execute(
                    sa.text(
                        "SELECT note_id, source, idx, text, active, district FROM dashboard.note_concerns "
                        "WHERE note_id = ANY(:ids)"
                    ),
                    {"ids": [plain, analysed_first, revised_later, stale]},
                )
            )
            notes_counted = (
                await conn.execute(
                    sa.text("SELECT notes FROM dashboard.district_activity WHERE district = :d"), {"d": district}
                )
            ).scalar_one()
    finally:
        await engine.dispose()

    assert {k: (v.revision, v.attendees, v.model_sentiment) for k, v in notes.items()} == {
        plain: (1, 3, None),
        analysed_first: (1, 3, "negative"),  # the analysis that came first is copied onto it
        stale: (3, 5, None),  # the older revision changed nothing
        revised_later: (2, 4, None),
    }
    assert concerns == sorted(
        [
            (plain, "host", 0, "speeding", True, district),
            (plain, "host", 1, "trash", True, district),
            # The model's reading counts; the host's is kept, inactive; both now carry the district.
            (analysed_first, "host", 0, "the alley is dark", False, district),
            (analysed_first, "model", 0, "dark alley", True, district),
            (stale, "host", 0, "held text", True, district),
            (revised_later, "host", 0, "second words", True, district),
        ]
    )
    assert notes_counted == 4  # note.submitted events counted, whatever their revision
