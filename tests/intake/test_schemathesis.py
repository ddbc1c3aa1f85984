"""Schemathesis against intake's own OpenAPI: no generated request gets a 5xx.

The real app (``create_app(get_service("intake"), settings)``) runs in process with its lifespan,
against the session's real PostgreSQL and broker; schemathesis reaches it through its ASGI
transport and builds requests from the document the app serves at /openapi.json. Every request
carries a token, so generated input gets past authentication into validation and the handlers.
Besides "no 5xx", answers must be ones the document declares, with the declared content type
and body shape (problem documents included).

Left out: ``PUT /v1/places`` replaces the city's districts, which every other test relies on.
Bounded (examples per operation, phases) to a minute or so on a busy two-core machine.

Random input rarely names a real district, so it seldom reaches the database with a bad value:
the inputs that once got a 500 that way are replayed below as explicit cases.
"""

from __future__ import annotations

import base64
import json
import uuid
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
QUIET = list(hypothesis.HealthCheck)  # a real database behind every call: slow by Hypothesis's standards, on purpose


#: The document the app serves at /openapi.json; it depends on the routes only, so it is read from
#: an app that is never started (schemathesis needs it when tests are collected, before fixtures).
DOCUMENT = create_app(get_service("intake"), KitSettings(mode="standalone")).openapi()


def _schema(*phases: str) -> schemathesis.BaseSchema:
    """The document with the phases given (coverage: boundary and invalid values of every
    parameter, deterministic; fuzzing: random; examples: the document's own)."""
    config = schemathesis.Config.from_dict(
        {"phases": {name: {"enabled": name in phases} for name in ("examples", "coverage", "fuzzing", "stateful")}}
    )
    return schemathesis.openapi.from_dict(DOCUMENT, config=config).exclude(method="PUT", path="/v1/places")


thorough = _schema("examples", "coverage", "fuzzing")
sampled = _schema("examples", "fuzzing")


@pytest.fixture(scope="module")
def intake_app(settings: KitSettings) -> Iterator[FastAPI]:
    """The app on the session's database and broker, serving the document the tests were built from.

    Loading it through schemathesis starts the app's lifespan (engine, producer, relay) on
    schemathesis's event loop thread, where every request then runs; it is stopped here."""
    app = create_app(get_service("intake"), settings)
    assert schemathesis.openapi.from_asgi("/openapi.json", app).raw_schema == DOCUMENT
    yield app
    shutdown_lifespans()


@pytest.fixture(scope="module")
def admin(settings: KitSettings) -> dict[str, str]:
    return bearer(settings, "admin", subject="st-admin")  # minted once: signing costs tens of ms


@pytest.fixture(scope="module")
def officer(settings: KitSettings) -> dict[str, str]:
    # No district claim: a contact without a place would then be filed in the token's district,
    # and the city's real districts are the other tests' to count.
    return bearer(settings, "officer", subject="st-officer")


@thorough.parametrize()
@hypothesis.settings(max_examples=25, deadline=None, suppress_health_check=QUIET)
def test_admin_gets_no_server_error(case: schemathesis.Case, intake_app: FastAPI, admin: dict[str, str]) -> None:
    case.call_and_validate(app=intake_app, headers=admin, checks=CHECKS)


@sampled.parametrize()
@hypothesis.settings(max_examples=10, deadline=None, suppress_health_check=QUIET)
def test_officer_gets_no_server_error(case: schemathesis.Case, intake_app: FastAPI, officer: dict[str, str]) -> None:
    case.call_and_validate(app=intake_app, headers=officer, checks=CHECKS)


def _cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


YEAR_ONE_AT_PLUS_ONE = "0001-01-01T00:00:00+01:00"  # before year 1 in UTC: PostgreSQL cannot take it
NOTE = {"place": {"district": "A1"}, "sentiment": 3, "attendees": 4}
MEETING = {"venue_type": "library", "place": {"district": "A1"}, "starts_at": "2026-11-20T10:00:00Z"}
CONTACT = {"contact_type": "conversation", "minutes": 10, "residents_reached": 2, "place": {"district": "A1"}}
NUL_PLACE_NAME = {"district": "A1", "place_name": "\x00"}

#: (method, path, query, body, the field named): each got a 500 once, each must be a 422.
ONCE_5XX = [
    ("GET", "/v1/notes", {"district": "A1\x00"}, None, "query.district"),
    ("GET", "/v1/notes/export.csv", {"neighborhood": "\x00"}, None, "query.neighborhood"),
    ("GET", "/v1/meetings", {"host": "st\x00"}, None, "query.host"),
    ("GET", "/v1/contacts", {"from": "0001-01-01T00:00:00+00:01"}, None, "query.from"),
    ("GET", "/v1/meetings", {"to": "9999-12-31"}, None, "query.to"),
    ("GET", "/v1/notes", {"cursor": _cursor("2026-01-01T00:00:00+00:00", 3)}, None, "query.cursor"),
    ("GET", "/v1/contacts", {"cursor": _cursor(YEAR_ONE_AT_PLUS_ONE, str(uuid.UUID(int=1)))}, None, "query.cursor"),
    ("POST", "/v1/notes", None, NOTE | {"held_at": YEAR_ONE_AT_PLUS_ONE}, "body.held_at"),
    ("POST", "/v1/meetings", None, MEETING | {"starts_at": YEAR_ONE_AT_PLUS_ONE}, "body.starts_at"),
    ("POST", "/v1/contacts", None, CONTACT | {"occurred_at": YEAR_ONE_AT_PLUS_ONE}, "body.occurred_at"),
    ("POST", "/v1/contacts", None, CONTACT | {"note": "at the \x00 corner"}, "body.note"),
    ("POST", "/v1/contacts", None, CONTACT | {"place": NUL_PLACE_NAME}, "body.place.place_name"),
    ("GET", "/v1/contacts/me/summary", {"month": "9999-12"}, None, "query.month"),
]


@pytest.mark.parametrize(("method", "path", "query", "body", "field"), ONCE_5XX)
def test_inputs_that_once_got_a_500_get_a_422(
    method: str,
    path: str,
    query: dict[str, str] | None,
    body: dict[str, Any] | None,
    field: str,
    intake_app: FastAPI,
    admin: dict[str, str],
) -> None:
    operation = thorough[path][method]
    case = operation.Case(query=query) if body is None else operation.Case(query=query, body=body)
    response = case.call_and_validate(app=intake_app, headers=admin, checks=CHECKS)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
