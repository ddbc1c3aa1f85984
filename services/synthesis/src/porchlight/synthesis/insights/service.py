"""Insights: a place's insight and the city view assembled from the figures repository.py counts,
and ``insight.updated`` when a district's synthesis changes materially.

The material-change rule: the synthesis compared is the district's last 30 days (ending today,
UTC): its topics ranked by notes. A change is material, against what was last published for the
district, when

* ``first``    — nothing was published for the district yet and it has a topic;
* ``ranking``  — the ordered top three topics differ (a topic entered, left or changed place);
* ``counts``   — a top-three topic's notes moved by at least ``max(3, 25 %)`` of the published
  figure (a trend growing inside a stable ranking).

Everything else (one more note about the leading topic, a re-labelled sentence that changes no
ranking) is not: subscribers such as the dashboard get a steady signal rather than one event per
note. The check runs after every batch of analyzed notes, every correction and every re-analysis,
in the same transaction, so the event and the state it describes commit together.

The read model (``read_insight``, ``read_city``): a built insight is kept (``insight_reads``) under its
place, period and emerging flag, with the data version it was built at (the sum of the place's
``insight_changes``, which triggers add to in every writer's transaction: migration 0004). A request
serves the stored body when its version is the data's version now, else builds, keeps and serves
it. What the output depends on is all in that key: the period's ends are explicit (the default
period is today's, so a new day is a new key), the data behind it moves the version. Only
``generated_at`` is not: it says when the served body was built.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import InsightUpdated
from porchlight.events.catalog import TopicCountEstimate
from porchlight.kit.quantify import (
    Calibration,
    TopicEstimate,
    approximate_probabilities,
    estimate_counts,
    probability_rows,
)
from porchlight.synthesis.calibration.service import measured_calibration
from porchlight.synthesis.db import outbox
from porchlight.synthesis.insights.repository import (
    InsightRepository,
    Period,
    Place,
    ReadKey,
    StoredRead,
    TopicCount,
)
from porchlight.synthesis.insights.schemas import (
    CityInsight,
    DistrictTop,
    EmergingCluster,
    Insight,
    NeighborhoodCount,
    PeriodOut,
    PlaceOut,
    QuoteOut,
    SentimentCounts,
    SentimentMixOut,
    TopicDominance,
    TopicEstimateOut,
    TopicInsight,
)
from porchlight.synthesis.insights.summary import summarize
from porchlight.synthesis.learning.service import current_taxonomy
from porchlight.synthesis.model.analyze import embedding_of
from porchlight.synthesis.model.clusters import Cluster, Statement, cluster_statements
from porchlight.synthesis.model.taxonomy import UNASSIGNED, Taxonomy

log = logging.getLogger(__name__)

#: The default period: the 30 days ending today (UTC).
DEFAULT_DAYS = 30

#: The material-change rule: the top topics compared, and how far a count must move.
TOP = 3
MIN_MOVE = 3
MIN_MOVE_SHARE = 0.25


#: Estimates by what they depend on (the concerns' probabilities, the labeled counts, the
#: calibration): a correction moves every district's data version, and a district whose concerns
#: did not change is then built again with the same estimate.
_ESTIMATES: OrderedDict[bytes, dict[str, TopicEstimate]] = OrderedDict()
_ESTIMATES_KEPT = 1024
_ESTIMATES_LOCK = threading.Lock()  # builds estimate in worker threads


def _estimated(
    probs: np.ndarray, topics: list[str], calibration: Calibration, known: dict[str, int]
) -> dict[str, TopicEstimate]:
    digest = hashlib.blake2b(digest_size=20)
    for part in (probs.tobytes(), calibration.weights.tobytes(), calibration.bias.tobytes()):
        digest.update(part)
    digest.update(json.dumps([topics, sorted(known.items()), calibration.basis, calibration.labels]).encode())
    key = digest.digest()
    with _ESTIMATES_LOCK:
        found = _ESTIMATES.get(key)
        if found is not None:
            _ESTIMATES.move_to_end(key)
            return found
    found = estimate_counts(probs, topics, calibration, known=known)
    with _ESTIMATES_LOCK:
        _ESTIMATES[key] = found
        while len(_ESTIMATES) > _ESTIMATES_KEPT:
            _ESTIMATES.popitem(last=False)
    return found


def topic_estimates(
    counts: dict[str, TopicCount],
    concerns: tuple[Sequence[tuple[str, float, dict[str, float] | None]], dict[str, int]],
    topics: Sequence[str],
    calibration: Calibration,
) -> dict[str, TopicEstimateOut]:
    """Each counted topic's notes estimated from how sure the model was of each concern
    (porchlight.kit.quantify), with a 90 % interval; a concern a supervisor labeled counts as labeled.
    The estimate is of concern statements, so a topic's notes are scaled by its notes per
    statement."""
    labeled, known = concerns
    # A counted topic the taxonomy no longer has (a promoted topic taken back) is estimated too.
    topics = list(dict.fromkeys([*topics, *(t for t in counts if t != UNASSIGNED)]))
    if not (labeled or known) or not topics:
        return {}
    rows = [p if p else approximate_probabilities(best, score, topics) for best, score, p in labeled]
    found = _estimated(probability_rows(rows, topics), topics, calibration, known)
    out = {}
    for topic, c in counts.items():
        e = found.get(topic)
        if topic == UNASSIGNED or e is None:
            continue
        per = c.notes / c.mentions if c.mentions else 1.0
        out[topic] = TopicEstimateOut(
            count=round(e.count * per),
            low=math.floor(e.low * per),
            high=math.ceil(e.high * per),
            share=round(e.share, 4),
            share_low=round(e.share_low, 4),
            share_high=round(e.share_high, 4),
            basis=calibration.basis,
            labels=calibration.labels,
        )
    return out


def default_period(today: date | None = None, days: int = DEFAULT_DAYS) -> Period:
    end = today or datetime.now(UTC).date()
    return Period(end - timedelta(days=days - 1), end)


def period_out(p: Period) -> PeriodOut:
    return PeriodOut(start=p.start, end=p.end, days=p.days)


def label_of(taxonomy: Taxonomy, topic: str) -> str:
    if topic in taxonomy:
        return taxonomy.get(topic).display
    return topic.replace("_", " ").capitalize()


async def emerging_clusters(session: AsyncSession, place: Place, period: Period) -> list[Cluster]:
    rows = await InsightRepository(session).unassigned_concerns(place, period)
    statements = [
        Statement(cid, nid, text, start, end, embedding_of(blob)) for cid, nid, text, start, end, blob in rows
    ]
    return await asyncio.to_thread(cluster_statements, statements)


def cluster_out(c: Cluster) -> EmergingCluster:
    return EmergingCluster(
        cluster_id=c.cluster_id,
        words=list(c.words),
        concerns=len(c.members),
        notes=len(c.note_ids),
        concern_ids=sorted(m.concern_id for m in c.members),
        note_ids=c.note_ids,
        quotes=[
            QuoteOut(note_id=s.note_id, concern_id=s.concern_id, text=s.text, start=s.start, end=s.end)
            for s in c.quotes
        ],
    )


async def build_insight(
    session: AsyncSession, taxonomy: Taxonomy, place: Place, period: Period, *, with_emerging: bool = True
) -> Insight:
    repo = InsightRepository(session)
    prev, against = period.compared()
    notes, concerns = await repo.totals(place, period)
    prev_notes, _ = await repo.totals(place, prev)
    pending = await repo.pending_note_ids(place, period)
    counts = await repo.topic_counts(place, period)
    prev_counts = await repo.topic_counts(place, prev)
    sentiments = await repo.topic_sentiments(place, period)
    hoods = await repo.topic_neighborhoods(place, period)
    quotes = await repo.quotes(place, period)
    mix = await repo.sentiment_mix(place, period)
    ranked = sorted(
        ((t, c) for t, c in counts.items() if t != UNASSIGNED), key=lambda tc: (-tc[1].notes, -tc[1].mentions, tc[0])
    )
    names = list(taxonomy.names)
    calibration = await measured_calibration(session, names)
    # A few hundred milliseconds of sampling for a busy place: off the event loop.
    estimates = await asyncio.to_thread(
        topic_estimates, counts, await repo.topic_probabilities(place, period), names, calibration
    )
    topics = []
    for rank, (topic, c) in enumerate(ranked, start=1):
        before = prev_counts.get(topic, TopicCount(0, 0)).notes
        topics.append(
            TopicInsight(
                topic=topic,
                label=label_of(taxonomy, topic),
                rank=rank,
                notes=c.notes,
                mentions=c.mentions,
                previous_notes=before,
                change=c.notes - before,
                change_pct=round(100 * (c.notes - before) / before) if before else None,
                sentiment=SentimentCounts(**sentiments.get(topic, {})),
                neighborhoods=[NeighborhoodCount(neighborhood=h, notes=n) for h, n in hoods.get(topic, [])[:3]],
                quotes=[
                    QuoteOut(
                        note_id=x.note_id,
                        concern_id=x.concern_id,
                        text=x.text,
                        start=x.start,
                        end=x.end,
                        occurred_at=x.occurred_at,
                        district=x.district,
                        neighborhood=x.neighborhood,
                        position=x.position,
                    )
                    for x in quotes.get(topic, [])
                ],
                estimate=estimates.get(topic),
            )
        )
    clusters = await emerging_clusters(session, place, period) if with_emerging else []
    insight = Insight(
        place=PlaceOut(district=place.district, neighborhood=place.neighborhood),
        period=period_out(period),
        previous_period=period_out(prev),
        against=against,
        notes=notes,
        concerns=concerns,
        previous_notes=prev_notes,
        pending=len(pending),
        unassigned=counts.get(UNASSIGNED, TopicCount(0, 0)).mentions,
        topics=topics,
        sentiment=SentimentMixOut(
            notes=SentimentCounts(**mix.counts),
            host_rating_mean=mix.host_rating_mean,
            host_rated_notes=mix.host_rated_notes,
        ),
        emerging=[cluster_out(c) for c in clusters],
        summary=[],
        model_versions=await repo.model_versions(place, period),
        generated_at=datetime.now(UTC),
    )
    insight.summary = summarize(
        insight,
        await repo.note_ids(place, period),
        await repo.note_ids(place, prev),
        await repo.note_ids_by_topic(place, period),
        await repo.note_ids_by_topic(place, prev),
        pending,
    )
    return insight


async def build_city(session: AsyncSession, period: Period) -> CityInsight:
    """Which topic dominates where: each district's leading topic, each topic's leading district."""
    repo = InsightRepository(session)
    by_district = await repo.district_topic_counts(period)
    note_counts = await repo.district_note_counts(period)
    districts = []
    per_topic: dict[str, dict[str, int]] = {}
    for district in sorted(note_counts):
        topics = {t: n for t, n in by_district.get(district, {}).items() if t != UNASSIGNED}
        top = min(topics.items(), key=lambda tn: (-tn[1], tn[0])) if topics else None
        districts.append(
            DistrictTop(
                district=district,
                notes=note_counts[district],
                top_topic=top[0] if top else None,
                top_topic_notes=top[1] if top else 0,
                topics=dict(sorted(topics.items(), key=lambda tn: (-tn[1], tn[0]))),
            )
        )
        for t, n in topics.items():
            per_topic.setdefault(t, {})[district] = n
    dominance = []
    for topic, where in per_topic.items():
        lead = min(where.items(), key=lambda dn: (-dn[1], dn[0]))
        dominance.append(
            TopicDominance(
                topic=topic,
                notes=sum(where.values()),
                dominant_district=lead[0],
                dominant_notes=lead[1],
                districts=dict(sorted(where.items(), key=lambda dn: (-dn[1], dn[0]))),
            )
        )
    dominance.sort(key=lambda d: (-d.notes, d.topic))
    return CityInsight(period=period_out(period), districts=districts, topics=dominance)


def withhold_words(insight: Insight) -> Insight:
    """The insight as a reader of another district gets it: the figures, not the residents' words."""
    out = insight.model_copy(deep=True)
    for t in out.topics:
        t.quotes = []
    for c in out.emerging:
        c.quotes = []
    out.words_withheld = True
    return out


