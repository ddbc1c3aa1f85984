"""Topic counts adjusted for the classifier's measured confusion, with a 90 % interval.

A classifier that is right 72 % of the time does not make counts that are 72 % right: its errors
are not symmetric, so raw counts ("classify and count") drift toward the topics it confuses others
with, and the drift grows when a district's mix differs from the data the model was measured on
(prior shift: a district where lighting dominates is not the city). What one *can* know is the
classifier's confusion ``P(predicted | true)``, measured on labeled concerns: the corrections the
city made or an evaluation on labeled data. With it the observed predicted counts are a known
mixture of the unknown true counts, and inverting that mixture is the adjusted classify-and-count
family of quantification methods (Forman 2008; Saerens et al. 2002 for the EM variant).

We use its Bayesian form (the "Bayesian quantification with black-box classifiers" model of
Ziegler & Czyż, 2023, and the latent-class model behind Dawid & Skene, 1979)::

    share            ~ Dirichlet(alpha)                     the place's true topic mix
    confusion[t]     ~ Dirichlet(prior[t] + labeled[t])     row t measured on labeled concerns
    true topic z_i   ~ Categorical(share)                   for each of the place's N concerns
    predicted y_i    ~ Categorical(confusion[z_i])          what the model said (observed)

sampled by Gibbs sampling on the aggregated counts (each step is a handful of multinomial and
Dirichlet draws over a topics-by-predictions table, so a district of any size takes milliseconds).
Why this rather than the least-squares ACC inversion with a bootstrap:

* the estimate stays on the simplex (no negative counts to clip) and is well defined when the
  confusion is nearly singular or a topic was never seen among the labels;
* the interval accounts for *both* sources of error at once: the few labeled examples the
  confusion was measured on (the Dirichlet posterior of each row) and which concerns this place
  happened to get (the latent true topics), with no asymptotic approximation;
* what is reported is the posterior of the *number of this place's concerns* whose true topic is
  ``t`` (the sum of the latent ``z``), i.e. the count a reader means, not a super-population rate.

The point estimate is the posterior mean (it minimizes the expected squared error); the interval
is the central 90 % of the posterior draws. The prior on each confusion row is weak (two
pseudo-examples shaped like the pooled accuracy: right with the pooled rate, otherwise spread
evenly), so a topic with few labels gets a wide, not a wild, row; the prior on the mix is the
Jeffreys ``Dirichlet(1/2)``.

Measured by ``porchlight eval --bags`` (bags.py; figures in docs/benchmarks.md, "Counts with
error bars"): the intervals hold the true share about 82-86 % of the time; the adjusted shares
beat the raw ones where the model's errors are lopsided, but on average they are no closer than
raw counts (about 2.7-2.9 points against 2.6-2.8), because hard labels on 150 concerns carry
little information at 61-71 % accuracy. Counting by (topic, confidence bin) helped in that
experiment and is the next step: the service would have to count concerns by their score.

Logic only: no SQL, no HTTP. The service hands it counts and a :class:`Confusion`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from porchlight.synthesis.model.taxonomy import UNASSIGNED

#: The confusion measured by ``porchlight eval --save-confusion`` on the shared labeled data, with
#: the taxonomy alone (the service's first-day model): shipped so a city without corrections still
#: gets adjusted counts, with its basis named "evaluation".
SHIPPED_CONFUSION = Path(__file__).parent / "confusion_evaluation.json"

LEVEL = 0.9
MIX_PRIOR = 0.5
ROW_PRIOR_STRENGTH = 2.0


class QuantifyError(ValueError):
    """A confusion or counts that cannot be used (shape, unknown labels)."""


@dataclass(frozen=True)
class Confusion:
    """Counts of labeled concerns by true topic (rows) and the model's prediction (columns).

    ``predicted`` may hold labels that are no topic (``unassigned``); ``basis`` says where the
    counts come from ("corrections" the city made, or an "evaluation" on labeled data)."""

    topics: tuple[str, ...]
    predicted: tuple[str, ...]
    counts: np.ndarray
    basis: str
    source: str = ""

    def __post_init__(self) -> None:
        if self.counts.shape != (len(self.topics), len(self.predicted)):
            raise QuantifyError(
                f"confusion counts have shape {self.counts.shape}, expected {(len(self.topics), len(self.predicted))}"
            )
        if (self.counts < 0).any():
            raise QuantifyError("confusion counts must not be negative")

    @property
    def labels(self) -> int:
        """How many labeled concerns the confusion was measured on."""
        return int(self.counts.sum())

    @property
    def accuracy(self) -> float:
        right = sum(self.counts[i, self.predicted.index(t)] for i, t in enumerate(self.topics) if t in self.predicted)
        return float(right / self.labels) if self.labels else 0.0

    @classmethod
    def from_pairs(
        cls,
        pairs: Iterable[tuple[str, str]],
        *,
        basis: str,
        topics: Sequence[str] = (),
        predicted: Sequence[str] = (),
        source: str = "",
    ) -> Confusion:
        """From ``(true topic, predicted label)`` pairs; ``topics``/``predicted`` add rows/columns."""
        counter = Counter(pairs)
        rows = list(dict.fromkeys([*topics, *(t for t, _ in counter)]))
        cols = list(dict.fromkeys([*predicted, *rows, *(p for _, p in counter)]))
        m = np.zeros((len(rows), len(cols)))
        for (t, p), n in counter.items():
            m[rows.index(t), cols.index(p)] += n
        return cls(tuple(rows), tuple(cols), m, basis, source)

    def to_json(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "source": self.source,
            "topics": list(self.topics),
            "predicted": list(self.predicted),
            "counts": [[int(v) for v in row] for row in self.counts],
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Confusion:
        try:
            return cls(
                tuple(doc["topics"]),
                tuple(doc["predicted"]),
                np.asarray(doc["counts"], dtype=float).reshape(len(doc["topics"]), len(doc["predicted"])),
                str(doc["basis"]),
                str(doc.get("source", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise QuantifyError(f"not a confusion document: {exc}") from exc

    @classmethod
    def load(cls, path: Path | str = SHIPPED_CONFUSION) -> Confusion:
        return cls.from_json(json.loads(Path(path).read_text()))

    def aligned(self, topics: Sequence[str], predicted: Sequence[str]) -> Confusion:
        """The same counts over ``topics`` by ``predicted`` (added rows/columns hold no counts)."""
        rows = list(dict.fromkeys([*topics, *self.topics]))
        cols = list(dict.fromkeys([*predicted, *rows, *self.predicted]))
        m = np.zeros((len(rows), len(cols)))
        ri = [rows.index(t) for t in self.topics]
        ci = [cols.index(p) for p in self.predicted]
        m[np.ix_(ri, ci)] = self.counts
        return Confusion(tuple(rows), tuple(cols), m, self.basis, self.source)


@dataclass(frozen=True)
class TopicEstimate:
    """A topic's estimated true count among ``total`` concerns, with its 90 % interval."""

    topic: str
    count: float
    low: int
    high: int
    total: int

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    @property
    def share_low(self) -> float:
        return self.low / self.total if self.total else 0.0

    @property
    def share_high(self) -> float:
        return self.high / self.total if self.total else 0.0


