"""Target vs control over HTTP: a completed project's place against matched control places."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from porchlight.events.catalog import SentimentComparison

_SENTIMENT: dict[str, Any] = {
    "target_notes_before": 9,
    "target_notes_after": 11,
    "control_notes_before": 40,
    "control_notes_after": 38,
    "target_before_mean": -0.42,
    "target_after_mean": 0.18,
    "control_before_mean": -0.1,
    "control_after_mean": -0.08,
    "did": 0.58,
    "did_low": 0.21,
    "did_high": 0.93,
    "p_value": 0.004,
    "significant": True,
}

_RESULT: dict[str, Any] = {
    "before_start": "2026-06-03T12:00:00Z",
    "before_end": "2026-09-01T12:00:00Z",
    "after_start": "2026-09-01T12:00:00Z",
    "after_end": "2026-11-30T12:00:00Z",
    "days": 90,
    "so_far": False,
    "target_cells": ["8a2a3066a0b7fff"],
    "controls_per_cell": 5,
    "target_before": 24,
    "target_after": 11,
    "control_before_mean": 23.4,
    "control_after_mean": 22.8,
    "did": -12.4,
    "did_low": -19.1,
    "did_high": -5.6,
    "ratio": 0.47,
    "ratio_low": 0.23,
    "ratio_high": 0.95,
    "p_value": 0.002,
    "permutations": 2000,
    "significant": True,
    "sentiment": _SENTIMENT,
    "sentiment_reason": None,
    "summary": "Incidents in the target area went from 24 to 11 in 90 days, while matched control areas went "
    "from 23.4 to 22.8 on average: a difference of -12.4 (permutation p = 0.002).",
}


class SentimentOut(SentimentComparison):
    """Residents' mean note score (-1..1) in the target area and matched control areas, before and after.

    The event's fields (``project.evaluated``'s ``sentiment``), documented with an example here."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [_SENTIMENT]})


class TargetControlOut(BaseModel):
    """The figures of a target-vs-control comparison, and the plain sentence that says them."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [_RESULT]})

    before_start: datetime
    before_end: datetime
    after_start: datetime
    after_end: datetime
    days: int = Field(description="The length of each period in whole days.")
    so_far: bool = Field(description="The after period is still under way: both periods are the days so far.")
    target_cells: list[str] = Field(description="H3 cells (resolution 10) of the target area.")
    controls_per_cell: int
    target_before: int = Field(description="Incidents in the target area in the before period.")
    target_after: int
    control_before_mean: float = Field(description="Incidents in a matched control area of the target's size.")
    control_after_mean: float
    did: float = Field(description="Difference in differences: the target's change less the controls'.")
    did_low: float
    did_high: float
    ratio: float | None = Field(description="(target after / before) / (controls after / before).")
    ratio_low: float | None
    ratio_high: float | None
    p_value: float = Field(description="Permutation test over matched placebo targets.")
    permutations: int
    significant: bool
    sentiment: SentimentOut | None
    sentiment_reason: str | None = Field(description="Why sentiment is not compared, when it is not.")
    summary: str


class ProjectEvaluationOut(BaseModel):
    """A completed project's target-vs-control evaluation: waiting for a whole day to pass,
    evaluated (``result``; ``so_far`` while the after period fills), or failed with a reason."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "project_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
                    "priority_id": "6f1c2a52-3d7e-4c1b-9a43-0c9f1e2d7b10",
                    "district": "D4",
                    "lat": 42.3398,
                    "lon": -71.0892,
                    "completed_at": "2026-09-01T12:00:00Z",
                    "status": "evaluated",
                    "final": True,
                    "evaluated_at": "2026-11-30T13:00:00Z",
                    "next_evaluation_at": None,
                    "version": 90,
                    "reason": None,
                    "result": _RESULT,
                }
            ]
        }
    )

    project_id: UUID
    priority_id: UUID
    district: str
    lat: float
    lon: float
    completed_at: datetime
    status: Literal["waiting", "evaluated", "failed"]
    final: bool = Field(description="No more evaluations: the after period is whole (or it failed).")
    evaluated_at: datetime | None
    next_evaluation_at: datetime | None
    version: int = Field(description="How many results were published for it.")
    reason: str | None = Field(description="Why it could not be evaluated (status failed).")
    result: TargetControlOut | None
