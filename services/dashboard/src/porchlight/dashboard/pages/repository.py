"""The SQL behind the district and city pages: one grouped query per block, for any set of
districts at once (the city page asks for all of them in the same number of round trips as the
district page asks for one).
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.months.comparison import Window, change, ratio, versus
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages.schemas import (
    Concern,
    ConcernEstimate,
    ContactGroup,
    Crime,
    CrimeCategory,
    CrimeMonth,
    Engagement,
    Insight,
    Projects,
    Sentiment,
    SentimentMonth,
    Trend,
    Win,
)
from porchlight.kit.quantify import (
    Calibration,
    TopicEstimate,
    approximate_probabilities,
    estimate_counts,
    probability_rows,
)

_DS = sa.bindparam("ds", type_=ARRAY(sa.Text))


def _q(sql: str) -> sa.TextClause:
    return sa.text(sql).bindparams(_DS)


# --- engagement ---------------------------------------------------------------------------

# What counts as a meeting hosted, the hours it counts and the residents at it: the ONE rule behind
# the district page, the city page, the report and the list behind those figures (sources/), so the
# list's rows add up to the figures. In the window [:s, :cut) for meetings and [:s, :e) for notes:
# * each scheduled meeting held in the window, for its duration (the default :dm minutes when
#   meeting.scheduled gave none);
# * each note filed without a (known) scheduled meeting: one meeting of the default length;
# * attendees: each note's, on its meeting's row — a meeting held outside the window (or not yet)
#   brings its notes' attendees but is not itself counted (``meetings`` 0).
# A note counts in its own district, a meeting in its own (a revision may move a note).
COUNTED_MEETINGS = """
SELECT coalesce(h.district, k.district) AS district, coalesce(h.meeting_id, k.meeting_id) AS meeting_id,
       CAST(NULL AS uuid) AS note_id, CAST(h.meeting_id IS NOT NULL AS int) AS meetings,
       coalesce(h.minutes, 0) AS minutes, coalesce(k.notes, 0) AS notes, coalesce(k.attendees, 0) AS attendees
FROM (SELECT district, meeting_id, coalesce(duration_minutes, CAST(:dm AS float8)) AS minutes
      FROM dashboard.meetings WHERE district = ANY(:ds) AND starts_at >= :s AND starts_at < :cut) h
FULL JOIN (SELECT n.district, n.meeting_id, count(*) AS notes, coalesce(sum(n.attendees), 0) AS attendees
           FROM dashboard.notes n JOIN dashboard.meetings m ON m.meeting_id = n.meeting_id
           WHERE n.district = ANY(:ds) AND n.held_at >= :s AND n.held_at < :e
           GROUP BY n.district, n.meeting_id) k
  ON k.district = h.district AND k.meeting_id = h.meeting_id
UNION ALL
SELECT n.district, NULL, n.note_id, 1, CAST(:dm AS float8), 1, coalesce(n.attendees, 0)
FROM dashboard.notes n LEFT JOIN dashboard.meetings m ON m.meeting_id = n.meeting_id
WHERE n.district = ANY(:ds) AND n.held_at >= :s AND n.held_at < :e AND m.meeting_id IS NULL
"""

_MEETINGS = _q(f"""
SELECT district, sum(meetings)::bigint AS held, sum(minutes)::float8 AS minutes, sum(notes)::bigint AS notes,
       sum(attendees)::bigint AS attendees
FROM ({COUNTED_MEETINGS}) c GROUP BY district
""")

_UPCOMING = _q("""
SELECT district, count(*) AS upcoming
FROM dashboard.meetings WHERE district = ANY(:ds) AND starts_at >= :cut AND starts_at < :e
GROUP BY district
""")


def meeting_window(month: Month, meeting_hours: float) -> dict[str, Any]:
    """The parameters of ``COUNTED_MEETINGS`` for ``month``: meetings held up to now (a month under
    way), notes of the whole month, the default length in minutes."""
    return {
        "s": month.utc(month.start),
        "cut": min(datetime.now(UTC), month.utc(month.end)),
        "e": month.utc(month.end),
        "dm": meeting_hours * 60,
    }


_CONTACT_TOTALS = _q("""
SELECT district, month, contacts, minutes, residents
FROM dashboard.contact_totals WHERE district = ANY(:ds) AND month IN (:m, :pm)
""")

# The month's contacts per unit, per kind and per officer, in one statement (district page only).
_CONTACT_DETAIL = _q("""
SELECT district, GROUPING(unit, contact_type, officer_id) AS level, unit, contact_type, officer_id,
       min(unit) AS officer_unit, sum(contacts)::bigint AS contacts, sum(minutes)::bigint AS minutes,
       sum(residents)::bigint AS residents
