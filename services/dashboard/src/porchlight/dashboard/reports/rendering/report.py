"""What the monthly report says (gathered once by reports/service.py, drawn as HTML or PDF here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from porchlight.dashboard.months.comparison import Window
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages.schemas import Concern, Crime, CrimeMonth, Engagement, Projects, SentimentMonth, Win


@dataclass
class DistrictSection:
    code: str
    name: str
    engagement: Engagement
    concerns: list[Concern]
    sentiment_average: float | None
    sentiment_trend: list[SentimentMonth]
    projects: Projects
    wins: list[Win]
    wins_count: int
    crime: Crime


@dataclass
class MonthlyReport:
    place: str  # the city's name, or the district's
    month: Month
    totals: Engagement
    crime_total: int
    crime_previous_month: int
    crime_last_year: int
    districts: list[DistrictSection]
    crime_trend: list[CrimeMonth]
    #: The day the figures were gathered (None: today, UTC): whether the month is still under way.
    today: date | None = None

    @property
    def window(self) -> Window:
        """The days the figures count and what they may be compared with."""
        return Window.of(self.month, self.today)

    @property
    def title(self) -> str:
        """``Community report — October 2026 — Boston``; a month under way says which days, "so far"."""
        return f"Community report — {self.window.span}{self.window.so_far} — {self.place}"
