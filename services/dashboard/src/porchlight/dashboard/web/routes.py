"""Pages and assets of the web UI, the sign-in at the city's OpenID Connect provider, and the
demo sign-in (demo mode only: standalone without a provider).

The UI is one HTML shell with plain JavaScript modules (no framework, no build step, no CDN):
it calls the dashboard's own API and, through the same-origin proxy (service.py), the others.
Pages carry no data, so they are public; the data comes from APIs that check the token.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, get_args

from fastapi import APIRouter, Cookie, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from porchlight.dashboard.settings import DashboardSettings
from porchlight.dashboard.web import service as web
from porchlight.dashboard.web.schemas import DemoRole, DemoSignIn, DemoToken, OidcSignIn, SignedIn, WebConfig
from porchlight.dashboard.web.service import Upstreams, forward
from porchlight.dashboard.web.shell.assets import MEDIA_TYPES, STATIC, asset_path, service_worker
from porchlight.kit.app import Provided, Settings
from porchlight.kit.auth import Authenticator, Public, mint_token
from porchlight.kit.city import load_city
from porchlight.kit.errors import NotFound, ValidationProblem

router = APIRouter(tags=["web"])

SHELL = Public("the app shell and its scripts hold no data; the APIs they call check the token")
#: Departments a demo partner may stand for (PRODUCT.md: who works with the police), by the
#: codes projects files micro-projects under.
DEPARTMENTS = ("public-works", "parks", "schools", "health", "code-enforcement")


Config = Annotated[DashboardSettings, Provided(DashboardSettings)]


def _districts(config: DashboardSettings) -> list[dict[str, str]]:
    city = load_city(config.places_file)
    return [{"code": d.code, "name": d.name} for d in city.districts]


#: Shown at the top of every page in demo mode, in the shell itself (no script needed to see it).
DEMO_BANNER = (
    '<p class="demo-banner" id="demo-banner" role="note">Demo mode — sign-in without a password; not for real data</p>'
)


@lru_cache(maxsize=2)
def _shell(demo: bool) -> bytes:
    html = (STATIC / "index.html").read_text()
    if demo:
        html = html.replace("<body>", "<body>\n  " + DEMO_BANNER, 1)
    return html.encode()


@router.get("/", include_in_schema=False, dependencies=[Depends(SHELL)])
async def index(settings: Settings) -> Response:
    shell = _shell(settings.demo_sign_in)
    return Response(shell, media_type=MEDIA_TYPES[".html"], headers={"Cache-Control": "no-cache"})


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
        demo_sign_in=settings.demo_sign_in,
        oidc_sign_in=bool(settings.oidc_issuer),
        roles=list(get_args(DemoRole)),
        departments=list(DEPARTMENTS),
        districts=_districts(config),
    )


DEMO_TTL_S = 12 * 3600


async def sign_in_limit(request: Request) -> None:
    """Sign-in attempts per client address (``PORCHLIGHT_RATE_LIMIT_SIGN_IN``): 429 past it."""
    authenticator: Authenticator = request.app.state.authenticator
    authenticator.sign_ins.check(request.client.host if request.client else "unknown")


SignInLimit = Depends(sign_in_limit)


@router.post(
    "/web/demo-token",
    response_model=DemoToken,
    dependencies=[Depends(Public("demo mode only; absent with a provider and in distributed mode")), SignInLimit],
    responses={
        404: {"description": "Not demo mode: people sign in at the identity provider"},
        429: {"description": "Too many sign-ins from this address: try again after Retry-After seconds"},
    },
)
async def create_demo_token(body: DemoSignIn, settings: Settings, config: Config) -> DemoToken:
    """A demo user's token for the chosen role (demo mode: standalone without an identity provider).

    Absent (404) in distributed mode and wherever an OIDC provider is configured.
    """
    # Checked first, and by the settings alone: where people have a provider nobody gets a token here.
    if not settings.demo_sign_in:
        raise NotFound("there is no demo sign-in here (demo mode only): sign in at your identity provider")
    if body.role == "partner" and body.district is not None:
        # A partner stands for a department, which works across the city (PRODUCT.md): with a
        # district claim, projects would refuse their moves on every other district's cards.
        raise ValidationProblem(
            "Invalid fields: body.district",
            errors=[
                {"field": "body.district", "message": "A department partner works city-wide: leave the district out."}
            ],
        )
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
    ttl_s = min(DEMO_TTL_S, settings.token_max_lifetime_s)  # never longer than the services accept
    token = mint_token(
        settings, subject=subject, roles=[body.role], district=body.district, department=department, ttl_s=ttl_s
    )
    return DemoToken(
        token=token,
        subject=subject,
        role=body.role,
        district=body.district,
        department=department,
        expires_in=ttl_s,
    )


# --- sign-in at the city's OpenID Connect provider (web/service.py says how) ----------------

OIDC = Public("sign-in at the city's provider: the provider authenticates; the browser's own cookie binds the flow")


@router.get(
    "/web/oidc/login",
    include_in_schema=False,
    dependencies=[Depends(OIDC)],
    responses={302: {"description": "To the provider's sign-in page"}, 404: {"description": "No provider"}},
)
async def oidc_login(request: Request, settings: Settings) -> RedirectResponse:
    """Start a sign-in: to the provider, with PKCE, state and nonce (their secrets in a cookie)."""
    url, attempt = await web.begin(settings, request)
    response = RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        web.ATTEMPT_COOKIE,
        attempt,
        max_age=web.ATTEMPT_TTL_S,
        path=web.ATTEMPT_PATH,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="lax",  # sent when the provider sends the browser back
    )
    return response


@router.get("/web/oidc/callback", include_in_schema=False, dependencies=[Depends(SHELL)])
async def oidc_callback(settings: Settings) -> Response:
    """The redirect URI: the app shell, whose sign-in page hands the code on to /web/oidc/token."""
    return await index(settings)


@router.post(
    "/web/oidc/token",
    response_model=SignedIn,
    dependencies=[Depends(OIDC), SignInLimit],
    responses={
        429: {"description": "Too many sign-ins from this address: try again after Retry-After seconds"},
        400: {"description": "Not this browser's sign-in (state), or it expired"},
        401: {"description": "The provider refused the code, or its tokens did not verify"},
        403: {"description": "The account has no Porchlight role"},
        404: {"description": "No identity provider is configured"},
    },
)
async def oidc_token(
    body: OidcSignIn,
    request: Request,
    response: Response,
    settings: Settings,
    attempt: Annotated[str | None, Cookie(alias=web.ATTEMPT_COOKIE)] = None,
) -> SignedIn:
    """Finish a sign-in: the code is exchanged (with the PKCE verifier) and the tokens verified.

    The state must be the one this browser's sign-in began with; the attempt is spent either way.
    """
    response.delete_cookie(web.ATTEMPT_COOKIE, path=web.ATTEMPT_PATH)
    response.headers["Cache-Control"] = "no-store"
    return await web.finish(settings, request.app.state.authenticator, body, attempt)


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
