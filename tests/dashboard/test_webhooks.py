"""Webhooks to the city's own tools (issue 18): a published update is POSTed to every endpoint,
signed as Standard Webhooks says; an endpoint answering 500 gets it again with backoff until it
takes it (same webhook-id: once for the receiver); one that never answers in time ends as a dead
letter, kept and retried by an admin. Real HTTP receivers (aiohttp) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web
from dashboard.test_read_models import publish
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from support import bearer, eventually, running

from porchlight.dashboard.settings import DashboardSettings
from porchlight.dashboard.webhooks.service import LINK_LENGTH, SOCIAL_LIMIT, social_text
from porchlight.events import UpdatePublished
from porchlight.events.catalog import UpdateText
from porchlight.kit.embedded import free_port

pytestmark = pytest.mark.integration


class Receiver:
    """An endpoint of the city's tools: answers ``fail_first`` POSTs with 500 (or never, when
    ``hang``), then 200; keeps every POST with whether its signature verified."""

    def __init__(self, *, fail_first: int = 0, hang: bool = False) -> None:
        self.fail_first, self.hang = fail_first, hang
        self.secret: str | None = None
        self.posts: list[dict[str, Any]] = []
        self.port = free_port()
        self.runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            data = Webhook(self.secret or "whsec_AAAA").verify(body, dict(request.headers))
            verified = True
        except Exception:
            data, verified = None, False
        self.posts.append({"id": request.headers.get("webhook-id"), "verified": verified, "data": data})
        if self.hang:
            await asyncio.sleep(5)
        if len(self.posts) <= self.fail_first:
            return web.Response(status=500, text="down for maintenance")
        return web.Response(status=200)

    async def __aenter__(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.runner is not None
        await self.runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


def test_the_social_text_fits_a_post_with_its_link() -> None:
    link = "https://engage.city.example/public/en/neighborhoods/south-end#update-" + "x" * 40
    text = social_text("The lights on Tremont St are back. " * 20, None, link)
    assert text.endswith(" " + link) and "…" in text
    assert len(text) - len(link) + LINK_LENGTH <= SOCIAL_LIMIT
    assert social_text("Short.", None, link) == f"Short. {link}"


async def test_updates_reach_every_endpoint_signed_retried_and_dead_letters_are_kept(settings) -> None:
    admin = bearer(settings, "admin")
    update = uuid.uuid4()
    async with (
        Receiver(fail_first=2) as flaky,
        Receiver(hang=True) as silent,
        running("dashboard", settings) as (app, client),
    ):
        app.state.runtime.provide(
            DashboardSettings(
                public_url="https://engage.city.example", webhook_backoff_s=[0.2, 0.2], webhook_timeout_s=0.5
            )
        )
        # Bad input names its field; only an admin registers.
        r = await client.post("/v1/webhooks", json={"name": "FTP", "url": "ftp://x.example/h"}, headers=admin)
        assert r.status_code == 422 and "body.url" in r.text
        r = await client.post(
            "/v1/webhooks", json={"name": "Social", "url": flaky.url}, headers=bearer(settings, "supervisor")
        )
        assert r.status_code == 403
        hooks = {}
        for name, receiver in (("Precinct page", flaky), ("City CMS", silent)):
            r = await client.post("/v1/webhooks", json={"name": name, "url": receiver.url}, headers=admin)
            assert r.status_code == 201, r.text
            receiver.secret = r.json()["secret"]
            hooks[name] = r.json()["id"]
        assert all("secret" not in h for h in (await client.get("/v1/webhooks", headers=admin)).json())

        await publish(settings, [
            UpdatePublished(update_id=update, district="D-HOOK", neighborhood="hook-hood", kind="win",
                            title="The lights on Tremont St are back.", body="Public Works fixed 9 lights.",
                            published_at=datetime.now(UTC), topics=["street_lighting"],
                            translations={"es": UpdateText(title="Las luces de Tremont St funcionan.", body="...")}),
        ])  # fmt: skip

        # (Other tests may have registered endpoints of their own: only this test's are looked at.)
        async def settled() -> bool:
            rows = (await client.get(f"/v1/webhooks/deliveries?update={update}", headers=admin)).json()
            mine = {d["webhook_id"]: d["status"] for d in rows if d["webhook_id"] in hooks.values()}
            return mine == {hooks["Precinct page"]: "delivered", hooks["City CMS"]: "dead"}

        await eventually(settled, timeout_s=30)

        # The flaky endpoint: three POSTs, one webhook-id, every one verified; the body as published.
        assert len(flaky.posts) == 3 and len({p["id"] for p in flaky.posts}) == 1
        assert all(p["verified"] for p in flaky.posts)
        data = flaky.posts[-1]["data"]["data"]
        assert data["title"] == "The lights on Tremont St are back." and data["update_id"] == str(update)
        assert data["url"] == f"https://engage.city.example/public/en/neighborhoods/hook-hood#update-{update}"
        assert data["social_text"] == f"The lights on Tremont St are back. {data['url']}"
        assert data["social_text_es"].startswith(
            "Las luces de Tremont St funcionan. https://engage.city.example/public/es/"
        )

        # The silent one: three tries (one, then the two waits), then a dead letter with its error.
        assert len(silent.posts) == 3
        letters = (await client.get(f"/v1/webhooks/deliveries?status=dead&update={update}", headers=admin)).json()
        [dead] = [d for d in letters if d["webhook_id"] == hooks["City CMS"]]
        assert dead["attempts"] == 3 and "no answer within 0.5 s" in dead["last_error"]

        # A forged signature does not verify (the receiver's own check, as a city would run it).
        with pytest.raises(WebhookVerificationError):
            Webhook(silent.secret).verify(
                b'{"x":1}',
                {
                    "webhook-id": "m",
                    "webhook-timestamp": str(int(datetime.now(UTC).timestamp())),
                    "webhook-signature": "v1,Zm9yZ2Vk",
                },
            )

        # Fixed on their side, an admin sends the dead letter again: delivered, nothing lost.
        silent.hang = False
        r = await client.post(f"/v1/webhooks/deliveries/{dead['id']}/retry", headers=admin)
        assert r.status_code == 200 and r.json()["status"] == "pending"
        assert (await client.post(f"/v1/webhooks/deliveries/{dead['id']}/retry", headers=admin)).status_code == 409

        async def delivered() -> bool:
            rows = (await client.get(f"/v1/webhooks/deliveries?status=delivered&update={update}", headers=admin)).json()
            return dead["id"] in {d["id"] for d in rows}

        await eventually(delivered, timeout_s=20)
        assert silent.posts[-1]["verified"] and silent.posts[-1]["id"] == dead["id"]

        # The same event again (a broker redelivery or a rebuild): nothing more is queued.
        before = len(flaky.posts)
        again = UpdatePublished(update_id=update, district="D-HOOK", neighborhood="hook-hood", kind="win",
                                title="x", body="y", published_at=datetime.now(UTC))  # fmt: skip
        await publish(settings, [again])
        await asyncio.sleep(2)
        assert len(flaky.posts) == before
