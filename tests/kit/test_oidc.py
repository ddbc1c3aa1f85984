"""Sign-in at the city's OpenID Connect provider, against a real provider (tests/support/oidc_provider.py).

The dashboard runs the authorization code flow with PKCE, state and nonce; projects (a real
service, with its lifespan) takes the resulting token with the person's roles and district.
What must be refused is: another issuer's token, a token for another audience, a state this
browser did not start (forged, or replayed after its sign-in finished), a wrong PKCE verifier.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from support import running
from support.oidc_provider import OidcProvider

from porchlight.dashboard.settings import DashboardSettings
from porchlight.kit.app import create_app
from porchlight.kit.auth import Authenticator, Role
from porchlight.kit.runtime import ServiceRuntime
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

DASHBOARD = "http://dashboard.test"
REDIRECT = DASHBOARD + "/web/oidc/callback"
USERS = {
    "dana": ("dana-pw", {"name": "Dana Reyes", "roles": ["supervisor"], "district": "B2"}),
    "pat": ("pat-pw", {"name": "Pat Public Works", "roles": ["partner"], "department": "public-works"}),
    "nobody": ("nobody-pw", {"name": "No Role"}),
}


@pytest.fixture(scope="module")
def op() -> Iterator[OidcProvider]:
    with OidcProvider(USERS) as provider:
        provider.register_client("porchlight", REDIRECT)
        provider.register_client("another-app", REDIRECT)
        yield provider


def with_provider(base: KitSettings, issuer: str, client_id: str = "porchlight", **extra: Any) -> KitSettings:
    """``base`` with the provider configured (validated anew: the issuer becomes ``iss`` and ``aud``)."""
    values = base.model_dump(include=base.model_fields_set)
    return KitSettings(**{**values, "oidc_issuer": issuer, "oidc_client_id": client_id, **extra})


def dashboard(settings: KitSettings) -> Any:
    """The dashboard's app without its servers: sign-in needs none (as in test_web_api)."""
    app = create_app(get_service("dashboard"), settings, run_background=False)
    runtime = ServiceRuntime(app.state.spec, settings)
    runtime.provide(DashboardSettings())
    app.state.runtime = runtime
    return app


class Browser:
    """What a browser does in the flow: follows the dashboard to the provider, signs in, comes
    back to the redirect URI and hands the code and state to the dashboard (with its cookie)."""

    def __init__(self, app: Any, op: OidcProvider) -> None:
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=DASHBOARD)
        self.op = op

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def start(self) -> str:
        r = await self.client.get("/web/oidc/login")
        assert r.status_code == 302, r.text
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "path=/web/oidc" in cookie and "samesite=lax" in cookie
        return r.headers["location"]

    async def at_provider(self, authorize_url: str, username: str) -> dict[str, str]:
        back = await asyncio.to_thread(self.op.sign_in, authorize_url, username, USERS[username][0])
        assert back.startswith(REDIRECT + "?"), back
        return {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}

    async def finish(self, code: str, state: str) -> httpx.Response:
        return await self.client.post("/web/oidc/token", json={"code": code, "state": state})

    async def sign_in(self, username: str) -> httpx.Response:
        back = await self.at_provider(await self.start(), username)
        return await self.finish(back["code"], back["state"])


async def test_a_person_signs_in_with_pkce_and_projects_takes_the_token_with_their_roles(
    settings: KitSettings, op: OidcProvider
) -> None:
    oidc = with_provider(settings, op.issuer)
    browser = Browser(dashboard(oidc), op)
    async with browser:
        config = (await browser.client.get("/web/config")).json()
        assert config["oidc_sign_in"] is True and config["demo_sign_in"] is False

        url = await browser.start()
        query = parse_qs(urlsplit(url).query)
        assert url.startswith(op.issuer + "/authorize?")
        assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
        assert query["client_id"] == ["porchlight"] and query["redirect_uri"] == [REDIRECT]
        assert query["state"][0] and query["nonce"][0] and query["scope"] == ["openid profile email"]

        back = await browser.at_provider(url, "dana")
        r = await browser.finish(back["code"], back["state"])
        assert r.status_code == 200, r.text
        signed = r.json()
        assert signed["subject"] == "dana" and signed["name"] == "Dana Reyes"
        assert signed["roles"] == ["supervisor"] and signed["district"] == "B2"
        assert 0 < signed["expires_in"] <= 300
        assert 'porchlight_oidc=""' in r.headers["set-cookie"] or "max-age=0" in r.headers["set-cookie"].lower()

        # Replayed: the browser's attempt is spent (cookie gone), and so is the code.
        again = await browser.finish(back["code"], back["state"])
        assert again.status_code == 400 and again.json()["errors"][0]["field"] == "body.state"

    supervisor = {"Authorization": f"Bearer {signed['token']}"}
    quarter = f"{date.today().year}-Q{(date.today().month - 1) // 3 + 1}"
    async with running("projects", oidc, background=False) as (_, projects):
        mine = await projects.post(
            "/v1/priorities", json={"title": "Lit paths", "district": "B2", "quarter": quarter}, headers=supervisor
        )
        assert mine.status_code == 201, mine.text
        other = await projects.post(
            "/v1/priorities", json={"title": "Lit paths", "district": "C11", "quarter": quarter}, headers=supervisor
        )
        assert other.status_code == 403, "the district claim from the provider limits the supervisor"

        async with Browser(dashboard(oidc), op) as partner_browser:
            partner = await partner_browser.sign_in("pat")
        assert partner.status_code == 200, partner.text
        assert partner.json()["roles"] == ["partner"] and partner.json()["district"] is None
        pat = {"Authorization": f"Bearer {partner.json()['token']}"}
        assert (await projects.get("/v1/priorities", headers=pat)).status_code == 200
        refused = await projects.post(
            "/v1/priorities", json={"title": "Lit paths", "district": "B2", "quarter": quarter}, headers=pat
        )
        assert refused.status_code == 403, "a partner is not a supervisor"


