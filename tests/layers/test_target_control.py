"""Target vs control (DICE's last step): a planted effect is found, no effect is not, sentiment
likewise, a period under way compares like with like, and the summary says the result's figures."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import h3
import numpy as np
import pytest
from shapely.geometry import box

from porchlight.layers.evaluation.comparison import (
    Events,
    cells_of,
    cells_within,
    control_pool,
    evaluate_place,
    figure,
    match_controls,
    periods,
)

LAT, LON = 42.33, -71.08
POINT = (LAT, LON)
#: A district of about 2 x 2 km in Boston's extent.
DISTRICT = cells_of(box(LON - 0.012, LAT - 0.009, LON + 0.012, LAT + 0.009))
CENTRES = np.array([h3.cell_to_latlng(c) for c in DISTRICT])
TARGET = set(cells_within(POINT, 150))
IN_TARGET = np.array([c in TARGET for c in DISTRICT])
DONE = datetime(2026, 6, 1, 12, tzinfo=UTC)
LATER = DONE + timedelta(days=90)  # the after period is over
DAY = 86_400.0


def place(rng: np.random.Generator, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points inside the cells, ``counts[i]`` in cell ``i`` (a few metres from its centre)."""
    idx = np.repeat(np.arange(len(DISTRICT)), counts)
    return (CENTRES[idx, 0] + rng.uniform(-1e-4, 1e-4, len(idx)), CENTRES[idx, 1] + rng.uniform(-1e-4, 1e-4, len(idx)))


def incidents(seed: int, effect: float = 0.0, hot: float = 1.5, days: int = 90) -> Events:
    """Poisson incidents per cell with cell-specific rates (a hotter target area), over a year
    before completion and ``days`` after; the target's rate drops by ``effect`` after."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(2.0, 0.025, len(DISTRICT)) * np.where(IN_TARGET, hot, 1.0)  # per day
    start = DONE.timestamp()
    times, lats, lons = [], [], []
    for offset, length, factor in ((-360, 360, 1.0), (0, days, 1.0 - effect)):
        counts = rng.poisson(rate * np.where(IN_TARGET, factor, 1.0) * length)
        la, lo = place(rng, counts)
        times.append(start + (offset + rng.random(len(la)) * length) * DAY)
        lats.append(la)
        lons.append(lo)
    return Events(np.concatenate(times), np.concatenate(lats), np.concatenate(lons))


def notes(seed: int, improvement: float = 0.0, per_cell: float = 2.0, target_after: int | None = None) -> Events:
    """Residents' note scores (1..5) around 2.5, raised by ``improvement`` in the target area after."""
    rng = np.random.default_rng(10_000 + seed)
    rows = []
    for offset, after in ((-90, False), (0, True)):
        counts = rng.poisson(per_cell, len(DISTRICT))
        if after and target_after is not None:
            counts[IN_TARGET] = 0
            counts[np.flatnonzero(IN_TARGET)[0]] = target_after
        la, lo = place(rng, counts)
        lift = np.repeat(np.where(IN_TARGET, improvement if after else 0.0, 0.0), counts)
        scores = np.clip(rng.normal(2.5, 0.9, len(la)) + lift, 1, 5)
        t = DONE.timestamp() + (offset + rng.random(len(la)) * 90) * DAY
        rows.append((t, la, lo, scores))
    return Events(*(np.concatenate(part) for part in zip(*rows, strict=True)))


def test_the_target_area_is_the_block_and_its_neighbours_and_controls_keep_their_distance() -> None:
    own = h3.latlng_to_cell(LAT, LON, 10)
    assert set(cells_within(POINT, 150)) == set(h3.grid_disk(own, 1))
    assert set(DISTRICT) >= TARGET and 200 < len(DISTRICT) < 320
    pool = control_pool(POINT, DISTRICT, sorted(TARGET), 300)
    assert not set(pool) & set(h3.grid_disk(own, 2))  # the spillover ring is no control
    assert len(pool) > len(DISTRICT) - 40