async def read_insight(
    session: AsyncSession, place: Place, period: Period, *, emerging: bool = True, words: bool = True
) -> StoredRead:
    """The place's insight as stored at the data's version now, else built (and kept); with the
    residents' words, or as a reader of another district gets it (``words`` False).

    The session's transaction must be REPEATABLE READ and not have read yet: the version and
    every figure of a build are then read in one snapshot."""

    async def build() -> tuple[str, str]:
        _, taxonomy = await current_taxonomy(session)
        insight = await build_insight(session, taxonomy, place, period, with_emerging=emerging)
        return insight.model_dump_json(), withhold_words(insight).model_dump_json()

    return await _stored_or_built(session, ReadKey.of(place, period, emerging=emerging), build, words=words)


async def read_city(session: AsyncSession, period: Period) -> StoredRead:
    """The city view as stored at the data's version now, else built (and kept); as ``read_insight``."""

    async def build() -> tuple[str, str]:
        body = (await build_city(session, period)).model_dump_json()
        return body, body  # no resident's words in it

    return await _stored_or_built(session, ReadKey.city(period), build, words=True)


async def _stored_or_built(
    session: AsyncSession, key: ReadKey, build: Callable[[], Awaitable[tuple[str, str]]], *, words: bool
) -> StoredRead:
    repo = InsightRepository(session)
    stored = await repo.stored_read(key, words=words)
    if stored.body is not None:
        return stored
    body, withheld = await build()
    try:
        # A savepoint: another build of the same key committed since this snapshot fails the
        # upsert (REPEATABLE READ), and the answer is served all the same.
        async with session.begin_nested():
            await repo.save_read(key, stored.version, body, withheld)
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) not in ("40001", "40P01"):
            raise
        log.debug("insight read model: a concurrent build kept %s first", key.kind)
    return StoredRead(stored.version, body if words else withheld, built=True)


