"""A real OpenID Provider for the sign-in tests, on 127.0.0.1 in a thread of the test process.

The protocol is Authlib's (PyPI ``authlib``, its OAuth 2.0 / OpenID Connect server): the
authorization code grant (RFC 6749), PKCE with S256 required of every client (RFC 7636's
``CodeChallenge``), the ID token with nonce (``OpenIDCode``), client authentication, one-time
codes. What is ours is only what Authlib leaves to an application: where users, clients and
codes are kept (dicts), the sign-in page (a username and password form, as a city's provider
shows), the discovery document and the JWKS.

    with OidcProvider(users={"dana": ("pw", {"roles": ["supervisor"]})}) as op:
        op.issuer, op.register_client("porchlight", redirect_uri)
"""

from __future__ import annotations

import html
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

KID = "test-op-1"


@dataclass
class Client(ClientMixin):
    client_id: str
    redirect_uris: list[str]
    secret: str | None = None  # None: a public client (PKCE only)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in {"openid", "profile", "email"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.secret is not None and secrets.compare_digest(self.secret, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "none" if self.secret is None else method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class User:
    username: str
    claims: dict[str, Any]

    def get_user_id(self) -> str:
        return self.username


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: User
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


class OidcProvider:
    """An OpenID Provider serving ``users`` ({username: (password, claims)}) on a free port."""

    def __init__(self, users: dict[str, tuple[str, dict[str, Any]]]) -> None:
        self.users = users
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.key = RSAKey.generate_key(2048, parameters={"kid": KID})
        self.app = self._app()
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-provider", daemon=True)

    def __enter__(self) -> OidcProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._thread.join(5)

    def register_client(self, client_id: str, redirect_uri: str, secret: str | None = None) -> None:
        self.clients[client_id] = Client(client_id, [redirect_uri], secret)

    def sign_in(self, authorize_url: str, username: str, password: str) -> str:
        """What the browser does at the sign-in page: the redirect it gets back (with the code)."""
        import httpx

        r = httpx.post(authorize_url, data={"username": username, "password": password})
        assert r.status_code == 302, r.text
        return r.headers["location"]

    # --- the server ------------------------------------------------------------------------

    def _app(self) -> Flask:
        provider = self
        app = Flask(__name__)
        app.config["OAUTH2_ERROR_URIS"] = []

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

            def save_authorization_code(self, code: str, req: Any) -> None:
                payload = req.payload
                provider.codes[code] = Code(
                    code=code,
                    client_id=req.client.get_client_id(),
                    redirect_uri=payload.redirect_uri,
                    scope=payload.scope,
                    user=req.user,
                    nonce=payload.data.get("nonce"),
                    code_challenge=payload.data.get("code_challenge"),
                    code_challenge_method=payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                return found if found and found.client_id == client.get_client_id() else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> User:
                return authorization_code.user

        class IdToken(OpenIDCode):
            def resolve_client_private_key(self, client: Client) -> RSAKey:
                return provider.key

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                return {"iss": provider.issuer, "aud": [client.get_client_id()], "exp": int(time.time()) + 300}

            def get_encode_header(self, client: Client) -> dict[str, str]:
                return {"alg": "RS256", "kid": KID}

            def exists_nonce(self, nonce: str, req: Any) -> bool:
                return any(c.nonce == nonce for c in provider.codes.values())

            def generate_user_info(self, user: User, scope: str) -> UserInfo:
                return UserInfo(sub=user.username, **user.claims)

        server = AuthorizationServer(app, query_client=self.clients.get, save_token=lambda token, req: None)
        server.register_grant(CodeGrant, [IdToken(require_nonce=True), CodeChallenge(required=True)])

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(
                issuer=provider.issuer,
                authorization_endpoint=provider.issuer + "/authorize",
                token_endpoint=provider.issuer + "/token",
                jwks_uri=provider.issuer + "/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
                token_endpoint_auth_methods_supported=["none", "client_secret_basic", "client_secret_post"],
            )

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify(KeySet([provider.key]).as_dict(private=False))

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize() -> Any:
            grant = server.get_consent_grant(end_user=None)
            error = ""
            if request.method == "POST":
                username = request.form.get("username", "")
                known = provider.users.get(username)
                if known and secrets.compare_digest(known[0], request.form.get("password", "")):
                    return server.create_authorization_response(grant_user=User(username, known[1]), grant=grant)
                error = '<p role="alert">Unknown username or wrong password.</p>'
            client = html.escape(grant.client.get_client_id())
            return (
                '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>City sign-in</title></head>'
                f"<body><main><h1>City of Testing sign-in</h1><p>{client} asks you to sign in.</p>{error}"
                '<form method="post"><label for="username">Username</label>'
                '<input id="username" name="username" autocomplete="username">'
                '<label for="password">Password</label>'
                '<input id="password" name="password" type="password" autocomplete="current-password">'
                '<button type="submit">Sign in</button></form></main></body></html>'
            )

        @app.post("/token")
        def token() -> Any:
            return server.create_token_response()

        return app