def test_matching_takes_the_nearest_baselines_without_replacement() -> None:
    pool = np.array([0, 1, 2, 9, 10, 11.4, 12.5, 30])
    m = match_controls(np.array([10.0, 11.0]), np.zeros(2), pool, np.zeros(8), 2, np.random.default_rng(0))
    assert m.k == 2
    assert {frozenset(row) for row in m.controls.tolist()} == {frozenset({4, 5}), frozenset({3, 6})}  # 11 chooses first
    small = match_controls(np.array([5.0, 6.0]), np.zeros(2), pool[:3], np.zeros(3), 5, np.random.default_rng(0))
    assert small.k == 1  # the pool allows one control each
    with pytest.raises(ValueError, match="fewer than"):
        match_controls(np.array([5.0, 6.0]), np.zeros(2), pool[:1], np.zeros(1), 5, np.random.default_rng(0))


def test_a_planted_drop_is_found() -> None:
    r = evaluate_place(POINT, DISTRICT, incidents(1, effect=0.6), DONE, LATER)
    assert r.significant and r.p_value < 0.05
    assert r.did < 0 and r.did_interval[1] < 0
    assert r.target_after < 0.6 * r.target_before
    assert r.ratio is not None and r.ratio_interval is not None
    assert r.ratio_interval[0] < r.ratio < r.ratio_interval[1] < 1
    assert set(r.target_cells) == TARGET and r.controls_per_cell == 5
    controls = [c for row in r.control_cells for c in row]
    assert len(controls) == len(set(controls)) == 35 and not set(controls) & TARGET
    assert (r.before.start, r.before.end, r.after.end) == (DONE - timedelta(days=90), DONE, LATER)
    assert not r.so_far and r.days == 90 and r.permutations == 2000
    # The figures add up: the DiD is the target's change less the matched control areas' change.
    expected = (r.target_after - r.target_before) - (r.control_after_mean - r.control_before_mean)
    assert r.did == pytest.approx(expected)


def test_planted_drops_are_found_in_most_seeds() -> None:
    found = sum(evaluate_place(POINT, DISTRICT, incidents(s, effect=0.6), DONE, LATER, seed=s).significant
                for s in range(20))  # fmt: skip
    assert found >= 16


def test_no_effect_finds_none_in_most_seeds() -> None:
    results = [evaluate_place(POINT, DISTRICT, incidents(s), DONE, LATER, seed=s) for s in range(20)]
    assert sum(r.significant for r in results) <= 3
    assert max(r.p_value for r in results) > 0.5  # no-effect p-values spread over (0, 1]


def test_the_permutation_test_is_seeded() -> None:
    events = incidents(3)
    a, b = (evaluate_place(POINT, DISTRICT, events, DONE, LATER, seed=7) for _ in range(2))
    assert a == b
    assert evaluate_place(POINT, DISTRICT, events, DONE, LATER, seed=8).p_value != a.p_value


def test_rows_from_the_database_read_like_arrays() -> None:
    events = incidents(4, effect=0.6)
    rows = [
        (datetime.fromtimestamp(t, UTC), la, lo)
        for t, la, lo in zip(events.times.tolist(), events.lats.tolist(), events.lons.tolist(), strict=True)
    ]
    assert evaluate_place(POINT, DISTRICT, rows, DONE, LATER) == evaluate_place(POINT, DISTRICT, events, DONE, LATER)


def test_a_planted_improvement_in_sentiment_is_found() -> None:
    r = evaluate_place(POINT, DISTRICT, incidents(5), DONE, LATER, notes=notes(5, improvement=1.0, per_cell=4))
    s = r.sentiment
    assert s is not None and r.sentiment_reason is None
    assert s.significant and s.did > 0.5 and s.did_interval[0] > 0
    assert s.target_after_mean - s.target_before_mean == pytest.approx(
        s.did + s.control_after_mean - s.control_before_mean
    )
    assert s.target_notes_before >= 5 and s.target_notes_after >= 5


def test_only_the_before_period_s_notes_count_before() -> None:
    recent = notes(9, improvement=1.0, per_cell=4)
    target = np.flatnonzero(IN_TARGET)
    old = Events(  # a bitter winter long before: not part of the before period
        np.full(len(target), (DONE - timedelta(days=200)).timestamp()),
        CENTRES[target, 0],
        CENTRES[target, 1],
        np.ones(len(target)),
    )
    both = Events(*(np.concatenate([getattr(recent, f), getattr(old, f)]) for f in ("times", "lats", "lons", "values")))
    events = incidents(9)
    assert evaluate_place(POINT, DISTRICT, events, DONE, LATER, notes=both) == evaluate_place(
        POINT, DISTRICT, events, DONE, LATER, notes=recent
    )