FROM dashboard.contact_stats
WHERE district = ANY(:ds) AND month = :m
GROUP BY GROUPING SETS ((district, unit), (district, contact_type), (district, officer_id))
""")

# GROUPING(unit, contact_type, officer_id) of each grouping set above.
_BY_UNIT, _BY_TYPE = 3, 5


async def contact_detail(session: AsyncSession, districts: list[str], month: Month) -> list[tuple[str, str, Any]]:
    """The month's contacts as (district, "unit" | "type" | "officer", row): each grouping adds up to
    the month's contacts, hours and residents (the district page and the list behind its figures)."""
    rows = await session.execute(_CONTACT_DETAIL, {"ds": districts, "m": month.start})
    kinds = {_BY_UNIT: "unit", _BY_TYPE: "type"}
    return [(r.district, kinds.get(r.level, "officer"), r) for r in rows]


async def engagement(
    session: AsyncSession,
    districts: list[str],
    month: Month,
    meeting_hours: float,
    with_officers: bool,
    detail: bool = True,
) -> tuple[dict[str, Engagement], dict[str, dict[str, list[ContactGroup]]]]:
    prev = month.shift(-1)
    window = meeting_window(month, meeting_hours)
    meetings = {r.district: r for r in await session.execute(_MEETINGS, {"ds": districts, **window})}
    # The month before, whole: the same rule over [its start, this month's start).
    whole_before = {**window, "s": prev.utc(prev.start), "cut": window["s"], "e": window["s"]}
    before_meetings = {r.district: r for r in await session.execute(_MEETINGS, {"ds": districts, **whole_before})}
    upcoming = {r.district: r.upcoming for r in await session.execute(_UPCOMING, {"ds": districts, **window})}
    cur: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    before: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for t in await session.execute(_CONTACT_TOTALS, {"ds": districts, "m": month.start, "pm": prev.start}):
        (cur if t.month == month.start else before)[t.district] = [t.contacts, t.minutes, t.residents]
    groups: dict[str, dict[str, list[ContactGroup]]] = defaultdict(lambda: {"unit": [], "type": [], "officer": []})
    for district, kind, r in await contact_detail(session, districts, month) if detail else []:
        key = {"unit": r.unit, "type": r.contact_type}.get(kind, r.officer_id)
        if kind == "officer" and not with_officers:
            continue
        groups[district][kind].append(
            ContactGroup(
                key=key,
                unit=(r.officer_unit or None) if kind == "officer" else None,
                contacts=r.contacts,
                hours=round(r.minutes / 60, 1),
                residents=r.residents,
            )
        )
    out: dict[str, Engagement] = {}
    for d in districts:
        m, mb = meetings.get(d), before_meetings.get(d)
        held = int(m.held) if m else 0
        # Scheduled meetings by their duration; a note filed without a meeting counts the default.
        hours = float(m.minutes) / 60 if m else 0.0
        hours_before = float(mb.minutes) / 60 if mb else 0.0
        attendees = int(m.attendees) if m else 0
        c, b = cur[d], before[d]
        contact_hours = round(c[1] / 60, 1)
        out[d] = Engagement(
            meetings_hosted=held,
            meetings_upcoming=upcoming.get(d, 0),
            notes=int(m.notes) if m else 0,
            residents_reached=attendees + c[2],
            residents_at_meetings=attendees,
            residents_via_contacts=c[2],
            contacts=c[0],
            contact_hours=contact_hours,
            meeting_hours=round(hours, 1),
            engagement_hours=round(contact_hours + hours, 1),
            contacts_previous_month=b[0],
            engagement_hours_previous_month=round(b[1] / 60 + hours_before, 1),
        )
    shaped: dict[str, dict[str, list[ContactGroup]]] = {}
    for d in districts:
        shaped[d] = {}
        for kind, rows in groups[d].items():
            rows.sort(key=lambda g: (-g.hours, g.key))
            shaped[d][kind] = rows[:20] if kind == "officer" else rows
    return out, shaped


