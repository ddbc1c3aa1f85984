"""Connection rules: parsing with the field named, the stated test, and matching at a place."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from scipy import stats

from porchlight.layers.connections.rules import (
    ConcernView,
    IncidentIndex,
    RecordView,
    RuleError,
    cell_of,
    evaluate,
    incident_test,
    load_rules,
    parse_rules,
    should_close,
    within,
)

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
LAT, LON = 42.3398, -71.0892
M = 1 / 111_320  # a metre of latitude, in degrees


def rules(**change):
    rule = {
        "name": "dark",
        "title": "Dark block with rising vehicle crime",
        "record": {"layers": ["street_light_outage"]},
        "incidents": {"categories": ["240", "Theft from motor vehicle"], "min_count": 3},
        "concerns": {"topics": ["street_lighting"]},
        **change,
    }
    return parse_rules({"radius_m": 150, "rules": [rule]})


def outage(open_: bool = True) -> RecordView:
    return RecordView("r-1", "SL-1", "public-works", "street_light_outage", "Street light out", open_, LAT, LON,
                      NOW - timedelta(days=10))  # fmt: skip


def index(window: int, baseline: int, *, far: int = 0, other: int = 0) -> IncidentIndex:
    rows = []
    for i in range(window):
        rows.append((f"w{i}", LAT + 20 * M, LON, NOW - timedelta(days=3 + i % 20), "Motor vehicle theft", "240"))
    for i in range(baseline):
        rows.append(
            (f"b{i}", LAT - 30 * M, LON, NOW - timedelta(days=40 + (i * 7) % 300), "Motor vehicle theft", "240")
        )
    for i in range(far):
        rows.append((f"f{i}", LAT + 400 * M, LON, NOW - timedelta(days=2), "Motor vehicle theft", "240"))
    for i in range(other):
        rows.append((f"o{i}", LAT, LON, NOW - timedelta(days=2), "Simple assault", "13B"))
    ids, lats, lons, times, cats, codes = zip(*rows, strict=True) if rows else ([], [], [], [], [], [])
    return IncidentIndex(ids, lats, lons, times, cats, codes)


def lighting(n: int, metres: float = 50) -> list[ConcernView]:
    return [ConcernView(f"note-{i}", f"The corner of Elm is dark {i}", "street_lighting", LAT + metres * M, LON,
                        NOW - timedelta(days=5 + i)) for i in range(n)]  # fmt: skip


def test_demo_rules_parse():
    demo = load_rules(None)
    assert demo.radius_m == 150
    assert {"dark-block-vehicle-crime", "graffiti-vandalism"} <= {r.name for r in demo.rules}


def one(**change):
    rule = {"name": "x", "title": "t", "record": {"layers": ["a"]}, "incidents": {"categories": ["240"]}}
    return {**rule, **change}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"rules": [{"name": "x"}]}, "rules[0].title"),
        ({"rules": [one(name="Bad Name")]}, "rules[0].name"),
        ({"rules": [one(incidents={"categories": ["240"], "window_days": 0})]}, "rules[0].incidents.window_days"),
        ({"radius_m": 5000}, "radius_m"),
        ({"rules": [one(), one()]}, "rules[1].name"),
    ],
)
def test_a_wrong_rule_names_its_field(data, field):
    with pytest.raises(RuleError) as err:
        parse_rules(data)
    assert err.value.field == field


def test_poisson_test_figures():
    t = incident_test(7, 12, 28, 364)
    expected = 12 * 28 / 364
    assert t.expected == pytest.approx(expected)
    assert t.p_value == pytest.approx(stats.poisson.sf(6, expected))
    assert t.significant and t.test == "poisson"
    assert t.ci_low < t.rate_ratio < t.ci_high
    assert incident_test(2, 0, 28, 364, min_count=3).significant is False  # below the minimum count


def test_negative_binomial_when_the_place_swings():
    swinging = [0, 0, 9, 0, 1, 0, 8, 0, 0, 10, 0, 0, 0]
    nb = incident_test(6, sum(swinging), 28, 364, test="negative_binomial", baseline_blocks=swinging)
    pois = incident_test(6, sum(swinging), 28, 364)
    assert nb.test == "negative_binomial"
    assert nb.p_value > pois.p_value  # overdispersion makes the same count less surprising
    steady = [2] * 13
    assert incident_test(6, 26, 28, 364, test="negative_binomial", baseline_blocks=steady).test == "poisson"


def test_rising_thefts_by_an_open_outage_with_lighting_concerns_match_with_their_evidence():
    rs = rules()
    match = evaluate(rs.rules[0], rs.radius_m, outage(), index(window=6, baseline=3, far=10, other=5), lighting(2),
                     NOW)  # fmt: skip
    assert match is not None
    assert sorted(match.incident_ids) == sorted(f"w{i}" for i in range(6))  # not the far ones, not assaults
    assert match.test.k == 6 and match.test.baseline_count == 3
    assert match.note_ids == ["note-0", "note-1"]
    assert match.quotes == ["The corner of Elm is dark 0", "The corner of Elm is dark 1"]  # verbatim
    assert match.cell == cell_of(LAT, LON) and match.cell.startswith("8a")  # resolution 10
    assert match.test.expected == pytest.approx(3 * 28 / 364)
    assert match.test.p_value == pytest.approx(stats.poisson.sf(5, 3 * 28 / 364))
    explanation = match.explanation()
    numbers = re.findall(r"\d+(?:\.\d+)?", explanation)
    figures = {n for v in match.figures().values() for n in re.findall(r"\d+(?:\.\d+)?", v)}
    assert numbers and set(numbers) <= figures
    assert "6 " in explanation and "within 150 m" in explanation and "2 residents" in explanation


def test_no_rise_no_closed_record_no_concerns_nearby_no_match():
    rs = rules()
    rule = rs.rules[0]
    assert evaluate(rule, 150, outage(), index(window=1, baseline=13), lighting(2), NOW) is None  # steady place
    assert evaluate(rule, 150, outage(open_=False), index(window=6, baseline=3), lighting(2), NOW) is None
    assert should_close(outage(open_=False)) and not should_close(outage())
    assert evaluate(rule, 150, outage(), index(window=6, baseline=3), lighting(2, metres=600), NOW) is None


def test_the_radius_is_the_rules():
    rs = rules(radius_m=300)
    rule = rs.rules[0]
    idx = index(window=0, baseline=0, far=0)
    # Thefts 250 m away count only for a 300 m block.
    rows = [(f"x{i}", LAT + 250 * M, LON, NOW - timedelta(days=2), "Motor vehicle theft", "240") for i in range(5)]
    idx = IncidentIndex(*zip(*rows, strict=True))
    assert evaluate(rule, rs.radius_of(rule), outage(), idx, lighting(1), NOW) is not None
    assert evaluate(rule, rules().radius_of(rules().rules[0]), outage(), idx, lighting(1), NOW) is None


def test_index_distance_is_metres():
    idx = index(window=0, baseline=0, far=3)
    assert len(idx.near(LAT, LON, 399, ["240"])) == 0
    assert len(idx.near(LAT, LON, 401, ["240"])) == 3
    assert np.all(idx.near(LAT + 400 * M, LON, 1, ["240"]) >= 0)


def test_old_concerns_and_other_topics_do_not_count():
    rule = rules().rules[0]
    stale = [ConcernView("n-old", "dark", "street_lighting", LAT, LON, NOW - timedelta(days=200))]
    other = [ConcernView("n-other", "potholes", "roads", LAT, LON, NOW - timedelta(days=2))]
    assert evaluate(rule, 150, outage(), index(window=6, baseline=3), stale + other, NOW) is None
    match = evaluate(rule, 150, outage(), index(window=6, baseline=3), stale + other + lighting(1), NOW)
    assert match is not None and match.note_ids == ["note-0"]


def test_quotes_are_capped_and_notes_all_counted():
    rule = rules().rules[0]
    match = evaluate(rule, 150, outage(), index(window=6, baseline=3), lighting(8), NOW)
    assert match is not None and len(match.note_ids) == 8 and len(match.quotes) == 5


def test_a_rule_without_concerns_needs_only_the_record_and_the_rise():
    rs = parse_rules({"rules": [one(record={"layers": ["street_light_outage"]})]})
    match = evaluate(rs.rules[0], rs.radius_m, outage(), index(window=6, baseline=3), [], NOW)
    assert match is not None and match.note_ids == [] and "residents" not in match.explanation()
    other_layer = parse_rules({"rules": [one(record={"layers": ["graffiti"]})]}).rules[0]
    assert evaluate(other_layer, 150, outage(), index(window=6, baseline=3), [], NOW) is None


def test_only_open_records_can_be_asked_for():
    assert rules().rules[0].record.status == "open"
    with pytest.raises(RuleError) as err:
        parse_rules({"rules": [one(record={"layers": ["a"], "status": "closed"})]})
    assert err.value.field == "rules[0].record.status"


def test_within_is_a_mask_in_metres():
    lats = np.array([LAT + 149 * M, LAT + 151 * M, LAT])
    lons = np.array([LON, LON, LON])
    assert within(LAT, LON, lats, lons, 150).tolist() == [True, False, True]
    assert within(LAT, LON, lats, lons, 200).tolist() == [True, True, True]


def test_count_near_and_times_as_datetime64_or_seconds():
    rows = [
        (f"x{i}", LAT, LON, NOW - timedelta(days=d), "Motor vehicle theft", "240") for i, d in enumerate([1, 5, 40])
    ]
    ids, lats, lons, times, cats, codes = zip(*rows, strict=True)
    as_dt64 = np.array([t.replace(tzinfo=None) for t in times], dtype="datetime64[s]")
    as_secs = np.array([t.timestamp() for t in times])
    for ts in (times, as_dt64, as_secs):
        idx = IncidentIndex(ids, lats, lons, ts, cats, codes)
        assert idx.count_near(LAT, LON, 150, NOW - timedelta(days=28), NOW, ["240"]) == 2
        assert idx.count_near(LAT, LON, 150, NOW - timedelta(days=28), NOW, ["motor vehicle theft"]) == 2
        assert idx.count_near(LAT, LON, 150, NOW - timedelta(days=400), NOW, ["13B"]) == 0


def test_a_city_evaluates_fast():
    rng = np.random.default_rng(7)
    n = 100_000
    times = (NOW.timestamp() - rng.random(n) * 400 * 86_400).astype(float)
    codes = rng.choice(["240", "23F", "290", "13B"], n).tolist()
    lats, lons = LAT + (rng.random(n) - 0.5) * 0.08, LON + (rng.random(n) - 0.5) * 0.1
    start = time.perf_counter()
    idx = IncidentIndex([str(i) for i in range(n)], lats, lons, times, ["x"] * n, codes)
    rule = load_rules(None).rules[0]
    for i in range(300):
        rec = RecordView(str(i), str(i), "pw", "street_light_outage", "Street light out", True,
                         float(lats[i * 7]), float(lons[i * 7]), NOW)  # fmt: skip
        evaluate(rule, 150, rec, idx, [], NOW)
    assert time.perf_counter() - start < 3  # ~0.15 s here: the tree, not a scan per record
