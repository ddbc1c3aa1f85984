"""Target vs control for completed projects: keep each project with a place, evaluate it once a
whole day has passed and daily while its after period fills, store the result and announce it.

The incidents are the police's (the ``records`` table's ``incident`` layer) of the project's
district and of its target cells (a target area may cross the district's edge); residents'
sentiment is synthesis' score of the district's notes, each at its first placed concern (from
the concerns capability's tables). The comparison itself (``comparison``) runs in a thread: it is
numpy work of a fraction of a second to a few seconds, and the event loop has consumers to serve.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import ProjectCompleted, ProjectEvaluated
from porchlight.events.catalog import GeoPoint, SentimentComparison
from porchlight.kit.city import City
from porchlight.layers.db import outbox
from porchlight.layers.evaluation import repository
from porchlight.layers.evaluation.comparison import (
    Events,
    TargetControlResult,
    cells_of,
    cells_within,
    evaluate_place,
    periods,
)

#: Each period's full length: a quarter before completion against a quarter after.
WINDOW_DAYS = 90
#: The history before the before period that the matching also reads (a year in all).
HISTORY_DAYS = 270
#: The target area: the project's block and its neighbours (comparison.matching).
RADIUS_M = 150.0
PERMUTATIONS = 2000
#: The permutation test's seed: the same data always gives the same result.
SEED = 0
DAY = timedelta(days=1)


async def receive(session: AsyncSession, event: ProjectCompleted) -> bool:
    """Keep a completed project that has a place, due a whole day after its completion; False for
    a project without a point (nothing to compare) or one kept already (a redelivery)."""
    if event.point is None:
        return False
    return await repository.add_project(
        session,
        {
            "project_id": event.project_id,
            "priority_id": event.priority_id,
            "district": event.district,
            "lat": event.point.lat,
            "lon": event.point.lon,
            "completed_at": event.completed_at,
            "due_at": event.completed_at + DAY,
        },
    )


async def evaluate_next(session: AsyncSession, city: City, now: datetime) -> uuid.UUID | None:
    """Evaluate the project most overdue at ``now`` (None when none is due), in the caller's
    transaction: its next turn is set whatever the outcome, so a loop over this ends."""
    row = await repository.take_due(session, now)
    if row is None:
        return None
    await evaluate(session, row, city, now)
    return uuid.UUID(str(row.project_id))


async def evaluate(session: AsyncSession, row: Any, city: City, now: datetime) -> None:
    try:
        per = periods(row.completed_at, now, WINDOW_DAYS)
    except ValueError:  # no whole day yet: try again when there is one
        await repository.save(session, row.project_id, due_at=row.completed_at + DAY)
        return
    district = next((d for d in city.districts if d.code == row.district), None)
    if district is None:
        await _fail(session, row, f"district {row.district} is not on the city's map")
        return
    point = (float(row.lat), float(row.lon))
    target = cells_within(point, RADIUS_M)
    since = per.before.start - timedelta(days=HISTORY_DAYS)
    incidents = await repository.incidents(session, row.district, target, since, per.after.end)
    notes = await repository.notes(session, row.district, per.before.start, per.after.end)
    try:
        result = await asyncio.to_thread(
            _compare, point, district.geometry, [tuple(r) for r in incidents], [tuple(r) for r in notes],
            row.completed_at, now,
        )  # fmt: skip
    except ValueError as error:  # a district too small to find controls in
        await _fail(session, row, str(error))
        return
    event = event_of(row, result, row.version + 1, now)
    await repository.save(
        session,
        row.project_id,
        status="evaluated",
        result=event.model_dump(mode="json"),
        evaluated_at=now,
        version=event.version,
        reason=None,
        # At most once a day while the after period fills; final once it is whole.
        due_at=now + DAY if result.so_far else None,
    )
    await outbox.add(session, event)


def _compare(
    point: tuple[float, float],
    area: Any,
    incidents: Sequence[tuple[Any, ...]],
    notes: Sequence[tuple[Any, ...]],
    completed_at: datetime,
    now: datetime,
) -> TargetControlResult:
    return evaluate_place(
        point,
        cells_of(area),
        Events.from_rows(incidents),
        completed_at,
        now,
        notes=Events.from_rows(notes),
        radius_m=RADIUS_M,
        window_days=WINDOW_DAYS,
        history_days=HISTORY_DAYS,
        permutations=PERMUTATIONS,
        seed=SEED,
    )


async def _fail(session: AsyncSession, row: Any, reason: str) -> None:
    await repository.save(session, row.project_id, status="failed", reason=reason, evaluated_at=None, due_at=None)


def event_of(row: Any, result: TargetControlResult, version: int, now: datetime) -> ProjectEvaluated:
    """The ``project.evaluated`` event of a result (what is stored, served and published)."""
    s = result.sentiment
    sentiment = None
    if s is not None:
        sentiment = SentimentComparison(
            target_notes_before=s.target_notes_before,
            target_notes_after=s.target_notes_after,
            control_notes_before=s.control_notes_before,
            control_notes_after=s.control_notes_after,
            target_before_mean=s.target_before_mean,
            target_after_mean=s.target_after_mean,
            control_before_mean=s.control_before_mean,
            control_after_mean=s.control_after_mean,
            did=s.did,
            did_low=s.did_interval[0],
            did_high=s.did_interval[1],
            p_value=s.p_value,
            significant=s.significant,
        )
    ratio_low, ratio_high = result.ratio_interval or (None, None)
    return ProjectEvaluated(
        project_id=row.project_id,
        priority_id=row.priority_id,
        district=row.district,
        version=version,
        point=GeoPoint(lat=row.lat, lon=row.lon),
        completed_at=row.completed_at,
        evaluated_at=now,
        before_start=result.before.start,
        before_end=result.before.end,
        after_start=result.after.start,
        after_end=result.after.end,
        days=result.days,
        so_far=result.so_far,
        target_cells=list(result.target_cells),
        controls_per_cell=result.controls_per_cell,
        target_before=result.target_before,
        target_after=result.target_after,
        control_before_mean=result.control_before_mean,
        control_after_mean=result.control_after_mean,
        did=result.did,
        did_low=result.did_interval[0],
        did_high=result.did_interval[1],
        ratio=result.ratio,
        ratio_low=ratio_low,
        ratio_high=ratio_high,
        p_value=result.p_value,
        permutations=result.permutations,
        significant=result.significant,
        sentiment=sentiment,
        sentiment_reason=result.sentiment_reason,
        summary=result.summary(),
    )
