"""Schemathesis against a service's own OpenAPI, the same way for every service (issue 15).

The real app (``create_app(get_service(name), settings)``) runs in process with its lifespan, on
the session's PostgreSQL and broker; schemathesis reaches it through its ASGI transport and builds
requests from the document the app serves at /openapi.json. Every request carries a token, so
generated input gets past authentication into validation and the handlers. Besides "no 5xx",
answers must be ones the document declares, with the declared content type and body shape
(problem documents included).

A test module builds its schema at import (``fuzz_schema``: schemathesis parametrizes when tests
are collected, before fixtures), gets the running app from a module fixture (``app_fixture``) and
replays the inputs that once got a 500 with ``replay``. Bounded, to about a minute per service on
a busy two-core machine: few examples per operation, no stateful phase.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
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

from porchlight.kit.app import create_app
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: A real database behind every call: slow by Hypothesis's standards, on purpose.
QUIET = list(hypothesis.HealthCheck)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
_DOCUMENTS: dict[str, dict[str, Any]] = {}


def document(service: str) -> dict[str, Any]:
    """The document the service serves at /openapi.json; it depends on the routes only, so it is
    read from an app that is never started."""
    if service not in _DOCUMENTS:
        _DOCUMENTS[service] = create_app(get_service(service), KitSettings(mode="standalone")).openapi()
    return _DOCUMENTS[service]


def fuzz_schema(
    service: str, *phases: str, exclude: tuple[tuple[str, str], ...] = (), exclude_paths: tuple[str, ...] = ()
) -> schemathesis.BaseSchema:
    """The service's document with the phases given (coverage: boundary and invalid values of every
    parameter, deterministic; fuzzing: random; examples: the document's own), without the
    operations ``exclude`` names as (method, path) and the paths in ``exclude_paths``."""
    chosen = phases or ("examples", "coverage", "fuzzing")
    config = schemathesis.Config.from_dict({"phases": {name: {"enabled": name in chosen} for name in PHASES}})
    schema = schemathesis.openapi.from_dict(document(service), config=config)
    for method, path in exclude:
        schema = schema.exclude(method=method, path=path)
    for path in exclude_paths:
        schema = schema.exclude(path=path)
    return schema


def app_fixture(service: str, *, background: bool = False) -> Callable[..., Iterator[FastAPI]]:
    """A module fixture: the app on the session's database and broker, serving the document the
    tests were built from. Loading it through schemathesis starts its lifespan on schemathesis's
    event loop thread, where every request then runs; it is stopped after the module."""

    @pytest.fixture(scope="module")
    def running_app(settings: KitSettings) -> Iterator[FastAPI]:
        app = create_app(get_service(service), settings, run_background=background)
        assert schemathesis.openapi.from_asgi("/openapi.json", app).raw_schema == document(service)
        yield app
        shutdown_lifespans()

    return running_app


def replay(
    schema: schemathesis.BaseSchema,
    app: FastAPI,
    headers: dict[str, str],
    method: str,
    path: str,
    *,
    query: dict[str, Any] | None = None,
    path_parameters: dict[str, Any] | None = None,
    body: Any = None,
    validate: bool = True,
) -> Any:
    """One explicit case of an operation of the document, called (and checked against the
    document unless ``validate`` is False); returns the response."""
    operation = schema[path][method]
    fields: dict[str, Any] = {"query": query}
    if path_parameters is not None:
        fields["path_parameters"] = path_parameters
    if body is not None:
        fields["body"] = body
    case = operation.Case(**fields)
    if validate:
        return case.call_and_validate(app=app, headers=headers, checks=CHECKS)
    return case.call(app=app, headers=headers)


def fields_of(response: Any) -> list[str]:
    """The fields a 422 names, in order."""
    return [e["field"] for e in response.json()["errors"]]
