"""Issue 18, the outreach team's branding, in Chromium: an admin's "Outreach branding" page shows
the brand in use and a preview of the public page's band. Text unreadable on the primary colour,
or a primary colour like police navy, is refused: the reason is said next to the field in plain
words, focus goes there, and nothing changes. A good brand is saved, a PNG logo is shown, a text
file as logo is refused, and the public page then wears the new name and colour. On a phone
nothing scrolls sideways; axe finds nothing. The branding in use before is put back at the end.
"""

from __future__ import annotations

import io
import time
import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw
from ui.helpers import DEVELOPER_WORDS, check_accessibility, run_async, screenshot

from porchlight.dashboard.branding.models import branding
from porchlight.kit.auth import mint_token
from porchlight.kit.db import create_engine
from porchlight.kit.settings import KitSettings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

GOOD = {"primary": "#0f6e4f", "on_primary": "#ffffff", "accent": "#ffd166"}  # white on green 6.2:1
POLICE_NAVY = "#1b2a4b"

LOADED = "() => document.querySelector('#branding-form') && document.querySelector('#brand-logo-current')"


async def _row(settings: KitSettings) -> dict[str, Any] | None:
    """The branding row as stored (logo bytes included), or None while the default is in use."""
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(sa.select(branding))).mappings().first()
            return dict(row) if row is not None else None
    finally:
        await engine.dispose()


async def _put_back(settings: KitSettings, row: dict[str, Any] | None) -> None:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.delete(branding))
            if row is not None:
                await conn.execute(sa.insert(branding).values(**row))
    finally:
        await engine.dispose()


def _png() -> bytes:
    img = Image.new("RGB", (320, 320), (255, 255, 255))
    ImageDraw.Draw(img).ellipse((20, 20, 300, 300), fill=(255, 209, 102))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _open(browser: Any, web: str, token: str, viewport: dict[str, int]) -> Any:
    """A browser signed in as an admin (the session saved as the app keeps it), on #/branding."""
    page = browser.new_context(viewport=viewport).new_page()
    page.goto(web + "/#/signin")
    page.evaluate("t => localStorage.setItem('porchlight.session', JSON.stringify({ token: t }))", token)
    page.goto(web + "/#/branding")
    page.wait_for_function(LOADED)
    return page


def _error(page: Any, control: str) -> str:
    """The error shown next to ``control`` (in the same field box), after checking it is wired to it."""
    page.wait_for_selector(f"{control}-error")
    assert page.evaluate(
        "c => document.querySelector(c + '-error').closest('.form-field').contains(document.querySelector(c))", control
    )
    assert page.get_attribute(control, "aria-invalid") == "true"
    assert f"{control[1:]}-error" in (page.get_attribute(control, "aria-describedby") or "").split()
    text = page.inner_text(f"{control}-error")
    assert not DEVELOPER_WORDS.search(text), text
    return text


