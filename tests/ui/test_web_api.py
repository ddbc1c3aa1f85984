"""The web UI's server side: demo sign-in (standalone only), the shell and its assets, the proxy."""

from __future__ import annotations

import asyncio
import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from porchlight.dashboard.settings import DashboardSettings, WebSettings
from porchlight.dashboard.web.service import Upstreams, resolve_upstreams
from porchlight.kit.app import create_app
from porchlight.kit.auth import Authenticator, Role
from porchlight.kit.embedded import free_port
from porchlight.kit.runtime import ServiceRuntime
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration


def test_demo_token_is_minted_for_a_role_in_standalone_mode_and_accepted_by_intake(stack) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(f"{stack.web}/web/demo-token", json={"role": "officer", "district": stack.district})
    assert r.status_code == 200, r.text
    body = r.json()
    principal = Authenticator(stack.settings).from_token(body["token"])
    assert principal.roles == frozenset({Role.officer})
    assert principal.subject == "demo-officer" and principal.district == stack.district
    # A real token: intake takes it for the officer's own summary.
    me = httpx.get(
        f"{stack.urls['intake']}/v1/contacts/me/summary", headers={"Authorization": f"Bearer {body['token']}"}
    )
    assert me.status_code == 200 and me.json()["officer_id"] == "demo-officer"
    config = httpx.get(f"{stack.web}/web/config").json()
    assert config["mode"] == "standalone" and config["demo_sign_in"] is True
    assert stack.district in {d["code"] for d in config["districts"]}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "admin"}, "body.role"),  # no demo admin: it would see everything
        ({"role": "chief"}, "body.role"),
        ({"role": "officer", "district": "NOWHERE"}, "body.district"),
        ({"role": "partner", "department": "Mars"}, "body.department"),
    ],
)
def test_demo_token_refuses_what_is_not_a_demo_user(stack, body: dict[str, str], field: str) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(f"{stack.web}/web/demo-token", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in r.json()["errors"]]


