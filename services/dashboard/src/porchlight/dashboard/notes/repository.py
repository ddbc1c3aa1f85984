"""All SQL of the notes read model: notes, their concerns (the host's and the model's), analyses and
sentiment scores.

Writes must give the same rows whatever the order between topics (a note.analyzed may come before
its note.submitted: they travel on different topics) and be safe while a ``rebuild`` replays the
same events (the shared inbox lets each event through once).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.projections.models import (
    note_analyses,
    note_concerns,
    note_sentiments,
    notes,
    topic_calibration,
    topic_labels,
)
from porchlight.events import NoteAnalyzed, NoteSubmitted, SentimentScored, TopicCalibrated
from porchlight.events.catalog import NoteRevised
from porchlight.kit.db import upsert

# A note and its analysis travel on different topics and may be applied at the same moment by
# two transactions, each writing rows the other reads (which concern rows count, the note's
# district). One lock per note, held to the end of the transaction, puts them in some order.
# (Two batches taking the same notes' locks in different orders can deadlock: PostgreSQL then
# aborts one, and the consumer retries its events one by one.)
_LOCK_NOTE = sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:id, 7))")
#: The same locks for a batch of notes, taken in the order of ``ids`` (the caller sorts them).
_LOCK_NOTES = sa.text(
    "SELECT pg_advisory_xact_lock(hashtextextended(id, 7)) "
    "FROM unnest(CAST(:ids AS text[])) WITH ORDINALITY AS t(id, n) ORDER BY n"
)


async def _lock_note(session: AsyncSession, note_id: object) -> None:
    await session.execute(_LOCK_NOTE, {"id": str(note_id)})


# The batch statements of ``_apply_notes``: fixed SQL over arrays (one parameter per column),
# so each is prepared once and reused whatever the batch size — building a multi-row VALUES
# statement per batch cost more CPU than the database spent on it.
_UPSERT_NOTES = sa.text(
    f"INSERT INTO {notes.fullname} AS n "
    "(note_id, revision, meeting_id, district, neighborhood, host_id, held_at, attendees, sentiment) "
    "SELECT * FROM unnest(CAST(:note_id AS uuid[]), CAST(:revision AS int[]), CAST(:meeting_id AS uuid[]), "
    "CAST(:district AS text[]), CAST(:neighborhood AS text[]), CAST(:host_id AS text[]), "
    "CAST(:held_at AS timestamptz[]), CAST(:attendees AS int[]), CAST(:sentiment AS smallint[])) "
    "ON CONFLICT (note_id) DO UPDATE SET revision = excluded.revision, meeting_id = excluded.meeting_id, "
    "district = excluded.district, neighborhood = excluded.neighborhood, host_id = excluded.host_id, "
    "held_at = excluded.held_at, attendees = excluded.attendees, sentiment = excluded.sentiment "
    "WHERE n.revision < excluded.revision "
    "RETURNING n.note_id"
)
_DROP_HOST_CONCERNS = sa.text(
    f"DELETE FROM {note_concerns.fullname} WHERE note_id = ANY(CAST(:ids AS uuid[])) AND source = 'host'"
)
# The model's rows (if the analysis came first) follow the note to its district and time.
_PLACE_CONCERNS = sa.text(
    f"UPDATE {note_concerns.fullname} AS c SET district = u.district, held_at = u.held_at "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:district AS text[]), CAST(:held_at AS timestamptz[])) "
    "AS u(note_id, district, held_at) WHERE c.note_id = u.note_id"
)
# ... and the model's sentiment is copied onto the note; returns the notes that have one.
_COPY_MODEL_SENTIMENT = sa.text(
    f"UPDATE {notes.fullname} AS n SET model_sentiment = a.sentiment FROM {note_analyses.fullname} AS a "
    "WHERE a.note_id = n.note_id AND n.note_id = ANY(CAST(:ids AS uuid[])) RETURNING n.note_id"
)
# ... where sentiment.scored gave one, its label wins over note.analyzed's (which only notes analysed
# before that event existed have alone).
_COPY_SCORED_SENTIMENT = sa.text(
    f"UPDATE {notes.fullname} AS n SET model_sentiment = s.sentiment FROM {note_sentiments.fullname} AS s "
    "WHERE s.note_id = n.note_id AND n.note_id = ANY(CAST(:ids AS uuid[]))"
)
_INSERT_HOST_CONCERNS = sa.text(
    f"INSERT INTO {note_concerns.fullname} "
    "(note_id, source, idx, topic, text, lat, lon, active, district, held_at) "
    "SELECT u.note_id, 'host', u.idx, u.topic, u.text, u.lat, u.lon, u.active, u.district, u.held_at "
    "FROM unnest(CAST(:note_id AS uuid[]), CAST(:idx AS smallint[]), CAST(:topic AS text[]), "
    "CAST(:text AS text[]), CAST(:lat AS float8[]), CAST(:lon AS float8[]), CAST(:active AS boolean[]), "
    "CAST(:district AS text[]), CAST(:held_at AS timestamptz[])) "
    "AS u(note_id, idx, topic, text, lat, lon, active, district, held_at)"
)


async def apply_notes(session: AsyncSession, events: Sequence[NoteSubmitted | NoteRevised]) -> None:
    """Keep the highest revision of each note (revisions may arrive out of order).

    Set-based: six statements per batch, not six per note, so the dashboard keeps up with what
    intake accepts (bench/pipeline.py, issue 2).
    """
    latest: dict[Any, NoteSubmitted | NoteRevised] = {}
    for event in events:  # one row per note per statement (ON CONFLICT may touch a row once)
        held = latest.get(event.note_id)
        if held is None or event.revision > held.revision:
            latest[event.note_id] = event
    ordered = sorted(latest.values(), key=lambda e: str(e.note_id))  # locks in a fixed order
    await session.execute(_LOCK_NOTES, {"ids": [str(e.note_id) for e in ordered]})
    kept = set(
        (
            await session.execute(
                _UPSERT_NOTES,
                {
                    "note_id": [e.note_id for e in ordered],
                    "revision": [e.revision for e in ordered],
                    "meeting_id": [e.meeting_id for e in ordered],
                    "district": [e.district for e in ordered],
                    "neighborhood": [e.neighborhood for e in ordered],
                    "host_id": [e.host_id for e in ordered],
                    "held_at": [e.held_at or e.submitted_at for e in ordered],
                    "attendees": [e.attendees for e in ordered],
                    "sentiment": [e.sentiment for e in ordered],
                },
            )
        ).scalars()
    )
    fresh = [e for e in ordered if e.note_id in kept]  # not older revisions than the one held
    if not fresh:
        return
    ids = [e.note_id for e in fresh]
    held_at = [e.held_at or e.submitted_at for e in fresh]
    await session.execute(_DROP_HOST_CONCERNS, {"ids": ids})
    await session.execute(_PLACE_CONCERNS, {"ids": ids, "district": [e.district for e in fresh], "held_at": held_at})
    analysed = set((await session.execute(_COPY_MODEL_SENTIMENT, {"ids": ids})).scalars())
    await session.execute(_COPY_SCORED_SENTIMENT, {"ids": ids})
    rows = [
        (e.note_id, i, c.topic, c.text, c.point, e.note_id not in analysed, e.district, at)
        for e, at in zip(fresh, held_at, strict=True)
        for i, c in enumerate(e.concerns)
    ]
    if rows:
        await session.execute(
            _INSERT_HOST_CONCERNS,
            {
                "note_id": [r[0] for r in rows],
                "idx": [r[1] for r in rows],
                "topic": [r[2] for r in rows],
                "text": [r[3] for r in rows],
                "lat": [r[4].lat if r[4] else None for r in rows],
                "lon": [r[4].lon if r[4] else None for r in rows],
                "active": [r[5] for r in rows],  # the model's reading counts once there is one
                "district": [r[6] for r in rows],
                "held_at": [r[7] for r in rows],
            },
        )


async def apply_analysis(session: AsyncSession, event: NoteAnalyzed, at: datetime) -> None:
    """The model's reading replaces the previous one (a re-analysis with a newer model); the
    topics' names (synthesis' taxonomy, as of the event's time ``at``) are kept once per topic."""
    await _lock_note(session, event.note_id)
    labels = {c.topic: c.topic_label for c in event.concerns if c.topic and c.topic_label}
    if labels:
        # Written only when a name differs: every analysis names the same few topics, and an upsert
        # of an unchanged row would still lock it, queueing each analysis behind the others.
        tl = topic_labels.c
        found = await session.execute(sa.select(tl.topic, tl.label).where(tl.topic.in_(list(labels))))
        stored: dict[str, str] = {t: name for t, name in found.all()}
        changed = [
            {"topic": t, "label": name, "labelled_at": at}
            for t, name in sorted(labels.items())
            if stored.get(t) != name
        ]
        if changed:
            newer = lambda t, excluded: t.c.labelled_at <= excluded.labelled_at  # noqa: E731  (the newest name wins)
            await session.execute(upsert(topic_labels, changed, key=["topic"], where=newer))
    values = {
        "note_id": event.note_id,
        "district": event.district,
        "model_version": event.model_version,
        "sentiment": event.sentiment,
        "sentiment_score": event.sentiment_score,
    }
    await session.execute(upsert(note_analyses, values, key=["note_id"]))
    nc = note_concerns.c
    await session.execute(sa.delete(note_concerns).where(nc.note_id == event.note_id, nc.source == "model"))
    # From now on the model's reading counts, not the host's.
    await session.execute(
        sa.update(note_concerns).where(nc.note_id == event.note_id, nc.source == "host").values(active=False)
    )
    # The note's model sentiment comes from sentiment.scored; note.analyzed's (deprecated) label
    # stands only for a note that has none: one analysed before that event existed.
    scored = sa.select(note_sentiments.c.sentiment).where(note_sentiments.c.note_id == event.note_id)
    note = (
        await session.execute(
            sa.update(notes)
            .where(notes.c.note_id == event.note_id)
            .values(model_sentiment=sa.func.coalesce(scored.scalar_subquery(), event.sentiment))
            .returning(notes.c.district, notes.c.held_at)
        )
    ).first()
    rows = [
        {
            "note_id": event.note_id,
            "source": "model",
            "idx": i,
            "topic": c.topic,
            "text": c.text,
            "topic_score": c.topic_score,
            "sentiment": c.sentiment,
            "lat": None,
            "lon": None,
            "active": True,
            "district": note.district if note else None,
            "held_at": note.held_at if note else None,
            "topic_probs": c.topic_probs,
            "topic_source": c.topic_source,
        }
        for i, c in enumerate(event.concerns)
    ]
    if rows:
        await session.execute(sa.insert(note_concerns), rows)


