"""Schemathesis against intake's own OpenAPI: no generated request gets a 5xx (tests/support/fuzz.py).

Left out: ``PUT /v1/places`` replaces the city's districts, which every other test relies on.
Random input rarely names a real district, so it seldom reaches the database with a bad value:
the inputs that once got a 500 that way are replayed below as explicit cases.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from support import bearer
from support.fuzz import CHECKS, QUIET, app_fixture, fields_of, fuzz_schema, replay

from porchlight.kit.settings import KitSettings

PLACES = (("PUT", "/v1/places"),)
thorough = fuzz_schema("intake", "examples", "coverage", "fuzzing", exclude=PLACES)
sampled = fuzz_schema("intake", "examples", "fuzzing", exclude=PLACES)
# No background work (consumers, relay, mailer): schemathesis' pytest plugin stops the app's
# lifespan after every test, and each stop would wait for them (seconds a test).
intake_app = app_fixture("intake")


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
    ("GET", "/v1/notes", {"cursor": _cursor("vv", 10**20, 1)}, None, "query.cursor"),
    ("GET", "/v1/contacts", {"cursor": _cursor("vu", -(10**20), str(uuid.UUID(int=1)))}, None, "query.cursor"),
    ("GET", "/v1/meetings", {"cursor": _cursor("tv", "2026-01-01T00:00:00+00:00", 10**20)}, None, "query.cursor"),
    (
        "POST",
        "/v1/contacts",
        None,
        CONTACT | {"place": {"point": {"lat": "42.33", "lon": -71.05}}},
        "body.place.point.lat",
    ),
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
    response = replay(thorough, intake_app, admin, method, path, query=query, body=body)
    assert response.status_code == 422, response.text
    assert fields_of(response) == [field]


#: (path, body, the field named): a person would not expect these taken as numbers (issue 15).
COERCED = [
    ("/v1/notes", NOTE | {"sentiment": "3"}, "body.sentiment"),
    ("/v1/notes", NOTE | {"sentiment": True}, "body.sentiment"),
    ("/v1/notes", NOTE | {"attendees": "4"}, "body.attendees"),
    ("/v1/meetings", MEETING | {"duration_minutes": "60"}, "body.duration_minutes"),
    ("/v1/meetings", MEETING | {"expected_attendees": False}, "body.expected_attendees"),
    ("/v1/contacts", CONTACT | {"minutes": "10"}, "body.minutes"),
    ("/v1/notes", NOTE | {"sentiment": 10**20}, "body.sentiment"),
]


@pytest.mark.parametrize(("path", "body", "field"), COERCED)
def test_numbers_are_numbers_and_a_422_says_so_in_words(
    path: str, body: dict[str, Any], field: str, intake_app: FastAPI, admin: dict[str, str]
) -> None:
    response = replay(thorough, intake_app, admin, "POST", path, body=body)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["field"] == field
    assert error["message"] in ("Enter a whole number.", "Enter 5 or less.")
