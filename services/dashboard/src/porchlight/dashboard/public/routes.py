"""HTTP routes of the public channels: no sign-in (ADR 0017).

- ``/public/{language}/neighborhoods/{code}`` and ``.../districts/{code}``: the page (HTML);
- ``.../feed.atom``: its Atom feed;
- ``/v1/public/neighborhoods/{code}`` (and districts): the same page as JSON, for the city's site.

The HTML page carries a "Get these updates by email" form that posts to intake (``subscribe_url``,
else intake's address as the web UI's proxy finds it): the page's CSP lets forms go there.

Pages are built from the read model and kept a few seconds (service.py: ``PageCache``); the
answer carries an ETag, so a feed reader polling an unchanged feed gets a 304.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response

from porchlight.dashboard.branding import repository as branding
from porchlight.dashboard.branding.schemas import BrandOut
from porchlight.dashboard.branding.service import current_brand
from porchlight.dashboard.public.rendering.atom import atom
from porchlight.dashboard.public.rendering.flyer import render_flyer, rings_of
from porchlight.dashboard.public.rendering.html import SubscribeForm, render_page
from porchlight.dashboard.public.rendering.i18n import Language
from porchlight.dashboard.public.repository import Kind
from porchlight.dashboard.public.schemas import PublicPage
from porchlight.dashboard.public.service import PageCache, build_page, find_place
from porchlight.dashboard.settings import Config, DashboardSettings
from porchlight.dashboard.web.service import Upstreams
from porchlight.kit.app import Provided, Sessions
from porchlight.kit.auth import Public
from porchlight.kit.city import City, load_city
from porchlight.kit.headers import allow_form_action

router = APIRouter(tags=["public"])

PUBLIC = Public(
    "what residents may read: counts of at least 5 notes, quotes intake redacted, published work and updates"
)
Kinds = Literal["neighborhoods", "districts"]
Cache = Annotated[PageCache, Provided(PageCache)]
Services = Annotated[Upstreams, Provided(Upstreams)]
#: Intake's route for the page's form (ADR 0017: intake alone keeps residents' addresses).
SUBSCRIBE_PATH = "/v1/public/subscriptions/form"


def _base(request: Request, config: Config) -> str:
    return config.public_url or str(request.base_url)


def subscribe_form(
    config: DashboardSettings, upstreams: Upstreams, city: City, kinds: Kinds, code: str
) -> SubscribeForm | None:
    """The page's subscription form: on a neighborhood's page for that neighborhood, on a
    district's page with a choice of its neighborhoods; none where intake is not to be found."""
    base = config.subscribe_url or upstreams.get("intake")
    if not base:
        return None
    action = base.rstrip("/") + SUBSCRIBE_PATH
    if kinds == "neighborhoods":
        return SubscribeForm(action)
    hoods = sorted(((n.code, n.name) for n in city.neighborhoods if n.district == code), key=lambda n: n[1])
    return SubscribeForm(action, tuple(hoods)) if hoods else None


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    media_type: str


def _rendered(body: bytes, media_type: str) -> Rendered:
    return Rendered(body, '"' + hashlib.sha256(body).hexdigest()[:20] + '"', media_type)


async def _page(
    sessions: Sessions, config: Config, cache: Cache, request: Request, kinds: Kinds, code: str, language: Language
) -> PublicPage:
    """The page, from the cache (its own session when built: a reader served from the cache takes
    no database connection, and a rebuild in the background outlives the request)."""
    kind: Kind = "neighborhood" if kinds == "neighborhoods" else "district"
    city = load_city(config.places_file)
    place = find_place(city, kind, code)
    base = _base(request, config)

    async def build() -> PublicPage:
        async with sessions() as session:
            return await build_page(session, city, place, language, base)

    page: PublicPage = await cache.get(("page", kind, code, language), build)
    return page


async def _brand(sessions: Sessions) -> tuple[BrandOut, bytes | None]:
    async with sessions() as session:
        row = await branding.logo(session)
        return await current_brand(session), (row.logo if row is not None else None)


def _send(request: Request, rendered: Rendered, max_age: int = 5) -> Response:
    headers = {"ETag": rendered.etag, "Cache-Control": f"public, max-age={max_age}"}
    if request.headers.get("if-none-match") == rendered.etag:
        return Response(status_code=304, headers=headers)
    return Response(rendered.body, media_type=rendered.media_type, headers=headers)


@router.get("/v1/public/{kinds}/{code}", response_model=PublicPage, dependencies=[Depends(PUBLIC)])
async def get_public_page(
    kinds: Kinds,
    code: str,
    sessions: Sessions,
    config: Config,
    cache: Cache,
    request: Request,
    language: Language = "en",
) -> PublicPage:
    """A neighborhood's or district's public page as JSON.

    What neighbors raised in the last 90 days (topics of at least 5 notes, with an estimate and a
    redacted quote), the public work and its done steps, and the published updates, in English or
    Spanish.
    """
    return await _page(sessions, config, cache, request, kinds, code, language)


@router.get("/public/{language}/{kinds}/{code}", include_in_schema=False, dependencies=[Depends(PUBLIC)])
async def public_page(
    language: Language,
    kinds: Kinds,
    code: str,
    sessions: Sessions,
    config: Config,
    cache: Cache,
    upstreams: Services,
    request: Request,
) -> Response:
    form = subscribe_form(config, upstreams, load_city(config.places_file), kinds, code)
    if form is not None:
        allow_form_action(request, form.action)  # the CSP's form-action: intake's origin too

    async def build() -> Rendered:
        page = await _page(sessions, config, cache, request, kinds, code, language)
        brand, _ = await _brand(sessions)
        return _rendered(render_page(page, brand, form).encode(), "text/html; charset=utf-8")

    return _send(request, await cache.get(("html", kinds, code, language), build))


@router.get("/public/{language}/{kinds}/{code}/feed.atom", include_in_schema=False, dependencies=[Depends(PUBLIC)])
async def public_feed(
    language: Language, kinds: Kinds, code: str, sessions: Sessions, config: Config, cache: Cache, request: Request
) -> Response:
    async def build() -> Rendered:
        page = await _page(sessions, config, cache, request, kinds, code, language)
        brand, _ = await _brand(sessions)
        return _rendered(atom(page, brand), "application/atom+xml; charset=utf-8")

    return _send(request, await cache.get(("atom", kinds, code, language), build))


@router.get("/public/{language}/{kinds}/{code}/flyer.pdf", include_in_schema=False, dependencies=[Depends(PUBLIC)])
async def public_flyer(
    language: Language, kinds: Kinds, code: str, sessions: Sessions, config: Config, cache: Cache, request: Request
) -> Response:
    """The page as a one-page printable flyer (PDF) with the place's map and a QR code to the page."""
    page = await _page(sessions, config, cache, request, kinds, code, language)
    brand, logo = await _brand(sessions)
    city = load_city(config.places_file)
    # Laying out a page takes tens of milliseconds of CPU: off the event loop.
    pdf = await asyncio.to_thread(
        render_flyer, page, brand, rings=rings_of(city.geojson, page.kind, page.code), logo=logo
    )
    response = _send(request, _rendered(pdf, "application/pdf"), max_age=60)
    response.headers["Content-Disposition"] = f'inline; filename="{code}-{language}.pdf"'
    return response
