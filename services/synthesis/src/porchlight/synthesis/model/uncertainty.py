"""Which concerns the model is least sure of: the ones a supervisor's label teaches it most.

Uncertainty sampling (active learning): instead of asking a supervisor to label concerns at
random, ask about those whose topic probabilities are closest to a tie. Two rules are measured in
``bench/active_learning.py`` (docs/benchmarks.md, "Help the model"):

* ``margin``: the gap between the two most probable topics (small = unsure);
* ``entropy``: the entropy of the whole distribution (large = unsure);
* ``spread``: by margin, but taking turns among the topics the model leans to (the least sure
  concern of each best topic, then the next of each...), so a round of labels does not pile up
  on the one confusable pair of topics;
* ``dense``: ``1 - margin`` weighted by how typical the concern is among the candidates (mean
  cosine similarity to its ``DENSITY_K`` nearest), so an odd one-off statement (often a label
  no one would agree on) is not asked before a doubt many concerns share ("information density");
* ``dense-spread``: ``dense`` taking turns among the topics, as ``spread``.

:data:`RULE` is the one the "Help the model" screen (synthesis ``GET /v1/concerns/uncertain``)
and the bench both use, chosen by that simulation.

A statement that (nearly) repeats one a supervisor already corrected is settled: the live model
gives it the corrected topic whatever its probabilities say (model/live.py), so asking again
would teach nothing.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from porchlight.synthesis.model.live import CORRECTION_MATCH

Rule = Literal["margin", "entropy", "spread", "dense", "dense-spread"]
#: Chosen by bench/active_learning.py on ../shared/data/topics_dev.csv (docs/benchmarks.md, "Help
#: the model"): the best of the five at 20 and 40 labels (ahead of random in 4 of 5 folds), level
#: with random at 100 — none of them beat random clearly there.
RULE: Rule = "dense-spread"
#: Neighbours that say how typical a concern is (the dense rules).
DENSITY_K = 10


def margins(probs: np.ndarray) -> np.ndarray:
    """``(n,)``: probability of the best topic minus that of the second (0 = a tie)."""
    if probs.shape[1] < 2:
        return np.ones(len(probs))
    top2 = -np.partition(-probs, 1, axis=1)[:, :2]
    return np.asarray(top2[:, 0] - top2[:, 1])


def entropies(probs: np.ndarray) -> np.ndarray:
    """``(n,)``: entropy of each row, in nats (0 = certain)."""
    p = np.clip(probs, 1e-12, 1.0)
    return np.asarray(-(p * np.log(p)).sum(axis=1))


def density(embeddings: np.ndarray, k: int = DENSITY_K) -> np.ndarray:
    """``(n,)``: mean cosine similarity of each row to its ``k`` nearest other rows (0 when alone)."""
    n = len(embeddings)
    if n < 2:
        return np.zeros(n)
    sims = embeddings @ embeddings.T
    np.fill_diagonal(sims, -np.inf)
    kk = min(k, n - 1)
    top = -np.partition(-sims, kk - 1, axis=1)[:, :kk]
    return np.asarray(np.clip(top.mean(axis=1), 0.0, None))


def unsureness(probs: np.ndarray, rule: Rule = RULE, embeddings: np.ndarray | None = None) -> np.ndarray:
    """``(n,)``: higher is less sure, by ``rule`` (the dense rules need the rows' embeddings)."""
    if rule == "entropy":
        return entropies(probs)
    if rule in ("dense", "dense-spread"):
        if embeddings is None:
            raise ValueError(f"rule {rule!r} needs the embeddings")
        return (1.0 - margins(probs)) * density(embeddings)
    return -margins(probs)


def least_sure(
    probs: np.ndarray, rule: Rule = RULE, limit: int | None = None, embeddings: np.ndarray | None = None
) -> np.ndarray:
    """Row indices, least sure first (ties keep their order: a stable sort)."""
    order = np.argsort(-unsureness(probs, rule, embeddings), kind="stable")
    if rule in ("spread", "dense-spread") and len(order):
        best = probs.argmax(axis=1)[order]
        # Rank of each row within its best topic's queue: rows go out by rank, then by margin.
        turn = np.zeros(len(order), dtype=int)
        seen: dict[int, int] = {}
        for k, b in enumerate(best):
            turn[k] = seen.get(int(b), 0)
            seen[int(b)] = turn[k] + 1
        order = order[np.argsort(turn, kind="stable")]
    return order if limit is None else order[:limit]


def settled(embeddings: np.ndarray, corrected: np.ndarray) -> np.ndarray:
    """``(n,)`` booleans: rows the near-duplicate rule labels from a correction (cosine >= CORRECTION_MATCH)."""
    if len(embeddings) == 0 or len(corrected) == 0:
        return np.zeros(len(embeddings), dtype=bool)
    return np.asarray((embeddings @ corrected.T).max(axis=1) >= CORRECTION_MATCH)
