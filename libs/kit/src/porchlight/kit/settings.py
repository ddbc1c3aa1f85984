"""Settings shared by every service, read from the environment when asked — never at import.

``DATABASE_URL`` and ``KAFKA_BOOTSTRAP`` keep their conventional names; everything else has the
``PORCHLIGHT_`` prefix. Left unset in standalone mode, the two point at the embedded servers
that ``porchlight run`` starts (see embedded.py).
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KitSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_", extra="ignore", populate_by_name=True)

    mode: Literal["standalone", "distributed"] = "standalone"
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    kafka_bootstrap: str | None = Field(default=None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP"))
    #: True when the broker is the embedded Tansu: no idempotent producer, approximate lag.
    embedded_broker: bool = False
    #: How every Kafka client (producer, consumers, admin) talks to a secured cluster, e.g. Strimzi's
    #: TLS listener with SCRAM-SHA-512: SASL_SSL, the mechanism, the user and its password, and the
    #: cluster CA's PEM file (the system's CAs when unset). See kafka_client_options().
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    data_dir: Path = Path(".porchlight")
    topic_partitions: int = 3
    topic_replication: int = 1
    #: How long the broker keeps the events that carry residents' words (notes, analyses,
    #: connections' quotes): an erased note's words are gone from the broker within this many days
    #: on Kafka (docs/privacy.md, "Retention and erasure"). Set when a topic is created. 0: the broker's default.
    words_retention_days: float = Field(default=30, ge=0)
    host: str = "127.0.0.1"
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    #: https://no-color.org: any non-empty value keeps the terminal's log lines without colours.
    no_color: str | None = Field(default=None, validation_alias=AliasChoices("NO_COLOR"))
    db_pool_size: int = 10
    # Auth: OIDC in distributed mode; a local signing key in standalone mode.
    auth_issuer: str = "porchlight-standalone"
    auth_audience: str = "porchlight"
    auth_jwks_url: str | None = None
    auth_local_key: Path | None = None  # default: <data_dir>/signing-key.pem
    #: Where the people's roles, district and department are in a token: a claim name, or a
    #: dotted path into nested claims (``resource_access.porchlight.roles``). Keycloak's
    #: ``realm_access.roles`` is also read when the roles claim is absent.
    auth_roles_claim: str = "roles"
    auth_district_claim: str = "district"
    auth_department_claim: str = "department"
    # The city's OpenID Connect provider (docs/adr/0012-oidc-sign-in.md). With an issuer set,
    # people sign in there (authorization code + PKCE), the services take its tokens (JWKS found
    # by discovery) and the demo sign-in is gone, in standalone mode too.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    #: Only for a confidential client; a public client proves itself with PKCE alone.
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile email"
    #: The redirect URI registered at the provider; default: <the dashboard's URL>/web/oidc/callback.
    oidc_redirect_url: str | None = None
    #: The bearer the browser keeps: the ID token (its audience is the client id) or the access
    #: token, for providers that issue JWT access tokens for a Porchlight API audience.
    oidc_bearer: Literal["id_token", "access_token"] = "id_token"
    #: Verified bearer tokens kept (LRU), each until its exp and at most max_age (0: no cache).
    auth_token_cache_size: int = 4096
    auth_token_cache_max_age_s: float = 300.0
    #: The longest lifetime (``exp`` - ``iat``) a bearer token may have: a longer-lived token is
    #: refused (401) even when its signature holds, so a leaked one cannot serve for years.
    token_max_lifetime_s: int = Field(default=12 * 3600, gt=0)
    #: Clock difference tolerated between the token's issuer and this server (``exp``, ``nbf``, ``iat``).
    auth_clock_skew_s: int = Field(default=60, ge=0)
    #: Rate limits (``limits`` notation, ``;`` between several; empty: none), kept in memory per
    #: process: sign-in routes per client address, write requests (POST/PUT/PATCH/DELETE) per
    #: authenticated caller. Generous for writes: department systems and imports post in bursts.
    rate_limit_sign_in: str = "10/minute"
    rate_limit_writes: str = "5000/second"
    #: FastAPI's native OpenTelemetry metrics and logs too (to the global providers), not only its
    #: request spans, which follow the tracing settings below. Off by default: asking for the
    #: providers costs ~2 % of a cheap request's CPU even when none is configured, /metrics
    #: (Prometheus) already covers requests, and its logs quote exception messages.
    fastapi_telemetry: bool = False
    #: Tracing (kit/tracing.py, docs/operations.md "Tracing"): spans go over OTLP/HTTP to this
    #: collector (its base URL, or its ``/v1/traces`` URL); unset, nothing is traced unless an
    #: OpenTelemetry SDK provider was installed by whoever runs the service.
    otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("PORCHLIGHT_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    #: The share of new traces kept (a trace continued from a caller keeps the caller's decision).
    trace_sample_ratio: float = Field(default=1.0, ge=0, le=1)
    #: Default request body limit; a route may declare its own (``kit.app.body_limit``).
    max_body_bytes: int = 1_000_000
    #: Load shedding (kit/shedding.py): requests inside one process's handlers at once; those
    #: beyond wait up to ``shed_queue_wait_s`` for a slot, then get 503 with ``Retry-After``.
    #: docs/benchmarks.md ("Overload") measured these on 2 cores.
    shed_max_in_flight: int = Field(default=64, ge=1)
    shed_queue_wait_s: float = Field(default=0.5, ge=0)
    shed_retry_after_s: int = Field(default=1, ge=1)
    #: How often an idle outbox relay looks for rows written by other processes (it is woken at
    #: once by commits of its own process): docs/adr/0008-outbox-wake-up-in-process.md.
    outbox_poll_s: float = 0.25
    #: Rounds of a busy outbox relay start at least this far apart (events wait at most this
    #: much more; see porchlight.events.outbox.DEFAULT_ROUND_INTERVAL_S).
    outbox_round_interval_s: float = 0.02
    # Consumers: a short fetch wait keeps latency low (500 ms default -> 250 ms at p99); a
    # group rebalances in about half the session timeout on the embedded broker.
    consumer_fetch_max_wait_ms: int = 10
    consumer_session_timeout_ms: int = 10_000
    #: Allocations between collections of the youngest generation once a service has started
    #: (Python's default is 700; 0 keeps it). See porchlight.kit.collector.
    gc_gen0_threshold: int = Field(default=10_000, ge=0)

    @model_validator(mode="after")
    def _oidc_is_the_token_issuer(self) -> KitSettings:
        # One place to configure: the provider's issuer and client id are what its tokens carry
        # as ``iss`` and ``aud`` (of an ID token), unless set apart on purpose.
        if self.oidc_issuer:
            if not self.oidc_client_id:
                raise ValueError("PORCHLIGHT_OIDC_ISSUER needs PORCHLIGHT_OIDC_CLIENT_ID")
            if "auth_issuer" not in self.model_fields_set:
                self.auth_issuer = self.oidc_issuer
            if "auth_audience" not in self.model_fields_set:
                self.auth_audience = self.oidc_client_id
        return self

    @model_validator(mode="after")
    def _production_needs_real_servers(self) -> KitSettings:
        if self.mode == "distributed":
            missing = [
                name
                for name, value in (
                    ("DATABASE_URL", self.database_url),
                    ("KAFKA_BOOTSTRAP", self.kafka_bootstrap),
                    ("PORCHLIGHT_OIDC_ISSUER or PORCHLIGHT_AUTH_JWKS_URL", self.oidc_issuer or self.auth_jwks_url),
                )
                if not value
            ]
            if missing:
                raise ValueError(f"distributed mode needs {', '.join(missing)}")
            if self.embedded_broker:
                raise ValueError("distributed mode cannot use the embedded broker")
        return self

    @model_validator(mode="after")
    def _kafka_sasl_is_complete(self) -> KitSettings:
        if self.kafka_security_protocol.startswith("SASL_"):
            missing = [
                f"PORCHLIGHT_KAFKA_SASL_{name.upper()}"
                for name in ("mechanism", "username", "password")
                if getattr(self, f"kafka_sasl_{name}") is None
            ]
            if missing:
                raise ValueError(
                    f"PORCHLIGHT_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs {', '.join(missing)}"
                )
        return self

    def kafka_client_options(self) -> dict[str, Any]:
        """The keyword arguments every aiokafka client gets for the security settings."""
        options: dict[str, Any] = {"security_protocol": self.kafka_security_protocol}
        if self.kafka_security_protocol in ("SSL", "SASL_SSL"):
            # Verifies the brokers' certificates and host names against the CA (aiokafka needs a context).
            cafile = str(self.kafka_ssl_cafile) if self.kafka_ssl_cafile else None
            options["ssl_context"] = ssl.create_default_context(cafile=cafile)
        if self.kafka_security_protocol.startswith("SASL_"):
            assert self.kafka_sasl_password is not None  # _kafka_sasl_is_complete
            options |= {
                "sasl_mechanism": self.kafka_sasl_mechanism,
                "sasl_plain_username": self.kafka_sasl_username,
                "sasl_plain_password": self.kafka_sasl_password.get_secret_value(),
            }
        return options

    @property
    def demo_sign_in(self) -> bool:
        """Demo mode: standalone without an identity provider, where anyone may pick a role."""
        return self.mode == "standalone" and not self.oidc_issuer

    @property
    def local_key_path(self) -> Path:
        return self.auth_local_key or self.data_dir / "signing-key.pem"

    def require_database_url(self) -> str:
        if not self.database_url:
            raise RuntimeError("DATABASE_URL is not set (porchlight run sets it in standalone mode)")
        return self.database_url

    def require_kafka_bootstrap(self) -> str:
        if not self.kafka_bootstrap:
            raise RuntimeError("KAFKA_BOOTSTRAP is not set (porchlight run sets it in standalone mode)")
        return self.kafka_bootstrap


def service_port(name: str, default: int) -> int:
    """The port ``porchlight run`` gives a service: ``PORCHLIGHT_<NAME>_PORT``, else its default.

    A function rather than a field: the names depend on which services are installed. It lives
    here because settings modules are the only place that reads the environment.
    """
    value = os.environ.get(f"PORCHLIGHT_{name.upper()}_PORT")
    return int(value) if value else default


def broker_log_env() -> dict[str, str]:
    """The environment of the embedded broker's process: ours, with Tansu's log level
    (``TANSU_LOG``, default ``warn``) as ``RUST_LOG``."""
    return dict(os.environ, RUST_LOG=os.environ.get("TANSU_LOG", "warn"))


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment of a child process (pg_dump, pg_restore, psql): ours, with ``extra``."""
    return {**os.environ, **extra}
