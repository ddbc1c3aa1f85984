"""One way to page a list, in every service: keyset cursors and an RFC 8288 ``Link`` header.

A page answers ``{"items": [...], "next_cursor": "..."}`` and sends the next page's URL as
``Link: <...>; rel="next"`` (none on the last page). Cursors are opaque to clients: the last row's
sort value and id, base64url JSON. Keyset paging, not offsets: a page stays right while rows keep
arriving, and page 1,000 costs what page 1 does.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import Query, Request, Response
from pydantic import AfterValidator

#: The most rows a page may ask for.
MAX_LIMIT = 500
#: The whole numbers a cursor may carry: PostgreSQL's bigint.
_BIGINT = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: its sort value (a time, a number or a text) and its id."""

    at: datetime | int | str
    id: uuid.UUID | int | str

    def encode(self) -> str:
        at = self.at.isoformat() if isinstance(self.at, datetime) else self.at
        kind = "t" if isinstance(self.at, datetime) else "v"
        ident = str(self.id) if isinstance(self.id, uuid.UUID) else self.id
        id_kind = "u" if isinstance(self.id, uuid.UUID) else "v"
        raw = json.dumps([kind + id_kind, at, ident], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        if isinstance(data, list) and len(data) == 2:  # the first cursors: [time, uuid]
            data = ["tu", *data]
        kinds, at, ident = data
        if kinds not in ("tu", "tv", "vu", "vv"):
            raise ValueError("unknown cursor kind")
        if kinds[0] == "t":
            if not isinstance(at, str):
                raise TypeError("a cursor's time is a string")
            moment = datetime.fromisoformat(at)
            if moment.tzinfo is None:
                raise ValueError("a cursor's time carries its offset")
            # In UTC here: a time that leaves the calendar in UTC fails now, not at the query.
            at = moment.astimezone(UTC)
        elif not isinstance(at, int | str) or isinstance(at, bool):
            raise TypeError("a cursor's value is a number or a string")
        if kinds[1] == "u":
            if not isinstance(ident, str):
                raise TypeError("a cursor's id is a string")
            ident = uuid.UUID(ident)
        elif not isinstance(ident, int | str) or isinstance(ident, bool):
            raise TypeError("a cursor's id is a number or a string")
        if any(isinstance(v, int) and not _BIGINT[0] <= v <= _BIGINT[1] for v in (at, ident)):
            raise ValueError("a cursor's number is a database's whole number")  # 10**20 failed at the query
        return cls(at=at, id=ident)


def _check_cursor(token: str | None) -> str | None:
    if token is not None:
        try:
            Cursor.decode(token)
        except (binascii.Error, ValueError, TypeError, OverflowError) as exc:
            raise ValueError("not a cursor this API issued") from exc
    return token


#: The ``cursor`` query parameter: a bad one is a 422 naming it, not a 500 at the query.
CursorToken = Annotated[str | None, AfterValidator(_check_cursor)]
CursorParam = Annotated[
    CursorToken, Query(max_length=400, description="`next_cursor` of the previous page (or follow the `Link` header)")
]
LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page")]


def cursor_of(token: str | None) -> Cursor | None:
    return Cursor.decode(token) if token else None


def keyset(query: sa.Select[Any], at_col: Any, id_col: Any, cursor: Cursor | None, limit: int) -> sa.Select[Any]:
    """Newest first; after ``cursor`` when given; one row more than a page to see if more follow."""
    if cursor is not None:
        query = query.where(sa.tuple_(at_col, id_col) < sa.tuple_(cursor.at, cursor.id))
    return query.order_by(at_col.desc(), id_col.desc()).limit(limit + 1)


def next_link(request: Request, response: Response, cursor: Cursor | None) -> str | None:
    """Set the ``Link`` header for the next page; returns the cursor token (None on the last)."""
    if cursor is None:
        return None
    token = cursor.encode()
    url = request.url.include_query_params(cursor=token)
    response.headers["Link"] = f'<{url}>; rel="next"'
    return token
