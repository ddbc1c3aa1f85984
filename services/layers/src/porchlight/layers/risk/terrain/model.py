"""Risk Terrain Modeling: which layers' features raise the count of chosen incidents in the blocks
near them, by how much, and the composite risk of every block.

The steps follow RTM (Caplan & Kennedy's RTMDx), with proximity operationalisations only:

1. Each layer gives one binary covariate per influence distance (``grid``): the cell's centre is
   within 100, 200 or 300 m of at least one of its features.
2. The family: a Poisson GLM of incidents per cell on every layer at its best distance; when its
   Pearson χ²/df exceeds ``OVERDISPERSION`` the counts are too spread for Poisson intervals
   (they would be too narrow), and a negative binomial (NB2) is used instead, its alpha the maximum
   likelihood estimate of ``statsmodels.discrete.NegativeBinomial`` on that same design (the
   fullest one, so the alpha that is left is the heterogeneity no layer explains). alpha is then held
   fixed while layers are selected, and estimated again on the final model.
3. Forward selection. At each step every remaining (layer, distance) is added to the current model
   and fitted; the one with the highest likelihood (all have one more parameter, so this is also
   the lowest AIC) is kept only if it raises the k-fold cross-validated log-likelihood over cells
   (seeded folds). The distance of a layer is so chosen given the layers already in, which
   matters when layers crowd the same streets. Scoring only the best candidate by cross-validation
   bounds the cost at (layers + 1) x (layers x distances + folds) fits.
4. The final model's coefficients give each kept layer's relative risk exp(β), its 95 % interval
   exp(β ± 1.96 se) and p-value. A layer not kept is reported with its best distance's estimate
   when added to the final model (what it would have added, given the kept ones).
5. The relative risk score (RRS) of a cell is the product of the relative risks of the kept
   layers whose influence covers it; its expected count is the model's fitted mean.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationError, PerfectSeparationWarning

from porchlight.layers.places.cells import RESOLUTION
from porchlight.layers.risk.terrain import grid

#: Pearson χ²/df above which a negative binomial replaces Poisson.
OVERDISPERSION = 1.5
#: A covariate needs this many cells on each side (exposed and not) to be estimable at all.
MIN_CELLS = 5
#: The cross-validated log-likelihood a layer must add to be kept, in nats. k-fold CV log-likelihood
#: behaves like AIC (about one nat of penalty per parameter), which keeps a layer with no effect
#: about one time in six, more often still with three distances to pick from (measured: 15 % of
#: seeds for park requests in tests/layers/test_risk_simulation.py). Three nats is a held-out
#: likelihood ratio of e³ ≈ 20, "strong" evidence on Kass & Raftery's scale, and close to the BIC
#: step RTMDx ends with (ln(cells)/2 ≈ 4.5 nats for a city of 8,000 cells, but less strict for a
#: district, where real factors have fewer cells to show themselves in).
MIN_GAIN = 3.0
#: The level of every interval.
LEVEL = 0.95
_Z = float(stats.norm.ppf(0.5 + LEVEL / 2))


@dataclass(frozen=True)
class RiskFactor:
    """One layer's result. ``distance_m`` is None (and the figures NaN) when no distance could be
    estimated: no features, or too few cells exposed or unexposed."""

    layer: str
    features: int
    distance_m: int | None
    relative_risk: float
    ci_low: float
    ci_high: float
    p_value: float
    selected: bool
    exposed_cells: int


@dataclass(frozen=True)
class CellRisk:
    cell: str
    rrs: float  # product of the relative risks of the kept layers present here (1 when none)
    expected: float  # the model's expected count of incidents in the cell
    observed: int
    factors: tuple[str, ...]  # the kept layers whose influence covers the cell


@dataclass(frozen=True)
class RiskModel:
    """A fitted model over a study area. ``factors``: every layer given, kept ones first (by relative
    risk, highest first), then the others by name."""

    factors: tuple[RiskFactor, ...]
    family: str  # "poisson" or "negative binomial"
    alpha: float | None  # the negative binomial's alpha (variance = μ + alpha·μ²); None for Poisson
    dispersion: float  # Pearson χ²/df of the Poisson model that decided the family
    cells: int
    incidents: int  # incidents inside the study area (the ones modelled)
    outside: int  # incidents given that fell outside it
    baseline: float  # expected incidents in a cell near none of the kept layers
    folds: int
    cell_ids: tuple[str, ...] = field(repr=False, compare=False)
    observed: np.ndarray = field(repr=False, compare=False)
    expected: np.ndarray = field(repr=False, compare=False)
    rrs: np.ndarray = field(repr=False, compare=False)
    present: np.ndarray = field(repr=False, compare=False)  # (cells, kept layers) bool

    @property
    def selected(self) -> list[RiskFactor]:
        return [f for f in self.factors if f.selected]

    def _cell_risk(self, i: int) -> CellRisk:
        kept = self.selected
        return CellRisk(
            cell=self.cell_ids[i],
            rrs=float(self.rrs[i]),
            expected=float(self.expected[i]),
            observed=int(self.observed[i]),
            factors=tuple(f.layer for f, on in zip(kept, self.present[i], strict=True) if on),
        )

    def surface(self, top: int | None = None) -> list[CellRisk]:
        """Every cell (or the ``top`` riskiest), highest RRS first, then highest expected count,
        then cell id (a stable order for equal scores)."""
        order = np.lexsort((np.arange(self.cells), -self.expected, -self.rrs))
        return [self._cell_risk(int(i)) for i in order[: top if top is not None else None]]

    def cell(self, cell: str) -> CellRisk:
        i = self._index(cell)
        return self._cell_risk(i)

    def _index(self, cell: str) -> int:
        i = int(np.searchsorted(self.cell_ids, cell))
        if i >= self.cells or self.cell_ids[i] != cell:
            raise KeyError(f"cell {cell} is not in the study area")
        return i

    def share_at_least(self, cell: str) -> float:
        """The share of the study area's cells whose RRS is as high as this cell's or higher."""
        return float(np.mean(self.rrs >= self.rrs[self._index(cell)] - 1e-12))

    def geojson(self, top: int | None = None) -> dict[str, Any]:
        """The surface as a GeoJSON FeatureCollection of cell hexagons (order of ``surface``)."""
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": c.cell,
                    "geometry": {"type": "Polygon", "coordinates": [grid.cell_ring(c.cell)]},
                    "properties": {
                        "cell": c.cell,
                        "rrs": c.rrs,
                        "expected": c.expected,
                        "observed": c.observed,
                        "factors": list(c.factors),
                    },
                }
                for c in self.surface(top)
            ],
        }


def _family(alpha: float | None) -> Any:
    return sm.families.Poisson() if alpha is None else sm.families.NegativeBinomial(alpha=alpha)


@dataclass(frozen=True)
class _Fit:
    params: np.ndarray
    bse: np.ndarray
    pvalues: np.ndarray
    mu: np.ndarray  # fitted mean per cell
    llf: float  # log-likelihood over cells (comparable between designs)
    pearson: float  # Pearson χ²/df over cells


def _fit(y: np.ndarray, x: np.ndarray, alpha: float | None) -> _Fit | None:
    """A GLM fit, or None when it cannot be estimated (separation: an exposure whose cells all
    count zero has a relative risk of 0 and no interval).

    Poisson is fitted on the cells grouped by covariate pattern (binary covariates: at most
    2^layers rows), the pattern's total count with log(cells) as offset: the score equations and
    the information matrix are the same sums, so the coefficients and standard errors are exactly
    the per-cell ones, at a fraction of the cost (the selection fits hundreds of models). The
    log-likelihood and Pearson χ² are then computed per cell, as they differ between groupings."""
    family = _family(alpha)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            if alpha is None:
                key = x[:, 1:] @ (2.0 ** np.arange(x.shape[1] - 1))
                _, first, group = np.unique(key, return_index=True, return_inverse=True)
                total = np.bincount(group, weights=y)
                size = np.bincount(group).astype(float)
                model = sm.GLM(total, x[first], family=family, offset=np.log(size))
            else:
                model = sm.GLM(y, x, family=family)
            result = model.fit()
    except (PerfectSeparationError, np.linalg.LinAlgError, ValueError):
        return None
    params, bse = np.asarray(result.params), np.asarray(result.bse)
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(bse))):
        return None
    if np.any(np.abs(params[1:]) > 20):  # exp(20): a separated covariate, not a risk
        return None
    mu = np.exp(x @ params)
    variance = mu if alpha is None else mu + alpha * mu**2
    return _Fit(
        params=params,
        bse=bse,
        pvalues=np.asarray(result.pvalues),
        mu=mu,
        llf=float(family.loglike(y, mu)),
        pearson=float(np.sum((y - mu) ** 2 / variance) / max(len(y) - x.shape[1], 1)),
    )


def _cv_loglik(y: np.ndarray, x: np.ndarray, alpha: float | None, fold: np.ndarray, folds: int) -> float:
    family, total = _family(alpha), 0.0
    for k in range(folds):
        test = fold == k
        result = _fit(y[~test], x[~test], alpha)
        if result is None:
            return -math.inf
        mu = np.exp(np.clip(x[test] @ result.params, -50, 50))
        total += float(family.loglike(y[test], mu))
    return total


def _alpha(y: np.ndarray, x: np.ndarray, start: np.ndarray) -> float:
    """NB2 alpha by maximum likelihood, started from the Poisson coefficients; if the optimiser fails,
    Cameron & Trivedi's moment estimate (regress ((y-μ)² - y)/μ on μ without intercept)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            result = NegativeBinomial(y, x).fit(start_params=np.append(start, 0.5), disp=0, maxiter=200)
        alpha = float(result.params[-1])
        if math.isfinite(alpha) and alpha > 0:
            return alpha
    except (np.linalg.LinAlgError, ValueError):
        pass
    mu = np.exp(x @ start)
    return max(float(np.sum((y - mu) ** 2 - y) / np.sum(mu**2)), 1e-6)


