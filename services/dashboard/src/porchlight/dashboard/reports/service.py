"""The monthly report's figures, gathered once from the read models (then drawn by rendering/)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages import repository as queries
from porchlight.dashboard.pages.schemas import CrimeMonth
from porchlight.dashboard.pages.service import _sum
from porchlight.dashboard.reports.rendering.report import DistrictSection, MonthlyReport
from porchlight.kit.city import City
from porchlight.kit.errors import NotFound


async def gather(
    session: AsyncSession,
    city: City,
    month: Month,
    district: str | None = None,
    *,
    meeting_hours: float = 1.0,
    with_quotes: bool = True,
) -> MonthlyReport:
    if district is not None and district not in city.codes:
        raise NotFound(f"no district {district!r} in {city.name}")
    ds = [district] if district else city.codes
    per_district_concerns = 5 if district else 3
    engagement, _ = await queries.engagement(session, ds, month, meeting_hours, with_officers=False, detail=False)
    concerns = await queries.concerns(session, ds, month, limit=per_district_concerns, quotes=with_quotes)
    sentiment = await queries.sentiment(session, ds, month)
    projects = await queries.projects(session, ds, month)
    wins, wins_count = await queries.wins(session, ds, month, limit=3 if not district else 6)
    crime = await queries.crime(session, ds, month)
    sections = [
        DistrictSection(
            code=d,
            name=city.name_of(d),
            engagement=engagement[d],
            concerns=concerns[d],
            sentiment_average=sentiment[d].average,
            sentiment_trend=sentiment[d].trend,
            projects=projects[d],
            wins=wins.get(d, []),
            wins_count=wins_count.get(d, 0),
            crime=crime[d],
        )
        for d in ds
    ]
    trend = [
        CrimeMonth(month=m.month, count=sum(s.crime.trend[i].count for s in sections))
        for i, m in enumerate(sections[0].crime.trend)
    ]
    return MonthlyReport(
        place=city.name_of(district) if district else city.name,
        month=month,
        totals=_sum([s.engagement for s in sections]),
        crime_total=sum(s.crime.total for s in sections),
        crime_previous_month=sum(s.crime.previous_month for s in sections),
        crime_last_year=sum(s.crime.last_year for s in sections),
        districts=sections,
        crime_trend=trend,
    )
