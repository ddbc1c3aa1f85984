"""Issue 15, purpose limitation: no route, export or query lists engagement data by person,
address or licence plate (docs/privacy.md). Every service's OpenAPI document is read for a
parameter that would look people, places or vehicles up; there must be none."""

from __future__ import annotations

import re

import pytest

from porchlight.kit.app import create_app
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

SERVICES = ("intake", "synthesis", "projects", "layers", "dashboard")
#: A parameter by which a list would find residents, their homes or their cars.
LOOKUP = re.compile(
    r"address|street|house|plate|licen[cs]e|vehicle|vin\b|resident|person|people|(?:first|last|full|given|family|place)_?name|phone|email|ssn|birth|q\b|search",
    re.IGNORECASE,
)


@pytest.mark.parametrize("service", SERVICES)
def test_no_route_looks_engagement_data_up_by_person_address_or_plate(service: str) -> None:
    app = create_app(get_service(service), KitSettings(), run_background=False)
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, op in operations.items():
            for p in op.get("parameters", []):
                if p["in"] in ("query", "path") and LOOKUP.search(p["name"]):
                    found.append(f"{method.upper()} {path} ?{p['name']}")
    assert found == [], found


def test_the_rule_would_see_such_a_parameter() -> None:
    assert all(LOOKUP.search(n) for n in ("address", "plate", "place_name", "last_name", "phone", "q", "search"))
    assert not any(
        LOOKUP.search(n) for n in ("district", "neighborhood", "host", "from", "to", "topic", "limit", "name")
    )
