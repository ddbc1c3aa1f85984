"""One way to stream a CSV export: keyset batches, each read apart, cells a spreadsheet won't run.

Each batch is read by ``fetch`` in a short session of its own (the response outlives the
request's unit of work), so a city's whole history exports in constant memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, TypeVar

from porchlight.kit.inputs import csv_cell
from porchlight.kit.paging import Cursor

Row = TypeVar("Row")

BATCH = 500


async def keyset_csv(
    header: Iterable[str],
    fetch: Callable[[Cursor | None, int], Awaitable[Sequence[Row]]],
    values: Callable[[Row], Iterable[Any]],
    cursor_after: Callable[[Row], Cursor],
    *,
    batch: int | None = None,
) -> AsyncIterator[str]:
    """The header, then the rows ``fetch`` returns page by page (``batch`` + 1 rows asked, to see
    whether more follow), one chunk of text per page (``BATCH`` rows unless told)."""
    batch = batch or BATCH  # read at the call: tests shrink it
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    cursor: Cursor | None = None
    while True:
        rows = await fetch(cursor, batch)
        for row in rows[:batch]:
            writer.writerow([csv_cell(v) for v in values(row)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) <= batch:
            return
        cursor = cursor_after(rows[batch - 1])
