"""The outreach team's branding (issue 18): an admin sets it; colours unreadable or close to an
enforcement unit's are refused naming the field, and what was set before stays."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from PIL import Image
from support import bearer, running

from porchlight.kit.db import create_engine
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

GOOD = {"name": "Roxbury Community Outreach", "tagline": "Neighbors and city", "primary": "#1f6f5c",
        "on_primary": "#ffffff", "accent": "#f5b82e"}  # fmt: skip


async def test_branding_is_checked_and_bad_input_changes_nothing(settings: KitSettings) -> None:
    admin = bearer(settings, "admin")
    async with running("dashboard", settings, background=False) as (_, client):
        try:
            assert (
                await client.put("/v1/branding", json=GOOD, headers=bearer(settings, "supervisor"))
            ).status_code == 403
            r = await client.put("/v1/branding", json=GOOD, headers=admin)
            assert r.status_code == 200 and r.json()["text_contrast"] >= 4.5, r.text
            for bad, field in [
                (GOOD | {"on_primary": "#2a7a66"}, "body.on_primary"),  # text barely differs from its background
                (GOOD | {"primary": "#1b2a4b"}, "body.primary"),  # police navy
                (GOOD | {"primary": "teal"}, "body.primary"),
                (GOOD | {"name": "<b>x"} | {"extra": 1}, "body.extra"),
            ]:
                r = await client.put("/v1/branding", json=bad, headers=admin)
                assert r.status_code == 422 and field in r.text, (bad, r.text)
            assert (await client.get("/v1/branding")).json()["name"] == GOOD["name"]  # no sign-in; unchanged

            png = io.BytesIO()
            Image.new("RGB", (600, 300), (31, 111, 92)).save(png, "PNG")
            r = await client.put(
                "/v1/branding/logo", files={"file": ("logo.png", png.getvalue(), "image/png")}, headers=admin
            )
            assert r.status_code == 200 and r.json()["logo_url"] == "/public/branding/logo.png"
            logo = await client.get("/public/branding/logo.png")
            assert logo.status_code == 200 and max(Image.open(io.BytesIO(logo.content)).size) == 256
            r = await client.put(
                "/v1/branding/logo", files={"file": ("x.png", b"not an image", "image/png")}, headers=admin
            )
            assert r.status_code == 422 and "body" in r.text
            assert (await client.get("/public/branding/logo.png")).content == logo.content
        finally:
            # Other tests read the default team's name on the public pages.
            engine = create_engine(settings.require_database_url(), pool_size=1)
            async with engine.begin() as conn:
                await conn.execute(sa.text("DELETE FROM dashboard.branding"))
            await engine.dispose()
