"""The report's sentences and numbers, shared by the HTML and the PDF (so both say the same)."""

from __future__ import annotations

from dataclasses import dataclass

from porchlight.dashboard.months import comparison
from porchlight.dashboard.pages.schemas import Concern
from porchlight.dashboard.reports.rendering.report import DistrictSection, MonthlyReport

#: The footnote both versions print: what each figure counts.
FOOTNOTE = (
    "Engagement counts positive community activity only (micro-meetings and logged contacts), kept apart "
    "from patrol and enforcement. Engagement hours: each meeting's duration as the host gave it (60 minutes "
    "when none was given) plus officers' logged contact minutes. Quotes are residents' own words with "
    "personal data removed, shortened at a word (…). Crime counts are incidents imported from the records "
    "system, by the month they occurred. Projects: done / open / overdue."
)


def footnote(report: MonthlyReport) -> str:
    """``FOOTNOTE``, and what "about" means when a topic count is estimated (pages/repository.py)."""
    e = next((c.estimate for s in report.districts for c in s.concerns if c.estimate), None)
    if e is None:
        return FOOTNOTE
    measured = (
        f"the {e.labels:,} topic corrections the city made"
        if e.basis == "corrections"
        else f"an evaluation on {e.labels:,} labeled concerns"
    )
    return (
        f'{FOOTNOTE} Topic counts are of notes as the model labeled them; "about" allows for its mistakes '
        f"(how sure it was of each concern, checked against {measured}): a 9 in 10 chance the true number "
        "is in the range"
        + (" (the chart's whole-city ranges add the districts': wider)." if len(report.districts) > 1 else ".")
    )


def about(c: Concern) -> str:
    """A topic's count allowing for the model's mistakes: 'about 11, 8-15' (an en dash) ('exactly 3' when people
    labeled them all); '' without an estimate."""
    e = c.estimate
    if e is None:
        return ""
    if e.low == e.high:
        return f"exactly {e.count:,}"
    return f"about {e.count:,}, {e.low:,}\N{EN DASH}{e.high:,}"


def change(now: float, before: float) -> str:
    """months/comparison.py's wording: '+12%', '2 → 7' between small counts, 'new', 'no change'."""
    return comparison.change(now, before)


def change_cell(now: float, before: float) -> str:
    """``change`` for a table cell: 'same' rather than 'no change', '-' when there is nothing either month."""
    if before == 0 and now == 0:
        return "-"
    text = change(now, before)
    return "same" if text == "no change" else text


def crime_columns(report: MonthlyReport) -> tuple[str, str, str]:
    """The district table's crime headers: the month's count and its two comparisons. A month
    under way is not compared (incidents are kept per whole month): the whole months stand beside it."""
    w = report.window
    if w.under_way:
        return ("Crime so far", "All last month", f"All {w.month.shift(-12).start.strftime('%b %Y')}")
    return ("Crime", "vs last month", "vs last year")


def crime_cells(report: MonthlyReport, s: DistrictSection) -> tuple[str, str, str]:
    c = s.crime
    if report.window.under_way:
        return (f"{c.total:,}", f"{c.previous_month:,}", f"{c.last_year:,}")
    return (f"{c.total:,}", change_cell(c.total, c.previous_month), change_cell(c.total, c.last_year))


def concern_header(report: MonthlyReport) -> str:
    """What a concern's change is against: the same days of last month while the month is under way."""
    return f"vs {report.window.against}"


def period_note(report: MonthlyReport) -> str:
    """Under the title: what the figures count, so a month under way is never read as a whole one."""
    w = report.window
    if not w.under_way:
        return "Positive community engagement next to crime statistics."
    return (
        f"Positive community engagement next to crime statistics, so far: {w.span} ({w.days} of "
        f"{(w.month.end - w.month.start).days} days). Concerns are compared with the same days of last month; "
        "figures kept per month (engagement hours, contacts, crime) are not compared, the whole month "
        "before is shown beside them."
    )


def hours(h: float) -> str:
    """Engagement hours: one decimal (a 90-minute meeting is 1.5 h), thousands separated."""
    return f"{h:,.1f}"