async def apply_calibration(session: AsyncSession, event: TopicCalibrated) -> None:
    """Keep synthesis' newest calibration (one published earlier, arriving late, changes nothing)."""
    values = {"scope": event.scope, "published_at": event.published_at, "body": event.model_dump(mode="json")}
    newer = lambda t, excluded: t.c.published_at < excluded.published_at  # noqa: E731
    await session.execute(upsert(topic_calibration, values, key=["scope"], where=newer))


def _later(held: sa.Table, excluded: Any) -> sa.ColumnElement[bool]:
    """The arriving reading is of a later analysis than the one held: a higher revision, or the
    same revision analysed later (a re-analysis with a newer model)."""
    return sa.tuple_(held.c.revision, held.c.analyzed_at) < sa.tuple_(excluded.revision, excluded.analyzed_at)


async def apply_sentiment(session: AsyncSession, event: SentimentScored) -> bool:
    """Keep the note's latest sentiment reading and copy its label onto the note; False when a later
    analysis is held already (events of one note may come out of order: a revision can move it to
    another district, hence another partition)."""
    await _lock_note(session, event.note_id)
    ns = note_sentiments.c
    values = {
        "note_id": event.note_id,
        "district": event.district,
        "revision": event.revision,
        "analyzed_at": event.analyzed_at,
        "model_version": event.model_version,
        "sentiment": event.sentiment,
        "sentiment_score": event.sentiment_score,
        "concerns": [c.model_dump(mode="json", exclude_none=True) for c in event.concerns],
        "host_rating": event.host_rating,
    }
    stmt = upsert(note_sentiments, values, key=["note_id"], where=_later).returning(ns.note_id)
    if (await session.execute(stmt)).first() is None:
        return False
    await session.execute(
        sa.update(notes).where(notes.c.note_id == event.note_id).values(model_sentiment=event.sentiment)
    )
    return True
