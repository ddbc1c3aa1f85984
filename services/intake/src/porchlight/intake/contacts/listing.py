"""Read rules for contacts: pages, the monthly summary and the CSV export.

Filters, cursors and who sees what are intake's shared list rules (``meetings/listing.py``):
district, neighborhood, host (the officer), ``from``/``to``; analysts and admins see every
contact, a supervisor with a district claim that district, officers and liaisons their own.
Kept apart from service.py (the write path) so each stays one screenful of rules.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import MAXYEAR, UTC, datetime
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.contacts.repository import ContactRepository
from porchlight.intake.contacts.schemas import ContactPage, ContactSummary, TypeTotals
from porchlight.intake.contacts.service import sees_notes, to_out
from porchlight.intake.meetings.listing import Cursor, ListQuery, Visibility
from porchlight.intake.privacy import redact
from porchlight.kit.auth import Principal
from porchlight.kit.errors import ValidationProblem

BATCH = 500
CSV_COLUMNS = [
    "id",
    "officer_id",
    "unit",
    "contact_type",
    "minutes",
    "residents_reached",
    "occurred_at",
    "district",
    "neighborhood",
    "lat",
    "lon",
    "place_name_redacted",
    "place_source",
    "note_redacted",
    "created_at",
]
# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def visible(viewer: Principal, q: ListQuery) -> ListQuery:
    return Visibility.of(viewer).narrow(q, "contacts")


async def page(
    session: AsyncSession, viewer: Principal, q: ListQuery, contact_type: str | None
) -> tuple[ContactPage, Cursor | None]:
    """One page and the cursor of the next (None on the last)."""
    rows = await ContactRepository(session).page(visible(viewer, q), contact_type)
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    with_note = sees_notes(viewer)
    cursor = Cursor(rows[-1].occurred_at, rows[-1].id) if more else None
    return ContactPage(items=[to_out(r, with_note=with_note) for r in rows], next_cursor=None), cursor


def month_bounds(month: str | None) -> tuple[str, datetime, datetime]:
    if month is None:
        today = datetime.now(UTC)
        start = datetime(today.year, today.month, 1, tzinfo=UTC)
    else:
        try:
            start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
        except ValueError as exc:
            raise ValidationProblem(
                "Invalid fields: query.month", errors=[{"field": "query.month", "message": "use YYYY-MM"}]
            ) from exc
    if start.year == MAXYEAR and start.month == 12:  # its end would be in year 10000
        raise ValidationProblem(
            "Invalid fields: query.month", errors=[{"field": "query.month", "message": "is out of range"}]
        )
    end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
    return start.strftime("%Y-%m"), start, end


async def monthly_summary(session: AsyncSession, officer: Principal, month: str | None) -> ContactSummary:
    label, start, end = month_bounds(month)
    rows = await ContactRepository(session).monthly_totals(officer.subject, start, end)
    by_type = {r.contact_type: TypeTotals(contacts=r.contacts, minutes=int(r.minutes)) for r in rows}
    minutes = sum(t.minutes for t in by_type.values())
    return ContactSummary(
        officer_id=officer.subject,
        month=label,
        contacts=sum(t.contacts for t in by_type.values()),
        minutes=minutes,
        hours=round(minutes / 60, 2),
        residents_reached=sum(int(r.residents) for r in rows),
        by_type=by_type,
    )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, int | float):
        return str(value)  # a negative longitude is a number, not a formula
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _redacted(text: str | None) -> str | None:
    return redact(text).text if text else None


def csv_row(row: Row[Any]) -> list[str]:
    # Free text leaves redacted: the note, and the place name ("Mrs Ortiz's porch, 12 Elm St").
    values = [
        row.id,
        row.officer_id,
        row.unit,
        row.contact_type,
        row.minutes,
        row.residents_reached,
        row.occurred_at,
        row.district,
        row.neighborhood,
        row.lat,
        row.lon,
        _redacted(row.place_name),
        row.place_source,
        _redacted(row.note),
        row.created_at,
    ]
    return [_cell(v) for v in values]


async def export_csv(
    sessions: Callable[[], AsyncSession], q: ListQuery, contact_type: str | None
) -> AsyncIterator[str]:
    """The CSV in keyset batches, each read in a short session of its own: memory stays flat.

    ``q`` is already narrowed to what the caller may see; the request's unit of work has ended
    by the time the response streams.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    cursor: Cursor | None = None
    while True:
        async with sessions() as session:
            rows = await ContactRepository(session).page(replace(q, cursor=cursor, limit=BATCH), contact_type)
        for row in rows[:BATCH]:
            writer.writerow(csv_row(row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) <= BATCH:
            return
        cursor = Cursor(rows[BATCH - 1].occurred_at, rows[BATCH - 1].id)