def headline(report: MonthlyReport) -> list[tuple[str, str, str]]:
    """(label, value, note) for the numbers at the top; a month under way says "so far" on each,
    and sets no figure against a whole month (months/comparison.py)."""
    t, w = report.totals, report.window
    so_far = w.so_far
    return [
        (f"Meetings hosted{so_far}", f"{t.meetings_hosted:,}", f"{t.notes:,} notes filed"),
        (f"Residents reached{so_far}", f"{t.residents_reached:,}", f"{t.residents_at_meetings:,} at meetings"),
        (
            f"Engagement hours{so_far}",
            hours(t.engagement_hours),
            comparison.versus(w, t.engagement_hours, t.engagement_hours_previous_month, unit=" h"),
        ),
        (f"Positive contacts{so_far}", f"{t.contacts:,}", comparison.versus(w, t.contacts, t.contacts_previous_month)),
        (
            f"Crime incidents{so_far}",
            f"{report.crime_total:,}",
            f"{comparison.versus(w, report.crime_total, report.crime_previous_month)}, "
            f"{comparison.versus(w, report.crime_total, report.crime_last_year, 'last year')}",
        ),
    ]


def in_notes(n: int) -> str:
    """A topic's figure in the unit synthesis counts it in (its summary: "raised in 5 notes")."""
    return "in 1 note" if n == 1 else f"in {n:,} notes"


def clip(text: str, limit: int = 220) -> str:
    """``text`` shortened to at most ``limit`` characters at a word boundary, with an ellipsis.

    What is kept is an exact prefix of ``text`` (the redacted words as the resident said them:
    nothing rewritten, only cut); a first word longer than ``limit`` is cut inside the word.
    """
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if not text[limit - 1].isspace() and not head[-1].isspace():
        parts = head.rsplit(None, 1)  # the cut falls inside a word: leave that word out
        head = parts[0] if len(parts) > 1 else head
    return head.rstrip() + "…"


def short_name(section: DistrictSection) -> str:
    """``District A1 (Downtown)`` -> ``Downtown``: the code is printed beside it ('' when the
    name says nothing more than the code, e.g. ``District A1``)."""
    name = section.name
    if "(" in name and name.endswith(")"):
        return name[name.index("(") + 1 : -1]
    return name.removeprefix("District ").removeprefix(section.code).strip()


@dataclass
class ProjectTotals:
    done_in_month: int
    done: int
    open: int
    in_progress: int
    blocked: int
    overdue: int
    wins: int


def project_totals(report: MonthlyReport) -> ProjectTotals:
    ps = [s.projects for s in report.districts]
    return ProjectTotals(
        done_in_month=sum(p.done_in_month for p in ps),
        done=sum(p.done for p in ps),
        open=sum(p.planned for p in ps),
        in_progress=sum(p.in_progress for p in ps),
        blocked=sum(p.blocked for p in ps),
        overdue=sum(p.overdue for p in ps),
        wins=sum(s.wins_count for s in report.districts),
    )


def progress_line(report: MonthlyReport) -> str:
    t = project_totals(report)
    return (
        f"{_n(t.done_in_month, 'micro-project')} done this month ({t.done:,} in all); {t.open:,} open, "
        f"of which {t.in_progress:,} in progress and {t.blocked:,} blocked; {t.overdue:,} overdue. "
        f"{_n(t.wins, 'win')} published."
    )


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def wins_list(report: MonthlyReport, limit: int) -> list[tuple[str, str]]:
    """(district code, title) of the month's wins, newest first, at most ``limit``."""
    wins = sorted(
        ((w.published_at, s.code, w.title) for s in report.districts for w in s.wins),
        key=lambda x: x[0],
        reverse=True,
    )
    return [(code, title) for _, code, title in wins[:limit]]


def top_incidents(report: MonthlyReport, n: int = 4) -> str:
    counts: dict[str, int] = {}
    for s in report.districts:
        for c in s.crime.by_category:
            counts[c.category] = counts.get(c.category, 0) + c.count
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return ", ".join(f"{name} {count:,}" for name, count in top)
