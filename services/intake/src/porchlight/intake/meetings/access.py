"""Who sees which meetings, notes and contacts, and the list filters that ask for them.

Meetings and notes (which hang off meetings) list the same way: filter by district,
neighborhood, host and a date range (``from`` inclusive; ``to`` exclusive, or through the day
when it is a bare date), newest first, ``limit`` rows per page and an opaque ``cursor`` for the
next one (also sent as a ``Link: <...>; rel="next"`` header). Keyset paging, not offsets: a
page stays correct while notes keep arriving (``kit.paging``). Asking for rows one may not see is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import AfterValidator, BeforeValidator

from porchlight.kit.auth import Principal, Role
from porchlight.kit.errors import Forbidden, ValidationProblem
from porchlight.kit.paging import MAX_LIMIT, Cursor, CursorParam, LimitParam, cursor_of


def _no_nul(value: str | None) -> str | None:
    # PostgreSQL refuses NUL in text: a 422 naming the parameter, not a 500 at the query.
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _day_or_time(value: Any, *, end: bool) -> Any:
    """A bare date is the start of that day (UTC) for ``from``, the end of it for ``to``."""
    if isinstance(value, str) and len(value.strip()) == 10:
        day = date.fromisoformat(value.strip())
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        try:
            return start + timedelta(days=1) if end else start
        except OverflowError as exc:  # through 9999-12-31
            raise ValueError("is out of range") from exc
    return value


def _utc(value: datetime | None) -> datetime | None:
    """In UTC; a time that leaves the calendar in UTC (year 1 at +01:00) is a 422, not a 500."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("is out of range") from exc


# Validated as parameters, so a bad ``from`` is named together with a bad ``limit``.
Since = Annotated[datetime | None, BeforeValidator(lambda v: _day_or_time(v, end=False)), AfterValidator(_utc)]
Until = Annotated[datetime | None, BeforeValidator(lambda v: _day_or_time(v, end=True)), AfterValidator(_utc)]
Filter = Annotated[str | None, AfterValidator(_no_nul)]


@dataclass(frozen=True)
class ListQuery:
    district: str | None
    neighborhood: str | None
    host: str | None
    since: datetime | None
    until: datetime | None
    cursor: Cursor | None
    limit: int


def list_filters(
    district: Annotated[Filter, Query(max_length=64)] = None,
    neighborhood: Annotated[Filter, Query(max_length=120)] = None,
    host: Annotated[Filter, Query(max_length=200, description="The host's id (token subject)")] = None,
    since: Annotated[Since, Query(alias="from", description="From this date or date-time (inclusive)")] = None,
    until: Annotated[Until, Query(alias="to", description="Before this date-time, or through this date")] = None,
) -> ListQuery:
    """The filters alone (exports take every matching row)."""
    if since is not None and until is not None and until <= since:
        raise ValidationProblem(
            "Invalid fields: query.to", errors=[{"field": "query.to", "message": "must be after query.from"}]
        )
    return ListQuery(district, neighborhood, host, since, until, cursor=None, limit=MAX_LIMIT)


def list_query(
    filters: Annotated[ListQuery, Depends(list_filters)],
    cursor: CursorParam = None,
    limit: LimitParam = 100,
) -> ListQuery:
    """The filters and one page."""
    return replace(filters, cursor=cursor_of(cursor), limit=limit)


@dataclass(frozen=True)
class Visibility:
    """Whose rows a caller may see: everyone's, one district's, or only their own.

    Analysts and admins see all; a supervisor with a district claim sees that district (without
    one, all); officers, liaisons and partners see their own. The same rule as contacts.
    """

    host: str | None = None
    district: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Visibility:
        if principal.has(Role.analyst):  # admins too: ``has`` says yes to them
            return cls()
        if principal.has(Role.supervisor):
            return cls(district=principal.district)
        return cls(host=principal.subject)

    def allows(self, *, host_id: str, district: str) -> bool:
        return (self.host is None or self.host == host_id) and (self.district is None or self.district == district)

    def narrow(self, q: ListQuery, what: str) -> ListQuery:
        """The query limited to what may be seen; asking for more is a 403, not a quiet empty list."""
        if self.district is not None:
            if q.district is not None and q.district != self.district:
                raise Forbidden(f"you see {what} of district {self.district} only")
            q = replace(q, district=self.district)
        if self.host is not None:
            if q.host is not None and q.host != self.host:
                raise Forbidden(f"you see your own {what} only")
            q = replace(q, host=self.host)
        return q
