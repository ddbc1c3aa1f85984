"""The report's sentences and numbers, shared by the HTML and the PDF (so both say the same)."""

from __future__ import annotations

from porchlight.dashboard.reports.data import MonthlyReport


def change(now: float, before: float) -> str:
    if before == 0:
        return "new" if now else "no change"
    pct = round((now - before) / before * 100)
    return "no change" if pct == 0 else f"{pct:+d}%"


def headline(report: MonthlyReport) -> list[tuple[str, str, str]]:
    """(label, value, note) for the numbers at the top."""
    t = report.totals
    return [
        ("Meetings hosted", f"{t.meetings_hosted:,}", f"{t.notes:,} notes filed"),
        ("Residents reached", f"{t.residents_reached:,}", f"{t.residents_at_meetings:,} at meetings"),
        (
            "Engagement hours",
            f"{t.engagement_hours:,.0f}",
            f"{change(t.engagement_hours, t.engagement_hours_previous_month)} vs last month",
        ),
        ("Positive contacts", f"{t.contacts:,}", f"{change(t.contacts, t.contacts_previous_month)} vs last month"),
        (
            "Crime incidents",
            f"{report.crime_total:,}",
            f"{change(report.crime_total, report.crime_previous_month)} vs last month, "
            f"{change(report.crime_total, report.crime_last_year)} vs last year",
        ),
    ]


def times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def topic_name(topic: str) -> str:
    return topic.replace("_", " ").capitalize()


def clip(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
