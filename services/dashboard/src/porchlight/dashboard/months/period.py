"""Months as the pages and reports count them (UTC calendar months)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from porchlight.kit.errors import ValidationProblem
from porchlight.kit.inputs import parse_month


def add_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return date(y, m + 1, 1)


@dataclass(frozen=True)
class Month:
    start: date

    @classmethod
    def parse(cls, text: str | None, field: str = "query.month") -> Month:
        """``YYYY-MM``; None means the current month (UTC). A bad value is a 422 naming the field."""
        if text is None:
            return cls(datetime.now(UTC).date().replace(day=1))
        try:
            # Within the kit's years: a month past 9999-12 has no end to count to (it was a 500).
            return cls(parse_month(text))
        except ValueError as exc:
            raise ValidationProblem(f"Invalid month: {exc}", errors=[{"field": field, "message": str(exc)}]) from None

    @property
    def end(self) -> date:
        return add_months(self.start, 1)

    @property
    def label(self) -> str:
        return self.start.strftime("%Y-%m")

    def shift(self, n: int) -> Month:
        return Month(add_months(self.start, n))

    def utc(self, d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=UTC)