# --- concerns and sentiment ---------------------------------------------------------------

# Topic figures count NOTES that raised a topic, as synthesis analysed them (its ``note.analyzed``:
# the model's rows, a supervisor's correction included): the unit and the readings synthesis' own
# insight counts, so the city page and the report say what the district page (synthesis' insight)
# says. A note not analysed yet is in no topic figure (synthesis reports it as pending). Names come
# from synthesis' taxonomy (``topic_labels``), never from the code.
# ``before``: the like-for-like days of the month before (months/comparison.py: days 1-5 of it
# while this month is at its 5th), so a month under way is not set against a whole one.
# The (district) grouping set counts the month's notes that raised any topic (``share``'s base).
_CONCERNS = _q("""
SELECT c.district, c.topic, coalesce(l.label, c.topic) AS label, GROUPING(c.topic) AS whole,
       count(DISTINCT c.note_id) FILTER (WHERE c.held_at >= :s) AS n,
       count(*) FILTER (WHERE c.held_at >= :s) AS mentions,
       count(DISTINCT c.note_id) FILTER (WHERE c.held_at < :pe) AS before
FROM dashboard.note_concerns c LEFT JOIN dashboard.topic_labels l ON l.topic = c.topic
WHERE c.active AND c.source = 'model' AND c.district = ANY(:ds) AND c.held_at >= :ps AND c.held_at < :e
  AND c.topic IS NOT NULL AND c.topic <> 'unassigned'
GROUP BY GROUPING SETS ((c.district, c.topic, l.label), (c.district))
""")

_QUOTES = _q("""
SELECT DISTINCT ON (district, topic) district, topic, text
FROM dashboard.note_concerns
WHERE active AND source = 'model' AND district = ANY(:ds) AND held_at >= :s AND held_at < :e
  AND topic = ANY(:topics)
ORDER BY district, topic, (length(text) BETWEEN 25 AND 280) DESC, topic_score DESC NULLS LAST, held_at DESC, idx
""").bindparams(sa.bindparam("topics", type_=ARRAY(sa.Text)))


# What a topic's estimate is made from (ADR 0016): the month's model concerns of the district,
# each with its probabilities (or, analyzed before synthesis published them, its topic and score),
# a supervisor's label counting as certain; and synthesis' calibration (topic.calibrated).
_CONCERN_PROBS = _q("""
SELECT district, topic, topic_score, topic_probs, topic_source
FROM dashboard.note_concerns
WHERE active AND source = 'model' AND district = ANY(:ds) AND held_at >= :s AND held_at < :e
""")
_CALIBRATION = sa.text("SELECT body FROM dashboard.topic_calibration WHERE scope = 'city'")
#: What synthesis calls a statement no topic fits (its event leaves ``topic`` empty for it).
UNASSIGNED = "unassigned"


def estimate_topics(rows: list[Any], calibration: Calibration) -> dict[str, TopicEstimate]:
    """One district's month: each topic's estimated concerns, with its 90 % interval."""
    topics = list(dict.fromkeys([*calibration.topics, *(r.topic for r in rows if r.topic and r.topic != UNASSIGNED)]))
    labeled: list[dict[str, float]] = []
    known: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.topic_source == "supervisor" and r.topic:
            known[r.topic] += 1
        elif r.topic_probs:
            labeled.append(r.topic_probs)
        elif r.topic and r.topic != UNASSIGNED and r.topic_score is not None:
            labeled.append(approximate_probabilities(r.topic, float(r.topic_score), topics))
    if not labeled:  # every concern labeled by a person (or none): the counts are what they are
        return {t: TopicEstimate(t, float(n), n, n, sum(known.values())) for t, n in known.items()}
    return estimate_counts(probability_rows(labeled, topics), topics, calibration, known=known)


