"""Assemble an insight for a place and period from the figures queries.py counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.analysis.store import embedding_of
from porchlight.synthesis.emerging.clusters import Cluster, Statement, cluster_statements
from porchlight.synthesis.insights import queries as q
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
from porchlight.synthesis.taxonomy import UNASSIGNED, Taxonomy

#: The default period: the 30 days ending today (UTC).
DEFAULT_DAYS = 30


def default_period(today: date | None = None, days: int = DEFAULT_DAYS) -> q.Period:
    end = today or datetime.now(UTC).date()
    return q.Period(end - timedelta(days=days - 1), end)


def period_out(p: q.Period) -> PeriodOut:
    return PeriodOut(start=p.start, end=p.end, days=p.days)


def label_of(taxonomy: Taxonomy, topic: str) -> str:
    if topic in taxonomy:
        return taxonomy.get(topic).display
    return topic.replace("_", " ").capitalize()


async def emerging_clusters(session: AsyncSession, place: q.Place, period: q.Period) -> list[Cluster]:
    rows = await q.unassigned_concerns(session, place, period)
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
    session: AsyncSession, taxonomy: Taxonomy, place: q.Place, period: q.Period, *, with_emerging: bool = True
) -> Insight:
    prev = period.previous()
    notes, concerns = await q.totals(session, place, period)
    prev_notes, _ = await q.totals(session, place, prev)
    pending = await q.pending_note_ids(session, place, period)
    counts = await q.topic_counts(session, place, period)
    prev_counts = await q.topic_counts(session, place, prev)
    sentiments = await q.topic_sentiments(session, place, period)
    hoods = await q.topic_neighborhoods(session, place, period)
    quotes = await q.quotes(session, place, period)
    mix = await q.sentiment_mix(session, place, period)
    ranked = sorted(
        ((t, c) for t, c in counts.items() if t != UNASSIGNED), key=lambda tc: (-tc[1].notes, -tc[1].mentions, tc[0])
    )
    topics = []
    for rank, (topic, c) in enumerate(ranked, start=1):
        before = prev_counts.get(topic, q.TopicCount(0, 0)).notes
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
                    QuoteOut(note_id=x.note_id, concern_id=x.concern_id, text=x.text, start=x.start, end=x.end)
                    for x in quotes.get(topic, [])
                ],
            )
        )
    clusters = await emerging_clusters(session, place, period) if with_emerging else []
    insight = Insight(
        place=PlaceOut(district=place.district, neighborhood=place.neighborhood),
        period=period_out(period),
        previous_period=period_out(prev),
        notes=notes,
        concerns=concerns,
        previous_notes=prev_notes,
        pending=len(pending),
        unassigned=counts.get(UNASSIGNED, q.TopicCount(0, 0)).mentions,
        topics=topics,
        sentiment=SentimentMixOut(
            notes=SentimentCounts(**mix.counts),
            host_rating_mean=mix.host_rating_mean,
            host_rated_notes=mix.host_rated_notes,
        ),
        emerging=[cluster_out(c) for c in clusters],
        summary=[],
        model_versions=await q.model_versions(session, place, period),
        generated_at=datetime.now(UTC),
    )
    insight.summary = summarize(
        insight,
        await q.note_ids(session, place, period),
        await q.note_ids(session, place, prev),
        await q.note_ids_by_topic(session, place, period),
        await q.note_ids_by_topic(session, place, prev),
        pending,
    )
    return insight


async def build_city(session: AsyncSession, period: q.Period) -> CityInsight:
    """Which topic dominates where: each district's leading topic, each topic's leading district."""
    by_district = await q.district_topic_counts(session, period)
    note_counts = await q.district_note_counts(session, period)
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