async def stale_default_insights(sessions: Callable[[], AsyncSession]) -> list[tuple[str, int]]:
    """The districts (and their data version now) whose default-period insight is not kept at that version."""
    async with sessions() as session, session.begin():
        return await InsightRepository(session).stale_districts(default_period())


async def warm_default_insight(sessions: Callable[[], AsyncSession], district: str | None) -> bool:
    """Build and keep the district's default-period insight (None: the city view) unless it is kept
    at the data's version now or another warmer is at it; whether it was built."""
    period = default_period()
    async with sessions() as session, session.begin():
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        repo = InsightRepository(session)
        if district is None and not await repo.city_was_read():
            return False  # nobody reads it: the first reader builds it
        if not await repo.try_lock_warming(district or ""):
            return False
        if district is None:
            read = await read_city(session, period)
        else:
            read = await read_insight(session, Place(district=district), period)
    return read.built


async def tidy_read_model(sessions: Callable[[], AsyncSession], keep: timedelta = timedelta(days=2)) -> None:
    """Compact the change rows (versions unchanged) and forget bodies not rebuilt for ``keep``."""
    async with sessions() as session, session.begin():
        repo = InsightRepository(session)
        await repo.compact_changes()
        await repo.prune_reads(datetime.now(UTC) - keep)


