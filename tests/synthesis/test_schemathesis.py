"""Schemathesis against synthesis' own OpenAPI: no generated request gets a 5xx (tests/support/fuzz.py).

Left out: ``PUT /v1/taxonomy`` replaces the topics every other test classifies with, and
``POST /v1/emerging/promote`` moves concerns between topics. The inputs that once got a 500 are
replayed below as explicit cases.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from support import bearer
from support.fuzz import CHECKS, QUIET, app_fixture, fields_of, fuzz_schema, replay

from porchlight.kit.settings import KitSettings

schema = fuzz_schema("synthesis", exclude=(("PUT", "/v1/taxonomy"), ("POST", "/v1/emerging/promote")))
synthesis_app = app_fixture("synthesis")


@pytest.fixture(scope="module")
def admin(settings: KitSettings) -> dict[str, str]:
    return bearer(settings, "admin", subject="st-synthesis-admin")


@schema.parametrize()
@hypothesis.settings(max_examples=6, deadline=None, suppress_health_check=QUIET)
def test_no_generated_request_gets_a_server_error(
    case: schemathesis.Case, synthesis_app: FastAPI, admin: dict[str, str]
) -> None:
    case.call_and_validate(app=synthesis_app, headers=admin, checks=CHECKS)


#: (method, path, query, the fields named): each got a 500 once (issue 15), each must be a 422.
ONCE_5XX: list[tuple[str, str, dict[str, Any], str]] = [
    ("GET", "/v1/insights", {"district": "\x00"}, "query.district"),
    ("GET", "/v1/insights", {"neighborhood": "a\x00b"}, "query.neighborhood"),
    ("GET", "/v1/insights/city", {"district": "\x00"}, "query.district"),
    ("GET", "/v1/emerging", {"district": "\x00"}, "query.district"),
    ("GET", "/v1/insights/notes", {"topic": "\x00"}, "query.topic"),
    ("GET", "/v1/insights/notes", {"district": "A1\x1b"}, "query.district"),
    ("GET", "/v1/insights", {"from": "0001-01-01", "to": "0001-01-02"}, "query.from query.to"),
    ("GET", "/v1/insights/city", {"from": "1999-12-31"}, "query.from"),
    ("GET", "/v1/insights", {"to": "9999-12-31"}, "query.to"),
]


@pytest.mark.parametrize(("method", "path", "query", "field"), ONCE_5XX)
def test_inputs_that_once_got_a_500_get_a_422_naming_the_field(
    method: str, path: str, query: dict[str, Any], field: str, synthesis_app: FastAPI, admin: dict[str, str]
) -> None:
    response = replay(schema, synthesis_app, admin, method, path, query=query)
    assert response.status_code == 422, response.text
    assert fields_of(response) == field.split()
    assert "between 2000-01-01 and 2100-12-31" in response.text or "one line" in response.text
