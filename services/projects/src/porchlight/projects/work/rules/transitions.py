"""The status flow of a micro-project: proposed -> planned -> in progress -> done, or blocked.

Done is final (a finished project that needs more work is a new project: its win went out).
A blocked project goes back to where work can resume.
"""

from __future__ import annotations

from typing import Literal

Status = Literal["proposed", "planned", "in_progress", "done", "blocked"]

#: Board columns, left to right.
STATUSES: tuple[Status, ...] = ("proposed", "planned", "in_progress", "blocked", "done")

ALLOWED: dict[str, tuple[Status, ...]] = {
    "proposed": ("planned", "blocked"),
    "planned": ("in_progress", "proposed", "blocked"),
    "in_progress": ("done", "planned", "blocked"),
    "blocked": ("proposed", "planned", "in_progress"),
    "done": (),
}

COLUMN_TITLES = {
    "proposed": "Proposed",
    "planned": "Planned",
    "in_progress": "In progress",
    "blocked": "Blocked",
    "done": "Done",
}


def allowed_from(status: str) -> list[str]:
    return list(ALLOWED.get(status, ()))
