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
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import InsightUpdated
from porchlight.synthesis.db import outbox
from porchlight.synthesis.insights.repository import InsightRepository, Period, Place, TopicCount
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
    TopicInsight,
)
from porchlight.synthesis.insights.summary import summarize
from porchlight.synthesis.learning.service import current_taxonomy
from porchlight.synthesis.model.analyze import embedding_of
from porchlight.synthesis.model.clusters import Cluster, Statement, cluster_statements
from porchlight.synthesis.model.taxonomy import UNASSIGNED, Taxonomy

#: The default period: the 30 days ending today (UTC).
DEFAULT_DAYS = 30

#: The material-change rule: the top topics compared, and how far a count must move.
TOP = 3
MIN_MOVE = 3
MIN_MOVE_SHARE = 0.25


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
                    )
                    for x in quotes.get(topic, [])
                ],
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
        event = InsightUpdated(
            district=district,
            period_start=period.start,
            period_end=period.end,
            top_topics=top,
            summary=_summary(district, total, ranked, taxonomy),
            model_version=model_version,
            topic_notes=notes,
            notes=total,
            reason=reason,
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


def _summary(district: str, total: int, ranked: list[tuple[str, int]], taxonomy: Taxonomy) -> str:
    """Counts and topic names only: nothing a resident wrote reaches the event."""
    if not ranked:
        return f"{total} notes in {district} in the last 30 days; no topic yet."
    parts = ", ".join(f"{label_of(taxonomy, t)} ({n})" for t, n in ranked)
    return f"{total} notes in {district} in the last 30 days; most raised: {parts}."
