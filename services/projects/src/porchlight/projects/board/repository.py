"""All SQL of the board: each column's cards come back from PostgreSQL as one JSON text.

A city board holds a thousand cards; building them as Python objects and serializing them cost
more than the query. Every change stores the card's JSON with the project (``card_head``: all
but ``overdue``, which depends on the day); the board appends ``overdue`` and joins them in SQL,
and the text is spliced into the answer unparsed. The card's shape is the one work builds for
the live stream and for 409s (work/rules/cards.py); tests/projects/test_board.py checks that all
agree.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from porchlight.projects.work.rules.transitions import ALLOWED, COLUMN_TITLES, STATUSES

_ALLOWED_SQL = " ".join(
    f"WHEN '{status}' THEN '{json.dumps(list(moves), separators=(',', ':'))}'::json"
    for status, moves in ALLOWED.items()
)

#: A card written before ``card_head`` existed (or loaded by hand) is built here, in the same
#: shape (without ``overdue`` and the closing brace, like ``head_of``).
_BUILT_HEAD = f"""left(json_build_object(
    'id', p.id, 'priority_id', p.priority_id, 'title', p.title, 'district', p.district,
    'neighborhood', p.neighborhood, 'place', p.place,
    'point', CASE WHEN p.lat IS NOT NULL AND p.lon IS NOT NULL
                  THEN json_build_object('lat', p.lat, 'lon', p.lon) END,
    'department', p.department, 'team', p.team,
    'owners', CASE WHEN t.departments IS NULL THEN ARRAY[p.department]
                   ELSE ARRAY[p.department] || array_remove(t.departments, p.department) END,
    'remedy_kind', p.remedy_kind, 'starts_on', p.starts_on, 'due_on', p.due_on, 'status', p.status,
    'blocked_reason', p.blocked_reason, 'awaiting_confirmation', p.awaiting_confirmation,
    'owner', p.owner, 'tasks_total', p.tasks_total, 'tasks_done', p.tasks_done,
    'version', p.version,
    'changed_at', to_char(p.changed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'allowed_moves', CASE p.status {_ALLOWED_SQL} END
  )::text, -1)"""

_CARDS_SQL = f"""
SELECT p.status,
       count(*) AS n,
       '[' || string_agg(
         COALESCE(p.card_head, {_BUILT_HEAD})
         || CASE WHEN p.status <> 'done' AND p.due_on < :today
                 THEN ',"overdue"\\:true}}}}' ELSE ',"overdue"\\:false}}}}' END,
         ',' ORDER BY p.due_on, p.id
       ) || ']' AS cards
FROM projects.projects p LEFT JOIN projects.teams t ON t.code = p.team
WHERE {{where}}
GROUP BY p.status
"""


#: The boards' generation: moved on by every card change (work/repository.py), read here.
READ_GENERATION = sa.text("SELECT generation FROM projects.board_state WHERE id = 1")


async def generation(conn: AsyncConnection) -> int:
    return int((await conn.execute(READ_GENERATION)).scalar_one())


async def board_json(
    conn: AsyncConnection, priority: uuid.UUID | None, district: str | None, department: str | None
) -> str:
    """The board as JSON text: filters, when, and a column per status with its cards."""
    where: list[str] = ["TRUE"]
    params: dict[str, Any] = {"today": datetime.now(UTC).date()}
    if priority:
        where.append("p.priority_id = :priority")
        params["priority"] = priority
    if district:
        where.append("p.district = :district")
        params["district"] = district
    if department:
        where.append("(p.department = :department OR t.departments @> ARRAY[CAST(:department AS text)])")
        params["department"] = department
    rows = (await conn.execute(sa.text(_CARDS_SQL.format(where=" AND ".join(where))), params)).all()
    found = {status: (n, cards) for status, n, cards in rows}
    head: dict[str, Any] = {
        "filters": {"priority": str(priority) if priority else None, "district": district, "department": department},
        "generated_at": datetime.now(UTC).isoformat(),
    }
    columns = []
    for status in STATUSES:
        n, cards = found.get(status, (0, "[]"))
        meta = json.dumps({"status": status, "title": COLUMN_TITLES[status], "count": n})
        columns.append(f'{meta[:-1]},"cards":{cards}}}')
    return f'{json.dumps(head)[:-1]},"columns":[{",".join(columns)}]}}'
