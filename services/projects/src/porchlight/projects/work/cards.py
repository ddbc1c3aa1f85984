"""A project as a card: the board's shape, the SSE payload and the body of a 409."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from porchlight.projects.work.models import Project
from porchlight.projects.work.transitions import allowed_from


def stamp(at: datetime | None) -> str | None:
    """UTC, microseconds always: the very text PostgreSQL writes for the board (board/query.py)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if at else None


def card_of(project: Project | Any, owners: list[str]) -> dict[str, Any]:
    """JSON-ready card from a Project or a board row with the same names (built by hand: fast)."""
    today = datetime.now(UTC).date()
    point = {"lat": project.lat, "lon": project.lon} if project.lat is not None and project.lon is not None else None
    return {
        "id": str(project.id),
        "priority_id": str(project.priority_id),
        "title": project.title,
        "district": project.district,
        "neighborhood": project.neighborhood,
        "place": project.place,
        "point": point,
        "department": project.department,
        "team": project.team,
        "owners": owners,
        "remedy_kind": project.remedy_kind,
        "starts_on": project.starts_on.isoformat(),
        "due_on": project.due_on.isoformat(),
        "status": project.status,
        "blocked_reason": project.blocked_reason,
        "awaiting_confirmation": project.awaiting_confirmation,
        "owner": project.owner,
        "tasks_total": project.tasks_total,
        "tasks_done": project.tasks_done,
        "overdue": project.status != "done" and project.due_on < today,
        "version": project.version,
        "changed_at": stamp(project.changed_at),
        "allowed_moves": allowed_from(project.status),
    }


def head_of(card: dict[str, Any]) -> str:
    """The card's JSON without ``overdue`` (which depends on the day) and its closing brace.

    Stored with the project (``card_head``) on every change, so the board only appends
    ``,"overdue":...}`` to each card — no JSON is built per card when the board is read.
    """
    rest = {k: v for k, v in card.items() if k != "overdue"}
    return json.dumps(rest, separators=(",", ":"), ensure_ascii=False)[:-1]
