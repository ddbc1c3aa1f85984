"""You said, we did: from any link of note -> concern -> priority -> micro-project -> task -> win,
the others.

- From a **note**: its concerns, the priorities whose picked concerns take it in (topic, place,
  heard on or after their ``heard_since``) or that quote it, their micro-projects and tasks, and
  the wins that answer it (picked the same way, published after the note was held).
- From a **priority**, a **micro-project** or a **win**: the notes its concerns pick (a win's up
  to its publication), counted and listed newest first, the words it quotes, the work and wins.

Nothing here is stored: the counts and words are read from the notes each time, so a note
revised, reanalysed or erased changes every chain it is in at once.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.chain import repository as repo
from porchlight.dashboard.chain.schemas import (
    Answered,
    Chain,
    ChainConcern,
    ChainNote,
    ChainPriority,
    ChainProject,
    ChainTask,
    ChainWin,
    ConcernCount,
    Quote,
)
from porchlight.dashboard.pages.access import check_district
from porchlight.kit.auth import Principal
from porchlight.kit.errors import NotFound

Start = Literal["note", "priority", "project", "update"]
#: Notes listed in a chain (the newest); ``notes_total`` counts them all.
NOTES_LISTED = 100
FOREVER = datetime.max.replace(tzinfo=UTC)
Words = Callable[[str | None], bool]


def since_of(heard_since: date | None) -> datetime:
    """The first moment counted: the start of ``heard_since`` (UTC), or the beginning."""
    return datetime.combine(heard_since, time.min, UTC) if heard_since else datetime.min.replace(tzinfo=UTC)


async def answered(
    session: AsyncSession,
    selection: Sequence[dict[str, Any]],
    heard_since: date | None,
    until: datetime | None,
    refs: Sequence[dict[str, Any]],
    words: Words,
) -> Answered:
    """The picked concerns counted from ``heard_since`` to ``until`` (now when None), and the words quoted."""
    since, end = since_of(heard_since), until or FOREVER
    rows = await repo.per_concern(session, selection, since, end)
    whole = await repo.total(session, selection, since, end)
    quoted = await repo.quotes(session, refs)
    return Answered(
        heard_since=heard_since,
        until=until,
        concerns=[
            ConcernCount(
                topic=r.topic,
                label=r.label,
                district=r.district,
                neighborhood=r.neighborhood,
                notes=r.notes,
                meetings=r.meetings,
                first_heard=r.first_at,
            )
            for r in rows
        ],
        notes=whole.notes,
        meetings=whole.meetings,
        quotes=[
            Quote(
                note_id=q.note_id,
                position=q.position,
                topic=q.topic,
                text=q.text if q.text and words(q.district) else None,
                district=q.district,
                neighborhood=q.neighborhood,
                held_at=q.held_at,
                available=bool(q.text),
            )
            for q in quoted
        ],
    )


async def _notes(session: AsyncSession, ids: Sequence[uuid.UUID], words: Words) -> list[ChainNote]:
    concerns: dict[Any, list[ChainConcern]] = defaultdict(list)
    notes = await repo.notes(session, ids)
    readable = {n.note_id for n in notes if words(n.district)}
    for c in await repo.concerns_of(session, ids):
        text = c.text if c.text and c.note_id in readable else None  # "": erased
        concerns[c.note_id].append(ChainConcern(position=c.position, topic=c.topic, label=c.label, text=text))
    return [
        ChainNote(
            note_id=n.note_id,
            district=n.district,
            neighborhood=n.neighborhood,
            held_at=n.held_at,
            meeting_id=n.meeting_id,
            concerns=concerns[n.note_id],
        )
        for n in notes
    ]


def _one(rows: Sequence[Any], what: str, ident: uuid.UUID) -> Any:
    if not rows:
        raise NotFound(f"no {what} {ident}")
    return rows[0]


async def chain_of(session: AsyncSession, start: Start, ident: uuid.UUID, who: Principal) -> Chain:
    """The chain through ``ident`` (a note, priority, micro-project or published update)."""
    words: Words = who.reads_words_of
    priority_ids: list[uuid.UUID] = []
    project_ids: list[uuid.UUID] = []
    win_ids: list[uuid.UUID] = []
    picks: tuple[Sequence[dict[str, Any]], date | None, datetime | None] | None = None
    note_ids: list[uuid.UUID] = []
    if start == "note":
        note = _one(await repo.notes(session, [ident]), "note", ident)
        district = note.district
        check_district(who, district)
        topics = [c.topic for c in await repo.concerns_of(session, [ident]) if c.topic]
        priority_ids, win_ids = await repo.answering_note(session, note, topics)
        note_ids = [ident]
    elif start == "priority":
        p = _one(await repo.priorities(session, [ident]), "priority", ident)
        district = p.district
        check_district(who, district)
        priority_ids, picks = [ident], (p.concerns, p.heard_since, None)
    elif start == "project":
        pr = _one(await repo.projects(session, [ident], []), "micro-project", ident)
        district = pr.district
        check_district(who, district)
        project_ids, priority_ids = [ident], [pr.priority_id] if pr.priority_id else []
        found = await repo.priorities(session, priority_ids)
        if found:
            picks = (found[0].concerns, found[0].heard_since, None)
    else:
        u = _one(await repo.updates(session, [ident]), "published update", ident)
        district = u.district
        check_district(who, district)
        win_ids = [ident]
        project_ids = [u.project_id] if u.project_id else []
        priority_ids = [u.priority_id] if u.priority_id else []
        picks = (u.concerns, u.heard_since, u.published_at)

    notes_total = len(note_ids)
    if picks is not None:
        selection, heard_since, until = picks
        since, end = since_of(heard_since), until or FOREVER
        note_ids = await repo.picked_note_ids(session, selection, since, end, NOTES_LISTED)
        notes_total = (await repo.total(session, selection, since, end)).notes

    priorities = [
        ChainPriority(
            priority_id=p.priority_id,
            title=p.title,
            district=p.district,
            neighborhood=p.neighborhood,
            quarter=p.quarter,
            answered=await answered(session, p.concerns, p.heard_since, None, p.quotes, words),
        )
        for p in await repo.priorities(session, priority_ids)
    ]
    # From a note or a priority, all the priorities' work; from a project or a win, its own.
    whole = start in ("note", "priority")
    project_rows = await repo.projects(session, project_ids, priority_ids if whole else [])
    tasks: dict[Any, list[ChainTask]] = defaultdict(list)
    for t in await repo.tasks(session, [p.project_id for p in project_rows]):
        tasks[t.project_id].append(ChainTask.model_validate(t._mapping))
    # The rows hold the models' fields (and a few more, left out).
    projects = [ChainProject.model_validate({**p._mapping, "tasks": tasks[p.project_id]}) for p in project_rows]
    if start == "priority":
        update_rows = await repo.updates(session, [], [p.project_id for p in project_rows], priority_ids)
    elif start == "project":
        update_rows = await repo.updates(session, [], project_ids)
    else:  # a note: the wins that answer it; a win: itself
        update_rows = await repo.updates(session, win_ids)
    wins = [
        ChainWin(
            update_id=u.update_id,
            kind=u.kind,
            title=u.title,
            published_at=u.published_at,
            project_id=u.project_id,
            priority_id=u.priority_id,
            answered=await answered(session, u.concerns, u.heard_since, u.published_at, u.quotes, words)
            if u.concerns
            else None,
        )
        for u in update_rows
    ]
    return Chain(
        start=start,
        id=ident,
        district=district,
        words_withheld=not words(district),
        notes_total=notes_total,
        notes=await _notes(session, note_ids, words),
        priorities=priorities,
        projects=projects,
        wins=wins,
    )
