"""The SQL of the lists behind the district page's figures. The meetings' rows are the page's own
rule (pages/repository.py ``COUNTED_MEETINGS``), listed instead of summed, so they add up to it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.incidents.models import incident_counts, incident_records
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages.repository import COUNTED_MEETINGS, contact_detail, meeting_window

_MEETING_ROWS = sa.text(f"""
SELECT c.meeting_id, c.note_id, c.meetings, c.minutes, c.notes, c.attendees,
       coalesce(m.starts_at, n.held_at) AS held_at, m.venue_type, m.duration_minutes,
       coalesce(m.neighborhood, n.neighborhood) AS neighborhood, coalesce(m.host_id, n.host_id) AS host_id
FROM ({COUNTED_MEETINGS}) c
LEFT JOIN dashboard.meetings m ON m.meeting_id = c.meeting_id
LEFT JOIN dashboard.notes n ON n.note_id = c.note_id
ORDER BY 7, c.meeting_id, c.note_id
""").bindparams(sa.bindparam("ds", type_=ARRAY(sa.Text)))


async def meeting_rows(session: AsyncSession, district: str, month: Month, meeting_hours: float) -> Sequence[Row[Any]]:
    """Every meeting (and note filed without one) the month's meeting figures count, oldest first."""
    params = {"ds": [district], **meeting_window(month, meeting_hours)}
    return (await session.execute(_MEETING_ROWS, params)).all()


async def contact_groups(session: AsyncSession, district: str, month: Month) -> list[tuple[str, Any]]:
    """The month's contacts grouped by type, by unit and by officer: (kind, row)."""
    return [(kind, r) for _, kind, r in await contact_detail(session, [district], month)]


async def incident_categories(session: AsyncSession, district: str, month: Month) -> Sequence[Any]:
    """The month's incidents per category: the counts the crime panel sums."""
    c = incident_counts.c
    query = (
        sa.select(c.category, c.nibrs_code, c.n)
        .where(c.district == district, c.month == month.start, c.n > 0)
        .order_by(c.n.desc(), c.category)
    )
    return (await session.execute(query)).all()


async def incident_page(
    session: AsyncSession,
    district: str,
    month: Month,
    category: str | None,
    after: tuple[str, uuid.UUID] | None,
    limit: int,
) -> tuple[int, Sequence[Any]]:
    """The month's incident records (one category, or all), by category then id, after ``after``:
    (how many there are in all, up to ``limit`` + 1 of them)."""
    r = incident_records.c
    where = [r.district == district, r.month == month.start, r.version > 0]
    if category is not None:
        where.append(r.category == category)
    total = (await session.execute(sa.select(sa.func.count()).select_from(incident_records).where(*where))).scalar_one()
    query = sa.select(r.record_id, r.category, r.nibrs_code).where(*where)
    if after is not None:
        query = query.where(sa.tuple_(r.category, r.record_id) > sa.tuple_(*after))
    rows = (await session.execute(query.order_by(r.category, r.record_id).limit(limit + 1))).all()
    return int(total), rows
