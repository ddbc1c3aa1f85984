"""The OpenAPI document every service serves, shaped so that a city can generate clients from it.

- ``operationId``s read like a method (``createNote``, ``listNotes``): the route function's name in
  camelCase (``operation_id``), unique within a service (``check_unique_operation_ids``).
- Security as it is: every route with ``Allow(...)`` takes a bearer token (OIDC, or the standalone
  key) or a department's ``X-API-Key``, and says which roles; ``Public(...)`` routes need nothing
  (``document_security``).
- 4xx answers are problem documents (``errors.document_problems``); multipart forms are described
  (``document_forms``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from porchlight.kit.auth import AccessRule, Allow, Public

BEARER = "bearerAuth"
API_KEY = "apiKeyAuth"

SECURITY_SCHEMES: dict[str, Any] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A token of the city's OpenID Connect provider (`porchlight token --role R` in standalone).",
    },
    API_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": "A department system's key (`porchlight apikey create`), acting with that department's roles.",
    },
}


def operation_id(route: APIRoute) -> str:
    """``create_note`` -> ``createNote``: the route function's name, as a client method."""
    head, *rest = route.name.strip("_").split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def access_rules(dependant: Dependant) -> list[AccessRule]:
    """Every ``AccessRule`` in a route's dependency tree (route, router and app dependencies)."""
    found: list[AccessRule] = []
    stack = [dependant]
    while stack:
        node = stack.pop()
        if isinstance(node.call, AccessRule):
            found.append(node.call)
        stack.extend(node.dependencies)
    return found


def document_security(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """``securitySchemes`` and each operation's ``security``, from the route's access rule."""
    rules: dict[tuple[str, str], list[AccessRule]] = {}
    # Included routers are lazy entries (FastAPI >= 0.16x): their effective routes, with the
    # include's dependencies merged in, come from ``iter_route_contexts``.
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute):
            for method in ctx.methods or ():
                rules[(str(ctx.path), method.lower())] = access_rules(ctx.dependant)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            # The docstring's first line is the summary (FastAPI's default is the function's name).
            first = operation.get("description", "").strip().split("\n", 1)[0].strip()
            if first and not first.startswith("**Who may call it"):
                operation["summary"] = first.rstrip(".")
            found = rules.get((path, method), [])
            allows = [r for r in found if isinstance(r, Allow)]
            if allows:
                operation["security"] = [{BEARER: []}, {API_KEY: []}]
                roles = sorted({role.value for rule in allows for role in rule.roles} | {"admin"})
                note = f"**Who may call it:** the roles {', '.join(f'`{r}`' for r in roles)}."
                text = operation.get("description", "")
                if note not in text:
                    operation["description"] = f"{text}\n\n{note}".strip()
            elif any(isinstance(r, Public) for r in found):
                operation["security"] = []
    document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    return document


def document_forms(document: dict[str, Any]) -> dict[str, Any]:
    """FastAPI names a multipart form's schema ``Body_<operationId>`` and gives it neither a
    description nor an example: say what it is, with an example of its fields."""
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        if not name.startswith("Body_"):
            continue
        schema.setdefault("description", f"The multipart form of `{name.removeprefix('Body_')}`.")
        if "examples" not in schema:
            example = {
                field: "<file>" if prop.get("format") == "binary" or prop.get("contentMediaType") else "..."
                for field, prop in schema.get("properties", {}).items()
                if field in schema.get("required", [])
            }
            schema["examples"] = [example]
    return document


def check_unique_operation_ids(document: dict[str, Any]) -> list[str]:
    """The operationIds used more than once (a generated client would lose all but one)."""
    ids: Counter[str] = Counter(
        str(op["operationId"])
        for item in document.get("paths", {}).values()
        for op in item.values()
        if isinstance(op, dict) and op.get("operationId")
    )
    return sorted(name for name, n in ids.items() if n > 1)
