"""Months as the pages and reports count them (UTC calendar months)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from porchlight.kit.errors import ValidationProblem


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
            y, m = text.split("-")
            if len(y) != 4 or len(m) != 2:
                raise ValueError
            return cls(date(int(y), int(m), 1))
        except ValueError:
            raise ValidationProblem(
                f"month must be YYYY-MM, got {text!r}", errors=[{"field": field, "message": "expected YYYY-MM"}]
            ) from None

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
