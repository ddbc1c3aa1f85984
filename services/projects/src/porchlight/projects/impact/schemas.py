"""Shapes of a project's measured impact (layers' target vs control)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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

TARGET_CONTROL_EXAMPLE: dict[str, Any] = {
    "version": 31,
    "evaluated_at": "2027-02-10T06:00:00Z",
    "before_start": "2026-12-11T16:00:00Z",
    "before_end": "2027-01-10T16:00:00Z",
    "after_start": "2027-01-10T16:00:00Z",
    "after_end": "2027-02-09T16:00:00Z",
    "days": 30,
    "so_far": True,
    "target_before": 14,
    "target_after": 5,
    "control_before_mean": 13.2,
    "control_after_mean": 12.6,
    "did": -8.4,
    "did_low": -13.0,
    "did_high": -3.8,
    "ratio": 0.37,
    "ratio_low": 0.13,
    "ratio_high": 1.03,
    "p_value": 0.003,
    "significant": True,
    "sentiment": _SENTIMENT,
    "sentiment_reason": None,
    "summary": "Incidents in the target area went from 14 to 5 in the 30 days so far, while matched control "
    "areas went from 13.2 to 12.6 on average: a difference of -8.4 (permutation p = 0.003).",
}


class SentimentFigures(SentimentComparison):
    """Residents' mean note score (-1..1) in the target area and matched control areas, before and after.

    The event's fields (``project.evaluated``'s ``sentiment``), documented with an example here."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [_SENTIMENT]})


class TargetControl(BaseModel):
    """A completed project's place against matched control places of its district (layers'
    latest result): incidents before and after, the difference in differences, its permutation
    p-value and the plain sentence; ``so_far`` while the after period is still filling."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [TARGET_CONTROL_EXAMPLE]})

    version: int
    evaluated_at: datetime
    before_start: datetime
    before_end: datetime
    after_start: datetime
    after_end: datetime
    days: int = Field(description="The length of each period in whole days.")
    so_far: bool = Field(description="The after period is still under way: both periods are the days so far.")
    target_before: int = Field(description="Incidents in the target area in the before period.")
    target_after: int
    control_before_mean: float = Field(description="Incidents in a matched control area of the target's size.")
    control_after_mean: float
    did: float = Field(description="Difference in differences: the target's change less the controls'.")
    did_low: float
    did_high: float
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    p_value: float = Field(description="Permutation test over matched placebo targets.")
    significant: bool
    sentiment: SentimentFigures | None
    sentiment_reason: str | None
    summary: str
