"""The SQL of "you said, we did": the notes a priority's or a win's concerns pick, their counts and
quoted words, and the way from a note to the priorities, projects, tasks and wins that answer it.

A selection is a JSON array of ``{topic, district, neighborhood}`` (priority.created and
update.published carry it). A note counts for it when the model's reading of one of its concerns
(``note_concerns``, active, source 'model': what every page counts) has the topic, the note is of
the district (and of the neighborhood, when one is named) and it was held in ``[since, until)``.
Meetings are counted as the public pages count them: distinct meetings the notes were filed at.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

_IDS = sa.bindparam("ids", type_=ARRAY(sa.Uuid))

_PICKED_FROM = """
FROM dashboard.note_concerns c
JOIN dashboard.notes n ON n.note_id = c.note_id
JOIN jsonb_to_recordset(CAST(:sel AS jsonb)) AS s(topic text, district text, neighborhood text)
  ON c.topic = s.topic AND n.district = s.district AND (s.neighborhood IS NULL OR n.neighborhood = s.neighborhood)
"""
_PICKED_WHERE = "WHERE c.active AND c.source = 'model' AND c.held_at >= :since AND c.held_at < :until"
_MATCHED = _PICKED_FROM + _PICKED_WHERE

#: Every picked concern in order, with its counts (zero when no note picks it).
_PER_CONCERN = sa.text(f"""
SELECT s.topic, s.district, s.neighborhood, coalesce(l.label, s.topic) AS label,
       count(DISTINCT m.note_id) AS notes, count(DISTINCT m.meeting_id) AS meetings, min(m.held_at) AS first_at
FROM ROWS FROM (jsonb_to_recordset(CAST(:sel AS jsonb)) AS (topic text, district text, neighborhood text))
     WITH ORDINALITY AS s(topic, district, neighborhood, ord)
LEFT JOIN dashboard.topic_labels l ON l.topic = s.topic
LEFT JOIN LATERAL (
  SELECT c.note_id, n.meeting_id, c.held_at
  FROM dashboard.note_concerns c JOIN dashboard.notes n ON n.note_id = c.note_id
  {_PICKED_WHERE} AND c.topic = s.topic AND n.district = s.district
    AND (s.neighborhood IS NULL OR n.neighborhood = s.neighborhood)
) m ON true
GROUP BY s.ord, s.topic, s.district, s.neighborhood, l.label
ORDER BY s.ord
""")

_TOTAL = sa.text(f"""
SELECT count(DISTINCT c.note_id) AS notes, count(DISTINCT n.meeting_id) AS meetings, min(c.held_at) AS first_at
{_MATCHED}
""")

_NOTES = sa.text(f"""
SELECT DISTINCT n.note_id, n.held_at
{_MATCHED}
ORDER BY n.held_at DESC, n.note_id
LIMIT :limit
""")

_NOTE_ROWS = sa.text("""
SELECT n.note_id, n.district, n.neighborhood, n.held_at, n.meeting_id
FROM dashboard.notes n WHERE n.note_id = ANY(:ids)
ORDER BY n.held_at DESC, n.note_id
""").bindparams(_IDS)

_CONCERNS_OF = sa.text("""
SELECT c.note_id, c.idx AS position, c.topic, coalesce(l.label, c.topic) AS label, c.text
FROM dashboard.note_concerns c LEFT JOIN dashboard.topic_labels l ON l.topic = c.topic
WHERE c.note_id = ANY(:ids) AND c.active
ORDER BY c.note_id, c.idx
""").bindparams(_IDS)

_QUOTES = sa.text("""
SELECT r.note_id, r.position, c.topic, c.text, n.district, n.neighborhood, n.held_at
FROM ROWS FROM (jsonb_to_recordset(CAST(:refs AS jsonb)) AS (note_id uuid, position int))
     WITH ORDINALITY AS r(note_id, position, ord)
LEFT JOIN dashboard.note_concerns c
  ON c.note_id = r.note_id AND c.idx = r.position AND c.source = 'model' AND c.active
LEFT JOIN dashboard.notes n ON n.note_id = c.note_id
ORDER BY r.ord
""")

#: What answers a note: priorities and wins whose selection picks it (topic, place, heard from
#: ``heard_since`` on; a win only when published after the note was held), or that quote it.
_PICKS_NOTE = """
SELECT DISTINCT x.{key}
FROM dashboard.{table} x
LEFT JOIN LATERAL jsonb_to_recordset(x.concerns) AS s(topic text, district text, neighborhood text) ON true
WHERE ((s.topic = ANY(:topics) AND s.district = :district
        AND (s.neighborhood IS NULL OR s.neighborhood IS NOT DISTINCT FROM :neighborhood)
        AND (x.heard_since IS NULL OR x.heard_since <= CAST(:held_at AS date)) {also})
       OR x.quotes @> CAST(:ref AS jsonb))
"""
_PRIORITIES_OF_NOTE = sa.text(_PICKS_NOTE.format(key="priority_id", table="priorities", also="")).bindparams(
    sa.bindparam("topics", type_=ARRAY(sa.Text))
)
_WINS_OF_NOTE = sa.text(
    _PICKS_NOTE.format(key="update_id", table="updates", also="AND x.published_at > :held_at")
).bindparams(sa.bindparam("topics", type_=ARRAY(sa.Text)))

_PRIORITIES = sa.text("""
SELECT priority_id, title, district, neighborhood, quarter, topics, concerns, heard_since, quotes
FROM dashboard.priorities WHERE priority_id = ANY(:ids) ORDER BY quarter DESC, title
""").bindparams(_IDS)

_PROJECTS = sa.text("""
SELECT project_id, priority_id, title, district, neighborhood, department, place, status, public,
       starts_on, due_on, completed_at, tasks_done
