"""Query parameters every insight route shares: a place and a period (``from``/``to``, whole days)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import Depends, Query

from porchlight.kit.errors import ValidationProblem
from porchlight.synthesis.insights.build import DEFAULT_DAYS, default_period
from porchlight.synthesis.insights.queries import Period, Place

MAX_DAYS = 731


@dataclass(frozen=True)
class Scope:
    place: Place
    period: Period


def period_of(start: date | None, end: date | None) -> Period:
    if start is not None and end is not None and start > end:
        raise ValidationProblem(
            "Invalid period", errors=[{"field": "query.from", "message": "must be on or before 'to'"}]
        )
    if end is None:
        end = start + timedelta(days=DEFAULT_DAYS - 1) if start is not None else default_period().end
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    period = Period(start, end)
    if period.days > MAX_DAYS:
        raise ValidationProblem(
            "Invalid period", errors=[{"field": "query.from", "message": f"a period spans at most {MAX_DAYS} days"}]
        )
    return period


def scope(
    district: Annotated[
        str | None, Query(max_length=100, description="District code; the whole city when absent")
    ] = None,
    neighborhood: Annotated[str | None, Query(max_length=100)] = None,
    start: Annotated[
        date | None, Query(alias="from", description=f"First day (UTC), default {DEFAULT_DAYS} days before 'to'")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (UTC, included), default today")] = None,
) -> Scope:
    return Scope(Place(district, neighborhood), period_of(start, end))


ScopeParams = Annotated[Scope, Depends(scope)]
