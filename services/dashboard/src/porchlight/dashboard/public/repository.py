"""All SQL of the public pages: only what may be public is selected here.

- Topics residents raised in a place: the model's reading of notes (as the staff pages count them),
  the notes' neighborhood from the notes themselves; the caller drops any figure under
  ``MIN_NOTES_SHOWN`` notes. Quotes are the concern texts intake redacted before they left it.
- Work: only projects created public (project.created ``public``), only their public tasks.
- Updates: only published ones (update.published); nothing unpublished reaches the dashboard.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

_PLACES = sa.bindparam("places", type_=ARRAY(sa.Text))

Kind = Literal["neighborhood", "district"]
_FOREVER = datetime.max.replace(tzinfo=UTC)

# Each statement is written once with ``{col}``, the column a place of its kind is found by
# (the notes', projects' and updates' own ``neighborhood`` or ``district``), and prepared per kind.
_TOPICS = """
SELECT c.topic, coalesce(l.label, c.topic) AS label,
       count(DISTINCT c.note_id) AS notes, count(*) AS mentions,
       count(DISTINCT n.meeting_id) AS meetings, min(c.held_at) AS first_at
FROM dashboard.note_concerns c
JOIN dashboard.notes n ON n.note_id = c.note_id
LEFT JOIN dashboard.topic_labels l ON l.topic = c.topic
WHERE c.active AND c.source = 'model' AND c.held_at >= :since AND c.held_at < :until
  AND n.{col} = ANY(:places) AND c.topic IS NOT NULL AND c.topic <> 'unassigned'
GROUP BY c.topic, l.label
"""

_CONCERN_PROBS = """
SELECT c.topic, c.topic_score, c.topic_probs, c.topic_source
FROM dashboard.note_concerns c JOIN dashboard.notes n ON n.note_id = c.note_id
WHERE c.active AND c.source = 'model' AND c.held_at >= :since AND n.{col} = ANY(:places)
"""

# One quote per topic: a statement of readable length, the model surest of its topic, the newest.
_QUOTES = """
SELECT DISTINCT ON (c.topic) c.topic, c.text
FROM dashboard.note_concerns c JOIN dashboard.notes n ON n.note_id = c.note_id
WHERE c.active AND c.source = 'model' AND c.held_at >= :since AND c.held_at < :until AND n.{col} = ANY(:places)
  AND c.topic = ANY(:topics) AND c.text <> ''
ORDER BY c.topic, (length(c.text) BETWEEN 25 AND 280) DESC, c.topic_score DESC NULLS LAST, c.held_at DESC
"""

_PROJECTS = """
SELECT p.project_id, p.title, p.district, p.neighborhood, p.place, p.department, p.remedy_kind,
       p.starts_on, p.due_on, p.status, p.completed_at, p.lat, p.lon
FROM dashboard.projects p
WHERE p.public AND p.{col} = ANY(:places)
ORDER BY (p.completed_at IS NULL) DESC, coalesce(p.completed_at::date, p.due_on) DESC, p.title
LIMIT :limit
"""

_TASKS = sa.text("""
SELECT project_id, title, completed_at FROM dashboard.project_tasks
WHERE project_id = ANY(:ids) AND public AND done AND title IS NOT NULL
ORDER BY completed_at
""").bindparams(sa.bindparam("ids", type_=ARRAY(sa.Uuid)))

_UPDATES = """
SELECT u.update_id, u.district, u.neighborhood, u.kind, u.title, u.body, u.translations, u.place,
       u.topics, u.published_at, u.project_id, u.concerns, u.heard_since, u.quotes
FROM dashboard.updates u
WHERE u.{col} = ANY(:places)
ORDER BY u.published_at DESC, u.update_id
LIMIT :limit
"""

#: What residents are told was done: the work's department and place, and its public steps done.
_WORK_DONE = sa.text("""
SELECT p.department, p.place,
       (SELECT count(*) FROM dashboard.project_tasks t
        WHERE t.project_id = p.project_id AND t.public AND t.done AND t.title IS NOT NULL) AS steps
FROM dashboard.projects p WHERE p.project_id = :id AND p.public
""")

_CALIBRATION = sa.text("SELECT body FROM dashboard.topic_calibration WHERE scope = 'city'")


@cache
def _statement(sql: str, kind: Kind) -> sa.TextClause:
    stmt = sa.text(sql.format(col=kind)).bindparams(_PLACES)
    if ":topics" in sql:
        stmt = stmt.bindparams(sa.bindparam("topics", type_=ARRAY(sa.Text)))
    return stmt


async def topics(
    session: AsyncSession, kind: Kind, places: Sequence[str], since: datetime, until: datetime | None = None
) -> Sequence[Row[Any]]:
    """Each topic's notes, statements and meetings in ``[since, until)`` (until: no end)."""
    params = {"places": list(places), "since": since, "until": until or _FOREVER}
    return (await session.execute(_statement(_TOPICS, kind), params)).all()


async def concern_probabilities(
    session: AsyncSession, kind: Kind, places: Sequence[str], since: datetime
) -> Sequence[Row[Any]]:
    params = {"places": list(places), "since": since}
    return (await session.execute(_statement(_CONCERN_PROBS, kind), params)).all()


async def quotes(
    session: AsyncSession,
    kind: Kind,
    places: Sequence[str],
    since: datetime,
    topic_codes: Sequence[str],
    until: datetime | None = None,
) -> dict[str, str]:
    """One statement per topic held in ``[since, until)`` (until: no end)."""
    if not topic_codes:
        return {}
    params = {"places": list(places), "since": since, "until": until or _FOREVER, "topics": list(topic_codes)}
    return {r.topic: r.text for r in await session.execute(_statement(_QUOTES, kind), params)}


async def calibration(session: AsyncSession) -> Any:
    return (await session.execute(_CALIBRATION)).scalar()


async def projects(session: AsyncSession, kind: Kind, places: Sequence[str], limit: int) -> Sequence[Row[Any]]:
    params = {"places": list(places), "limit": limit}
    return (await session.execute(_statement(_PROJECTS, kind), params)).all()


async def done_tasks(session: AsyncSession, project_ids: Sequence[uuid.UUID]) -> Sequence[Row[Any]]:
    if not project_ids:
        return []
    return (await session.execute(_TASKS, {"ids": list(project_ids)})).all()


async def updates(session: AsyncSession, kind: Kind, places: Sequence[str], limit: int) -> Sequence[Row[Any]]:
    params = {"places": list(places), "limit": limit}
    return (await session.execute(_statement(_UPDATES, kind), params)).all()


async def work_done(session: AsyncSession, project_id: uuid.UUID) -> Any:
    """The public project's department, place and public steps done (None: not a public project)."""
    return (await session.execute(_WORK_DONE, {"id": project_id})).first()
