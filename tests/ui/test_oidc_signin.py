"""Sign-in at the city's OpenID Connect provider, in Chromium, as a person does it.

A real provider (tests/support/oidc_provider.py: Authlib's server, PKCE required) shows its own
sign-in page; the dashboard and projects run for real with that provider configured (standalone
mode, so this is also the check that a provider turns the demo sign-in off). The person presses
"Sign in with your city account", signs in at the provider, and lands on their own page.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from support.oidc_provider import OidcProvider
from ui.helpers import check_accessibility, screenshot

from porchlight.kit.embedded import free_port
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings
from porchlight.kit.standalone import build_servers

pytestmark = [pytest.mark.integration, pytest.mark.browser]

USERS = {
    "pat": ("pat-pw", {"name": "Pat Okafor", "roles": ["partner"], "department": "public-works"}),
    "dana": ("dana-pw", {"name": "Dana Reyes", "roles": ["supervisor"], "district": "B2"}),
}


@pytest.fixture(scope="module")
def city(stack: Any, settings: KitSettings) -> Iterator[tuple[str, OidcProvider]]:
    """The dashboard and projects on free ports, signing people in at a provider of their own.

    After ``stack`` (unused here): that session fixture runs ``asyncio.run`` in this thread, which
    it can no longer do once the browser (Playwright's own loop) has started.
    """
    with OidcProvider(USERS) as op:
        ports = {"dashboard": free_port(), "projects": free_port()}
        web = f"http://127.0.0.1:{ports['dashboard']}"
        op.register_client("porchlight", web + "/web/oidc/callback")
        oidc = KitSettings(
            **{
                **settings.model_dump(include=settings.model_fields_set),
                "oidc_issuer": op.issuer,
                "oidc_client_id": "porchlight",
            }
        )
        saved = os.environ.get("PORCHLIGHT_WEB_UPSTREAMS")
        os.environ["PORCHLIGHT_WEB_UPSTREAMS"] = json.dumps({"projects": f"http://127.0.0.1:{ports['projects']}"})
        servers = build_servers(oidc, [get_service("dashboard"), get_service("projects")], ports)
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="oidc-ui-servers", daemon=True)
        thread.start()

        async def start() -> list[asyncio.Task[None]]:
            tasks = [asyncio.create_task(s.serve()) for s in servers]
            while not all(s.started for s in servers):
                for t in tasks:
                    if t.done():
                        t.result()
                await asyncio.sleep(0.05)
            return tasks

        try:
            tasks: Any = asyncio.run_coroutine_threadsafe(start(), loop).result(90)
        finally:
            if saved is None:
                os.environ.pop("PORCHLIGHT_WEB_UPSTREAMS", None)
            else:
                os.environ["PORCHLIGHT_WEB_UPSTREAMS"] = saved
        try:
            yield web, op
        finally:

            async def stop() -> None:
                for s in servers:
                    s.should_exit = True
                await asyncio.gather(*tasks, return_exceptions=True)

            asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)


def test_a_partner_signs_in_at_the_city_s_provider_and_lands_on_the_board(city, browser) -> None:  # type: ignore[no-untyped-def]
    web, op = city
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(web + "/")
    page.wait_for_selector("#oidc-sign-in")
    # No demo role picker and no token to paste where the city has a provider.
    assert page.locator("#role-officer").count() == 0 and page.locator("textarea").count() == 0
    assert page.locator("#demo-banner").count() == 0, "not demo mode: no demo banner"
    check_accessibility(page, "sign-in with the city's provider")
    screenshot(page, "sign-in-oidc")

    page.click("#oidc-sign-in")
    page.wait_for_url(op.issuer + "/authorize?*")
    assert "code_challenge_method=S256" in page.url
    page.fill("#username", "pat")
    page.fill("#password", "wrong")
    page.click("button[type=submit]")
    page.wait_for_selector("text=wrong password")
    page.fill("#username", "pat")
    page.fill("#password", "pat-pw")
    page.click("button[type=submit]")

    # Back at the dashboard: signed in, on the partner's own page, the code gone from the address.
    page.wait_for_selector("#who:has-text('Pat Okafor · partner')")  # the provider's name, not the subject
    page.wait_for_selector("h1:has-text('Project board')")
    assert "code=" not in page.url and "/web/oidc/callback" not in page.url
    assert "B2" not in page.inner_text("#who")
    session = page.evaluate("JSON.parse(localStorage.getItem('porchlight.session'))")
    assert session["profile"]["roles"] == ["partner"] and session["profile"]["department"] == "public-works"
    assert session["profile"]["district"] is None
    page.wait_for_function("() => !document.querySelector('[aria-busy=true]')")
    screenshot(page, "partner-board-after-oidc-sign-in")
    page.context.close()


def test_a_refused_sign_in_says_so_and_offers_another_try(city, browser) -> None:  # type: ignore[no-untyped-def]
    web, _ = city
    page = browser.new_context().new_page()
    # The provider sends the browser back with an error (the person cancelled there).
    page.goto(web + "/web/oidc/callback?error=access_denied&state=x")
    page.wait_for_selector("#signin-error:has-text('cancelled')")
    assert page.locator("a[href='/web/oidc/login']").count() == 1
    # A code this browser never asked for (no sign-in begun here): refused, nobody signed in.
    page.goto(web + "/web/oidc/callback?code=stolen&state=forged")
    page.wait_for_selector("#signin-error:has-text('not started here')")
    assert page.evaluate("localStorage.getItem('porchlight.session')") is None
    page.context.close()
