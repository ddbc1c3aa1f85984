"""Topic counts adjusted for the classifier's measured errors, with a 90 % interval.

A classifier that is right 72 % of the time does not make counts that are 72 % right: its errors
are not symmetric, so raw counts ("classify and count") drift toward the topics it confuses others
with, and the drift grows when a district's mix differs from the data the model was measured on
(prior shift: a district where lighting dominates is not the city). Two things fix that:

1. **Calibration** (:class:`Calibration`), measured on labeled concerns (the corrections the city
   made, or an evaluation on labeled data): a map from the model's probabilities for a concern to
   probabilities that are right as often as they say, ``P(true topic | concern)`` on the data it
   was measured on. It is "matrix scaling" (Guo et al. 2017): a multinomial logistic regression on
   the log-probabilities, shrunk toward the identity (the raw probabilities) so that a few dozen
   labels move it only a little.
2. **The place's own mix**, fitted to its concerns. Calibrated probabilities divided by the
   shares of the data they were measured on are likelihoods that do not depend on the mix
   (``P(concern | topic)`` up to a constant, the label-shift assumption), and the mix that explains
   the place's concerns best is found by EM (Saerens et al. 2002; with calibration it is the
   "hard to beat" method of Alexandari et al. 2020). Each concern's topic is then ``t`` with its
   posterior at that mix, and a topic's count is the sum of those posteriors: the count a reader
   means (how many of *this place's* concerns are about it), not a super-population rate.

The 90 % interval (:func:`count_interval`) adds the two uncertainties: which topic each concern
truly has, and how well the place's concerns pin down the mix (its observed information, by the
delta method). It does not widen for the calibration's own sampling error (measured on hundreds to
thousands of labels, it is the smaller part). Sampling the full posterior by Gibbs gave the same
coverage and a slightly better estimate (1.29 against 1.35 points) at six times the cost, paid on
every insight build; it is not worth it.

Measured by ``porchlight eval --bags`` (synthesis' model/bags.py; figures in docs/benchmarks.md, "Counts with
error bars"), 200 districts of 150 held-out concerns with flat-Dirichlet topic mixes: with the
labeled file learned, 1.39 points mean absolute error of the shares (raw counts: 2.27) and the
interval holds the true share 95 % of the time; the taxonomy alone, 1.51 points (raw 2.02), 94 %.
Counting hard labels against a confusion matrix (the method before this one) reached 2.1 points:
a label throws away how sure the model was.

Logic only: no SQL, no HTTP. Shared by the services that show topic counts: synthesis fits the
calibration and estimates its insights' counts; the dashboard estimates its monthly counts from the
probabilities and the calibration synthesis publishes (note.analyzed, topic.calibrated).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

LEVEL = 0.9
MIX_PRIOR = 0.5
#: L2 penalty (in labeled concerns' worth) pulling the calibration toward the raw probabilities.
#: Chosen on the shared data by the bag figures: 1 → 1.35 points, 10 → 1.29, 30 → 1.31 (learned);
#: 1.49 / 1.50 / 1.68 (taxonomy alone). Without it (plain multinomial regression) 50 corrections
#: would overrule the model entirely.
SHRINK = 10.0
#: Probabilities are floored here before their logarithm (a stored concern keeps only the
#: probabilities of at least ``KEEP_AT_LEAST``; the rest read as this floor).
FLOOR = 1e-4
KEEP_AT_LEAST = 5e-4


def log_softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax, stable for large values."""
    shifted = x - x.max(axis=1, keepdims=True)
    out: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return out


class QuantifyError(ValueError):
    """A calibration or probabilities that cannot be used (shape, unknown labels)."""


