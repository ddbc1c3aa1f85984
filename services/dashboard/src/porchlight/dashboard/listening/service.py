"""The listening gap of a district or the whole city: figures per neighborhood, the under-heard list."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.listening.repository import residents_reached
from porchlight.dashboard.listening.schemas import ListeningGap, NeighborhoodReach, UnderHeardNeighborhood
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages.service import period_of
from porchlight.dashboard.reach import Heard, overall_rate, under_heard
from porchlight.kit.city import City, Neighborhood
from porchlight.kit.errors import NotFound


def _reach(h: Heard, n: Neighborhood) -> dict[str, object]:
    return {
        "code": n.code,
        "name": n.name,
        "district": n.district,
        "population": n.population,
        "population_year": n.population_year,
        "population_source": n.population_source,
        "residents_reached": h.reached,
        "residents_at_meetings": h.at_meetings,
        "residents_via_contacts": h.via_contacts,
        "residents_reached_per_1000": h.rate,
    }


async def listening_gap(session: AsyncSession, city: City, month: Month, district: str | None) -> ListeningGap:
    if district is not None and district not in city.codes:
        raise NotFound(f"no district {district!r} in {city.name}")
    districts = [district] if district else city.codes
    hoods = [n for n in city.neighborhoods if district is None or n.district == district]
    period = period_of(month)
    counted = await residents_reached(session, districts, month.utc(month.start), month.utc(month.end), month.start)
    # A neighborhood is counted wherever its notes and contacts were filed (a district's meeting may
    # be held just over the line); what names no neighborhood of the city is reached "elsewhere".
    by_code: dict[str, list[int]] = {}
    elsewhere = 0
    known = {n.code for n in hoods}
    for (_, code), (meetings, contacts) in counted.items():
        if code in known:
            got = by_code.setdefault(code, [0, 0])
            got[0] += meetings
            got[1] += contacts
        else:
            elsewhere += meetings + contacts
    heard = {
        n.code: Heard(n.code, n.name, n.district, n.population, *by_code.get(n.code, [0, 0]))
        for n in sorted(hoods, key=lambda n: n.name)
    }
    of = {n.code: n for n in hoods}
    rows = list(heard.values())
    return ListeningGap(
        district=district,
        period=period,
        neighborhoods=[NeighborhoodReach.model_validate(_reach(h, of[h.code])) for h in rows],
        under_heard=[
            UnderHeardNeighborhood.model_validate(
                {**_reach(u.heard, of[u.heard.code]), "to_reach": u.to_reach, "suggestion": u.suggestion}
            )
            for u in under_heard(rows, so_far=period.under_way)
        ],
        residents_reached_per_1000=overall_rate(rows),
        residents_reached_elsewhere=elsewhere,
    )
