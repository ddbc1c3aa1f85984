"""Target vs control, DICE's last step: did incidents (and residents' sentiment) change more in a
completed project's place than in matched places of the same district that had no project?

Periods: before = [completed - window, completed), after = [completed, completed + window). While
the after period is under way, both are the whole days elapsed so far (like with like: 30 days
after against the 30 days before), and the result says ``so_far``.

Difference-in-differences, at the level of the area: the target area's change in incidents minus
the change of a control area of the same size, i.e. of the mean over the ``k`` matched control
cells of each target cell, summed over target cells: ``(T_after - T_before) - (C̄_after - C̄_before)``.
The ratio is the rate ratio of ratios ``(T_after / T_before) / (C_after / C_before)`` with a
Poisson (log-Wald) 95 % interval, ½ added to every count when one is zero; it ignores
over-dispersion, so the p-value, not this interval, says whether the change is real.

The permutation test respects the matching: each target cell and its ``k`` controls form a matched
set, and under "no effect" which cell of a set got the project is arbitrary. A placebo target takes
one cell from each set (the same number of cells as the target, drawn from the control pool) and
its own set-mates as controls; ``p = (1 + #{|placebo| ≥ |observed|}) / (1 + n)``. Placebos drawn
from the whole pool instead would mostly be quiet cells, whose counts vary less than a hot spot's,
and would call ordinary noise at a hot spot an effect. The DiD's 95 % interval is the observed
value less the placebo distribution's 97.5th and 2.5th percentiles. Cells are treated as
independent: a shock that hits the target's adjacent cells together is not modelled.

Matching (``matching``) looks at the before period and the ``history_days`` before it (default:
a year in all). Controls matched on the before period alone are chosen partly for its noise: the
ones that happened to have a bad quarter next to a hot spot then "improve" after, and a persistent
hot spot with no effect looks worse than its controls. In simulation (a 2 x 2 km district, a
target twice as hot as the district's typical cell, no effect) that raised false alarms at
p < 0.05 to 12 %; with a year it is 5 %. Incidents older than the data has are simply
counted as none in every cell, which leaves the matching on the before period.

Sentiment (residents' note scores in the caller's scale, e.g. -1..1 or 1..5) is the same design
on mean scores of the notes in the target cells and in the matched control cells, skipped with a
reason when either target period, or either control period, has fewer than ``min_notes`` notes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import h3
import numpy as np

from porchlight.layers.evaluation.comparison.matching import cells_within, control_pool, match_controls
from porchlight.layers.figures import figure
from porchlight.layers.places.cells import RESOLUTION

_DAY = 86_400.0
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Events:
    """Events as arrays: epoch seconds, lat, lon and (for notes) a score."""

    times: np.ndarray
    lats: np.ndarray
    lons: np.ndarray
    values: np.ndarray | None = None

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[Any]]) -> Events:
        """From rows of ``(time, lat, lon)`` or ``(time, lat, lon, score)``; times are aware datetimes
        (naive ones are local time, as ``timestamp()`` reads them) or epoch seconds."""
        if not rows:
            return cls(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
        times = epoch_seconds([r[0] for r in rows])
        lats = np.fromiter((float(r[1]) for r in rows), dtype=float, count=len(rows))
        lons = np.fromiter((float(r[2]) for r in rows), dtype=float, count=len(rows))
        values = None
        if len(rows[0]) > 3:
            values = np.fromiter((float(r[3]) for r in rows), dtype=float, count=len(rows))
        return cls(times, lats, lons, values)


def epoch_seconds(times: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Seconds since the epoch from datetimes, numpy datetime64 (UTC) or numbers already in seconds."""
    arr = np.asarray(times)
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[us]").astype(np.int64) / 1e6
    if np.issubdtype(arr.dtype, np.number):
        return arr.astype(float)
    return np.fromiter((t.timestamp() for t in arr), dtype=float, count=len(arr))


def _events(data: Events | Sequence[Sequence[Any]]) -> Events:
    return data if isinstance(data, Events) else Events.from_rows(data)


