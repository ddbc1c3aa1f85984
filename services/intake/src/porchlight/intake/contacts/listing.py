"""Read rules for contacts: who sees what, keyset cursors, the monthly summary and the CSV.

Kept apart from service.py (the write path) so each stays one screenful of rules.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from porchlight.intake.contacts.repository import ContactFilters, ContactRepository, stream_rows
from porchlight.intake.contacts.schemas import ContactPage, ContactSummary, TypeTotals
from porchlight.intake.contacts.service import sees_notes, to_out
from porchlight.intake.privacy import redact
from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Forbidden, ValidationProblem

MAX_LIMIT = 500
CSV_COLUMNS = [
    "id", "officer_id", "unit", "contact_type", "minutes", "residents_reached", "occurred_at",
    "district", "neighborhood", "lat", "lon", "place_name_redacted", "place_source", "note_redacted", "created_at",
]


def scoped(viewer: Principal, wanted: ContactFilters) -> ContactFilters:
    """Narrow a request to what the viewer may see; asking for more is a 403, not a quiet empty list.

    Analysts and admins see every contact; a supervisor with a district claim sees that
    district (without one, all); officers and liaisons see their own.
    """
    if viewer.roles & {Role.admin, Role.analyst}:
        return wanted
    if Role.supervisor in viewer.roles:
        if viewer.district is None:
            return wanted
        if wanted.district is not None and wanted.district != viewer.district:
            raise Forbidden(f"you see contacts of district {viewer.district} only")
        return replace(wanted, district=viewer.district)
    if wanted.officer_id is not None and wanted.officer_id != viewer.subject:
        raise Forbidden("you see your own contacts only")
    return replace(wanted, officer_id=viewer.subject)


def date_bounds(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """``from`` inclusive; ``to`` exclusive as a date-time, inclusive as a whole day (UTC)."""
    errors: list[dict[str, str]] = []
    start = _parse_bound(since, "query.from", errors)
    end = _parse_bound(until, "query.to", errors)
    if end is not None and until is not None and len(until.strip()) == 10:
        end += timedelta(days=1)  # a bare date: the whole day
    if start is not None and end is not None and end <= start:
        errors.append({"field": "query.to", "message": "must be after query.from"})
    if errors:
        raise ValidationProblem(f"Invalid fields: {', '.join(e['field'] for e in errors)}", errors=errors)
    return start, end


def _parse_bound(value: str | None, name: str, errors: list[dict[str, str]]) -> datetime | None:
    if value is None:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        errors.append({"field": name, "message": "use a date (2026-11-01) or a date-time (2026-11-01T08:00:00Z)"})
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def encode_cursor(occurred_at: datetime, contact_id: uuid.UUID) -> str:
    raw = json.dumps([occurred_at.isoformat(), str(contact_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, cid = json.loads(raw)
        return datetime.fromisoformat(at), uuid.UUID(cid)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValidationProblem(
            "Invalid fields: query.cursor",
            errors=[{"field": "query.cursor", "message": "not a cursor this API gave out"}],
        ) from exc


async def page(
    session: AsyncSession, viewer: Principal, filters: ContactFilters, *, cursor: str | None, limit: int
) -> ContactPage:
    after = decode_cursor(cursor) if cursor else None
    # One row more than asked tells whether another page exists without a count.
    rows = await ContactRepository(session).page(scoped(viewer, filters), after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    with_note = sees_notes(viewer)
    items = [to_out(r, with_note=with_note) for r in rows]
    next_cursor = encode_cursor(rows[-1].occurred_at, rows[-1].id) if more else None
    return ContactPage(items=items, next_cursor=next_cursor)


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
    """A CSV cell a spreadsheet will not run: text starting with = + - @ gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    text = str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not isinstance(value, int | float):
        return "'" + text
    return text


def _redacted(text: str | None) -> str | None:
    return redact(text).text if text else None


def _csv_row(row: Row[Any]) -> list[str]:
    # Free text leaves redacted: the note, and the place name ("Mrs Ortiz's porch, 12 Elm St").
    values = [
        row.id, row.officer_id, row.unit, row.contact_type, row.minutes, row.residents_reached, row.occurred_at,
        row.district, row.neighborhood, row.lat, row.lon, _redacted(row.place_name), row.place_source,
        _redacted(row.note), row.created_at,
    ]
    return [_cell(v) for v in values]


async def export_csv(engine: AsyncEngine, filters: ContactFilters, rows_per_chunk: int = 500) -> AsyncIterator[bytes]:
    """The CSV, in chunks of rows, read through a server-side cursor: memory stays flat.

    Runs on a connection of its own: the request's unit of work has ended when the
    response streams.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    async with engine.connect() as conn:
        n = 0
        async for row in stream_rows(conn, filters, batch=rows_per_chunk):
            writer.writerow(_csv_row(row))
            n += 1
            if n % rows_per_chunk == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue().encode()
