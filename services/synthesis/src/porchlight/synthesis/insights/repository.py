"""All SQL of insights: every figure of an insight is counted here — never by a model.

A note counts for a place and period by where and when the conversation took place
(``occurred_at``: intake's ``held_at``, else the filing time). Topic figures count *notes* (a note
that mentions street lighting in three sentences is one note about street lighting) and, as
``mentions``, concern statements.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.db import upsert
from porchlight.kit.paging import Cursor, keyset
from porchlight.synthesis.insights.models import InsightChange, InsightRead, InsightState
from porchlight.synthesis.model.taxonomy import UNASSIGNED
from porchlight.synthesis.notes.models import AnalyzedConcern as C
from porchlight.synthesis.notes.models import ReceivedNote as N

SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Place:
    district: str | None = None
    neighborhood: str | None = None


@dataclass(frozen=True)
class Period:
    """Whole UTC days, both ends included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        lo = datetime.combine(self.start, time.min, tzinfo=UTC)
        return lo, datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=UTC)

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def compared(self) -> tuple[Period, str]:
        """What the period's figures are set against, and that in words — the dashboard's rule
        (dashboard months/comparison.py), so a district page's table and summary say one thing:

        * a whole calendar month: the whole month before ("last month");
        * the first days of a month (a month under way, from the 1st): the same days of the
          month before, cut at its end ("the same days last month");
        * any other period: the period of equal length just before it.
        """
        if self.start.day == 1 and (self.end.year, self.end.month) == (self.start.year, self.start.month):
            before_end = self.start - timedelta(days=1)
            before_start = before_end.replace(day=1)
            if (self.end + timedelta(days=1)).day == 1:
                return Period(before_start, before_end), "last month"
            same = min(before_start + timedelta(days=self.days - 1), before_end)
            return Period(before_start, same), "the same days last month"
        return self.previous(), "the previous period of equal length"


def _notes_where(place: Place, period: Period, *, analyzed: bool = True) -> list[Any]:
    lo, hi = period.bounds()
    # A note counts once analyzed: every figure of an insight then rests on the same notes. The
    # others are only reported as waiting (``pending_note_ids``), never counted in a figure.
    done = N.analyzed_at.is_not(None) if analyzed else N.analyzed_at.is_(None)
    conds: list[Any] = [N.occurred_at >= lo, N.occurred_at < hi, done]
    if place.district is not None:
        conds.append(N.district == place.district)
    if place.neighborhood is not None:
        conds.append(N.neighborhood == place.neighborhood)
    return conds


def concerns_where(place: Place, period: Period) -> list[Any]:
    lo, hi = period.bounds()
    conds: list[Any] = [C.occurred_at >= lo, C.occurred_at < hi]
    if place.district is not None:
        conds.append(C.district == place.district)
    if place.neighborhood is not None:
        conds.append(C.neighborhood == place.neighborhood)
    return conds


#: The district of a change that concerns every district (insights/models.py ``InsightChange``).
EVERYWHERE = "*"


@dataclass(frozen=True)
class ReadKey:
    """What a stored insight is kept under: the place ('' for a part not given), the period, and
    whether emerging clusters were asked for. The data version is checked beside it, not part of it."""

    kind: str  # "place" or "city"
    district: str
    neighborhood: str
    period_start: date
    period_end: date
    emerging: bool

    @classmethod
    def of(cls, place: Place, period: Period, *, emerging: bool = True) -> ReadKey:
        return cls("place", place.district or "", place.neighborhood or "", period.start, period.end, emerging)

    @classmethod
    def city(cls, period: Period) -> ReadKey:
        return cls("city", "", "", period.start, period.end, False)

    def where(self) -> list[sa.ColumnElement[bool]]:
        return [getattr(InsightRead, name) == value for name, value in vars(self).items()]