@dataclass(frozen=True)
class Window:
    start: datetime  # inclusive
    end: datetime  # exclusive


@dataclass(frozen=True)
class Periods:
    before: Window
    after: Window
    days: int  # the length of each
    so_far: bool  # the after period is still under way: both are the days elapsed so far


def periods(completed_at: datetime, now: datetime, window_days: int = 90) -> Periods:
    """The before and after periods of a project completed at ``completed_at``, seen at ``now``."""
    elapsed = (now - completed_at) // timedelta(days=1)
    if elapsed < 1:
        raise ValueError("no whole day has passed since completion: nothing to compare yet")
    days = min(window_days, elapsed)
    span = timedelta(days=days)
    return Periods(
        before=Window(completed_at - span, completed_at),
        after=Window(completed_at, completed_at + span),
        days=days,
        so_far=elapsed < window_days,
    )


@dataclass(frozen=True)
class SentimentResult:
    target_notes_before: int
    target_notes_after: int
    control_notes_before: int
    control_notes_after: int
    target_before_mean: float
    target_after_mean: float
    control_before_mean: float
    control_after_mean: float
    did: float
    did_interval: tuple[float, float]
    p_value: float
    permutations: int  # placebos with notes enough to have a mean in every period
    significant: bool


@dataclass(frozen=True)
class TargetControlResult:
    target_cells: tuple[str, ...]
    control_cells: tuple[tuple[str, ...], ...]  # the matched controls of each target cell, in its order
    controls_per_cell: int
    before: Window
    after: Window
    days: int
    so_far: bool
    target_before: int
    target_after: int
    control_before_mean: float  # a control area of the target's size: the mean of each cell's matches, summed
    control_after_mean: float
    did: float
    did_interval: tuple[float, float]  # from the permutation distribution
    ratio: float | None  # None when the target or its controls had no incident before
    ratio_interval: tuple[float, float] | None  # Poisson, log scale
    p_value: float
    permutations: int
    significant: bool
    sentiment: SentimentResult | None
    sentiment_reason: str | None  # why sentiment is None

    def summary(self) -> str:
        """The result in plain words; every number is one of the result's figures through ``figure``."""
        span = f"in the {figure(self.days)} days so far" if self.so_far else f"in {figure(self.days)} days"
        text = (
            f"Incidents in the target area went from {figure(self.target_before)} to {figure(self.target_after)} "
            f"{span}, while matched control areas went from {figure(self.control_before_mean)} to "
            f"{figure(self.control_after_mean)} on average: a difference of {figure(self.did)} "
            f"(permutation p = {figure(self.p_value)})."
        )
        s = self.sentiment
        if s is not None:
            text += (
                f" Residents' sentiment in the target area went from {figure(s.target_before_mean)} to "
                f"{figure(s.target_after_mean)}, and in matched control areas from {figure(s.control_before_mean)} "
                f"to {figure(s.control_after_mean)}: a difference of {figure(s.did)} "
                f"(permutation p = {figure(s.p_value)})."
            )
        elif self.sentiment_reason:
            text += f" Residents' sentiment is not compared: {self.sentiment_reason}."
        return text


def _placebo_p(observed: float, placebo: np.ndarray) -> tuple[float, tuple[float, float]]:
    p = (1 + int(np.count_nonzero(np.abs(placebo) >= abs(observed) - 1e-9))) / (1 + len(placebo))
    low, high = np.percentile(placebo, [2.5, 97.5])
    return float(p), (float(observed - high), float(observed - low))


def _ratio(tb: int, ta: int, cb: float, ca: float) -> tuple[float | None, tuple[float, float] | None]:
    if tb == 0 or cb == 0:
        return None, None
    ratio = (ta / tb) / (ca / cb)
    counts = np.array([tb, ta, cb, ca], dtype=float)
    if np.any(counts == 0):
        counts += 0.5
    log_ratio = math.log((counts[1] / counts[0]) / (counts[3] / counts[2]))
    half = _Z95 * math.sqrt(float(np.sum(1 / counts)))
    return float(ratio), (math.exp(log_ratio - half), math.exp(log_ratio + half))