def test_an_admin_sets_the_brand_and_logo_and_the_public_page_wears_them(stack, browser) -> None:  # type: ignore[no-untyped-def]
    web = stack.web
    before = run_async(_row(stack.settings))
    token = mint_token(stack.settings, subject="admin-lee", roles=["admin"])
    try:
        shown = httpx.get(f"{web}/v1/branding").json()
        page = _open(browser, web, token, {"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        assert "Outreach branding" in page.inner_text("#nav")
        assert page.input_value("#brand-name") == shown["name"]
        assert page.input_value("#brand-primary") == shown["primary"]
        assert page.input_value("#brand-primary-picker") == shown["primary"]
        check_accessibility(page, "branding")

        # Text the colour of its background: refused next to "Text on the primary colour", focus there.
        page.fill("#brand-on-primary", shown["primary"])
        page.click("#branding-form button[type=submit]")
        said = _error(page, "#brand-on-primary")
        assert "could not read" in said and "4.5:1" in said, said
        assert page.evaluate("document.activeElement.id") == "brand-on-primary"
        assert "Nothing was changed" in page.inner_text("#branding-status")
        assert httpx.get(f"{web}/v1/branding").json() == shown

        # Police navy: refused next to the primary colour; the text colour's error has gone.
        page.fill("#brand-on-primary", "#ffffff")
        page.fill("#brand-primary", POLICE_NAVY)
        page.click("#branding-form button[type=submit]")
        said = _error(page, "#brand-primary")
        assert "police or enforcement" in said, said
        assert page.locator("#brand-on-primary-error").count() == 0
        assert page.evaluate("document.activeElement.id") == "brand-primary"
        assert httpx.get(f"{web}/v1/branding").json() == shown

        # A good brand: the primary colour from the palette, the rest typed; the preview follows.
        name = f"Grove Hall Neighbors {uuid.uuid4().hex[:4]}"
        page.fill("#brand-name", name)
        page.fill("#brand-tagline", "Neighbors and city, side by side")
        page.fill("#brand-contact", "outreach@city.example")
        page.fill("#brand-primary-picker", GOOD["primary"])
        assert page.input_value("#brand-primary") == GOOD["primary"]
        page.fill("#brand-accent", GOOD["accent"].upper())
        band = page.evaluate("getComputedStyle(document.getElementById('brand-preview')).backgroundColor")
        assert band == "rgb(15, 110, 79)" and name in page.inner_text("#brand-preview")
        page.click("#branding-form button[type=submit]")
        page.wait_for_selector("#branding-status:has-text('Saved')")
        assert page.locator("#branding-form .field-error:visible").count() == 0
        saved = httpx.get(f"{web}/v1/branding").json()
        assert {k: saved[k] for k in ("name", "contact", *GOOD)} == {
            "name": name,
            "contact": "outreach@city.example",
        } | GOOD
        link = page.locator("#branding-public-link a")
        assert link.inner_text() == "See the public page"
        district = httpx.get(f"{web}/web/config").json()["districts"][0]["code"]
        assert link.get_attribute("href") == f"/public/en/districts/{district}"
        check_accessibility(page, "branding saved")

        # A PNG logo: stored (256 px a side at most) and shown on the page and in the preview.
        page.set_input_files(
            "#brand-logo-file", files=[{"name": "logo.png", "mimeType": "image/png", "buffer": _png()}]
        )
        page.click("#branding-logo-form button[type=submit]")
        page.wait_for_selector("#branding-logo-status:has-text('Logo saved')")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#brand-logo-current img, #brand-preview img')]"
            ".filter((i) => i.complete && i.naturalWidth === 256).length === 2"
        )
        logo = httpx.get(f"{web}/public/branding/logo.png").content
        assert max(Image.open(io.BytesIO(logo)).size) == 256

        # A text file as logo: refused next to the file field, focus there; the logo stays.
        page.set_input_files(
            "#brand-logo-file", files=[{"name": "logo.txt", "mimeType": "text/plain", "buffer": b"hi"}]
        )
        page.click("#branding-logo-form button[type=submit]")
        said = _error(page, "#brand-logo-file")
        assert "not a jpeg, png or webp image" in said.lower(), said
        assert page.evaluate("document.activeElement.id") == "brand-logo-file"
        assert httpx.get(f"{web}/public/branding/logo.png").content == logo
        screenshot(page, "branding-desktop")
        assert errors == []
        page.context.close()

        # The public page wears it (it is kept a few seconds: asked again until it has been rebuilt).
        deadline = time.monotonic() + 12
        while True:
            html = httpx.get(f"{web}/public/en/districts/{district}").text
            if name in html or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert name in html and f"--brand: {GOOD['primary']}" in html and "/public/branding/logo.png" in html

        # A phone: nothing wider than the screen.
        page = _open(browser, web, token, {"width": 390, "height": 844})
        assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
        assert page.input_value("#brand-name") == name
        check_accessibility(page, "branding (phone)")
        screenshot(page, "branding-phone")
        page.context.close()

        # Only an admin sets it: a supervisor's token is refused.
        boss = mint_token(stack.settings, subject="sgt-ortiz", roles=["supervisor"])
        r = httpx.put(f"{web}/v1/branding", json={"name": "x" * 5} | GOOD, headers={"Authorization": f"Bearer {boss}"})
        assert r.status_code == 403, r.text
    finally:
        # The stack is shared: the branding in use before (the default: no row), logo included.
        run_async(_put_back(stack.settings, before))
