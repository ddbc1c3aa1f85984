"""The model's calibration (porchlight.kit.quantify) as this city's synthesis uses it, and its
announcement to the readers that estimate topic counts as synthesis does (``topic.calibrated``).

Which calibration: the one fitted on the city's corrections once there are ``MIN_CORRECTIONS``
of them with the probabilities the model gave their concerns, else the evaluation shipped with
the model. Every insight build asks, so the corrections are read (and fitted) only when they grew
by ``REFIT_GROWTH`` or the taxonomy changed.

The announcement: the dashboard counts topics from ``note.analyzed`` and shows them with the same
"about N (L-H)" as synthesis' pages; it estimates from each concern's ``topic_probs`` and the
calibration published here. A synthesis process publishes the calibration it would use when it
starts and then every ``ANNOUNCE_EVERY_S`` if it changed (a refit, a taxonomy edit); the last one
published is remembered by digest, under a row lock, so replicas do not publish it twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import TopicCalibrated
from porchlight.kit.quantify import Calibration, probability_rows
from porchlight.synthesis.calibration.models import PublishedCalibration
from porchlight.synthesis.db import outbox
from porchlight.synthesis.learning.repository import LearningRepository
from porchlight.synthesis.learning.service import current_taxonomy

#: The calibration measured by ``porchlight eval --save-calibration`` on the shared labeled data,
#: with the taxonomy alone (the service's first-day model): shipped so a city without corrections
#: still gets adjusted counts, with its basis named "evaluation".
SHIPPED_CALIBRATION = Path(__file__).parents[1] / "model" / "calibration_evaluation.json"

#: How often a running synthesis checks whether its calibration changed since it was published.
ANNOUNCE_EVERY_S = 30.0

#: Corrections the city must have made before they, rather than the evaluation shipped with the
#: model, calibrate its probabilities: below this a few rows would say little about 17-odd topics
#: (the calibration is shrunk toward the raw probabilities, so a few dozen move it only a little).
#: Corrections are chosen by people (often the concerns that looked wrong, or the ones "Help the
#: model" found least sure), so they can overstate the model's errors; the shipped evaluation is a
#: random sample, but of labeled data, not the city's.
MIN_CORRECTIONS = 50


@lru_cache(maxsize=1)
def shipped_calibration() -> Calibration:
    return Calibration.load(SHIPPED_CALIBRATION)


#: The calibration fitted on the corrections, by the topics it covers, with how many corrections
#: it was fitted on. It is fitted again once the corrections grew by ``REFIT_GROWTH``: one more
#: label barely moves a fit on fifty, and a new calibration makes every place's estimate anew.
_FITTED: dict[tuple[str, ...], tuple[int, Calibration]] = {}
REFIT_GROWTH = 1.1


def _fit_on_corrections(rows: Sequence[tuple[str, dict[str, float]]], topics: tuple[str, ...]) -> Calibration:
    return Calibration.fit(
        probability_rows([p for _, p in rows], topics),
        [t for t, _ in rows],
        topics,
        basis="corrections",
        source="the city's corrections",
    )


async def measured_calibration(session: AsyncSession, topics: Sequence[str]) -> Calibration:
    """The model's calibration: from the city's corrections (each with the probabilities the model
    gave the concern) once there are ``MIN_CORRECTIONS`` of them, else the evaluation shipped with
    the model. Every insight build asks, so the corrections are read (and fitted) only when they
    grew by ``REFIT_GROWTH`` or the taxonomy changed."""
    repo = LearningRepository(session)
    n, _ = await repo.correction_probabilities_key()
    if n < MIN_CORRECTIONS:
        return shipped_calibration()
    key = tuple(topics)
    held = _FITTED.get(key)
    if held is None or not held[0] <= n < held[0] * REFIT_GROWTH:
        usable = [(t, p) for _, t, p in await repo.correction_probabilities() if t in topics]
        held = (n, await asyncio.to_thread(_fit_on_corrections, usable, key))
        _FITTED.clear()
        _FITTED[key] = held
    return held[1]


async def current_calibration(session: AsyncSession) -> Calibration:
    """The calibration insights use now, over the current taxonomy's topics."""
    _, taxonomy = await current_taxonomy(session)
    return (await measured_calibration(session, list(taxonomy.names))).aligned(list(taxonomy.names))


def calibration_event(calibration: Calibration, at: datetime) -> TopicCalibrated:
    doc = calibration.to_json()
    return TopicCalibrated(
        published_at=at,
        basis=doc["basis"],
        source=doc["source"],
        labels=doc["labels"],
        topics=doc["topics"],
        shares=doc["shares"],
        bias=doc["bias"],
        weights=doc["weights"],
    )


async def announce_calibration(session: AsyncSession) -> TopicCalibrated | None:
    """Queue ``topic.calibrated`` when the calibration in use differs from the one last published
    (in the caller's transaction); returns the event, or None when the readers have it already."""
    calibration = await current_calibration(session)
    digest = hashlib.blake2b(json.dumps(calibration.to_json(), sort_keys=True).encode(), digest_size=16).hexdigest()
    P = PublishedCalibration
    # The row exists before it is locked, so two replicas' first announcements queue behind one lock.
    await session.execute(
        insert(P).values(scope="city", digest="", published_at=datetime.now(UTC)).on_conflict_do_nothing()
    )
    held = await session.scalar(sa.select(P.digest).where(P.scope == "city").with_for_update())
    if held == digest:
        return None
    event = calibration_event(calibration, datetime.now(UTC))
    await session.execute(sa.update(P).where(P.scope == "city").values(digest=digest, published_at=event.published_at))
    await outbox.add(session, event)
    return event
