"""A list's cursor, read back for the list that issued it.

The kit checks that a cursor is one of ours; a cursor of another list (a due date where a time
is expected) would otherwise reach the query and fail there as a 500, not as a 422 naming it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from porchlight.kit.errors import ValidationProblem
from porchlight.kit.paging import Cursor, cursor_of


def _refuse() -> ValidationProblem:
    message = "not a cursor this list issued"
    return ValidationProblem(message, errors=[{"field": "query.cursor", "message": message}])


def cursor_at_time(token: str | None) -> Cursor | None:
    """The cursor of a list sorted by a time, newest or oldest first."""
    cursor = cursor_of(token)
    if cursor is not None and not (isinstance(cursor.at, datetime) and isinstance(cursor.id, uuid.UUID)):
        raise _refuse()
    return cursor


def cursor_at_day(token: str | None) -> Cursor | None:
    """The cursor of a list sorted by a day (sent as ``YYYY-MM-DD`` text)."""
    cursor = cursor_of(token)
    if cursor is None:
        return None
    if not (isinstance(cursor.at, str) and isinstance(cursor.id, uuid.UUID)):
        raise _refuse()
    try:
        date.fromisoformat(cursor.at)
    except ValueError:
        raise _refuse() from None
    return cursor