def _design(columns: Sequence[np.ndarray], n: int) -> np.ndarray:
    return np.column_stack([np.ones(n), *columns]) if columns else np.ones((n, 1))


def fit_risk(
    incidents: Any,
    layers: Mapping[str, Any],
    cells: Sequence[str] | None = None,
    area: Any | None = None,
    distances: Sequence[int] = grid.DISTANCES_M,
    folds: int = 5,
    seed: int = 0,
    resolution: int = RESOLUTION,
    min_gain: float = MIN_GAIN,
) -> RiskModel:
    """Fit RTM over a study area (see the module docstring).

    ``incidents``: (n, 2) latitude, longitude of the chosen incidents. ``layers``: layer name ->
    (m, 2) latitude, longitude of its features (open outages, graffiti...). The study area: the
    ``cells`` (H3 at ``resolution``) when given, else those whose centres lie in ``area``, else
    the incidents' convex hull. A ValueError when there is nothing to fit."""
    if folds < 2:
        raise ValueError("folds must be at least 2")
    if not distances or any(d <= 0 for d in distances):
        raise ValueError("distances must be positive metres")
    points = grid.points_of(incidents, "incidents")
    if len(points) == 0:
        raise ValueError("no incidents to model")
    cell_ids = grid.study_cells(cells, area, points, resolution)
    if len(cell_ids) < folds * MIN_CELLS:
        raise ValueError(f"the study area has {len(cell_ids)} cells, too few to model")
    y = grid.count_in_cells(points, cell_ids, resolution).astype(float)
    inside = int(y.sum())
    if inside == 0:
        raise ValueError("no incident lies inside the study area")
    n, dists = len(cell_ids), sorted({int(d) for d in distances})
    centre_ll = grid.centres(cell_ids)
    plane = grid.Plane.around(centre_ll)
    centre_xy = plane.xy(centre_ll)

    names = list(layers)
    features = {name: grid.points_of(layers[name], f"layer {name!r}") for name in names}
    # exposure[name][d]: the cells within d metres of the layer, for the distances it can be
    # estimated at (enough cells exposed and unexposed).
    exposure: dict[str, dict[int, np.ndarray]] = {}
    for name in names:
        near = grid.nearest_m(centre_xy, plane.xy(features[name]), float(dists[-1]))
        exposure[name] = {d: near <= d for d in dists if MIN_CELLS <= int((near <= d).sum()) <= n - MIN_CELLS}

    def design(chosen: Sequence[tuple[str, int]]) -> np.ndarray:
        return _design([exposure[name][d].astype(float) for name, d in chosen], n)

    fold = np.random.default_rng(seed).permutation(n) % folds

    def best_additions(kept: list[tuple[str, int]], alpha: float | None) -> dict[str, tuple[int, _Fit]]:
        """For each layer not kept: its best distance added to ``kept``, and that fit."""
        out: dict[str, tuple[int, _Fit]] = {}
        for name in names:
            if any(name == k for k, _ in kept):
                continue
            for d in exposure[name]:
                result = _fit(y, design([*kept, (name, d)]), alpha)
                if result is not None and (name not in out or result.llf > out[name][1].llf):
                    out[name] = (d, result)
        return out

    # The family, from the fullest model: every layer at its best distance on its own.
    alone = best_additions([], None)
    full_x = design([(name, d) for name, (d, _) in alone.items()])
    poisson_full = _fit(y, full_x, None)
    if poisson_full is None:  # the layers together are collinear or separated: judge on the intercept
        full_x = design([])
        poisson_full = _fit(y, full_x, None)
    if poisson_full is None:
        raise ValueError("the risk model could not be estimated on this area")
    dispersion = poisson_full.pearson
    alpha = _alpha(y, full_x, poisson_full.params) if dispersion > OVERDISPERSION else None

    kept: list[tuple[str, int]] = []
    score = _cv_loglik(y, design([]), alpha, fold, folds)
    candidates = best_additions(kept, alpha) if alpha is not None else alone
    while candidates:
        name, (d, _) = max(candidates.items(), key=lambda item: (item[1][1].llf, item[0]))
        trial = _cv_loglik(y, design([*kept, (name, d)]), alpha, fold, folds)
        if trial <= score + min_gain:
            break
        kept.append((name, d))
        score = trial
        candidates = best_additions(kept, alpha)

    present = np.column_stack([exposure[k][d] for k, d in kept]) if kept else np.zeros((n, 0), dtype=bool)
    x = design(kept)
    if alpha is not None:
        poisson_final = _fit(y, x, None)
        alpha = _alpha(y, x, poisson_final.params) if poisson_final is not None else alpha
    final = _fit(y, x, alpha)
    if final is None:
        raise ValueError("the risk model could not be estimated on this area")

    factors: list[RiskFactor] = []
    for col, (name, d) in enumerate(kept, start=1):
        factors.append(_factor(name, features[name], d, final, col, present[:, col - 1], True))
    factors.sort(key=lambda f: -f.relative_risk)
    others = [name for name in names if name not in dict(kept)]
    for name in sorted(others):
        if name in candidates:
            d, result = candidates[name]
            factors.append(_factor(name, features[name], d, result, x.shape[1], exposure[name][d], False))
        else:
            factors.append(RiskFactor(name, len(features[name]), None, *(math.nan,) * 4, False, 0))
    coefficients = final.params[1:]
    return RiskModel(
        factors=tuple(factors),
        family="poisson" if alpha is None else "negative binomial",
        alpha=alpha,
        dispersion=dispersion,
        cells=n,
        incidents=inside,
        outside=len(points) - inside,
        baseline=float(math.exp(final.params[0])),
        folds=folds,
        cell_ids=tuple(cell_ids),
        observed=y.astype(np.int64),
        expected=final.mu,
        rrs=np.exp(present.astype(float) @ coefficients) if kept else np.ones(n),
        present=present,
    )


def _factor(
    name: str, points: np.ndarray, distance: int, result: _Fit, col: int, exposed: np.ndarray, selected: bool
) -> RiskFactor:
    beta, se = float(result.params[col]), float(result.bse[col])
    return RiskFactor(
        layer=name,
        features=len(points),
        distance_m=distance,
        relative_risk=math.exp(beta),
        ci_low=math.exp(beta - _Z * se),
        ci_high=math.exp(beta + _Z * se),
        p_value=float(result.pvalues[col]),
        selected=selected,
        exposed_cells=int(exposed.sum()),
    )
