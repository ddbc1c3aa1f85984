"""Events in -> read-model rows. Every handler runs inside the consumer's inbox transaction.

Handlers must give the same rows whatever the order between topics (a note.analyzed may come
before its note.submitted: they travel on different topics) and must be safe to run while a
``rebuild`` replays the same events (the shared inbox lets each event through once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.activity.handlers import on_notes_submitted as count_notes
from porchlight.dashboard.projections.models import (
    contact_stats,
    contact_totals,
    insights,
    meetings,
    note_analyses,
    note_concerns,
    notes,
    priorities,
    projects,
    updates,
)
from porchlight.events import (
    ContactLogged,
    Envelope,
    InsightUpdated,
    MeetingScheduled,
    NoteAnalyzed,
    NoteSubmitted,
    PriorityCreated,
    ProjectCompleted,
    ProjectCreated,
    TaskCompleted,
    UpdatePublished,
)
from porchlight.events.catalog import NoteRevised, ProjectMoved


def month_of(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC).date()
    return moment.replace(day=1)


# --- notes --------------------------------------------------------------------------------

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
_INSERT_HOST_CONCERNS = sa.text(
    f"INSERT INTO {note_concerns.fullname} "
    "(note_id, source, idx, topic, text, lat, lon, active, district, held_at) "
    "SELECT u.note_id, 'host', u.idx, u.topic, u.text, u.lat, u.lon, u.active, u.district, u.held_at "
    "FROM unnest(CAST(:note_id AS uuid[]), CAST(:idx AS smallint[]), CAST(:topic AS text[]), "
    "CAST(:text AS text[]), CAST(:lat AS float8[]), CAST(:lon AS float8[]), CAST(:active AS boolean[]), "
    "CAST(:district AS text[]), CAST(:held_at AS timestamptz[])) "
    "AS u(note_id, idx, topic, text, lat, lon, active, district, held_at)"
)


async def _apply_notes(session: AsyncSession, events: Sequence[NoteSubmitted | NoteRevised]) -> None:
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


async def on_notes_submitted(session: AsyncSession, batch: list[tuple[NoteSubmitted, Envelope]]) -> None:
    await _apply_notes(session, [event for event, _ in batch])
    # The district counters of GET /v1/activity last: every batch updates the same few rows, so
    # their locks are held only from here to the commit.
    await count_notes(session, batch)


async def on_note_revised(session: AsyncSession, event: NoteRevised, _: Envelope) -> None:
    await _apply_notes(session, [event])


async def on_note_analyzed(session: AsyncSession, event: NoteAnalyzed, _: Envelope) -> None:
    """The model's reading replaces the previous one (a re-analysis with a newer model)."""
    await _lock_note(session, event.note_id)
    values = {
        "note_id": event.note_id,
        "district": event.district,
        "model_version": event.model_version,
        "sentiment": event.sentiment,
        "sentiment_score": event.sentiment_score,
    }
    stmt = insert(note_analyses).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[note_analyses.c.note_id], set_={k: stmt.excluded[k] for k in values if k != "note_id"}
        )
    )
    nc = note_concerns.c
    await session.execute(sa.delete(note_concerns).where(nc.note_id == event.note_id, nc.source == "model"))
    # From now on the model's reading counts, not the host's.
    await session.execute(
        sa.update(note_concerns).where(nc.note_id == event.note_id, nc.source == "host").values(active=False)
    )
    note = (
        await session.execute(
            sa.update(notes)
            .where(notes.c.note_id == event.note_id)
            .values(model_sentiment=event.sentiment)
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
        }
        for i, c in enumerate(event.concerns)
    ]
    if rows:
        await session.execute(insert(note_concerns), rows)


# --- meetings and contacts ----------------------------------------------------------------


async def on_meeting_scheduled(session: AsyncSession, event: MeetingScheduled, _: Envelope) -> None:
    values = {
        "meeting_id": event.meeting_id,
        "district": event.district,
        "neighborhood": event.neighborhood,
        "host_id": event.host_id,
        "venue_type": event.venue_type,
        "starts_at": event.starts_at,
        "expected_attendees": event.expected_attendees,
        "duration_minutes": event.duration_minutes,
    }
    stmt = insert(meetings).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[meetings.c.meeting_id], set_={k: stmt.excluded[k] for k in values if k != "meeting_id"}
        )
    )


_CONTACT_KEY = ("district", "month", "unit", "officer_id", "contact_type")


