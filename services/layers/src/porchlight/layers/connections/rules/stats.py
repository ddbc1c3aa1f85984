"""The test a connection rule states: are a place's recent incidents above its own baseline?

Window count ``k`` over ``w`` days against the place's own count ``b`` over the ``B`` days before
it: expected ``λ = max(b, 0.5) · w / B``. The floor of half an incident keeps a place with no
history from being "infinitely" significant on its first incident, while three thefts on a block
that had none in a year still stand out. Poisson: ``p = P(X ≥ k | λ)``. Negative binomial: the
same tail with the dispersion the place's own window-long counts show (its baseline cut into 28-day
blocks for a 28-day window; method of moments), for places whose counts swing more than Poisson
allows; with no extra variance (or fewer than three blocks) it is the Poisson test. The rate ratio
``k / λ`` carries an exact (Garwood) 95 % Poisson interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: An empty history still expects this many incidents over the baseline (see the docstring).
BASELINE_FLOOR = 0.5


@dataclass(frozen=True)
class IncidentTest:
    k: int  # incidents in the window
    expected: float  # λ: what the place's own baseline predicts for the window
    baseline_count: int
    window_days: int
    baseline_days: int
    rate_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    test: str  # poisson | negative_binomial (what was used)
    significant: bool


def garwood(k: int, expected: float) -> tuple[float, float]:
    """Exact 95 % interval of the rate ratio k / expected (chi-square form of the Poisson interval)."""
    low = 0.0 if k == 0 else stats.chi2.ppf(0.025, 2 * k) / 2
    high = stats.chi2.ppf(0.975, 2 * (k + 1)) / 2
    return float(low / expected), float(high / expected)


def incident_test(
    k: int,
    baseline_count: int,
    window_days: int,
    baseline_days: int,
    *,
    p_value: float = 0.05,
    min_count: int = 3,
    test: str = "poisson",
    baseline_blocks: Sequence[int] | None = None,
) -> IncidentTest:
    """The rule's test; ``baseline_blocks`` are the place's counts per window-long block of its
    baseline (for the negative binomial's dispersion)."""
    expected = max(baseline_count, BASELINE_FLOOR) * window_days / baseline_days
    used = "poisson"
    p = float(stats.poisson.sf(k - 1, expected)) if k > 0 else 1.0
    if test == "negative_binomial" and baseline_blocks is not None and len(baseline_blocks) >= 3:
        blocks = np.asarray(baseline_blocks, dtype=float)
        mean, var = float(blocks.mean()), float(blocks.var(ddof=1))
        if mean > 0 and var > mean:
            # Method of moments: var = μ + μ²/r  →  r = μ² / (var - μ); scipy's nbinom(n=r, p=r/(r+λ)).
            r = mean**2 / (var - mean)
            p = float(stats.nbinom.sf(k - 1, r, r / (r + expected))) if k > 0 else 1.0
            used = "negative_binomial"
    low, high = garwood(k, expected)
    return IncidentTest(
        k=k,
        expected=expected,
        baseline_count=baseline_count,
        window_days=window_days,
        baseline_days=baseline_days,
        rate_ratio=k / expected,
        ci_low=low,
        ci_high=high,
        p_value=p,
        test=used,
        significant=k >= min_count and p < p_value,
    )
