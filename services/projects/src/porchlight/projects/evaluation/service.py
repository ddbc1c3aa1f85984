"""DICE step 5, evaluate: a priority's projects by status, days to complete, outcome before/after.

``outcome_before`` / ``outcome_after`` are set on the priority (by hand today; later fed by the
dashboard's data layers for the priority's place).
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.projects.evaluation.repository import EvaluationRepository
from porchlight.projects.evaluation.schemas import Evaluation, Outcome
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
    before, after = priority.outcome_before, priority.outcome_after
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
        outcome=Outcome(
            measure=priority.outcome_measure, before=before, after=after, change=change, change_pct=change_pct
        ),
    )
