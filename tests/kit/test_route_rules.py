"""Every route of every service states who may call it (auth.py: ``Allow(...)`` or ``Public(...)``).

The checker walks each APIRoute's whole dependant tree — parameters, ``dependencies=[...]`` on the
route, the router and the app, and sub-dependencies of those — looking for a dependency whose
callable is an ``AccessRule``. Routes FastAPI adds by itself (the OpenAPI document and the docs
page) are allowed only by name, below. Building an app needs no lifespan, so no servers either.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Route

from porchlight.kit.app import create_app
from porchlight.kit.auth import AccessRule, Allow, Public, Role
from porchlight.kit.openapi import access_rules
from porchlight.kit.service import discover_services
from porchlight.kit.settings import KitSettings

#: Non-API routes that may exist without an access rule: FastAPI's own documentation routes.
ALLOWED_NON_API = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect"})

EXPECTED_SERVICES = {"intake", "synthesis", "projects", "layers", "dashboard"}


@dataclass(frozen=True)
class RouteRow:
    methods: str
    path: str
    rules: tuple[str, ...]


def check_routes(routes: list[BaseRoute]) -> tuple[list[RouteRow], list[str]]:
    """The route -> rule table and the problems: routes without a rule, unknown non-API routes.

    ``app.routes`` holds included routers as lazy entries (FastAPI >= 0.16x); their effective
    routes — full path, and the dependant with ``include_router(dependencies=...)`` merged in —
    come from ``iter_route_contexts``.
    """
    table: list[RouteRow] = []
    problems: list[str] = []
    for ctx in iter_route_contexts(routes):
        route, path = ctx.original_route, str(ctx.path)
        if isinstance(route, APIRoute):
            methods = ",".join(sorted(ctx.methods or ()))
            rules = access_rules(ctx.dependant)
            table.append(RouteRow(methods, path, tuple(r.description for r in rules)))
            if not rules:
                problems.append(f"{methods} {path}: no Allow(...) or Public(...) rule")
        elif path not in ALLOWED_NON_API:
            problems.append(f"{path}: a {type(route).__name__} outside the allow-list of non-API routes")
    return table, problems


def _format(service: str, table: list[RouteRow]) -> str:
    return "\n".join(f"{service:<10} {r.methods:<12} {r.path:<28} {' | '.join(r.rules)}" for r in table)


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, FastAPI]:
    settings = KitSettings(mode="standalone", data_dir=Path(tmp_path_factory.mktemp("rules")))
    return {name: create_app(spec, settings) for name, spec in discover_services().items()}


def test_every_service_is_discovered(apps: dict[str, FastAPI]) -> None:
    # Without this a broken entry point would let the walk below pass over nothing.
    assert set(apps) >= EXPECTED_SERVICES, f"discovered only {sorted(apps)}"


def test_every_route_declares_an_access_rule(apps: dict[str, FastAPI]) -> None:
    report, problems = [], []
    for name, app in apps.items():
        table, found = check_routes(app.routes)
        assert table, f"{name}: no API routes at all"
        report.append(_format(name, table))
        problems += [f"{name}: {p}" for p in found]
    print("\n" + "\n".join(report))  # the route -> rule table, shown with -s or on failure
    assert not problems, "\n".join(problems)


def _rules_of(app: FastAPI, method: str, path: str) -> list[AccessRule]:
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute) and ctx.path == path and method in (ctx.methods or ()):
            return access_rules(ctx.dependant)
    raise AssertionError(f"no route {method} {path}")


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probes_and_metrics_are_public(apps: dict[str, FastAPI], path: str) -> None:
    for name, app in apps.items():
        rules = _rules_of(app, "GET", path)
        assert rules, f"{name} {path}: no rule"
        assert all(isinstance(r, Public) for r in rules), f"{name} {path}: {[r.description for r in rules]}"
        assert all(r.description.startswith("public: ") for r in rules)


def test_posting_a_note_requires_roles(apps: dict[str, FastAPI]) -> None:
    rules = _rules_of(apps["intake"], "POST", "/v1/notes")
    allows = [r for r in rules if isinstance(r, Allow)]
    assert allows, f"POST /v1/notes: {[r.description for r in rules]}"
    assert not any(isinstance(r, Public) for r in rules)
    roles = set().union(*(a.roles for a in allows))
    assert roles and roles <= set(Role)
    assert Role.partner not in roles  # department systems do not file residents' notes
    assert all(a.description.startswith("roles: ") for a in allows)


# --- the checker itself finds what it should ---------------------------------------------------


def _wrapper(_: Annotated[object, Depends(Allow(Role.supervisor))]) -> None:
    """A dependency that carries the rule one level down."""


def test_checker_flags_a_route_without_a_rule() -> None:
    app = FastAPI(openapi_url="/openapi.json", docs_url="/docs", redoc_url=None)
    router = APIRouter(dependencies=[Depends(Allow(Role.analyst))])

    @app.get("/open")
    async def open_route() -> dict[str, str]:  # the culprit
        return {}

    @app.get("/as-parameter")
    async def as_parameter(_: Annotated[object, Depends(Allow(Role.officer))]) -> dict[str, str]:
        return {}

    @app.get("/in-decorator", dependencies=[Depends(Public("probe"))])
    async def in_decorator() -> dict[str, str]:
        return {}

    @app.get("/sub-dependency")
    async def sub_dependency(_: Annotated[None, Depends(_wrapper)]) -> dict[str, str]:
        return {}

    @router.get("/router-level")
    async def router_level() -> dict[str, str]:
        return {}

    included = APIRouter(prefix="/v2")

    @included.get("/include-level")
    async def include_level() -> dict[str, str]:
        return {}

    bare = APIRouter(prefix="/v2")

    @bare.get("/still-open")
    async def still_open() -> dict[str, str]:  # a culprit behind two prefixes
        return {}

    app.include_router(router)
    app.include_router(included, dependencies=[Depends(Allow(Role.partner))], prefix="/api")
    app.include_router(bare, prefix="/api")
    app.include_router(APIRouter(routes=[Route("/raw-in-router", lambda request: PlainTextResponse("x"))]))
    app.add_route("/raw", lambda request: PlainTextResponse("x"))

    table, problems = check_routes(app.routes)
    rules = {row.path: row.rules for row in table}
    assert rules["/as-parameter"] == ("roles: officer",)
    assert rules["/in-decorator"] == ("public: probe",)
    assert rules["/sub-dependency"] == ("roles: supervisor",)
    assert rules["/router-level"] == ("roles: analyst",)
    assert rules["/api/v2/include-level"] == ("roles: partner",)
    assert rules["/open"] == ()
    assert sorted(problems) == [
        "/raw-in-router: a Route outside the allow-list of non-API routes",
        "/raw: a Route outside the allow-list of non-API routes",
        "GET /api/v2/still-open: no Allow(...) or Public(...) rule",
        "GET /open: no Allow(...) or Public(...) rule",
    ]


def test_checker_flags_a_route_added_to_a_real_service_app(tmp_path: Path) -> None:
    spec = discover_services()["intake"]
    app = create_app(spec, KitSettings(mode="standalone", data_dir=tmp_path))

    @app.delete("/v1/notes/{note_id}")
    async def forgot_the_rule(note_id: str) -> None:
        return None

    _, problems = check_routes(app.routes)
    assert problems == ["DELETE /v1/notes/{note_id}: no Allow(...) or Public(...) rule"]
