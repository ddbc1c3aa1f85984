"""Schemathesis against layers' own OpenAPI: no generated request gets a 5xx (tests/support/fuzz.py).

Left out: ``PUT`` and ``DELETE /v1/connection-rules/{name}`` change the rules every connection
test evaluates with. The inputs that once got a 500 are replayed below as explicit cases.
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

schema = fuzz_schema(
    "layers", exclude=(("PUT", "/v1/connection-rules/{name}"), ("DELETE", "/v1/connection-rules/{name}"))
)
layers_app = app_fixture("layers")


@pytest.fixture(scope="module")
def admin(settings: KitSettings) -> dict[str, str]:
    return bearer(settings, "admin", subject="st-layers-admin")


@schema.parametrize()
@hypothesis.settings(max_examples=4, deadline=None, suppress_health_check=QUIET)
def test_no_generated_request_gets_a_server_error(
    case: schemathesis.Case, layers_app: FastAPI, admin: dict[str, str]
) -> None:
    case.call_and_validate(app=layers_app, headers=admin, checks=CHECKS)


#: (method, path, query, the field named): control characters in its filters (issue 15), each a 422 naming it.
ONCE_5XX: list[tuple[str, str, dict[str, Any], str]] = [
    ("GET", "/v1/records", {"layer": "\x00"}, "query.layer"),
    ("GET", "/v1/connections", {"district": "A1\x00"}, "query.district"),
    ("GET", "/v1/issues", {"district": "\x07"}, "query.district"),
]


@pytest.mark.parametrize(("method", "path", "query", "field"), ONCE_5XX)
def test_inputs_that_once_got_a_500_get_a_422_naming_the_field(
    method: str, path: str, query: dict[str, Any], field: str, layers_app: FastAPI, admin: dict[str, str]
) -> None:
    response = replay(schema, layers_app, admin, method, path, query=query)
    assert response.status_code == 422, response.text
    assert fields_of(response) == [field]
