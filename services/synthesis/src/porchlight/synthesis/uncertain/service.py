"""The concerns the model is least sure of, scored by the current model version.

Stored labels say what the model version of the day thought; a supervisor's correction since may
have settled a concern's doubt. So the candidates (the place's newest unlabeled concerns) are
scored again by the live model, from their stored embeddings (no text is embedded again), and
ordered by model/uncertainty.py's rule — the one bench/active_learning.py measured.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.synthesis.insights.repository import Period, Place
from porchlight.synthesis.insights.service import label_of
from porchlight.synthesis.learning.service import ModelHolder, current_taxonomy
from porchlight.synthesis.model.analyze import embedding_of
from porchlight.synthesis.model.live import LiveModel, version_tag
from porchlight.synthesis.model.threads import in_daemon_thread
from porchlight.synthesis.model.uncertainty import RULE, least_sure, margins, settled, unsureness
from porchlight.synthesis.uncertain.repository import Candidate, UncertainRepository

log = logging.getLogger(__name__)

#: The newest unlabeled concerns scored per request: a quarter of a busy district, ~0.1 s of model.
MAX_SCORED = 2000
#: The topics shown with each concern.
ALTERNATIVES = 3


@dataclass(frozen=True)
class Unsure:
    concern: Candidate
    topic_label: str
    margin: float
    unsure: float
    alternatives: tuple[tuple[str, str, float], ...]  # (topic, label, probability), best first


@dataclass(frozen=True)
class UnsureList:
    model_version: str
    model_version_number: int
    labels_learned: int
    considered: int
    concerns: list[Unsure]
    #: The process has no model yet (it loads in the background): nothing could be scored.
    loading: bool = False


#: The background loads started by this module (a reference keeps a task from being collected).
_LOADING: set[asyncio.Task[None]] = set()


def start_loading(holder: ModelHolder, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Load the model in the background, once: a request never waits the minute a cold load
    takes on a busy machine (the analyzer usually started it already; this joins its lock)."""
    if any(not t.done() for t in _LOADING):
        return

    async def load() -> None:
        try:
            async with sessions() as session, session.begin():
                await holder.current(session)
        except Exception:  # the next request tries again; the analyzer reports its own failures
            log.exception("the model did not load for help-the-model")

    task = asyncio.create_task(load())
    _LOADING.add(task)
    task.add_done_callback(_LOADING.discard)


def rank(live: LiveModel, candidates: Sequence[Candidate], limit: int) -> list[tuple[int, float, float, np.ndarray]]:
    """(index, margin, unsureness, probabilities) of the ``limit`` least sure candidates, least
    sure first (CPU). How typical a concern is (the rule's density) is measured among the
    candidates that are still open."""
    if not candidates:
        return []
    emb = np.stack([embedding_of(c.embedding) for c in candidates]).astype(np.float32)
    open_ = np.nonzero(~settled(emb, live.corrected_emb))[0]
    if len(open_) == 0:
        return []
    probs = live.topics.predict_proba([candidates[int(i)].text for i in open_], emb[open_])
    gaps = margins(probs)
    scores = unsureness(probs, RULE, emb[open_])
    return [
        (int(open_[k]), float(gaps[k]), float(scores[k]), probs[k]) for k in least_sure(probs, RULE, limit, emb[open_])
    ]


async def least_sure_concerns(
    session: AsyncSession,
    holder: ModelHolder,
    sessions: async_sessionmaker[AsyncSession],
    place: Place,
    period: Period,
    limit: int,
) -> UnsureList:
    repo = UncertainRepository(session)
    if holder.loaded is None:
        start_loading(holder, sessions)
        row, taxonomy = await current_taxonomy(session)
        learned = await repo.labels_learned(row.version)
        return UnsureList(version_tag(row.version, taxonomy), row.version, learned, 0, [], loading=True)
    live = await holder.current(session)  # the loaded one, or rebuilt for a newer version (seconds)
    learned = await repo.labels_learned(live.version)
    candidates = await repo.candidates(place, period, MAX_SCORED)
    ranked = await in_daemon_thread(rank, live, candidates, limit)
    names = live.topics.topics
    out = []
    for i, gap, score, probs in ranked:
        top = np.argsort(-probs)[:ALTERNATIVES]
        c = candidates[i]
        out.append(
            Unsure(
                concern=c,
                topic_label=label_of(live.taxonomy, c.topic),
                margin=round(gap, 4),
                unsure=round(score, 4),
                alternatives=tuple(
                    (names[j], label_of(live.taxonomy, names[j]), round(float(probs[j]), 4)) for j in top
                ),
            )
        )
    return UnsureList(live.tag, live.version, learned, len(candidates), out)
