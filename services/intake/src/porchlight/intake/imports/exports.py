"""An import's issues as CSV: row, column, field, reason, phase (never a cell's value)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.intake.imports.repository import ImportRepository
from porchlight.kit.inputs import csv_cell


async def issue_lines(sessions: async_sessionmaker[AsyncSession], import_id: uuid.UUID) -> AsyncIterator[str]:
    """Pages of issues, each read in a short session (the response outlives the request's)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "field", "reason", "phase"])
    after = (0, 0)
    while True:
        async with sessions() as session:
            page = await ImportRepository(session).issues_page(import_id, after, 1000)
        for i in page:
            # The column is the file's own header: a formula there stays text in a spreadsheet.
            writer.writerow([csv_cell(v) for v in (i.row, i.column, i.field, i.reason, i.phase)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(page) < 1000:
            return
        after = (page[-1].row, page[-1].id)