def probability_rows(rows: Sequence[Mapping[str, float]], topics: Sequence[str]) -> np.ndarray:
    """``(len(rows), len(topics))``: each concern's probabilities (topic → probability, as stored)
    in ``topics`` order, floored at ``FLOOR`` and summing to one. Names outside ``topics`` (a topic
    since removed from the taxonomy) are dropped."""
    col = {t: j for j, t in enumerate(topics)}
    out = np.full((len(rows), len(topics)), FLOOR)
    for i, row in enumerate(rows):
        for t, p in row.items():
            j = col.get(t)
            if j is not None and p > FLOOR:
                out[i, j] = float(p)
    rows_out: np.ndarray = out / out.sum(axis=1, keepdims=True)
    return rows_out


def stored_probabilities(topics: Sequence[str], probs: np.ndarray) -> dict[str, float]:
    """One concern's probabilities as stored: the topics of at least ``KEEP_AT_LEAST``, rounded."""
    return {t: round(float(p), 4) for t, p in zip(topics, probs, strict=True) if p >= KEEP_AT_LEAST}


def approximate_probabilities(best: str, score: float, topics: Sequence[str]) -> dict[str, float]:
    """For a concern analyzed before its probabilities were stored: its best topic at its score,
    the rest spread evenly (what one knows of it; re-analysis stores the real ones)."""
    others = [t for t in topics if t != best]
    rest = max(0.0, 1.0 - score) / max(len(others), 1)
    return {best: score, **dict.fromkeys(others, rest)}


