"""Every service's OpenAPI document is one a city can generate a client from and read.

Checked per service, on the document the app serves (no servers needed): unique operationIds that
read like methods, unique schema names, security on every operation, a description on every
operation and every schema, an example for every schema, problem details for 4xx, GeoJSON as
``application/geo+json``, and one pagination convention (cursor + ``Link``) for lists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from porchlight.kit.app import create_app
from porchlight.kit.openapi import check_unique_operation_ids
from porchlight.kit.service import discover_services
from porchlight.kit.settings import KitSettings

SERVICES = sorted(discover_services())
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    settings = KitSettings(mode="standalone", data_dir=Path(tmp_path_factory.mktemp("openapi")))
    apps: dict[str, FastAPI] = {name: create_app(spec, settings) for name, spec in discover_services().items()}
    return {name: app.openapi() for name, app in apps.items()}


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS and isinstance(op, dict)
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_operation_ids_are_unique_and_read_like_methods(documents: dict[str, Any], service: str) -> None:
    doc = documents[service]
    assert check_unique_operation_ids(doc) == []
    odd = [
        op["operationId"]
        for _, _, op in operations(doc)
        if not re.fullmatch(r"[a-z]+(?:[A-Z0-9][a-z0-9]*)*", op["operationId"])
    ]
    assert not odd, f"{service}: operationIds that are not camelCase words: {odd}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_states_its_security(documents: dict[str, Any], service: str) -> None:
    doc = documents[service]
    assert set(doc["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyAuth"}
    missing = [f"{m.upper()} {p}" for m, p, op in operations(doc) if "security" not in op]
    assert not missing, f"{service}: operations without security: {missing}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_is_described(documents: dict[str, Any], service: str) -> None:
    doc = documents[service]
    bare = [
        f"{m.upper()} {p}"
        for m, p, op in operations(doc)
        # The access note alone (added by the kit) is not a description of what the operation does.
        if not op.get("summary") or not op.get("description", "").split("**Who may call it:**")[0].strip()
    ]
    assert not bare, f"{service}: operations without a summary and a description (the route's docstring): {bare}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_schema_is_described_with_an_example(documents: dict[str, Any], service: str) -> None:
    schemas: dict[str, Any] = documents[service]["components"]["schemas"]
    no_description = sorted(name for name, s in schemas.items() if not s.get("description"))
    no_example = sorted(
        name for name, s in schemas.items() if "example" not in s and "examples" not in s and "enum" not in s
    )
    assert not no_description, f"{service}: schemas without a description (the model's docstring): {no_description}"
    assert not no_example, f"{service}: schemas without an example: {no_example}"


@pytest.mark.parametrize("service", SERVICES)
def test_schema_titles_are_unique(documents: dict[str, Any], service: str) -> None:
    schemas: dict[str, Any] = documents[service]["components"]["schemas"]
    titles: dict[str, list[str]] = {}
    for name, s in schemas.items():
        titles.setdefault(s.get("title", name), []).append(name)
    twice = {t: names for t, names in titles.items() if len(names) > 1}
    assert not twice, f"{service}: two schemas with one title (a generator keeps one of them): {twice}"


#: Open311 GeoReport v2 defines its own error list ([{code, description}] in JSON, <errors> in XML)
#: and its clients read nothing else, so its routes answer their 400/403/404 in it, not as problem
#: documents. Only that prefix, and only those statuses; the kit's own 4xx there stay problems.
OPEN311_PREFIX = "/open311/"
OPEN311_ERRORS = {"400", "403", "404"}


def _spec_error_list(path: str, status: str, response: dict[str, Any]) -> bool:
    content = response.get("content", {})
    return (
        path.startswith(OPEN311_PREFIX)
        and status in OPEN311_ERRORS
        and {"application/json", "application/xml"} <= set(content)
        and content["application/json"]["schema"].get("type") == "array"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_client_errors_are_problem_documents(documents: dict[str, Any], service: str) -> None:
    wrong = [
        f"{m.upper()} {p} {status}"
        for m, p, op in operations(documents[service])
        for status, response in op["responses"].items()
        if status.startswith("4")
        and "application/problem+json" not in response.get("content", {})
        and not _spec_error_list(p, status, response)
    ]
    assert not wrong, f"{service}: 4xx answers not documented as problem details: {wrong}"


@pytest.mark.parametrize("service", SERVICES)
def test_geojson_is_served_as_geojson(documents: dict[str, Any], service: str) -> None:
    wrong = [
        f"{m.upper()} {p}"
        for m, p, op in operations(documents[service])
        if "geojson" in p.lower() and "application/geo+json" not in op["responses"].get("200", {}).get("content", {})
    ]
    assert not wrong, f"{service}: GeoJSON documented as another media type: {wrong}"


@pytest.mark.parametrize("service", SERVICES)
def test_lists_page_by_cursor_not_offset(documents: dict[str, Any], service: str) -> None:
    by_offset = [
        f"{m.upper()} {p}"
        for m, p, op in operations(documents[service])
        if any(param.get("name") in ("offset", "page") for param in op.get("parameters", []))
    ]
    assert not by_offset, f"{service}: offset paging (use kit.paging: cursor + Link): {by_offset}"
    paged = [
        (m, p, op)
        for m, p, op in operations(documents[service])
        if any(param.get("name") == "cursor" for param in op.get("parameters", []))
    ]
    for m, p, op in paged:
        names = {param["name"] for param in op["parameters"]}
        assert "limit" in names, f"{service}: {m.upper()} {p} takes a cursor but no limit"