def concern_estimate(
    e: TopicEstimate | None, notes: int, mentions: int, calibration: Calibration
) -> ConcernEstimate | None:
    """The estimate of statements in notes, as synthesis' insight scales it: by the topic's notes
    per statement."""
    if e is None:
        return None
    per = notes / mentions if mentions else 1.0
    return ConcernEstimate(
        count=round(e.count * per),
        low=math.floor(e.low * per),
        high=math.ceil(e.high * per),
        basis=calibration.basis,
        labels=calibration.labels,
    )


def _trend(n: int, before: int) -> Trend:
    if before == 0:
        return "new" if n else "steady"
    ratio = n / before
    return "up" if ratio >= 1.2 else "down" if ratio <= 0.8 else "steady"


async def concerns(
    session: AsyncSession, districts: list[str], month: Month, limit: int, *, quotes: bool = True
) -> dict[str, list[Concern]]:
    """The month's topics per district; with a resident's quote each unless ``quotes`` is False (a
    reader of the figures who may not read the words: ``Principal.reads_words_of``)."""
    window = Window.of(month)
    ps, pe = window.previous_month
    p = {
        "ds": districts,
        "s": month.utc(month.start),
        "e": month.utc(month.end),
        "ps": month.utc(ps),
        "pe": month.utc(pe),
    }
    counts: dict[str, list[Any]] = defaultdict(list)
    with_topic: dict[str, int] = {}
    for r in await session.execute(_CONCERNS, p):
        if r.whole:
            with_topic[r.district] = r.n
        else:
            counts[r.district].append(r)
    ranked: dict[str, list[Any]] = {}
    topics: set[str] = set()
    for d in districts:
        # Synthesis' ranking (insights/service.py): most notes, then most statements, then the code.
        rows = sorted((r for r in counts[d] if r.n), key=lambda r: (-r.n, -r.mentions, r.topic))[:limit]
        ranked[d] = rows
        topics.update(r.topic for r in rows)
    said: dict[tuple[str, str], str] = {}
    if topics and quotes:
        for r in await session.execute(_QUOTES, {**p, "topics": sorted(topics)}):
            said[(r.district, r.topic)] = r.text
    estimates: dict[str, dict[str, TopicEstimate]] = {}
    held = (await session.execute(_CALIBRATION)).scalar()
    calibration = Calibration.from_json(held) if held is not None else None
    if calibration is not None and topics:
        by_district: dict[str, list[Any]] = defaultdict(list)
        for r in await session.execute(_CONCERN_PROBS, p):
            by_district[r.district].append(r)
        for d in districts:
            if ranked[d]:
                # Milliseconds for a district's month, but numpy: off the event loop.
                estimates[d] = await asyncio.to_thread(estimate_topics, by_district[d], calibration)
    out: dict[str, list[Concern]] = {}
    for d in districts:
        total = with_topic.get(d) or 1
        mine = estimates.get(d, {})
        out[d] = [
            Concern(
                topic=r.topic,
                label=r.label,
                count=r.n,
                mentions=r.mentions,
                previous_count=r.before,
                trend=_trend(r.n, r.before),
                change=change(r.n, r.before),
                share=round(r.n / total, 3),
                quote=said.get((d, r.topic)),
                estimate=concern_estimate(mine.get(r.topic), r.n, r.mentions, calibration) if calibration else None,
            )
            for r in ranked[d]
        ]
    return out


_SENTIMENT = _q("""
SELECT district, date_trunc('month', held_at AT TIME ZONE 'UTC')::date AS month,
       count(*) AS notes, avg(sentiment)::float AS average,
       count(*) FILTER (WHERE model_sentiment = 'positive') AS positive,
       count(*) FILTER (WHERE model_sentiment = 'neutral') AS neutral,
       count(*) FILTER (WHERE model_sentiment = 'negative') AS negative
FROM dashboard.notes
WHERE district = ANY(:ds) AND held_at >= :since AND held_at < :e
GROUP BY 1, 2
""")


