"""Pages and assets of the web UI, and the standalone demo sign-in.

The UI is one HTML shell with plain JavaScript modules (no framework, no build step, no CDN):
it calls the dashboard's own API and, through the same-origin proxy (service.py), the others.
Pages carry no data, so they are public; the data comes from APIs that check the token.
"""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response, StreamingResponse

from porchlight.dashboard.settings import DashboardSettings
from porchlight.dashboard.web.schemas import DemoRole, DemoSignIn, DemoToken, WebConfig
from porchlight.dashboard.web.service import Upstreams, forward
from porchlight.dashboard.web.shell.assets import MEDIA_TYPES, STATIC, asset_path, service_worker
from porchlight.kit.app import Provided, Settings
from porchlight.kit.auth import Public, mint_token
from porchlight.kit.city import load_city
from porchlight.kit.errors import Forbidden, NotFound, ValidationProblem

router = APIRouter(tags=["web"])

SHELL = Public("the app shell and its scripts hold no data; the APIs they call check the token")
#: Departments a demo partner may stand for (PRODUCT.md: who works with the police), by the
#: codes projects files micro-projects under.
DEPARTMENTS = ("public-works", "parks", "schools", "health", "code-enforcement")


Config = Annotated[DashboardSettings, Provided(DashboardSettings)]


def _districts(config: DashboardSettings) -> list[dict[str, str]]:
    city = load_city(config.places_file)
    return [{"code": d.code, "name": d.name} for d in city.districts]


@router.get("/", include_in_schema=False, dependencies=[Depends(SHELL)])
async def index() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type=MEDIA_TYPES[".html"], headers={"Cache-Control": "no-cache"})


@router.get("/sw.js", include_in_schema=False, dependencies=[Depends(SHELL)])
async def sw() -> Response:
    # Served from the root so its scope is the whole app; never cached by HTTP (browsers check it).
    return Response(service_worker(), media_type=MEDIA_TYPES[".js"], headers={"Cache-Control": "no-cache"})


@router.get("/static/{path:path}", include_in_schema=False, dependencies=[Depends(SHELL)])
async def static(path: str) -> FileResponse:
    found = asset_path(path)
    if found is None:
        raise NotFound(f"no asset {path}")
    return FileResponse(found, media_type=MEDIA_TYPES[found.suffix], headers={"Cache-Control": "no-cache"})


@router.get(
    "/web/config",
    response_model=WebConfig,
    dependencies=[Depends(Public("the mode and the city's district names: no personal data"))],
)
async def get_web_config(settings: Settings, config: Config) -> WebConfig:
    """What the web UI needs before sign-in: the mode, the demo roles and the city's districts.

    Public: it holds the mode and the district names of the city's public boundaries only.
    """
    return WebConfig(
        mode=settings.mode,
        demo_sign_in=settings.mode == "standalone",
        roles=list(get_args(DemoRole)),
        departments=list(DEPARTMENTS),
        districts=_districts(config),
    )


DEMO_TTL_S = 12 * 3600


@router.post(
    "/web/demo-token",
    response_model=DemoToken,
    dependencies=[Depends(Public("standalone demo sign-in only; refused in distributed mode"))],
    responses={403: {"description": "Not standalone mode: people sign in at the identity provider"}},
)
async def create_demo_token(body: DemoSignIn, settings: Settings, config: Config) -> DemoToken:
    """A demo user's token for the chosen role (standalone mode only).

    Refused with 403 in distributed mode, where people sign in at the city's identity provider.
    """
    # Checked first, and by the mode alone: in production nobody gets a token from here.
    if settings.mode != "standalone":
        raise Forbidden("demo sign-in exists only in standalone mode; sign in at your identity provider")
    codes = {d["code"] for d in _districts(config)}
    if body.district is not None and body.district not in codes:
        raise ValidationProblem(
            "Invalid fields: body.district", errors=[{"field": "body.district", "message": "is not a district"}]
        )
    if body.department is not None and body.department not in DEPARTMENTS:
        raise ValidationProblem(
            "Invalid fields: body.department", errors=[{"field": "body.department", "message": "is not a department"}]
        )
    subject = f"demo-{body.role}"
    department = body.department if body.role == "partner" else None
    token = mint_token(
        settings, subject=subject, roles=[body.role], district=body.district, department=department, ttl_s=DEMO_TTL_S
    )
    return DemoToken(
        token=token,
        subject=subject,
        role=body.role,
        district=body.district,
        department=department,
        expires_in=DEMO_TTL_S,
    )


PROXIED = Public("a pass-through: the upstream service checks the caller's own bearer token")


@router.api_route(
    "/api/{service}/{path:path}",
    methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    dependencies=[Depends(PROXIED)],
    include_in_schema=False,
)
async def proxy(
    service: str, path: str, request: Request, upstreams: Annotated[Upstreams, Provided(Upstreams)]
) -> StreamingResponse:
    """Pass ``/api/<service>/v1/...`` to that service (web/service.py says why a proxy)."""
    return await forward(service, path, request, upstreams)
