"""A page whose form posts to another origin (the public page's subscription form, to intake)
widens its own answer's CSP ``form-action`` to that origin, and no other answer's; nothing but a
plain http(s) origin can be named (pure: an app in process, no servers)."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from porchlight.kit.headers import SecurityHeaders, allow_form_action, content_security_policy, origin_of


def test_origins_a_policy_may_name() -> None:
    assert origin_of("http://127.0.0.1:8001/v1/public/subscriptions/form") == "http://127.0.0.1:8001"
    assert origin_of("https://engage.city.example/api/intake/") == "https://engage.city.example"
    for not_an_origin in ("/api/intake", "javascript:alert(1)", "https://a.example;script-src *", "http://u@x.example"):
        assert origin_of(not_an_origin) is None, not_an_origin


async def test_only_the_page_with_the_form_may_post_to_another_origin() -> None:
    async def page(request: Request) -> PlainTextResponse:
        allow_form_action(request, "https://engage.city.example/api/intake/v1/public/subscriptions/form")
        allow_form_action(request, "/relative/is/self")
        # An upstream's policy (through a proxy) never replaces the service's.
        return PlainTextResponse("form", headers={"Content-Security-Policy": "form-action *"})

    async def other(request: Request) -> PlainTextResponse:
        return PlainTextResponse("no form")

    app = Starlette(routes=[Route("/page", page), Route("/other", other)])
    wrapped = SecurityHeaders(app, csp=content_security_policy("https://id.city.example/realms/x"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://dashboard") as client:
        with_form = (await client.get("/page")).headers.get_list("content-security-policy")
        without = (await client.get("/other")).headers["content-security-policy"]
    assert len(with_form) == 1 and "form-action *" not in with_form[0]
    assert "; form-action 'self' https://id.city.example https://engage.city.example; " in with_form[0]
    assert "; form-action 'self' https://id.city.example; " in without