def _row_prior(confusion: Confusion) -> np.ndarray:
    """Weak prior rows: ``ROW_PRIOR_STRENGTH`` pseudo-examples, right at the pooled accuracy."""
    k, j = confusion.counts.shape
    acc = confusion.accuracy if confusion.labels else 0.5
    acc = min(max(acc, 0.05), 0.95)
    prior = np.full((k, j), (1 - acc) / max(j - 1, 1))
    for i, t in enumerate(confusion.topics):
        if t in confusion.predicted:
            prior[i, confusion.predicted.index(t)] = acc
    prior /= prior.sum(axis=1, keepdims=True)
    return ROW_PRIOR_STRENGTH * prior


def _dirichlet_rows(rng: np.random.Generator, alpha: np.ndarray) -> np.ndarray:
    g = rng.standard_gamma(alpha)
    s = g.sum(axis=-1, keepdims=True)
    return g / np.where(s > 0, s, 1.0)


def posterior_counts(
    predicted_counts: Mapping[str, int],
    confusion: Confusion,
    *,
    draws: int = 800,
    burn_in: int = 200,
    seed: int = 0,
) -> tuple[tuple[str, ...], np.ndarray]:
    """Posterior draws ``(draws, topics)`` of how many of the concerns truly are of each topic.

    ``predicted_counts``: the model's label (a topic or ``unassigned``) → how many concerns got it.
    A topic the confusion never saw (one added to the taxonomy since) gets a row and a column of
    its own that only the weak prior describes: its interval is wide, as it should be."""
    if any(n < 0 for n in predicted_counts.values()):
        raise QuantifyError("predicted counts must not be negative")
    conf = confusion.aligned([p for p in predicted_counts if p != UNASSIGNED], list(predicted_counts))
    topics, cols = conf.topics, conf.predicted
    q = np.array([int(predicted_counts.get(c, 0)) for c in cols])
    k = len(topics)
    out = np.zeros((draws, k))
    if q.sum() == 0 or k == 0:
        return topics, out
    rng = np.random.default_rng(seed)
    labeled = conf.counts
    row_alpha = _row_prior(conf) + labeled
    seen = q > 0
    qs = q[seen]
    c = row_alpha / row_alpha.sum(axis=1, keepdims=True)
    share = np.full(k, 1.0 / k)
    for it in range(burn_in + draws):
        # The true topics of the concerns given each prediction: P(true t | predicted j) ∝ share_t C_tj.
        w = share[:, None] * c[:, seen]  # (k, seen)
        w = (w / w.sum(axis=0, keepdims=True)).T  # (seen, k)
        z = rng.multinomial(qs, w)  # (seen, k): concerns predicted j whose true topic is t
        n = z.sum(axis=0)
        share = rng.dirichlet(MIX_PRIOR + n)
        zfull = np.zeros_like(labeled)
        zfull[:, seen] = z.T
        c = _dirichlet_rows(rng, row_alpha + zfull)
        if it >= burn_in:
            out[it - burn_in] = n
    return topics, out


def estimate_counts(
    predicted_counts: Mapping[str, int],
    confusion: Confusion,
    *,
    level: float = LEVEL,
    draws: int = 800,
    seed: int = 0,
) -> dict[str, TopicEstimate]:
    """Each topic's adjusted count among the concerns, with its central ``level`` interval."""
    topics, samples = posterior_counts(predicted_counts, confusion, draws=draws, seed=seed)
    total = int(sum(predicted_counts.values()))
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    lows = np.floor(np.quantile(samples, lo_q, axis=0)) if total else np.zeros(len(topics))
    highs = np.ceil(np.quantile(samples, hi_q, axis=0)) if total else np.zeros(len(topics))
    means = samples.mean(axis=0) if total else np.zeros(len(topics))
    return {t: TopicEstimate(t, float(means[i]), int(lows[i]), int(highs[i]), total) for i, t in enumerate(topics)}


def classify_and_count(predicted: Iterable[str], topics: Sequence[str]) -> dict[str, float]:
    """Raw shares: the share of concerns the model gave each topic (``unassigned`` counts for none)."""
    labels = list(predicted)
    counts = Counter(labels)
    n = len(labels)
    return {t: (counts[t] / n if n else 0.0) for t in topics}