def evaluate_place(
    point: tuple[float, float],
    district_cells: Sequence[str],
    incidents: Events | Sequence[Sequence[Any]],
    completed_at: datetime,
    now: datetime,
    *,
    notes: Events | Sequence[Sequence[Any]] | None = None,
    radius_m: float = 150,
    buffer_m: float = 150,
    window_days: int = 90,
    history_days: int = 270,
    controls_per_cell: int = 5,
    permutations: int = 2000,
    min_notes: int = 5,
    alpha: float = 0.05,
    seed: int = 0,
) -> TargetControlResult:
    """Target vs control at ``point`` (lat, lon) for a project completed at ``completed_at``.

    ``district_cells``: the district's resolution-10 cells (``cells_of`` its polygon); the target
    area's cells count even where they cross the district's edge. ``incidents``: rows
    ``(time, lat, lon)`` or ``Events``, from ``history_days`` before the before period on (for the
    matching); ``notes``: rows ``(time, lat, lon, score)`` or ``Events`` with values. Controls are
    matched outside ``radius_m + buffer_m`` of the point. ValueError when no whole day has passed
    since completion or the district has too few cells to match."""
    rng = np.random.default_rng(seed)
    per = periods(completed_at, now, window_days)
    target = cells_within(point, radius_m, RESOLUTION)
    pool = control_pool(point, district_cells, target, radius_m + buffer_m)
    cells = target + pool
    index = {c: i for i, c in enumerate(cells)}
    t0, t_mid = per.before.start.timestamp(), per.before.end.timestamp()
    t_half, t_end = t0 + per.days * _DAY / 2, per.after.end.timestamp()
    t_history = t0 - history_days * _DAY

    def place(ev: Events) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each event in the periods and our cells: its cell index, time and value."""
        keep = np.flatnonzero((ev.times >= t_history) & (ev.times < t_end))
        at = np.fromiter(
            (index.get(str(h3.latlng_to_cell(ev.lats[i], ev.lons[i], RESOLUTION)), -1) for i in keep),
            dtype=np.int64,
            count=len(keep),
        )
        ok = at >= 0
        values = ev.values[keep][ok] if ev.values is not None else np.zeros(int(ok.sum()))
        return at[ok], ev.times[keep][ok], values

    def per_cell(at: np.ndarray, mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(at[mask], weights=None if weights is None else weights[mask], minlength=len(cells))

    at, times, _ = place(_events(incidents))
    before = per_cell(at, (times >= t0) & (times < t_mid))
    after = per_cell(at, times >= t_mid)
    if history_days:
        # Per period's length: the baseline over the history and the before period together, the
        # trend as the before period against the history's average period.
        history = per_cell(at, times < t0)
        baseline = (before + history) * per.days / (per.days + history_days)
        trend = before - history * per.days / history_days
    else:
        baseline = before.astype(float)
        trend = per_cell(at, (times >= t_half) & (times < t_mid)) - per_cell(at, (times >= t0) & (times < t_half))
    n = len(target)
    matched = match_controls(baseline[:n], trend[:n], baseline[n:], trend[n:], controls_per_cell, rng)
    k = matched.k
    # Matched sets: column 0 the target cell, columns 1..k its controls (indices into ``cells``).
    sets = np.column_stack([np.arange(n), matched.controls + n])

    change = (after - before)[sets].astype(float)
    observed = float(np.sum(change[:, 0] - change[:, 1:].mean(axis=1)))
    labels = rng.integers(0, k + 1, size=(permutations, n))
    chosen = change[np.arange(n), labels]  # (permutations, n): each placebo's cell in each set
    placebo = np.sum(chosen * (1 + 1 / k) - change.sum(axis=1) / k, axis=1)
    p_value, interval = _placebo_p(observed, placebo)

    tb, ta = int(before[:n].sum()), int(after[:n].sum())
    cb_total, ca_total = float(before[sets[:, 1:]].sum()), float(after[sets[:, 1:]].sum())
    ratio, ratio_interval = _ratio(tb, ta, cb_total, ca_total)

    sentiment: SentimentResult | None = None
    reason: str | None = "no residents' notes were given"
    if notes is not None:
        sentiment, reason = _sentiment(place(_events(notes)), t0, t_mid, sets, len(cells), labels, min_notes, alpha)

    return TargetControlResult(
        target_cells=tuple(target),
        control_cells=tuple(tuple(cells[j] for j in row) for row in sets[:, 1:]),
        controls_per_cell=k,
        before=per.before,
        after=per.after,
        days=per.days,
        so_far=per.so_far,
        target_before=tb,
        target_after=ta,
        control_before_mean=cb_total / k,
        control_after_mean=ca_total / k,
        did=observed,
        did_interval=interval,
        ratio=ratio,
        ratio_interval=ratio_interval,
        p_value=p_value,
        permutations=permutations,
        significant=p_value < alpha,
        sentiment=sentiment,
        sentiment_reason=None if sentiment is not None else reason,
    )


def _sentiment(
    placed: tuple[np.ndarray, np.ndarray, np.ndarray],
    t0: float,
    t_mid: float,
    sets: np.ndarray,
    n_cells: int,
    labels: np.ndarray,
    min_notes: int,
    alpha: float,
) -> tuple[SentimentResult | None, str | None]:
    at, times, scores = placed
    n = sets.shape[0]

    def grid(mask: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        counts = np.bincount(at[mask], weights=None if weights is None else weights[mask], minlength=n_cells)
        return counts[sets].astype(float)  # (n, k + 1), like the matched sets

    before, after = (times >= t0) & (times < t_mid), times >= t_mid
    nb, na = grid(before, None), grid(after, None)
    sb, sa = grid(before, scores), grid(after, scores)
    counts = {
        "target area before completion": int(nb[:, 0].sum()),
        "target area after completion": int(na[:, 0].sum()),
        "matched control areas before completion": int(nb[:, 1:].sum()),
        "matched control areas after completion": int(na[:, 1:].sum()),
    }
    for where, count in counts.items():
        if count < min_notes:
            return None, f"only {count} residents' notes in the {where} ({min_notes} needed)"

    def did(tsb: Any, tnb: Any, tsa: Any, tna: Any) -> Any:
        """Difference of mean changes, target against the rest of its matched sets."""
        csb, cnb, csa, cna = sb.sum() - tsb, nb.sum() - tnb, sa.sum() - tsa, na.sum() - tna
        with np.errstate(invalid="ignore", divide="ignore"):
            return (tsa / tna - tsb / tnb) - (csa / cna - csb / cnb)

    observed = float(did(sb[:, 0].sum(), nb[:, 0].sum(), sa[:, 0].sum(), na[:, 0].sum()))
    rows = np.arange(n)
    tsb, tnb, tsa, tna = (g[rows, labels].sum(axis=1) for g in (sb, nb, sa, na))
    # Only placebos with as many notes as the target needed: thinner ones would widen the
    # distribution with noise the target's own means do not have.
    placebo = did(tsb, tnb, tsa, tna)[(tnb >= min_notes) & (tna >= min_notes)]
    if len(placebo) == 0:
        return None, "no placebo area had notes in every period"
    p_value, interval = _placebo_p(observed, placebo)
    return (
        SentimentResult(
            target_notes_before=counts["target area before completion"],
            target_notes_after=counts["target area after completion"],
            control_notes_before=counts["matched control areas before completion"],
            control_notes_after=counts["matched control areas after completion"],
            target_before_mean=float(sb[:, 0].sum() / nb[:, 0].sum()),
            target_after_mean=float(sa[:, 0].sum() / na[:, 0].sum()),
            control_before_mean=float(sb[:, 1:].sum() / nb[:, 1:].sum()),
            control_after_mean=float(sa[:, 1:].sum() / na[:, 1:].sum()),
            did=observed,
            did_interval=interval,
            p_value=p_value,
            permutations=len(placebo),
            significant=p_value < alpha,
        ),
        None,
    )