def one_decimal(x: float) -> float:
    """The one rounding of an average shown anywhere (page, city page, report): one decimal, halves
    up. The page once sent 3.25, which the browser showed as 3.3 and the PDF (Python's
    round-half-even formatting) as 3.2: two numbers for one thing."""
    return float(Decimal(repr(x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


async def sentiment(session: AsyncSession, districts: list[str], month: Month) -> dict[str, Sentiment]:
    first = month.shift(-5)
    found: dict[tuple[str, Any], Any] = {}
    for r in await session.execute(
        _SENTIMENT, {"ds": districts, "since": first.utc(first.start), "e": month.utc(month.end)}
    ):
        found[(r.district, r.month)] = r
    out: dict[str, Sentiment] = {}
    for d in districts:
        series = []
        for i in range(6):
            m = first.shift(i)
            row = found.get((d, m.start))
            series.append(
                SentimentMonth(
                    month=m.label,
                    notes=row.notes if row else 0,
                    average=one_decimal(row.average) if row and row.average is not None else None,
                    positive=row.positive if row else 0,
                    neutral=row.neutral if row else 0,
                    negative=row.negative if row else 0,
                )
            )
        last, before = series[-1], series[-2]
        analysed = last.positive + last.neutral + last.negative
        out[d] = Sentiment(
            average=last.average,
            previous_average=before.average,
            positive_share=round(last.positive / analysed, 3) if analysed else None,
            trend=series,
        )
    return out


# --- projects and wins --------------------------------------------------------------------

_PROJECTS = _q("""
SELECT district,
       count(*) FILTER (WHERE NOT done) AS open,
       count(*) FILTER (WHERE NOT done AND due_on < :today) AS overdue,
       count(*) FILTER (WHERE NOT done AND status = 'in_progress') AS in_progress,
       count(*) FILTER (WHERE NOT done AND status = 'blocked') AS blocked,
       count(*) FILTER (WHERE done) AS done,
       count(*) FILTER (WHERE completed_at >= :s AND completed_at < :cut) AS done_in_month
FROM (SELECT *, (coalesce(completed_at < :cut, false) OR (completed_at IS NULL AND status = 'done')) AS done
      FROM dashboard.projects) p
WHERE district = ANY(:ds) AND (starts_on IS NULL OR starts_on < :e_date)
GROUP BY district
""")

_REMEDIES = _q("""
SELECT district, coalesce(remedy_kind, 'unknown') AS kind, count(*) AS n
FROM dashboard.projects WHERE district = ANY(:ds) AND (starts_on IS NULL OR starts_on < :e_date)
GROUP BY 1, 2
""")


async def projects(session: AsyncSession, districts: list[str], month: Month) -> dict[str, Projects]:
    cut = min(datetime.now(UTC), month.utc(month.end))
    p = {"ds": districts, "cut": cut, "today": cut.date(), "s": month.utc(month.start), "e_date": month.end}
    rows = {r.district: r for r in await session.execute(_PROJECTS, p)}
    kinds: dict[str, dict[str, int]] = defaultdict(dict)
    for k in await session.execute(_REMEDIES, p):
        kinds[k.district][k.kind] = k.n
    out = {}
    for d in districts:
        r = rows.get(d)
        out[d] = Projects(
            planned=(r.open - r.overdue) if r else 0,
            overdue=r.overdue if r else 0,
            in_progress=r.in_progress if r else 0,
            blocked=r.blocked if r else 0,
            done=r.done if r else 0,
            done_in_month=r.done_in_month if r else 0,
            by_remedy_kind=kinds[d],
        )
    return out


_WINS = _q("""
SELECT * FROM (
  SELECT u.*, row_number() OVER (PARTITION BY district ORDER BY published_at DESC) AS rank,
         count(*) OVER (PARTITION BY district) AS total
  FROM dashboard.updates u
  WHERE district = ANY(:ds) AND kind = 'win' AND published_at >= :s AND published_at < :e
) w WHERE rank <= :limit ORDER BY district, published_at DESC
""")


async def wins(
    session: AsyncSession, districts: list[str], month: Month, limit: int
) -> tuple[dict[str, list[Win]], dict[str, int]]:
    p = {"ds": districts, "s": month.utc(month.start), "e": month.utc(month.end), "limit": max(limit, 1)}
    items: dict[str, list[Win]] = defaultdict(list)
    totals: dict[str, int] = defaultdict(int)
    for r in await session.execute(_WINS, p):
        totals[r.district] = r.total
        if limit:
            items[r.district].append(
                Win(
                    update_id=r.update_id,
                    title=r.title,
                    body=r.body,
                    neighborhood=r.neighborhood,
                    published_at=r.published_at,
                    project_id=r.project_id,
                )
            )
    return items, totals


# --- crime --------------------------------------------------------------------------------

_CRIME = _q("""
SELECT district, month, category, nibrs_code, n
FROM dashboard.incident_counts
WHERE district = ANY(:ds) AND (month BETWEEN :first AND :m OR month = :ly)
""")


async def crime(session: AsyncSession, districts: list[str], month: Month) -> dict[str, Crime]:
    first, prev, ly = month.shift(-11), month.shift(-1), month.shift(-12)
    window = Window.of(month)
    per: dict[str, dict[str, dict[Any, int]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    nibrs: dict[str, str | None] = {}
    monthly: dict[str, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
    for r in await session.execute(_CRIME, {"ds": districts, "first": first.start, "m": month.start, "ly": ly.start}):
        per[r.district][r.category][r.month] += r.n
        monthly[r.district][r.month] += r.n
        nibrs.setdefault(r.category, r.nibrs_code)
    out = {}
    for d in districts:
        cats = [
            CrimeCategory(
                category=c,
                nibrs_code=nibrs.get(c),
                count=by.get(month.start, 0),
                previous_month=by.get(prev.start, 0),
                last_year=by.get(ly.start, 0),
            )
            for c, by in per[d].items()
        ]
        cats = [c for c in cats if c.count or c.previous_month or c.last_year]
        cats.sort(key=lambda c: (-c.count, c.category))
        total, before, year = (monthly[d].get(m.start, 0) for m in (month, prev, ly))
        # Incidents are kept per month: a month under way has no like-for-like days to compare
        # with, so no change at all (months/comparison.py); the whole months stand beside it.
        compared = not window.under_way
        out[d] = Crime(
            total=total,
            previous_month=before,
            last_year=year,
            change_vs_previous_month=ratio(total, before) if compared else None,
            change_vs_last_year=ratio(total, year) if compared else None,
            vs_previous_month=versus(window, total, before, "last month"),
            vs_last_year=versus(window, total, year, "last year"),
            by_category=cats,
            trend=[
                CrimeMonth(month=first.shift(i).label, count=monthly[d].get(first.shift(i).start, 0)) for i in range(12)
            ],
        )
    return out


_INSIGHTS = _q("SELECT * FROM dashboard.insights WHERE district = ANY(:ds)")


async def insights(session: AsyncSession, districts: list[str]) -> dict[str, Insight]:
    return {
        r.district: Insight(
            period_start=r.period_start,
            period_end=r.period_end,
            top_topics=list(r.top_topics),
            summary=r.summary,
            model_version=r.model_version,
        )
        for r in await session.execute(_INSIGHTS, {"ds": districts})
    }


_POINTS = sa.text("""
SELECT c.topic, c.text, c.lat, c.lon, n.held_at
FROM dashboard.notes n JOIN dashboard.note_concerns c ON c.note_id = n.note_id AND c.source = 'host'
WHERE n.district = :d AND n.held_at >= :s AND n.held_at < :e AND c.lat IS NOT NULL
ORDER BY n.held_at DESC LIMIT 2000
""")


async def concern_points(session: AsyncSession, district: str, start: datetime, end: datetime) -> Sequence[Row[Any]]:
    """The located concerns of a district's notes held in [start, end), newest first (at most 2,000)."""
    return (await session.execute(_POINTS, {"d": district, "s": start, "e": end})).all()


_SOURCES = sa.text("""
SELECT n.note_id, n.district, n.neighborhood, n.held_at, n.host_id, n.attendees,
       m.meeting_id, m.venue_type, m.starts_at, m.neighborhood AS meeting_neighborhood
FROM dashboard.notes n LEFT JOIN dashboard.meetings m ON m.meeting_id = n.meeting_id
WHERE n.note_id = ANY(:ids) AND (CAST(:d AS text) IS NULL OR n.district = :d)
""").bindparams(sa.bindparam("ids", type_=ARRAY(UUID(as_uuid=True))))


async def note_sources(session: AsyncSession, ids: Sequence[uuid.UUID], district: str | None) -> Sequence[Row[Any]]:
    """Where each note comes from: its meeting (venue, time), place and host (``district``: only its notes)."""
    return (await session.execute(_SOURCES, {"ids": list(ids), "d": district})).all()