async def on_contacts_logged(session: AsyncSession, batch: list[tuple[ContactLogged, Envelope]]) -> None:
    """Counters: one multi-row upsert for the whole batch (contacts are the big stream)."""
    sums: dict[tuple[str, date, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for event, _ in batch:
        s = sums[(event.district, month_of(event.occurred_at), event.unit or "", event.officer_id, event.contact_type)]
        s[0] += 1
        s[1] += event.minutes
        s[2] += event.residents_reached
    rows: list[dict[str, Any]] = [
        {**dict(zip(_CONTACT_KEY, key, strict=True)), "contacts": c, "minutes": m, "residents": r}
        for key, (c, m, r) in sorted(sums.items())  # a fixed order: concurrent batches never deadlock
    ]
    totals: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (district, month, *_), (c, m, r) in sums.items():
        t = totals[(district, month)]
        t[0] += c
        t[1] += m
        t[2] += r
    upsert_totals = insert(contact_totals).values(
        [
            {"district": d, "month": month, "contacts": c, "minutes": m, "residents": r}
            for (d, month), (c, m, r) in sorted(totals.items())
        ]
    )
    await session.execute(
        upsert_totals.on_conflict_do_update(
            index_elements=[contact_totals.c.district, contact_totals.c.month],
            set_={
                "contacts": contact_totals.c.contacts + upsert_totals.excluded.contacts,
                "minutes": contact_totals.c.minutes + upsert_totals.excluded.minutes,
                "residents": contact_totals.c.residents + upsert_totals.excluded.residents,
            },
        )
    )
    stmt = insert(contact_stats).values(rows)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[contact_stats.c[k] for k in _CONTACT_KEY],
            set_={
                "contacts": contact_stats.c.contacts + stmt.excluded.contacts,
                "minutes": contact_stats.c.minutes + stmt.excluded.minutes,
                "residents": contact_stats.c.residents + stmt.excluded.residents,
            },
        )
    )


# --- synthesis, projects, updates ---------------------------------------------------------


async def on_insight_updated(session: AsyncSession, event: InsightUpdated, env: Envelope) -> None:
    values = {
        "district": event.district,
        "period_start": event.period_start,
        "period_end": event.period_end,
        "top_topics": list(event.top_topics),
        "summary": event.summary,
        "model_version": event.model_version,
        "updated_at": env.time,
    }
    stmt = insert(insights).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[insights.c.district],
            set_={k: stmt.excluded[k] for k in values if k != "district"},
            where=insights.c.updated_at <= stmt.excluded.updated_at,  # the newest insight wins
        )
    )


async def on_priority_created(session: AsyncSession, event: PriorityCreated, _: Envelope) -> None:
    values = {
        "priority_id": event.priority_id,
        "title": event.title,
        "district": event.district,
        "quarter": event.quarter,
        "topics": list(event.topics),
    }
    stmt = insert(priorities).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[priorities.c.priority_id], set_={k: stmt.excluded[k] for k in values if k != "priority_id"}
        )
    )


async def on_project_created(session: AsyncSession, event: ProjectCreated, _: Envelope) -> None:
    values = {
        "project_id": event.project_id,
        "priority_id": event.priority_id,
        "title": event.title,
        "district": event.district,
        "department": event.department,
        "remedy_kind": event.remedy_kind,
        "starts_on": event.starts_on,
        "due_on": event.due_on,
    }
    stmt = insert(projects).values(**values)
    # completed_at and tasks_done are left alone: a completion may have been applied first.
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[projects.c.project_id], set_={k: stmt.excluded[k] for k in values if k != "project_id"}
        )
    )


async def on_task_completed(session: AsyncSession, event: TaskCompleted, _: Envelope) -> None:
    await session.execute(
        sa.update(projects)
        .where(projects.c.project_id == event.project_id)
        .values(tasks_done=projects.c.tasks_done + 1)
    )


async def on_project_completed(session: AsyncSession, event: ProjectCompleted, _: Envelope) -> None:
    stmt = insert(projects).values(
        project_id=event.project_id,
        priority_id=event.priority_id,
        district=event.district,
        department=event.department,
        completed_at=event.completed_at,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[projects.c.project_id], set_={"completed_at": stmt.excluded.completed_at}
        )
    )


async def on_project_moved(session: AsyncSession, event: ProjectMoved, _: Envelope) -> None:
    """The card's board column; a move older than the one applied (lower version) changes nothing."""
    stmt = insert(projects).values(
        project_id=event.project_id,
        priority_id=event.priority_id,
        district=event.district,
        department=event.department,
        status=event.to_status,
        version=event.version,
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[projects.c.project_id],
            set_={"status": stmt.excluded.status, "version": stmt.excluded.version},
            where=projects.c.version < stmt.excluded.version,
        )
    )


async def on_update_published(session: AsyncSession, event: UpdatePublished, _: Envelope) -> None:
    values = {
        "update_id": event.update_id,
        "district": event.district,
        "neighborhood": event.neighborhood,
        "kind": event.kind,
        "title": event.title,
        "body": event.body,
        "published_at": event.published_at,
        "project_id": event.project_id,
    }
    await session.execute(insert(updates).values(**values).on_conflict_do_nothing())


GROUP = "porchlight.dashboard"

HANDLERS: dict[type, Any] = {
    NoteRevised: on_note_revised,
    NoteAnalyzed: on_note_analyzed,
    MeetingScheduled: on_meeting_scheduled,
    InsightUpdated: on_insight_updated,
    PriorityCreated: on_priority_created,
    ProjectCreated: on_project_created,
    TaskCompleted: on_task_completed,
    ProjectCompleted: on_project_completed,
    ProjectMoved: on_project_moved,
    UpdatePublished: on_update_published,
}
BATCH_HANDLERS: dict[type, Any] = {NoteSubmitted: on_notes_submitted, ContactLogged: on_contacts_logged}