def test_unchanged_sentiment_is_mostly_not_significant() -> None:
    flagged = 0
    for seed in range(10):
        s = evaluate_place(POINT, DISTRICT, incidents(seed), DONE, LATER, notes=notes(seed), seed=seed).sentiment
        assert s is not None
        flagged += s.significant
    assert flagged <= 2


def test_too_few_notes_leave_sentiment_out_with_a_reason() -> None:
    r = evaluate_place(POINT, DISTRICT, incidents(6), DONE, LATER, notes=notes(6, target_after=3))
    assert r.sentiment is None
    assert r.sentiment_reason == "only 3 residents' notes in the target area after completion (5 needed)"
    assert r.sentiment_reason in r.summary()
    assert evaluate_place(POINT, DISTRICT, incidents(6), DONE, LATER).sentiment_reason == (
        "no residents' notes were given"
    )


def test_a_period_under_way_compares_equal_lengths() -> None:
    now = DONE + timedelta(days=30, hours=5)
    events = incidents(7, effect=0.6, days=30)
    r = evaluate_place(POINT, DISTRICT, events, DONE, now)
    assert r.so_far and r.days == 30
    assert r.before == periods(DONE, now).before
    assert r.after.end - r.after.start == r.before.end - r.before.start == timedelta(days=30)
    assert r.before.start == DONE - timedelta(days=30)
    # Only the 30 days before count: the year's incidents before them do not.
    in_target = np.array([h3.latlng_to_cell(a, b, 10) in TARGET for a, b in zip(events.lats, events.lons, strict=True)])
    before = (events.times >= (DONE - timedelta(days=30)).timestamp()) & (events.times < DONE.timestamp())
    assert r.target_before == int(np.count_nonzero(in_target & before))
    assert "in the 30 days so far" in r.summary()
    with pytest.raises(ValueError, match="no whole day"):
        evaluate_place(POINT, DISTRICT, events, DONE, DONE + timedelta(hours=20))


def test_the_summary_says_exactly_the_results_figures() -> None:
    r = evaluate_place(POINT, DISTRICT, incidents(8, effect=0.6), DONE, LATER, notes=notes(8, improvement=1.0))
    s = r.sentiment
    assert s is not None
    said = re.findall(r"-?\d+(?:\.\d+)?", r.summary())
    figures = [
        *(r.target_before, r.target_after, r.days, r.control_before_mean, r.control_after_mean, r.did, r.p_value),
        *(s.target_before_mean, s.target_after_mean, s.control_before_mean, s.control_after_mean, s.did, s.p_value),
    ]
    assert said == [figure(x) for x in figures]
    for text, x in zip(said, figures, strict=True):
        assert abs(float(text) - x) <= max(0.05, 0.05 * abs(x)) + 1e-9  # one decimal, or two significant digits
    assert r.summary().startswith(
        f"Incidents in the target area went from {r.target_before} to {r.target_after} in 90 days"
    )


def test_figures_are_written_one_way() -> None:
    assert [figure(x) for x in (14, 13.24, -7.6, 12.0, 0.43, 0.0123, 1 / 2001, 0)] == [
        "14", "13.2", "-7.6", "12", "0.43", "0.012", "0.0005", "0"]  # fmt: skip


def test_a_large_district_is_evaluated_quickly() -> None:
    big = cells_of(box(LON - 0.04, LAT - 0.03, LON + 0.04, LAT + 0.03))  # about 6.6 x 6.7 km
    assert len(big) > 2500
    rng = np.random.default_rng(0)
    centres = np.array([h3.cell_to_latlng(c) for c in big])
    idx = np.repeat(np.arange(len(big)), rng.poisson(rng.gamma(2.0, 0.025, len(big)) * 450))
    times = DONE.timestamp() + (rng.random(len(idx)) * 450 - 360) * DAY
    events = Events(times, centres[idx, 0], centres[idx, 1])
    started = time.perf_counter()
    r = evaluate_place(POINT, big, events, DONE, LATER, notes=notes(0))
    assert time.perf_counter() - started < 2.0
    assert r.permutations == 2000 and len(r.control_cells) == 7
