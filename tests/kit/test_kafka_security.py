"""Kafka TLS and SASL: the PORCHLIGHT_KAFKA_* settings reach every aiokafka client Porchlight makes.

A secured cluster (Strimzi's TLS listener with SCRAM-SHA-512 users) cannot be run here, and the
embedded broker speaks plaintext only; so these are unit tests of the client configuration: the
settings, the options they make, and the real aiokafka clients built with them (constructing one
opens no connection) — the producer, the consumers, the topic admin — and the paths that build
them from the settings (a service's runtime, ``porchlight migrate``).
"""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import ValidationError

import porchlight.events.topics as topics_module
import porchlight.kit.runtime as runtime_module
import porchlight.kit.standalone as standalone_module
from porchlight.events import ConsumerRunner, EventProducer, NoteSubmitted, ensure_topics
from porchlight.events.consumer import ConsumerSpec
from porchlight.kit.runtime import ServiceRuntime
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings


class Stop(Exception):
    """Raised by a stand-in once it has seen what it was given."""


def make_ca(path: Path) -> Path:
    """A self-signed CA certificate in PEM, like Strimzi's cluster CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cluster-ca porchlight-test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


@pytest.fixture
def secured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KitSettings:
    """Settings as the production overlay's environment gives them (Strimzi: SASL_SSL, SCRAM-SHA-512)."""
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SASL_USERNAME", "porchlight-intake")
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SASL_PASSWORD", "s3cret-from-the-kafkauser-secret")
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SSL_CAFILE", str(make_ca(tmp_path / "ca.crt")))
    monkeypatch.setenv("KAFKA_BOOTSTRAP", "porchlight-kafka-bootstrap:9093")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://porchlight:x@127.0.0.1:1/porchlight")
    return KitSettings()


def assert_secured(client: Any) -> None:
    """``client`` is an aiokafka AIOKafkaClient configured as ``secured``."""
    assert client._security_protocol == "SASL_SSL"
    assert client._sasl_mechanism == "SCRAM-SHA-512"
    assert client._sasl_plain_username == "porchlight-intake"
    assert client._sasl_plain_password == "s3cret-from-the-kafkauser-secret"
    context = client._ssl_context
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert "cluster-ca porchlight-test" in str(context.get_ca_certs()), "the cluster CA was not loaded"


def test_the_default_is_plaintext_as_before() -> None:
    assert KitSettings().kafka_client_options() == {"security_protocol": "PLAINTEXT"}


def test_sasl_settings_make_the_client_options(secured: KitSettings) -> None:
    options = secured.kafka_client_options()
    assert set(options) == {
        "security_protocol",
        "ssl_context",
        "sasl_mechanism",
        "sasl_plain_username",
        "sasl_plain_password",
    }
    assert options["sasl_plain_password"] == "s3cret-from-the-kafkauser-secret"
    assert "s3cret" not in repr(secured)  # the password never shows in a settings dump or log


def test_tls_without_sasl_verifies_against_the_system_cas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SECURITY_PROTOCOL", "SSL")
    options = KitSettings().kafka_client_options()
    assert set(options) == {"security_protocol", "ssl_context"}
    assert options["ssl_context"].verify_mode == ssl.CERT_REQUIRED


def test_sasl_without_its_credentials_is_refused_naming_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    with pytest.raises(ValidationError, match="PORCHLIGHT_KAFKA_SASL_USERNAME, PORCHLIGHT_KAFKA_SASL_PASSWORD"):
        KitSettings()
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SASL_MECHANISM", "GSSAPI")
    with pytest.raises(ValidationError, match="kafka_sasl_mechanism"):
        KitSettings()


async def test_the_producer_gets_them(secured: KitSettings) -> None:
    producer = EventProducer("b:9093", idempotent=True, client_options=secured.kafka_client_options())
    assert_secured(producer._producer.client)


async def test_a_consumer_gets_them(secured: KitSettings) -> None:
    async def handle(session: Any, event: Any, envelope: Any) -> None: ...

    runner = ConsumerRunner(
        ConsumerSpec(group="test.security", handlers={NoteSubmitted: handle}),
        service="tests",
        bootstrap="b:9093",
        sessions=None,  # type: ignore[arg-type]  # never used: the consumer is not started
        inbox=get_service("dashboard").inbox,
        producer=None,  # type: ignore[arg-type]
        client_options=secured.kafka_client_options(),
    )
    assert_secured(runner._consumer._client)


async def test_the_topic_admin_gets_them(secured: KitSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[AIOKafkaAdminClient] = []

    class Admin(AIOKafkaAdminClient):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            made.append(self)

        async def start(self) -> None:
            raise Stop

    monkeypatch.setattr(topics_module, "AIOKafkaAdminClient", Admin)
    with pytest.raises(Stop):
        await ensure_topics("b:9093", ["porchlight.notes"], partitions=1, client_options=secured.kafka_client_options())
    (admin,) = made
    assert_secured(admin._client)


async def test_a_service_runtime_passes_them_to_its_topics_and_producer(
    secured: KitSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    async def topics(bootstrap: str, names: Any, **kwargs: Any) -> None:
        seen["topics"] = kwargs["client_options"]

    def producer(bootstrap: str, **kwargs: Any) -> EventProducer:
        seen["producer"] = EventProducer(bootstrap, **kwargs)
        raise Stop

    monkeypatch.setattr(runtime_module, "ensure_topics", topics)
    monkeypatch.setattr(runtime_module, "EventProducer", producer)
    runtime = ServiceRuntime(get_service("intake"), secured)
    with pytest.raises(Stop):
        await runtime.start()
    await runtime.engine.dispose()
    assert seen["topics"]["sasl_plain_username"] == "porchlight-intake"
    assert_secured(seen["producer"]._producer.client)


async def test_porchlight_migrate_passes_them_to_the_topic_admin(
    secured: KitSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def topics(bootstrap: str, names: Any, **kwargs: Any) -> None:
        assert kwargs["client_options"]["security_protocol"] == "SASL_SSL"
        raise Stop

    monkeypatch.setattr(standalone_module, "ensure_topics", topics)
    with pytest.raises(Stop):
        await standalone_module.prepare(secured, [get_service("intake")])
