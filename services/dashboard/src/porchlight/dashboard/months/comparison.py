"""The one rule for comparing a month's figures (pure: no database, no HTTP).

A month still under way is never compared with whole months: "-86 % vs last month" on the 5th
says nothing true. Its figures are labelled "so far", and they are compared like with like — the
same days of the month before and of the same month a year before — or, where a figure is only
kept per month (crime incidents, logged contacts), not at all: the whole month before is then
shown beside it as context, never as a change.

And a change between small counts is said in counts: "2 → 7", not "+250 %" (a percentage of a
handful is noise); percentages only when both counts are at least ``MIN_FOR_PERCENT``.

Every page, report and summary of the dashboard takes its windows and its wording from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from porchlight.dashboard.months.period import Month

#: Below this (either side), a change is said as "before → now" instead of a percentage.
MIN_FOR_PERCENT = 10


def today_utc() -> date:
    return datetime.now(UTC).date()


def last_complete(today: date | None = None) -> Month:
    """The last whole month before ``today`` (UTC): what a report shows by default."""
    return Month((today or today_utc()).replace(day=1)).shift(-1)


@dataclass(frozen=True)
class Window:
    """A month's figures as of ``today``: how many of its days are counted, and what they may be
    compared with (half-open date ranges ``[start, end)``)."""

    month: Month
    today: date

    @classmethod
    def of(cls, month: Month, today: date | None = None) -> Window:
        return cls(month, today or today_utc())

    @property
    def under_way(self) -> bool:
        """The month has begun and not ended: its figures are "so far"."""
        return self.month.start <= self.today < self.month.end

    @property
    def days(self) -> int:
        """The days counted: up to and including today for a month under way, else the whole month."""
        if self.under_way:
            return (self.today - self.month.start).days + 1
        return (self.month.end - self.month.start).days

    @property
    def end(self) -> date:
        """Where the counted days stop (exclusive)."""
        return self.month.start + timedelta(days=self.days)

    @property
    def through(self) -> date:
        """The last day counted."""
        return self.end - timedelta(days=1)

    def _same_days(self, other: Month) -> tuple[date, date]:
        # The same days of another month: days 1-5 of May against days 1-5 of April; the 31st
        # against a 30-day month is the whole of it.
        if not self.under_way:
            return other.start, other.end
        return other.start, min(other.start + timedelta(days=self.days), other.end)

    @property
    def previous_month(self) -> tuple[date, date]:
        """The like-for-like window of the month before."""
        return self._same_days(self.month.shift(-1))

    @property
    def last_year(self) -> tuple[date, date]:
        """The like-for-like window of the same month a year before."""
        return self._same_days(self.month.shift(-12))

    @property
    def so_far(self) -> str:
        """'' for a whole month; ' so far' (to append to a label) for a month under way."""
        return " so far" if self.under_way else ""

    @property
    def span(self) -> str:
        """The days counted, in words: ``1-5 May 2026`` (or ``May 2026`` for a whole month)."""
        if not self.under_way:
            return self.month.start.strftime("%B %Y")
        first = self.month.start
        if self.days == 1:
            return f"{first.day} {first.strftime('%B %Y')}"
        return f"{first.day}-{self.through.day} {first.strftime('%B %Y')}"

    @property
    def against(self) -> str:
        """What a change is against, in words: 'last month' or 'the same days last month'."""
        return "the same days last month" if self.under_way else "last month"


def change(now: float, before: float, *, unit: str = "") -> str:
    """A change in words: ``+12%`` between counts of 10 or more, ``2 → 7`` below that (in ``unit``
    when given, e.g. ' h'), ``new`` from nothing, ``no change``."""
    if now == before:
        return "no change"
    if before == 0:
        return "new"
    if min(now, before) < MIN_FOR_PERCENT:
        return f"{_num(before)} → {_num(now)}{unit}"
    pct = round((now - before) / before * 100)
    return "no change" if pct == 0 else f"{pct:+d}%"


def _num(x: float) -> str:
    return f"{x:,.1f}" if isinstance(x, float) and not x.is_integer() else f"{int(x):,}"


def ratio(now: int, before: int) -> float | None:
    """The relative change for an API (e.g. -0.12 = 12 % fewer), or None when it would mislead:
    nothing before, or a count under ``MIN_FOR_PERCENT`` on either side."""
    if before == 0 or min(now, before) < MIN_FOR_PERCENT:
        return None
    return round((now - before) / before, 4)


def versus(window: Window, now: float, before: float, what: str = "last month", *, unit: str = "") -> str:
    """A figure kept per whole month (crime incidents, logged contacts, engagement hours) against
    ``what`` ('last month', 'last year'): its change for a whole month; for a month under way no
    change at all (there are no like-for-like days to compare), only the whole month beside it."""
    if window.under_way:
        whole = window.month.shift(-12).start.strftime("%B %Y") if what == "last year" else what
        return f"{_num(before)}{unit} in all of {whole}"
    return f"{change(now, before, unit=unit)} vs {what}"


def against(window: Window, now: float, before: float) -> str:
    """A figure counted by day (concerns, notes) against the like-for-like days of the month before."""
    return f"{change(now, before)} vs {window.against}"