@dataclass(frozen=True)
class Calibration:
    """Matrix scaling of the model's topic probabilities, measured on ``labels`` labeled concerns.

    ``calibrated = softmax(log p + (log p) @ weights + bias)``; ``shares`` are the true topics'
    shares among the concerns it was measured on (the mix its calibrated probabilities assume);
    ``basis`` says where the labels come from ("corrections" the city made, or an "evaluation")."""

    topics: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    shares: np.ndarray
    labels: int
    basis: str
    source: str = ""

    def __post_init__(self) -> None:
        k = len(self.topics)
        if k == 0 or len(set(self.topics)) != k:
            raise QuantifyError("a calibration needs distinct topics")
        if self.weights.shape != (k, k) or self.bias.shape != (k,) or self.shares.shape != (k,):
            raise QuantifyError(f"calibration arrays do not match its {k} topics")
        if not np.isfinite(self.weights).all() or not np.isfinite(self.bias).all():
            raise QuantifyError("calibration weights must be finite numbers")
        if (self.shares <= 0).any():
            raise QuantifyError("calibration shares must be positive")

    @classmethod
    def identity(cls, topics: Sequence[str], *, basis: str = "none", source: str = "") -> Calibration:
        """The raw probabilities, taken as they are, with equal shares (no labels measured yet)."""
        k = len(topics)
        return cls(tuple(topics), np.zeros((k, k)), np.zeros(k), np.full(k, 1.0 / k), 0, basis, source)

    @classmethod
    def fit(
        cls,
        probs: np.ndarray,
        truth: Sequence[str],
        topics: Sequence[str],
        *,
        basis: str,
        source: str = "",
        shrink: float = SHRINK,
    ) -> Calibration:
        """Fit on ``probs`` (rows in ``topics`` order) of concerns whose true topics are ``truth``.
        A true topic outside ``topics`` is an error: the model could not have said it."""
        topics = tuple(topics)
        col = {t: j for j, t in enumerate(topics)}
        unknown = sorted({t for t in truth if t not in col})
        if unknown:
            raise QuantifyError(f"true topics the model does not have: {unknown}")
        probs = np.asarray(probs, dtype=float)
        if probs.shape != (len(truth), len(topics)):
            raise QuantifyError(f"probabilities have shape {probs.shape}, expected {(len(truth), len(topics))}")
        k, n = len(topics), len(truth)
        if n == 0:
            return cls.identity(topics, basis=basis, source=source)
        y = np.array([col[t] for t in truth])
        onehot = np.eye(k)[y]
        logp = np.log(np.clip(probs, FLOOR, 1.0))

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            weights, bias = w[: k * k].reshape(k, k), w[k * k :]
            ls = log_softmax(logp + logp @ weights + bias)
            grad = (np.exp(ls) - onehot) / n
            penalty = shrink / n
            value = -float((onehot * ls).sum()) / n + penalty * float(w @ w)
            g_w = logp.T @ grad + 2 * penalty * weights
            g_b = grad.sum(axis=0) + 2 * penalty * bias
            return value, np.concatenate([g_w.ravel(), g_b])

        # Fitting is synthesis' (which installs scipy); a reader that only applies one needs numpy.
        from scipy.optimize import minimize

        found = minimize(loss, np.zeros(k * k + k), jac=True, method="L-BFGS-B", options={"maxiter": 500})
        w = found.x
        shares = (np.bincount(y, minlength=k) + MIX_PRIOR) / (n + MIX_PRIOR * k)
        return cls(topics, w[: k * k].reshape(k, k), w[k * k :], shares, n, basis, source)

    def apply(self, probs: np.ndarray) -> np.ndarray:
        """Calibrated probabilities of rows given in :attr:`topics` order."""
        logp = np.log(np.clip(np.asarray(probs, dtype=float), FLOOR, 1.0))
        calibrated: np.ndarray = np.exp(log_softmax(logp + logp @ self.weights + self.bias))
        return calibrated

    def likelihoods(self, probs: np.ndarray) -> np.ndarray:
        """``P(concern | topic)`` up to a factor per concern: calibrated probability / share."""
        out: np.ndarray = self.apply(probs) / self.shares
        return out

    def aligned(self, topics: Sequence[str]) -> Calibration:
        """The same calibration over exactly ``topics``, in that order: a topic it was not measured
        on (one added to the taxonomy since) keeps the model's raw probability and an average
        share; one the model no longer has is left out."""
        topics = tuple(dict.fromkeys(topics))
        if topics == self.topics:
            return self
        old = [self.topics.index(t) if t in self.topics else -1 for t in topics]
        k = len(topics)
        weights, bias = np.zeros((k, k)), np.zeros(k)
        shares = np.full(k, 1.0 / max(len(self.topics), 1))
        for i, oi in enumerate(old):
            if oi < 0:
                continue
            bias[i], shares[i] = self.bias[oi], self.shares[oi]
            for j, oj in enumerate(old):
                if oj >= 0:
                    weights[i, j] = self.weights[oi, oj]
        return Calibration(topics, weights, bias, shares / shares.sum(), self.labels, self.basis, self.source)

    def to_json(self) -> dict[str, Any]:
        return {
            "basis": self.basis,
            "source": self.source,
            "labels": self.labels,
            "topics": list(self.topics),
            "shares": [round(float(v), 6) for v in self.shares],
            "bias": [round(float(v), 6) for v in self.bias],
            "weights": [[round(float(v), 6) for v in row] for row in self.weights],
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Calibration:
        try:
            k = len(doc["topics"])
            return cls(
                tuple(doc["topics"]),
                np.asarray(doc["weights"], dtype=float).reshape(k, k),
                np.asarray(doc["bias"], dtype=float).reshape(k),
                np.asarray(doc["shares"], dtype=float).reshape(k),
                int(doc["labels"]),
                str(doc["basis"]),
                str(doc.get("source", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise QuantifyError(f"not a calibration document: {exc}") from exc

    @classmethod
    def load(cls, path: Path | str) -> Calibration:
        return cls.from_json(json.loads(Path(path).read_text()))


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


def fitted_mix(likelihoods: np.ndarray, *, iterations: int = 300, tolerance: float = 1e-7) -> np.ndarray:
    """The topic shares that make the concerns most likely (EM, Saerens et al. 2002)."""
    k = likelihoods.shape[1]
    share = np.full(k, 1.0 / k)
    for _ in range(iterations):
        w = likelihoods * share
        w /= w.sum(axis=1, keepdims=True)
        new = w.mean(axis=0)
        done = float(np.abs(new - share).max()) < tolerance
        share = new
        if done:
            break
    return share


def count_interval(likelihoods: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each topic's estimated count among the concerns, and its central ``level`` interval in whole
    counts, from each concern's likelihoods ``(concerns, topics)``.

    The mix is fitted by EM; a concern's topic is then ``t`` with its responsibility ``r_it`` (the
    posterior at that mix), so the count is ``sum_i r_it``. Its variance has two parts: which topic
    each concern truly has (``sum_i r_it (1 - r_it)``) and how uncertain the mix itself is (the
    inverse of the observed information of the mix on the simplex, carried to the counts by the
    delta method). The interval is normal, clipped to ``[0, concerns]``, and always holds the
    estimate. Measured against Gibbs sampling of the full posterior on the same bags: 0.96 against
    0.95 coverage, 1.35 against 1.29 points of error, in a sixth of the time (insights pay for it
    on every build)."""
    n, k = likelihoods.shape
    if n == 0 or k == 0:
        return np.zeros(k), np.zeros(k), np.zeros(k)
    share = fitted_mix(likelihoods)
    density = likelihoods @ share
    resp = likelihoods * share / density[:, None]
    mean = resp.sum(axis=0)
    # The mix moves in k - 1 free directions (it sums to one): s = s0 + B d.
    basis = np.vstack([np.eye(k - 1), -np.ones((1, k - 1))])
    scaled = likelihoods / density[:, None]
    information = basis.T @ (scaled.T @ scaled) @ basis + 1e-6 * np.eye(k - 1)
    share_cov = basis @ np.linalg.pinv(information) @ basis.T
    safe = np.maximum(share, 1e-12)
    jacobian = np.diag(mean / safe) - (resp.T @ resp) / safe[None, :]
    var = (resp * (1 - resp)).sum(axis=0) + np.einsum("tu,uv,tv->t", jacobian, share_cov, jacobian)
    half = NormalDist().inv_cdf(1 - (1 - level) / 2) * np.sqrt(np.maximum(var, 0.0))
    low = np.clip(np.floor(np.minimum(mean - half, mean)), 0, n)
    high = np.clip(np.ceil(np.maximum(mean + half, mean)), 0, n)
    return mean, low, high


def estimate_counts(
    probs: np.ndarray,
    topics: Sequence[str],
    calibration: Calibration,
    *,
    known: Mapping[str, int] | None = None,
    level: float = LEVEL,
) -> dict[str, TopicEstimate]:
    """Each topic's adjusted count among the concerns whose model probabilities are ``probs``
    (rows in ``topics`` order), with its central ``level`` interval; ``known``: concerns whose
    topic a person set (a supervisor's correction), counted as they are, with no doubt."""
    probs = np.asarray(probs, dtype=float)
    if probs.ndim != 2 or probs.shape[1] != len(topics):
        raise QuantifyError(f"probabilities have shape {probs.shape}, expected (concerns, {len(topics)})")
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise QuantifyError("probabilities must be finite and not negative")
    if any(n < 0 for n in (known or {}).values()):
        raise QuantifyError("known counts must not be negative")
    known = {t: int(n) for t, n in (known or {}).items() if t in topics and n > 0}
    cal = calibration.aligned(topics)
    total = len(probs) + sum(known.values())
    if total == 0:
        return {t: TopicEstimate(t, 0.0, 0, 0, 0) for t in topics}
    means, lows, highs = count_interval(cal.likelihoods(probs), level)
    add = np.array([known.get(t, 0) for t in cal.topics])
    means, lows, highs = means + add, lows + add, highs + add
    return {t: TopicEstimate(t, float(means[j]), int(lows[j]), int(highs[j]), total) for j, t in enumerate(cal.topics)}


def classify_and_count(predicted: Iterable[str], topics: Sequence[str]) -> dict[str, float]:
    """Raw shares: the share of concerns the model gave each topic (``unassigned`` counts for none)."""
    labels = list(predicted)
    counts = Counter(labels)
    n = len(labels)
    return {t: (counts[t] / n if n else 0.0) for t in topics}