def in_a_thread(coro: Any) -> Any:
    """Run a coroutine to the end in a fresh thread: once Playwright's sync API has started in
    this process, the main thread already has a running event loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(60)


def test_demo_token_is_refused_in_distributed_mode(tmp_path: Path) -> None:
    settings = KitSettings(
        mode="distributed",
        database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none",
        kafka_bootstrap="127.0.0.1:9",
        auth_jwks_url="http://127.0.0.1:9/jwks",
        data_dir=tmp_path,
    )
    app = create_app(get_service("dashboard"), settings, run_background=False)  # no lifespan: no servers needed
    runtime = ServiceRuntime(app.state.spec, settings)  # what the lifespan would provide, without its servers
    runtime.provide(DashboardSettings())
    app.state.runtime = runtime

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dashboard") as client:
            return await client.post("/web/demo-token", json={"role": "supervisor"}), await client.get("/web/config")

    r, config = in_a_thread(ask())
    assert r.status_code == 404, r.text  # outside demo mode there is no such door (issue 15)
    assert "demo mode only" in r.json()["detail"]
    assert config.json()["demo_sign_in"] is False
    assert not (tmp_path / "signing-key.pem").exists(), "no local signing key is made in distributed mode"


def test_shell_assets_and_service_worker_are_served_from_the_package(stack) -> None:  # type: ignore[no-untyped-def]
    index = httpx.get(f"{stack.web}/")
    assert index.status_code == 200 and "/static/js/app.js" in index.text
    assert "http" not in index.text.replace("http-equiv", ""), "no asset from another origin (no CDN)"
    sw = httpx.get(f"{stack.web}/sw.js")
    assert sw.status_code == 200 and "__VERSION__" not in sw.text and "__SHELL__" not in sw.text
    assert '"/static/js/pages/contact.js"' in sw.text, "the pages are cached for offline use"
    for path in ("/static/app.css", "/static/js/app.js", "/static/js/pages/contact.js"):
        assert httpx.get(stack.web + path).status_code == 200, path
    for path in ("/static/../routes.py", "/static/%2e%2e/routes.py", "/static/sw.js", "/static/nothing.js"):
        assert httpx.get(stack.web + path).status_code == 404, path


def test_proxy_forwards_to_the_service_with_the_callers_token(stack) -> None:  # type: ignore[no-untyped-def]
    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "analyst"}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    direct = httpx.get(f"{stack.urls['intake']}/v1/places", params={"kind": "district"}, headers=auth)
    proxied = httpx.get(f"{stack.web}/api/intake/v1/places", params={"kind": "district"}, headers=auth)
    assert proxied.status_code == direct.status_code == 200
    assert proxied.json() == direct.json()
    # No authority of its own: without a token the service itself answers 401.
    assert httpx.get(f"{stack.web}/api/intake/v1/places").status_code == 401
    # Only v1 paths of known services.
    assert httpx.get(f"{stack.web}/api/nowhere/v1/x", headers=auth).status_code == 404
    assert httpx.get(f"{stack.web}/api/intake/metrics", headers=auth).status_code == 404


def test_proxy_passes_server_sent_events_through_as_they_come(stack) -> None:  # type: ignore[no-untyped-def]
    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "supervisor"}).json()["token"]
    url = f"{stack.web}/api/projects/v1/board/stream?district={stack.district}"
    with httpx.stream("GET", url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():  # the first event arrives before the stream ends: not buffered
            if line.startswith("event:"):
                assert line.split(":", 1)[1].strip() == "ready"
                break


def test_proxy_says_unavailable_when_a_service_is_down(stack) -> None:  # type: ignore[no-untyped-def]
    app = create_app(get_service("dashboard"), stack.settings, run_background=False)
    # Without the lifespan (ASGITransport runs none): the runtime with just what the proxy needs.
    runtime = ServiceRuntime(app.state.spec, stack.settings)
    urls = {"intake": f"http://127.0.0.1:{free_port()}"}  # nobody listens there
    runtime.provide(Upstreams(stack.settings, WebSettings(), urls))
    app.state.runtime = runtime

    async def ask() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://d") as c:
            return await c.get("/api/intake/v1/places")

    r = in_a_thread(ask())
    assert r.status_code == 503, r.text
    assert "intake" in r.json()["detail"]


def test_proxy_keeps_one_connection_to_a_service_across_requests(stack) -> None:  # type: ignore[no-untyped-def]
    # A client per request built a TLS context each time (CPU on the event loop every page load
    # pays several times) and opened a new connection each time: three requests, three connections.
    app = create_app(get_service("dashboard"), stack.settings, run_background=False)
    runtime = ServiceRuntime(app.state.spec, stack.settings)
    app.state.runtime = runtime

    async def ask() -> tuple[list[int], int]:
        accepted = 0

        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal accepted
            accepted += 1
            with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
                while await reader.readuntil(b"\r\n\r\n"):  # a GET: headers only
                    writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}")
                    await writer.drain()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        upstreams = runtime.provide(Upstreams(stack.settings, WebSettings(), {"intake": f"http://127.0.0.1:{port}"}))
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://d") as c:
                codes = [(await c.get("/api/intake/v1/places")).status_code for _ in range(3)]
        finally:
            await upstreams.aclose()
            server.close()
        return codes, accepted

    codes, connections = in_a_thread(ask())
    assert codes == [200, 200, 200]
    assert connections == 1


def test_upstreams_come_from_the_setting_then_runtime_json_then_default_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("intake", "synthesis", "projects"):
        monkeypatch.delenv(f"PORCHLIGHT_{name.upper()}_PORT", raising=False)
    kit = KitSettings(mode="standalone", data_dir=tmp_path)
    found = resolve_upstreams(kit, WebSettings())
    assert found["intake"] == "http://127.0.0.1:8001" and "dashboard" not in found
    # `porchlight run` wrote the ports it chose.
    (tmp_path / "runtime.json").write_text(json.dumps({"ports": {"intake": 9101, "projects": 9102}}))
    found = resolve_upstreams(kit, WebSettings())
    assert found["intake"] == "http://127.0.0.1:9101" and found["projects"] == "http://127.0.0.1:9102"
    # A deployment names them (PORCHLIGHT_WEB_UPSTREAMS).
    monkeypatch.setenv("PORCHLIGHT_WEB_UPSTREAMS", '{"intake": "http://intake:8001/"}')
    assert resolve_upstreams(kit, WebSettings())["intake"] == "http://intake:8001"
