"""CSV export of contacts: notes and place names redacted, officer ids (no names).

Streamed in keyset batches (``csvexport``), each read in a short session of its own: memory stays
flat, and the request's unit of work has ended by the time the response streams.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.intake.contacts.repository import ContactRepository
from porchlight.intake.csvexport.stream import keyset_csv
from porchlight.intake.meetings.access import ListQuery
from porchlight.intake.privacy import redact
from porchlight.intake.privacy.precision import coarse
from porchlight.kit.paging import Cursor

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


def _redacted(text: str | None) -> str | None:
    return redact(text).text if text else None


def csv_row(row: Row[Any]) -> list[Any]:
    # Free text leaves redacted: the note, and the place name ("Mrs Ortiz's porch, 12 Elm St").
    return [
        row.id,
        row.officer_id,
        row.unit,
        row.contact_type,
        row.minutes,
        row.residents_reached,
        row.occurred_at,
        row.district,
        row.neighborhood,
        coarse(row.lat),  # a block, not a doorstep (privacy/precision.py)
        coarse(row.lon),
        _redacted(row.place_name),
        row.place_source,
        _redacted(row.note),
        row.created_at,
    ]


def export_csv(
    sessions: async_sessionmaker[AsyncSession], q: ListQuery, contact_type: str | None
) -> AsyncIterator[str]:
    """Every contact matching ``q`` (already narrowed to what the caller may see) as CSV."""

    async def fetch(cursor: Cursor | None, limit: int) -> Sequence[Row[Any]]:
        async with sessions() as session:
            return await ContactRepository(session).page(replace(q, cursor=cursor, limit=limit), contact_type)

    return keyset_csv(CSV_COLUMNS, fetch, csv_row, lambda row: Cursor(row.occurred_at, row.id))
