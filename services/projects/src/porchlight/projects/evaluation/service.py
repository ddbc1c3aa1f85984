"""DICE step 5, evaluate: a priority's projects by status, days to complete, outcome before/after.

The outcome is measured where data exists: layers compares each completed project's place with
matched control places of its district (target vs control, ``impact``), and the outcome is then
the incidents in those target areas before and after completion, each project's result listed
with its p-value and sentence. Only where no project has a result do the figures typed on the
priority (``outcome_before`` / ``outcome_after``) stand, labelled as typed.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.projects.evaluation.repository import EvaluationRepository
from porchlight.projects.evaluation.schemas import Evaluation, Outcome, ProjectTargetControl
from porchlight.projects.impact import repository as impact_repository
from porchlight.projects.impact.schemas import TargetControl
from porchlight.projects.priorities.models import Priority
from porchlight.projects.work.rules.transitions import STATUSES


async def evaluate(session: AsyncSession, priority: Priority) -> Evaluation:
    repo = EvaluationRepository(session)
    rows = await repo.projects_of(priority.id)
    today = datetime.now(UTC).date()
    by_status = {s: 0 for s in STATUSES} | dict(Counter(r.status for r in rows))
    days: list[float] = []
    on_time = 0
    for r in rows:
        if r.status == "done" and r.completed_at is not None:
            finished = r.completed_at.date()
            days.append(float(max((finished - r.starts_on).days, 0)))
            on_time += finished <= r.due_on
    overdue = sum(1 for r in rows if r.status != "done" and r.due_on < today)
    wins = await repo.wins_published(priority.id)
    measured = await _measured(session, priority, rows)
    if measured:
        before: float | None = float(sum(m.result.target_before for m in measured))
        after: float | None = float(sum(m.result.target_after for m in measured))
        measure: str | None = "Incidents in the completed projects' target areas"
        source = "target_vs_control"
        note = _measured_note(measured)
    else:
        before, after, measure = priority.outcome_before, priority.outcome_after, priority.outcome_measure
        typed = before is not None or after is not None
        source = "hand_typed" if typed else "none"
        note = (
            "Hand-typed figures: no completed project of this priority has measured target-vs-control data yet."
            if typed
            else "No outcome figures: no completed project has measured data yet, and none were typed."
        )
    change = after - before if before is not None and after is not None else None
    change_pct = round(100 * change / before, 1) if change is not None and before else None
    return Evaluation(
        priority_id=priority.id,
        title=priority.title,
        district=priority.district,
        quarter=priority.quarter,
        projects=len(rows),
        by_status=by_status,
        done=by_status["done"],
        in_progress=by_status["in_progress"],
        blocked=by_status["blocked"],
        overdue=overdue,
        on_time_share=round(on_time / len(days), 3) if days else None,
        days_to_complete_median=statistics.median(days) if days else None,
        days_to_complete_mean=round(statistics.fmean(days), 1) if days else None,
        remedy_mix=dict(Counter(r.remedy_kind for r in rows)),
        wins_published=wins,
        outcome=Outcome(measure=measure, before=before, after=after, change=change, change_pct=change_pct),
        outcome_source=source,
        outcome_note=note,
        target_control=measured,
    )


async def _measured(session: AsyncSession, priority: Priority, rows: Sequence[Any]) -> list[ProjectTargetControl]:
    """The target-vs-control results of the priority's projects, in the order they were evaluated."""
    projects = {r.id: r for r in rows}
    found = []
    for project_id, result in await impact_repository.of_priority(session, priority.id):
        project = projects.get(project_id)
        if project is not None:
            found.append(
                ProjectTargetControl(
                    project_id=project_id,
                    title=project.title,
                    place=project.place,
                    result=TargetControl.model_validate(result),
                )
            )
    return found


def _measured_note(measured: list[ProjectTargetControl]) -> str:
    n = len(measured)
    text = (
        f"Measured, not typed: incidents in the target area{'s' if n > 1 else ''} of {n} completed "
        f"project{'s' if n > 1 else ''} before and after completion, each compared with matched control areas "
        "of its district (difference in differences, permutation test)."
    )
    if any(m.result.so_far for m in measured):
        text += " So far: the after period is still filling, and the figures will change."
    return text
