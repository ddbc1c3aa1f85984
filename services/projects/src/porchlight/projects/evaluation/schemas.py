"""Shapes of a priority's evaluation."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from porchlight.projects.impact.schemas import TARGET_CONTROL_EXAMPLE, TargetControl

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


class ProjectTargetControl(BaseModel):
    """One completed project's target-vs-control result, as its priority's evaluation lists it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "project_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "title": "Fix the streetlights on Main Street",
                    "place": "Main St between 3rd and 5th",
                    "result": TARGET_CONTROL_EXAMPLE,
                }
            ]
        }
    )

    project_id: uuid.UUID
    title: str
    place: str | None
    result: TargetControl


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
                    "outcome_source": "hand_typed",
                    "outcome_note": "Hand-typed figures: no completed project of this priority has measured "
                    "target-vs-control data yet.",
                    "target_control": [],
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
    #: Where ``outcome``'s figures come from: layers' target vs control for the priority's
    #: completed projects where it has data, else the figures typed on the priority.
    outcome_source: Literal["target_vs_control", "hand_typed", "none"] = Field(
        description="target_vs_control: measured incidents in the completed projects' target areas; "
        "hand_typed: typed on the priority (no measured data); none: neither."
    )
    outcome_note: str = Field(description="A plain sentence saying where the outcome's figures come from.")
    target_control: list[ProjectTargetControl] = Field(
        description="Each completed project's target-vs-control result, where layers has one."
    )