@dataclass(frozen=True)
class StoredRead:
    """The data version now, and the body asked for as stored at it (None: nothing stored at this version)."""

    version: int
    body: str | None
    #: Built by this request rather than read.
    built: bool = False


def _version_of(district: str) -> sa.ScalarSelect[Any]:
    """The data version of a district ('': of every district, for the city and a neighborhood given alone)."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(InsightChange.weight), 0))
    if district:
        stmt = stmt.where(InsightChange.district.in_([district, EVERYWHERE]))
    return stmt.scalar_subquery()


@dataclass(frozen=True)
class TopicCount:
    notes: int
    mentions: int


@dataclass(frozen=True)
class SentimentMix:
    counts: dict[str, int]
    host_rating_mean: float | None
    host_rated_notes: int


@dataclass(frozen=True)
class Quote:
    concern_id: int
    note_id: uuid.UUID
    text: str
    start: int
    end: int
    score: float
    #: Where and when the note was taken: a quote always says where it comes from.
    occurred_at: datetime | None = None
    district: str | None = None
    neighborhood: str | None = None
    #: Its place among the note's concerns (note.analyzed's): how a priority quotes it.
    position: int | None = None


class InsightRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def totals(self, place: Place, period: Period) -> tuple[int, int]:
        """(notes, concern statements) of the place in the period."""
        notes = await self.session.scalar(sa.select(sa.func.count()).select_from(N).where(*_notes_where(place, period)))
        concerns = await self.session.scalar(
            sa.select(sa.func.count()).select_from(C).where(*concerns_where(place, period))
        )
        return int(notes or 0), int(concerns or 0)

    async def topic_counts(self, place: Place, period: Period) -> dict[str, TopicCount]:
        rows = await self.session.execute(
            sa.select(C.topic, sa.func.count(sa.distinct(C.note_id)), sa.func.count())
            .where(*concerns_where(place, period))
            .group_by(C.topic)
        )
        return {topic: TopicCount(int(n), int(m)) for topic, n, m in rows.all()}

    async def topic_probabilities(
        self, place: Place, period: Period
    ) -> tuple[list[tuple[str, float, dict[str, float] | None]], dict[str, int]]:
        """What the adjusted counts are estimated from (porchlight.kit.quantify): each concern the model
        labeled, as its best topic, its score and its stored topic probabilities (None before
        migration 0006); and how many concerns of each topic a supervisor set by hand."""
        rows = await self.session.execute(
            sa.select(C.best_topic, C.topic_score, C.topic_probs, C.topic, C.topic_source)
            .where(*concerns_where(place, period))
            .order_by(C.id)
        )
        model: list[tuple[str, float, dict[str, float] | None]] = []
        known: dict[str, int] = defaultdict(int)
        for best, score, probs, topic, source in rows.all():
            if source == "supervisor":
                known[topic] += 1
            else:
                model.append((best, float(score), probs))
        return model, dict(known)

    async def note_ids(self, place: Place, period: Period, topic: str | None = None) -> list[uuid.UUID]:
        """The notes behind a count: of a topic, or all the place's notes in the period."""
        if topic is None:
            stmt = sa.select(N.note_id).where(*_notes_where(place, period))
        else:
            stmt = sa.select(C.note_id).where(*concerns_where(place, period), C.topic == topic).distinct()
        return sorted((await self.session.scalars(stmt)).all(), key=str)

    async def pending_note_ids(self, place: Place, period: Period) -> list[uuid.UUID]:
        """The place's notes of the period that were received but are not analyzed yet."""
        stmt = sa.select(N.note_id).where(*_notes_where(place, period, analyzed=False))
        return sorted((await self.session.scalars(stmt)).all(), key=str)

    async def note_ids_by_topic(self, place: Place, period: Period) -> dict[str, list[uuid.UUID]]:
        rows = await self.session.execute(
            sa.select(C.topic, C.note_id).where(*concerns_where(place, period)).distinct()
        )
        out: dict[str, list[uuid.UUID]] = defaultdict(list)
        for topic, note_id in rows.all():
            out[topic].append(note_id)
        return {k: sorted(v, key=str) for k, v in out.items()}

    async def sentiment_mix(self, place: Place, period: Period) -> SentimentMix:
        """Notes by their sentiment, and the hosts' own five-point ratings of the same notes."""
        rows = await self.session.execute(
            sa.select(N.sentiment, sa.func.count()).where(*_notes_where(place, period)).group_by(N.sentiment)
        )
        counts = dict.fromkeys(SENTIMENTS, 0)
        for label, n in rows.all():
            if label in counts:
                counts[label] = int(n)
        mean, rated = (
            await self.session.execute(
                sa.select(sa.func.avg(N.host_rating), sa.func.count(N.host_rating)).where(*_notes_where(place, period))
            )
        ).one()
        # Halves up, as the dashboard rounds the same average (its pages.repository.one_decimal):
        # Python's round() gave 3.2 here for 3.25 where the dashboard's pages and report say 3.3.
        rounded = float(Decimal(mean).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)) if mean is not None else None
        return SentimentMix(counts, rounded, int(rated))

    async def topic_sentiments(self, place: Place, period: Period) -> dict[str, dict[str, int]]:
        """Concern statements of each topic by their sentiment."""
        rows = await self.session.execute(
            sa.select(C.topic, C.sentiment, sa.func.count())
            .where(*concerns_where(place, period))
            .group_by(C.topic, C.sentiment)
        )
        out: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SENTIMENTS, 0))
        for topic, label, n in rows.all():
            out[topic][label] = int(n)
        return dict(out)

    async def topic_neighborhoods(self, place: Place, period: Period) -> dict[str, list[tuple[str, int]]]:
        """Notes of each topic per neighborhood, most first."""
        rows = await self.session.execute(
            sa.select(C.topic, C.neighborhood, sa.func.count(sa.distinct(C.note_id)).label("n"))
            .where(*concerns_where(place, period), C.neighborhood.is_not(None))
            .group_by(C.topic, C.neighborhood)
            .order_by(C.topic, sa.desc("n"), C.neighborhood)
        )
        out: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for topic, hood, n in rows.all():
            out[topic].append((str(hood), int(n)))
        return dict(out)

    async def quotes(self, place: Place, period: Period, per_topic: int = 3) -> dict[str, list[Quote]]:
        """The most representative statements of each topic, one per note: highest topic score first
        (the statements the model is surest belong to the topic), then the longest, then the newest."""
        best_of_note = (
            sa.select(
                C.id,
                C.note_id,
                C.position,
                C.topic,
                C.text,
                C.span_start,
                C.span_end,
                C.topic_score,
                C.occurred_at,
                C.district,
                C.neighborhood,
                sa.func.row_number()
                .over(
                    partition_by=(C.topic, C.note_id),
                    order_by=(C.topic_score.desc(), sa.func.length(C.text).desc(), C.id),
                )
                .label("in_note"),
            )
            .where(*concerns_where(place, period), C.span_start >= 0)
            .subquery()
        )
        ranked = sa.select(
            best_of_note,
            sa.func.row_number()
            .over(
                partition_by=best_of_note.c.topic,
                order_by=(
                    best_of_note.c.topic_score.desc(),
                    sa.func.length(best_of_note.c.text).desc(),
                    best_of_note.c.id,
                ),
            )
            .label("rank"),
        ).where(best_of_note.c.in_note == 1)
        sub = ranked.subquery()
        rows = await self.session.execute(
            sa.select(sub).where(sub.c.rank <= per_topic).order_by(sub.c.topic, sub.c.rank)
        )
        out: dict[str, list[Quote]] = defaultdict(list)
        for r in rows.mappings().all():
            out[r["topic"]].append(
                Quote(
                    r["id"],
                    r["note_id"],
                    r["text"],
                    r["span_start"],
                    r["span_end"],
                    round(float(r["topic_score"]), 4),
                    r["occurred_at"],
                    r["district"],
                    r["neighborhood"],
                    r["position"],
                )
            )
        return dict(out)

    async def model_versions(self, place: Place, period: Period) -> list[str]:
        rows = await self.session.scalars(sa.select(C.model_version).where(*concerns_where(place, period)).distinct())
        return sorted(rows.all())

    async def unassigned_concerns(
        self, place: Place, period: Period, limit: int = 5000
    ) -> list[tuple[int, uuid.UUID, str, int, int, bytes]]:
        rows = await self.session.execute(
            sa.select(C.id, C.note_id, C.text, C.span_start, C.span_end, C.embedding)
            # An erased statement keeps its row for the counts, but no embedding: nothing to cluster.
            .where(*concerns_where(place, period), C.topic == UNASSIGNED, sa.func.octet_length(C.embedding) > 0)
            .order_by(C.occurred_at.desc(), C.id)
            .limit(limit)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]

    async def district_topic_counts(self, period: Period) -> dict[str, dict[str, int]]:
        """Notes per (district, topic) across the city, for the cross-district view."""
        rows = await self.session.execute(
            sa.select(C.district, C.topic, sa.func.count(sa.distinct(C.note_id)))
            .where(*concerns_where(Place(), period))
            .group_by(C.district, C.topic)
        )
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for district, topic, n in rows.all():
            out[district][topic] = int(n)
        return dict(out)

    async def district_note_counts(self, period: Period) -> dict[str, int]:
        rows = await self.session.execute(
            sa.select(N.district, sa.func.count()).where(*_notes_where(Place(), period)).group_by(N.district)
        )
        return {d: int(n) for d, n in rows.all()}

    async def notes_page(
        self,
        place: Place,
        period: Period,
        *,
        topic: str | None,
        sentiment: str | None,
        cursor: Cursor | None,
        limit: int,
    ) -> tuple[int, Sequence[N], Sequence[C]]:
        """The analyzed notes behind a figure (newest first, a keyset page of ``limit`` plus one
        to tell whether more follow), their total, and the statements of them that the figure counts."""
        if topic is not None:
            cw = concerns_where(place, period)
            cw.append(C.topic == topic)
            if sentiment is not None:
                cw.append(C.sentiment == sentiment)
            ids = sa.select(C.note_id).where(*cw).distinct()
            where: list[sa.ColumnElement[bool]] = [N.note_id.in_(ids)]
        else:
            where = _notes_where(place, period)
            if sentiment is not None:
                where.append(N.sentiment == sentiment)
        total = int(await self.session.scalar(sa.select(sa.func.count()).select_from(N).where(*where)) or 0)
        notes = (
            await self.session.scalars(keyset(sa.select(N).where(*where), N.occurred_at, N.note_id, cursor, limit))
        ).all()
        concern_filter: list[sa.ColumnElement[bool]] = [C.note_id.in_([n.note_id for n in notes[:limit]])]
        if topic is not None:
            concern_filter += [C.topic == topic] + ([C.sentiment == sentiment] if sentiment else [])
        rows = (await self.session.scalars(sa.select(C).where(*concern_filter).order_by(C.note_id, C.position))).all()
        return total, notes, rows

    async def lock_district(self, district: str) -> None:
        """One transaction at a time publishes a district's insight (released at commit)."""
        await self.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("synthesis.insight:" + district)))
        )

    async def published_state(self, district: str) -> InsightState | None:
        return await self.session.get(InsightState, district, with_for_update=True)

    async def save_published_state(self, values: dict[str, Any]) -> None:
        await self.session.execute(upsert(cast(sa.Table, InsightState.__table__), values, key=["district"]))

    async def stored_read(self, key: ReadKey, *, words: bool = True) -> StoredRead:
        """The data version now and, if one was built at it, the stored body (with the residents'
        words or without): one indexed query."""
        now = sa.select(_version_of(key.district).label("version")).subquery("now")
        body = InsightRead.body if words else InsightRead.body_withheld
        row = (
            await self.session.execute(
                sa.select(now.c.version, body.label("body")).select_from(
                    now.outerjoin(InsightRead, sa.and_(*key.where(), InsightRead.version == now.c.version))
                )
            )
        ).one()
        return StoredRead(int(row.version), row.body)

    async def save_read(self, key: ReadKey, version: int, body: str, body_withheld: str) -> None:
        """Keep a built body; one built at an older version (a slow build overtaken) never replaces a newer one."""
        await self.session.execute(
            upsert(
                cast(sa.Table, InsightRead.__table__),
                {
                    **vars(key),
                    "version": version,
                    "body": body,
                    "body_withheld": body_withheld,
                    "built_at": sa.func.now(),
                },
                key=list(vars(key)),
                where=lambda stored, new: stored.c.version <= new.version,
            )
        )

    async def try_lock_warming(self, district: str) -> bool:
        """Whether this transaction may warm the district's insight (replicas' warmers skip one
        another's district rather than build it twice; released at commit)."""
        taken = await self.session.scalar(
            sa.select(sa.func.pg_try_advisory_xact_lock(sa.func.hashtext("synthesis.insight-warm:" + district)))
        )
        return bool(taken)

    async def city_was_read(self) -> bool:
        """Whether anyone read the city view in the last two days (a stored one is kept that long)."""
        return bool(await self.session.scalar(sa.select(sa.exists().where(InsightRead.kind == "city"))))

    async def stale_districts(self, period: Period) -> list[tuple[str, int]]:
        """The districts someone read (and their version now) whose insight for ``period``, emerging
        clusters included, is not stored at that version."""
        changes = cast(sa.Table, InsightChange.__table__)
        versions = (
            sa.select(changes.c.district, sa.func.sum(changes.c.weight).label("weight"))
            .group_by(changes.c.district)
            .subquery()
        )
        everywhere = (
            sa.select(sa.func.coalesce(sa.func.sum(changes.c.weight), 0))
            .where(changes.c.district == EVERYWHERE)
            .scalar_subquery()
        )
        stored = sa.and_(
            InsightRead.kind == "place",
            InsightRead.district == versions.c.district,
            InsightRead.neighborhood == "",
            InsightRead.period_start == period.start,
            InsightRead.period_end == period.end,
            InsightRead.emerging.is_(True),
        )
        now = versions.c.weight + everywhere
        # Only districts someone read (a stored insight of any period, kept two days: tidy): a
        # correction changes every district's version, and rebuilding each of hundreds of districts
        # nobody opens kept the analyzer's cores busy (the tests' database has hundreds).
        read = sa.select(InsightRead.district).where(InsightRead.kind == "place").distinct()
        rows = await self.session.execute(
            sa.select(versions.c.district, now)
            .outerjoin(InsightRead, stored)
            .where(
                versions.c.district != EVERYWHERE,
                versions.c.district.in_(read),
                InsightRead.version.is_distinct_from(now),
            )
            .order_by(versions.c.district)
        )
        return [(d, int(v)) for d, v in rows.all()]

    async def compact_changes(self) -> None:
        """Each district's change rows as one row of the same total weight (its version unchanged)."""
        changes = cast(sa.Table, InsightChange.__table__)
        gone = sa.delete(changes).returning(changes.c.district, changes.c.weight).cte("gone")
        await self.session.execute(
            sa.insert(changes).from_select(
                ["district", "weight"],
                sa.select(gone.c.district, sa.func.sum(gone.c.weight)).group_by(gone.c.district),
            )
        )

    async def prune_reads(self, built_before: datetime) -> None:
        """Forget bodies nobody refreshed since ``built_before`` (past periods): rebuilt if asked for again."""
        await self.session.execute(sa.delete(InsightRead).where(InsightRead.built_at < built_before))
