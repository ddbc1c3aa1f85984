"""Assemble the district page and the city page from the grouped queries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.dashboard.months.comparison import Window
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages import repository as queries
from porchlight.dashboard.pages.schemas import (
    CityPage,
    DistrictPage,
    DistrictRef,
    DistrictSummary,
    Engagement,
    Period,
)
from porchlight.kit.city import City
from porchlight.kit.errors import NotFound

Sessions = async_sessionmaker[AsyncSession]


async def _each(sessions: Sessions, *blocks: Callable[[AsyncSession], Awaitable[Any]]) -> list[Any]:
    """Run the page's blocks at once, each on its own pooled connection: the page costs its
    slowest query instead of the sum of a dozen round trips (the blocks read independent
    tables; a block may see an event the one before did not — the page is a read model anyway)."""

    async def one(block: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        async with sessions() as session:
            return await block(session)

    return list(await asyncio.gather(*(one(b) for b in blocks)))


def period_of(month: Month) -> Period:
    w = Window.of(month)
    return Period(
        month=month.label,
        start=month.start,
        end=month.end,
        under_way=w.under_way,
        through=w.through,
        days=w.days,
        label=w.span + w.so_far,
    )


async def district_page(
    sessions: Sessions,
    city: City,
    code: str,
    month: Month,
    *,
    meeting_hours: float,
    with_officers: bool,
    with_quotes: bool = True,
) -> DistrictPage:
    if code not in city.codes:
        raise NotFound(f"no district {code!r} in {city.name}")
    ds = [code]
    (engagement, groups), concerns, sentiment, projects, (wins, wins_count), crime, insight = await _each(
        sessions,
        lambda s: queries.engagement(s, ds, month, meeting_hours, with_officers),
        lambda s: queries.concerns(s, ds, month, limit=10, quotes=with_quotes),
        lambda s: queries.sentiment(s, ds, month),
        lambda s: queries.projects(s, ds, month),
        lambda s: queries.wins(s, ds, month, limit=10),
        lambda s: queries.crime(s, ds, month),
        lambda s: queries.insights(s, ds),
    )
    return DistrictPage(
        district=DistrictRef(code=code, name=city.name_of(code)),
        period=period_of(month),
        engagement=engagement[code],
        by_unit=groups[code]["unit"],
        by_officer=groups[code]["officer"],
        by_contact_type=groups[code]["type"],
        top_concerns=concerns[code],
        sentiment=sentiment[code],
        projects=projects[code],
        wins=wins[code],
        wins_count=wins_count[code],
        crime=crime[code],
        insight=insight.get(code),
    )


def _sum(items: list[Engagement]) -> Engagement:
    fields = Engagement.model_fields
    totals = {name: sum(getattr(e, name) for e in items) for name in fields}
    return Engagement(**{k: round(v, 1) if isinstance(v, float) else v for k, v in totals.items()})


async def city_page(
    sessions: Sessions, city: City, month: Month, *, meeting_hours: float, with_quotes: bool = True
) -> CityPage:
    ds = city.codes
    (engagement, _), concerns, sentiment, projects, (_, wins_count), crime = await _each(
        sessions,
        lambda s: queries.engagement(s, ds, month, meeting_hours, with_officers=False, detail=False),
        lambda s: queries.concerns(s, ds, month, limit=3, quotes=with_quotes),
        lambda s: queries.sentiment(s, ds, month),
        lambda s: queries.projects(s, ds, month),
        lambda s: queries.wins(s, ds, month, limit=0),
        lambda s: queries.crime(s, ds, month),
    )
    summaries = [
        DistrictSummary(
            district=DistrictRef(code=d, name=city.name_of(d)),
            engagement=engagement[d],
            top_concern=concerns[d][0] if concerns[d] else None,
            top_concerns=concerns[d],
            sentiment_average=sentiment[d].average,
            projects=projects[d],
            wins_count=wins_count[d],
            crime=crime[d],
        )
        for d in ds
    ]
    return CityPage(
        city=city.name,
        period=period_of(month),
        districts=summaries,
        totals=_sum([s.engagement for s in summaries]),
        crime_total=sum(s.crime.total for s in summaries),
        crime_previous_month=sum(s.crime.previous_month for s in summaries),
        crime_last_year=sum(s.crime.last_year for s in summaries),
    )
