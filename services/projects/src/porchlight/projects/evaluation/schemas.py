"""Shapes of a priority's evaluation."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import JsonDict

_OUTCOME: JsonDict = {
    "measure": "Violent incidents per month",
    "before": 12,
    "after": 9,
    "change": -3,
    "change_pct": -25.0,
}


class Outcome(BaseModel):
    """The priority's outcome measure before and after, and the change (absolute and in percent)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_OUTCOME]})

    measure: str | None
    before: float | None
    after: float | None
    change: float | None
    change_pct: float | None


class Evaluation(BaseModel):
    """How a priority is doing: its projects by status, how long they took, the outcome measure."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "priority_id": "6f1c2a52-3d7e-4c1b-9a43-0c9f1e2d7b10",
                    "title": "Safer streets in D4",
                    "district": "D4",
                    "quarter": "2027-Q1",
                    "projects": 6,
                    "by_status": {"proposed": 1, "planned": 1, "in_progress": 2, "blocked": 1, "done": 1},
                    "done": 1,
                    "in_progress": 2,
                    "blocked": 1,
                    "overdue": 0,
                    "on_time_share": 1.0,
                    "days_to_complete_median": 6.0,
                    "days_to_complete_mean": 6.0,
                    "remedy_mix": {"physical": 2, "positive_activity": 2, "ownership": 1, "policy": 1},
                    "wins_published": 1,
                    "outcome": _OUTCOME,
                }
            ]
        }
    )

    priority_id: uuid.UUID
    title: str
    district: str
    quarter: str
    projects: int
    by_status: dict[str, int]
    done: int
    in_progress: int
    blocked: int
    overdue: int
    on_time_share: float | None
    days_to_complete_median: float | None
    days_to_complete_mean: float | None
    remedy_mix: dict[str, int]
    wins_published: int
    outcome: Outcome