FROM dashboard.projects WHERE project_id = ANY(:ids) OR priority_id = ANY(:pids)
ORDER BY coalesce(completed_at::date, due_on) DESC NULLS LAST, title
""").bindparams(_IDS, sa.bindparam("pids", type_=ARRAY(sa.Uuid)))

_TASKS = sa.text("""
SELECT task_id, project_id, title, public, done, completed_at
FROM dashboard.project_tasks WHERE project_id = ANY(:ids)
ORDER BY project_id, done DESC, completed_at, task_id
""").bindparams(_IDS)

_UPDATES = sa.text("""
SELECT update_id, district, neighborhood, kind, title, published_at, project_id, priority_id, topics,
       concerns, heard_since, quotes
FROM dashboard.updates WHERE update_id = ANY(:ids) OR project_id = ANY(:pids) OR priority_id = ANY(:prids)
ORDER BY published_at DESC, update_id
""").bindparams(_IDS, sa.bindparam("pids", type_=ARRAY(sa.Uuid)), sa.bindparam("prids", type_=ARRAY(sa.Uuid)))


def _picks(selection: Sequence[dict[str, Any]], since: datetime, until: datetime) -> dict[str, Any]:
    sel = [{k: c.get(k) for k in ("topic", "district", "neighborhood")} for c in selection if c.get("topic")]
    return {"sel": json.dumps(sel), "since": since, "until": until}


async def per_concern(
    session: AsyncSession, selection: Sequence[dict[str, Any]], since: datetime, until: datetime
) -> Sequence[Row[Any]]:
    """Each picked concern's notes and meetings, in the selection's order."""
    return (await session.execute(_PER_CONCERN, _picks(selection, since, until))).all()


async def total(session: AsyncSession, selection: Sequence[dict[str, Any]], since: datetime, until: datetime) -> Any:
    """The notes and meetings the whole selection picks (a note raising two topics counts once)."""
    return (await session.execute(_TOTAL, _picks(selection, since, until))).one()


async def picked_note_ids(
    session: AsyncSession, selection: Sequence[dict[str, Any]], since: datetime, until: datetime, limit: int
) -> list[uuid.UUID]:
    """The newest ``limit`` notes the selection picks."""
    params = _picks(selection, since, until) | {"limit": limit}
    return [r.note_id for r in await session.execute(_NOTES, params)]


async def notes(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Row[Any]]:
    return (await session.execute(_NOTE_ROWS, {"ids": list(ids)})).all() if ids else []


async def concerns_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Row[Any]]:
    """The concerns that count of each note (the model's reading once analysed, else the host's)."""
    return (await session.execute(_CONCERNS_OF, {"ids": list(ids)})).all() if ids else []


async def quotes(session: AsyncSession, refs: Sequence[dict[str, Any]]) -> Sequence[Row[Any]]:
    """Each ``{note_id, position}`` in order, with its words and place (None: the note is gone)."""
    if not refs:
        return []
    refs = [{"note_id": str(r["note_id"]), "position": int(r["position"])} for r in refs]
    return (await session.execute(_QUOTES, {"refs": json.dumps(refs)})).all()


async def answering_note(session: AsyncSession, note: Any, topics: Sequence[str]) -> tuple[list[Any], list[Any]]:
    """The priorities and the wins that answer ``note`` (a row of ``notes``): ids of each."""
    params = {
        "topics": list(topics),
        "district": note.district,
        "neighborhood": note.neighborhood,
        "held_at": note.held_at,
        "ref": json.dumps([{"note_id": str(note.note_id)}]),
    }
    priorities = [r[0] for r in await session.execute(_PRIORITIES_OF_NOTE, params)]
    wins = [r[0] for r in await session.execute(_WINS_OF_NOTE, params)]
    return priorities, wins


async def priorities(session: AsyncSession, ids: Sequence[uuid.UUID]) -> Sequence[Row[Any]]:
    return (await session.execute(_PRIORITIES, {"ids": list(ids)})).all() if ids else []


async def projects(
    session: AsyncSession, ids: Sequence[uuid.UUID], priority_ids: Sequence[uuid.UUID]
) -> Sequence[Row[Any]]:
    if not ids and not priority_ids:
        return []
    return (await session.execute(_PROJECTS, {"ids": list(ids), "pids": list(priority_ids)})).all()


async def tasks(session: AsyncSession, project_ids: Sequence[uuid.UUID]) -> Sequence[Row[Any]]:
    return (await session.execute(_TASKS, {"ids": list(project_ids)})).all() if project_ids else []


async def updates(
    session: AsyncSession,
    ids: Sequence[uuid.UUID],
    project_ids: Sequence[uuid.UUID] = (),
    priority_ids: Sequence[uuid.UUID] = (),
) -> Sequence[Row[Any]]:
    if not ids and not project_ids and not priority_ids:
        return []
    params = {"ids": list(ids), "pids": list(project_ids), "prids": list(priority_ids)}
    return (await session.execute(_UPDATES, params)).all()