async def test_what_the_relying_party_refuses(settings: KitSettings, op: OidcProvider, tmp_path: Path) -> None:
    oidc = with_provider(settings, op.issuer)
    async with Browser(dashboard(oidc), op) as browser:
        # A forged state: not the one this browser's sign-in began with.
        back = await browser.at_provider(await browser.start(), "dana")
        forged = await browser.finish(back["code"], "forged-" + back["state"])
        assert forged.status_code == 400 and forged.json()["errors"][0]["field"] == "body.state"

        # A wrong PKCE verifier (the cookie's verifier swapped): the provider refuses the code.
        back = await browser.at_provider(await browser.start(), "dana")
        raw = browser.client.cookies["porchlight_oidc"]
        attempt = json.loads(base64.urlsafe_b64decode(raw))
        attempt["verifier"] = attempt["verifier"][::-1]
        browser.client.cookies.set(
            "porchlight_oidc", base64.urlsafe_b64encode(json.dumps(attempt).encode()).decode(), path="/web/oidc"
        )
        bad_pkce = await browser.finish(back["code"], back["state"])
        assert bad_pkce.status_code == 401 and "invalid_grant" in bad_pkce.json()["detail"], bad_pkce.text

        # Signed in at the provider but given no Porchlight role.
        browser.client.cookies.clear()
        nobody = await browser.sign_in("nobody")
        assert nobody.status_code == 403 and "no Porchlight role" in nobody.json()["detail"]

    # A token for another client (audience): the dashboard, and every service, refuse it.
    async with Browser(dashboard(with_provider(settings, op.issuer, client_id="another-app")), op) as other_app:
        theirs = await other_app.sign_in("dana")
    assert theirs.status_code == 200, theirs.text
    services = Authenticator(oidc)
    with pytest.raises(Exception, match="InvalidAudience"):
        services.from_token(theirs.json()["token"])

    # Another issuer's token: a second provider, same user names, same client id.
    with OidcProvider(USERS) as elsewhere:
        elsewhere.register_client("porchlight", REDIRECT)
        async with Browser(dashboard(with_provider(settings, elsewhere.issuer)), elsewhere) as b:
            foreign = await b.sign_in("dana")
        assert foreign.status_code == 200, foreign.text
        with pytest.raises(Exception, match="invalid bearer token"):
            services.from_token(foreign.json()["token"])

    # No provider configured: there is no sign-in to start.
    plain = dashboard(KitSettings(data_dir=tmp_path))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url=DASHBOARD) as client:
        assert (await client.get("/web/oidc/login")).status_code == 404
        assert (await client.get("/web/config")).json()["oidc_sign_in"] is False


async def test_the_demo_sign_in_is_refused_wherever_a_provider_is_configured(
    settings: KitSettings, op: OidcProvider
) -> None:
    oidc = with_provider(settings, op.issuer)  # standalone mode, with a provider
    assert oidc.mode == "standalone" and not oidc.demo_sign_in
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=dashboard(oidc)), base_url=DASHBOARD) as client:
        r = await client.post("/web/demo-token", json={"role": "supervisor"})
        config = (await client.get("/web/config")).json()
    assert r.status_code == 404 and "identity provider" in r.json()["detail"]
    assert config["demo_sign_in"] is False


def test_claims_are_read_where_the_city_s_provider_puts_them(tmp_path: Path) -> None:
    keycloak_client_roles = KitSettings(
        data_dir=tmp_path,
        auth_roles_claim="resource_access.porchlight.roles",
        auth_district_claim="porchlight_district",
    )
    who = Authenticator(keycloak_client_roles).principal_of(
        {
            "sub": "u1",
            "resource_access": {"porchlight": {"roles": ["supervisor", "not-a-role"]}},
            "porchlight_district": "D4",
        }
    )
    assert who.roles == frozenset({Role.supervisor}) and who.district == "D4" and who.department is None
    # Defaults: ``roles``, else Keycloak's realm roles; a space-separated string is a list too.
    default = Authenticator(KitSettings(data_dir=tmp_path))
    assert default.principal_of({"sub": "u", "realm_access": {"roles": ["analyst"]}}).roles == {Role.analyst}
    assert default.principal_of({"sub": "u", "roles": "officer liaison"}).roles == {Role.officer, Role.liaison}


def test_a_provider_is_configured_in_one_place(tmp_path: Path) -> None:
    s = KitSettings(data_dir=tmp_path, oidc_issuer="https://sso.city.example/realms/city", oidc_client_id="porchlight")
    assert s.auth_issuer == "https://sso.city.example/realms/city" and s.auth_audience == "porchlight"
    own_audience = KitSettings(
        data_dir=tmp_path, oidc_issuer="https://sso.city.example", oidc_client_id="web", auth_audience="porchlight-api"
    )
    assert own_audience.auth_audience == "porchlight-api"
    with pytest.raises(ValueError, match="PORCHLIGHT_OIDC_CLIENT_ID"):
        KitSettings(data_dir=tmp_path, oidc_issuer="https://sso.city.example")
    distributed = KitSettings(
        mode="distributed",
        database_url="postgresql+asyncpg://x@h/db",
        kafka_bootstrap="h:9092",
        oidc_issuer="https://sso.city.example",
        oidc_client_id="porchlight",
    )
    assert distributed.auth_jwks_url is None and not distributed.demo_sign_in
