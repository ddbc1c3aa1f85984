"""Schemathesis against projects' own OpenAPI: no generated request gets a 5xx (tests/support/fuzz.py).

Left out: ``GET /v1/board/stream`` never ends by design (tests/projects/test_board.py covers it).
Random input seldom names an existing priority or project, so the inputs that reach the database
with bad values are replayed below as explicit cases.
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

schema = fuzz_schema("projects", exclude_paths=("/v1/board/stream",))
projects_app = app_fixture("projects")


@pytest.fixture(scope="module")
def admin(settings: KitSettings) -> dict[str, str]:
    return bearer(settings, "admin", subject="st-projects-admin")


@schema.parametrize()
@hypothesis.settings(max_examples=8, deadline=None, suppress_health_check=QUIET)
def test_no_generated_request_gets_a_server_error(
    case: schemathesis.Case, projects_app: FastAPI, admin: dict[str, str]
) -> None:
    case.call_and_validate(app=projects_app, headers=admin, checks=CHECKS)


PRIORITY = {"title": "Quiet nights", "district": "ST-1", "quarter": "2027-Q1"}

#: (method, path, query, body, the field named): bad values that reach past the types.
EDGES = [
    ("GET", "/v1/board", {"district": "A\x00"}, None, "query.district"),
    ("GET", "/v1/projects/overdue", {"department": "p\x00"}, None, "query.department"),
    ("POST", "/v1/priorities", None, PRIORITY | {"title": "Quiet\x00nights"}, "body.title"),
    ("POST", "/v1/priorities", None, PRIORITY | {"topics": ["ok", "b\x00d"]}, "body.topics.1"),
    ("POST", "/v1/priorities", None, PRIORITY | {"outcome_before": "NaN"}, "body.outcome_before"),
]


@pytest.mark.parametrize(("method", "path", "query", "body", "field"), EDGES)
def test_edge_inputs_get_a_422_naming_the_field(
    method: str,
    path: str,
    query: dict[str, str] | None,
    body: dict[str, Any] | None,
    field: str,
    projects_app: FastAPI,
    admin: dict[str, str],
) -> None:
    response = replay(schema, projects_app, admin, method, path, query=query, body=body, validate=False)
    assert response.status_code == 422, response.text
    assert fields_of(response) == [field]
