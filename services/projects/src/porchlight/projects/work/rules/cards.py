"""A project as a card: the board's shape, the SSE payload and the body of a 409."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from porchlight.projects.work.rules.transitions import allowed_from

#: The fields a board is filtered on (board's ``BoardFilter``): a change of one of them takes
#: the card off some board, which must still hear of it (``was``).
PLACEMENT = ("priority_id", "district", "owners")


def stamp(at: datetime | None) -> str | None:
    """UTC, microseconds always: the very text PostgreSQL writes for the board (board/repository.py)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if at else None


def card_of(project: Any, owners: list[str]) -> dict[str, Any]:
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


def card_of_head(card_head: str | None) -> dict[str, Any] | None:
    """The stored card (``card_head``) back as a dict, without ``overdue``; None when not stored."""
    return json.loads(card_head + "}") if card_head else None


def notice_of(card: dict[str, Any], before: dict[str, Any] | None = None) -> str:
    """The notification text of a changed card for the open boards.

    ``before`` is the card as it was: when a change takes the card off a board (another owning
    department, district or priority), that board still hears of it — the card carries ``was``
    — and drops it, instead of showing it until reloaded.
    """
    payload = dict(card)
    if before is not None and any(before.get(k) != card.get(k) for k in PLACEMENT):
        payload["was"] = {k: before.get(k) for k in PLACEMENT}
    return json.dumps(payload, separators=(",", ":"))