def material_reason(
    published_top: list[str] | None, published_notes: dict[str, int], top: list[str], notes: dict[str, int]
) -> str | None:
    """Why the district's top topics changed materially since last published (module docstring), or None."""
    if published_top is None:
        return "first" if top else None
    if top != published_top:
        return "ranking"
    for t in top:
        before, now = published_notes.get(t, 0), notes.get(t, 0)
        if abs(now - before) >= max(MIN_MOVE, MIN_MOVE_SHARE * before):
            return "counts"
    return None


async def refresh_insights(session: AsyncSession, districts: Iterable[str], model_version: str) -> list[InsightUpdated]:
    """Publish ``insight.updated`` for each of ``districts`` whose synthesis changed materially."""
    repo = InsightRepository(session)
    period = default_period()
    published: list[InsightUpdated] = []
    taxonomy: Taxonomy | None = None
    for district in sorted(set(districts)):
        # One transaction at a time per district (analyzer loops, replicas), and the counts read
        # only once the lock is held: they then include every batch committed before, so the last
        # state published for a district is never one that misses another batch's notes. Taken
        # in sorted order, so two batches sharing districts cannot deadlock.
        await repo.lock_district(district)
        place = Place(district=district)
        counts = await repo.topic_counts(place, period)
        ranked = sorted(((t, c.notes) for t, c in counts.items() if t != UNASSIGNED), key=lambda tn: (-tn[1], tn[0]))[
            :TOP
        ]
        top = [t for t, _ in ranked]
        notes = dict(ranked)
        state = await repo.published_state(district)
        reason = material_reason(
            state.top_topics if state else None, dict(state.topic_notes) if state else {}, top, notes
        )
        if reason is None:
            continue
        total, _ = await repo.totals(place, period)
        if taxonomy is None:  # topics are named as the taxonomy names them (a promoted topic: its given name)
            taxonomy = (await current_taxonomy(session))[1]
        names = list(taxonomy.names)
        calibration = await measured_calibration(session, names)
        found = await asyncio.to_thread(
            topic_estimates, counts, await repo.topic_probabilities(place, period), names, calibration
        )
        event = InsightUpdated(
            district=district,
            period_start=period.start,
            period_end=period.end,
            top_topics=top,
            summary=_summary(district, total, ranked, taxonomy, found),
            model_version=model_version,
            topic_notes=notes,
            notes=total,
            reason=reason,
            topic_estimates={
                t: TopicCountEstimate(count=e.count, low=e.low, high=e.high, basis=e.basis)
                for t, e in found.items()
                if t in notes
            },
        )
        values = {
            "district": district,
            "period_start": period.start,
            "period_end": period.end,
            "top_topics": top,
            "topic_notes": notes,
            "model_version": model_version,
            "published_at": datetime.now(UTC),
        }
        await repo.save_published_state(values)
        await outbox.add(session, event)
        published.append(event)
    return published


def _summary(
    district: str,
    total: int,
    ranked: list[tuple[str, int]],
    taxonomy: Taxonomy,
    estimates: dict[str, TopicEstimateOut] | None = None,
) -> str:
    """Counts and topic names only: nothing a resident wrote reaches the event. Each count says
    what allowing for the model's mistakes makes of it ("about 5, 3 to 8")."""
    if not ranked:
        return f"{total} notes in {district} in the last 30 days; no topic yet."
    estimates = estimates or {}

    def part(t: str, n: int) -> str:
        e = estimates.get(t)
        about = f"; about {e.count}, {e.low} to {e.high}" if e else ""
        return f"{label_of(taxonomy, t)} ({n} notes{about})"

    parts = ", ".join(part(t, n) for t, n in ranked)
    said = " 'About' allows for the model's mistakes: a 9 in 10 chance the true number is in the range."
    return f"{total} notes in {district} in the last 30 days; most raised: {parts}.{said if estimates else ''}"
