"""``insight.updated``: published when a district's synthesis changes *materially*.

The synthesis compared is the district's last 30 days (ending today, UTC): its topics ranked by
notes. A change is material, against what was last published for the district, when

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

from collections.abc import Iterable
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from porchlight.events import InsightUpdated
from porchlight.synthesis.db import Base
from porchlight.synthesis.insights import queries as q
from porchlight.synthesis.insights.build import default_period
from porchlight.synthesis.outbox import outbox
from porchlight.synthesis.taxonomy import UNASSIGNED

TOP = 3
MIN_MOVE = 3
MIN_MOVE_SHARE = 0.25


class InsightState(Base):
    """What was last published for a district."""

    __tablename__ = "insight_state"

    district: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    period_start: Mapped[date] = mapped_column(sa.Date)
    period_end: Mapped[date] = mapped_column(sa.Date)
    top_topics: Mapped[list[str]] = mapped_column(JSONB)
    topic_notes: Mapped[dict[str, int]] = mapped_column(JSONB)
    model_version: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


def material_reason(
    published_top: list[str] | None, published_notes: dict[str, int], top: list[str], notes: dict[str, int]
) -> str | None:
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
    period = default_period()
    published: list[InsightUpdated] = []
    for district in sorted(set(districts)):
        # One transaction at a time per district (analyzer loops, replicas), and the counts read
        # only once the lock is held: they then include every batch committed before, so the last
        # state published for a district is never one that misses another batch's notes. Taken
        # in sorted order, so two batches sharing districts cannot deadlock.
        await session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext("synthesis.insight:" + district)))
        )
        place = q.Place(district=district)
        counts = await q.topic_counts(session, place, period)
        ranked = sorted(((t, c.notes) for t, c in counts.items() if t != UNASSIGNED), key=lambda tn: (-tn[1], tn[0]))[
            :TOP
        ]
        top = [t for t, _ in ranked]
        notes = dict(ranked)
        state = await session.get(InsightState, district, with_for_update=True)
        reason = material_reason(
            state.top_topics if state else None, dict(state.topic_notes) if state else {}, top, notes
        )
        if reason is None:
            continue
        total, _ = await q.totals(session, place, period)
        event = InsightUpdated(
            district=district,
            period_start=period.start,
            period_end=period.end,
            top_topics=top,
            summary=_summary(district, total, ranked),
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
        stmt = insert(InsightState).values(values)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[InsightState.district], set_={k: stmt.excluded[k] for k in values}
            )
        )
        await outbox().add(session, event)
        published.append(event)
    return published


def _summary(district: str, total: int, ranked: list[tuple[str, int]]) -> str:
    """Counts and topic names only: nothing a resident wrote reaches the event."""
    if not ranked:
        return f"{total} notes in {district} in the last 30 days; no topic yet."
    parts = ", ".join(f"{t.replace('_', ' ')} ({n})" for t, n in ranked)
    return f"{total} notes in {district} in the last 30 days; most raised: {parts}."
