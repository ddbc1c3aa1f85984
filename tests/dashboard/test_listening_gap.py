"""The listening gap's arithmetic and the demo city's population figures (pure: no servers)."""

from __future__ import annotations

import copy
import json
from importlib.resources import files

import pytest

from porchlight.dashboard.reach import Heard, overall_rate, per_thousand, under_heard
from porchlight.kit.city import load_city, parse_city


def test_per_thousand_is_one_decimal_half_up_and_none_without_population():
    assert per_thousand(64, 55_121) == 1.2  # 1.161...
    assert per_thousand(1, 20_000) == 0.1  # 0.05 rounds up, as a reader expects
    assert per_thousand(0, 9_336) == 0.0
    assert per_thousand(5, None) is None
    assert per_thousand(5, 0) is None  # nobody lives there: no rate, not infinity


def test_under_heard_ranks_lowest_rate_first_and_leaves_out_unknown_population():
    rows = [
        Heard("a", "Alpha", "D1", 10_000, at_meetings=30, via_contacts=20),  # 5.0
        Heard("b", "Bravo", "D1", 40_000, at_meetings=10, via_contacts=10),  # 0.5
        Heard("c", "Charlie", "D1", None, at_meetings=0, via_contacts=0),  # unknown
        Heard("d", "Delta", "D1", 20_000),  # 0.0
    ]
    assert [r.rate for r in rows] == [5.0, 0.5, None, 0.0]
    assert overall_rate(rows) == 1.0  # 70 reached / 70,000 residents of known population
    ranked = under_heard(rows, so_far=True)
    assert [u.heard.code for u in ranked] == ["d", "b", "a"]
    assert [u.rate for u in ranked] == [0.0, 0.5, 5.0]
    assert ranked[0].suggestion == "Next micro-meetings: Delta — no resident reached so far (20,000 live there)."
    # Bravo: 1.0 per 1,000 of 40,000 is 40 residents; 20 reached, 20 to go.
    assert ranked[1].to_reach == 20
    assert ranked[1].suggestion.startswith(
        "Next micro-meetings: Bravo — 0.5 residents reached per 1,000 residents so far"
    )
    assert "about 20 more residents" in ranked[1].suggestion
    assert ranked[2].to_reach == 0 and not ranked[2].suggestion.startswith("Next micro-meetings")


def test_under_heard_of_a_whole_month_does_not_say_so_far():
    (u,) = under_heard([Heard("a", "Alpha", "D1", 1_000, at_meetings=1)], so_far=False)
    assert "so far" not in u.suggestion


def test_equal_rates_put_the_most_residents_first():
    rows = [Heard("small", "Small", "D1", 1_000), Heard("big", "Big", "D1", 90_000)]
    assert [u.heard.code for u in under_heard(rows)] == ["big", "small"]


def test_every_demo_neighborhood_has_a_published_population_with_its_source():
    city = load_city(None)
    assert len(city.neighborhoods) == 17
    for n in city.neighborhoods:
        assert isinstance(n.population, int) and n.population > 0, n
        assert n.population_year == 2020
        assert n.population_source and "BPDA Research Division" in n.population_source
        assert "hbic_neigh_totpop_sex_bins.csv" in n.population_source
    by = {n.code: n for n in city.neighborhoods}
    assert by["roxbury"].population == 55_121
    assert by["allston-brighton"].population == 27_533 + 52_020
    assert by["downtown"].population == 13_798 + 6_215 + 10_805
    # The BPDA's 23 neighborhoods add up to its adjusted 2020 total; Harbor Islands is no demo place.
    assert sum(n.population or 0 for n in city.neighborhoods) == 681_937


def _demo() -> dict:
    return json.loads(files("porchlight.kit").joinpath("demo_city.geojson").read_text(encoding="utf-8"))


@pytest.mark.parametrize("bad", [-1, 12.5, "12000", True])
def test_a_places_file_with_a_bad_population_is_refused_naming_the_field(bad):
    city = _demo()
    i = next(i for i, f in enumerate(city["features"]) if f["properties"]["kind"] == "neighborhood")
    broken = copy.deepcopy(city)
    broken["features"][i]["properties"]["population"] = bad
    with pytest.raises(ValueError, match=rf"features\[{i}\]\.properties\.population"):
        parse_city(broken)


def test_a_places_file_without_population_leaves_it_unknown():
    city = _demo()
    for f in city["features"]:
        f["properties"].pop("population", None)
    assert all(n.population is None for n in parse_city(city).neighborhoods)


def test_the_demo_places_its_meetings_and_contacts_in_each_districts_neighborhoods_in_turn():
    from porchlight.dashboard.demo.service import _place

    city = load_city(None)
    assert [_place(city, "B2", k) for k in range(3)] == [
        {"district": "B2", "neighborhood": "mission-hill"},
        {"district": "B2", "neighborhood": "roxbury"},
        {"district": "B2", "neighborhood": "mission-hill"},
    ]
    for d in city.codes:  # every district has a neighborhood, each of its own
        hood = _place(city, d, 0)["neighborhood"]
        assert next(n for n in city.neighborhoods if n.code == hood).district == d
