"""Schemathesis against projects' own OpenAPI: no generated request gets a 5xx.

As tests/intake/test_schemathesis.py: the real app in process with its lifespan, on the session's
PostgreSQL and broker, every request with a token (an admin: past authentication into
validation and the handlers), answers checked against the document (status, content type, body).

Left out: ``GET /v1/board/stream`` never ends by design (tests/projects/test_board.py covers it).
Random input seldom names an existing priority or project, so the inputs that reach the database
with bad values are replayed below as explicit cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from support import bearer

from porchlight.kit.app import create_app
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
QUIET = list(hypothesis.HealthCheck)

DOCUMENT = create_app(get_service("projects"), KitSettings(mode="standalone")).openapi()
CONFIG = schemathesis.Config.from_dict(
    {"phases": {name: {"enabled": name != "stateful"} for name in ("examples", "coverage", "fuzzing", "stateful")}}
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG).exclude(path="/v1/board/stream")


@pytest.fixture(scope="module")
def projects_app(settings: KitSettings) -> Iterator[FastAPI]:
    app = create_app(get_service("projects"), settings, run_background=False)
    assert schemathesis.openapi.from_asgi("/openapi.json", app).raw_schema == DOCUMENT
    yield app
    shutdown_lifespans()


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
    ("POST", "/v1/priorities", None, PRIORITY | {"topics": ["ok", "b\x00d"]}, "body.topics"),
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
    operation = schema[path][method]
    case = operation.Case(query=query) if body is None else operation.Case(query=query, body=body)
    response = case.call(app=projects_app, headers=admin)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
