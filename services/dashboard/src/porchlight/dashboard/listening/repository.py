"""The residents reached per neighborhood in a period: meetings' attendees and contacts' residents."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

_DS = sa.bindparam("ds", type_=ARRAY(sa.Text))

# The notes the district page counts in its residents at meetings (pages/repository.py
# COUNTED_MEETINGS: notes held in [:s, :e), in their own district), by neighborhood: the
# meeting's, else the note's own (the sources list's rule). '' for neither.
_AT_MEETINGS = sa.text("""
SELECT n.district, coalesce(m.neighborhood, n.neighborhood, '') AS neighborhood,
       coalesce(sum(n.attendees), 0)::bigint AS residents
FROM dashboard.notes n LEFT JOIN dashboard.meetings m ON m.meeting_id = n.meeting_id
WHERE n.district = ANY(:ds) AND n.held_at >= :s AND n.held_at < :e
GROUP BY 1, 2
""").bindparams(_DS)

# Contacts are counted per month (as contact_totals, the page's residents via contacts).
_VIA_CONTACTS = sa.text("""
SELECT district, neighborhood, sum(residents)::bigint AS residents
FROM dashboard.contact_reach WHERE district = ANY(:ds) AND month = :m
GROUP BY 1, 2
""").bindparams(_DS)


async def residents_reached(
    session: AsyncSession, districts: list[str], start: datetime, end: datetime, month: date
) -> dict[tuple[str, str], list[int]]:
    """(district, neighborhood code or '') -> [at meetings, via contacts]."""
    out: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in await session.execute(_AT_MEETINGS, {"ds": districts, "s": start, "e": end}):
        out[(r.district, r.neighborhood)][0] += int(r.residents)
    for r in await session.execute(_VIA_CONTACTS, {"ds": districts, "m": month}):
        out[(r.district, r.neighborhood)][1] += int(r.residents)
    return out
