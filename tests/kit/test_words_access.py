"""Issue 15, least privilege: figures may be city-wide; residents' words behind them only for the
district a person works in, or for a city-wide duty (analysts, admins, a supervisor without a
district claim). The rule is ``Principal.reads_words_of``; this table is written out by hand so a
change to the rule has to change it too. tests/dashboard/test_words_access.py and
tests/synthesis/test_words_access.py hold every route that returns words to the same table."""

from __future__ import annotations

import pytest

from porchlight.kit.auth import Principal, Role, words_district
from porchlight.kit.errors import Forbidden

ROLES = ("officer", "liaison", "supervisor", "analyst", "partner", "admin")
CLAIMS = (None, "A1", "B2")
CITY = "city"


def expected(role: str, claim: str | None) -> set[str]:
    """Whose words ``role`` with district ``claim`` reads: districts, and CITY for the whole city."""
    table: dict[tuple[str, str | None], set[str]] = {
        ("officer", None): set(),
        ("liaison", None): set(),  # issue 15: "a liaison reads them city-wide" was the defect
        ("partner", None): set(),
        ("supervisor", None): {"A1", "B2", CITY},  # a watch commander
        ("analyst", None): {"A1", "B2", CITY},
        ("admin", None): {"A1", "B2", CITY},
        ("analyst", "A1"): {"A1", "B2", CITY},  # leadership is city-wide whatever the claim
        ("admin", "A1"): {"A1", "B2", CITY},
        ("analyst", "B2"): {"A1", "B2", CITY},
        ("admin", "B2"): {"A1", "B2", CITY},
    }
    return table.get((role, claim), {claim} if claim else set())


def who(role: str, claim: str | None) -> Principal:
    return Principal(subject=f"{role}-{claim}", roles=frozenset({Role(role)}), district=claim)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("claim", CLAIMS)
def test_every_role_and_district_reads_the_words_the_table_says(role: str, claim: str | None) -> None:
    p = who(role, claim)
    for target in ("A1", "B2", None):
        assert p.reads_words_of(target) == ((target or CITY) in expected(role, claim)), (role, claim, target)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("claim", CLAIMS)
def test_a_list_of_words_runs_with_the_callers_district(role: str, claim: str | None) -> None:
    p, may = who(role, claim), expected(role, claim)
    # Leaving the district out means the whole city for a city-wide duty, else the caller's own.
    if CITY in may:
        assert words_district(p, None) is None
    elif claim:
        assert words_district(p, None) == claim
    else:
        with pytest.raises(Forbidden):
            words_district(p, None)
    for target in ("A1", "B2"):
        if target in may:
            assert words_district(p, target) == target
        else:
            with pytest.raises(Forbidden):
                words_district(p, target)
