"""The images' supply chain (issue 16): lock files in step with the pyproject.toml files, the base
image pinned by digest, and a CycloneDX SBOM from ``make sbom``.

Offline: the lock files are read, not compiled again (``make lock`` needs the package index); the
SBOM is made from them by cyclonedx-py, which reads the lock files only.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.validation import make_schemabased_validator
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCKS = ROOT / "deploy" / "docker" / "requirements"
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
SERVICES = ["intake", "synthesis", "projects", "layers", "dashboard"]
#: The image's platform, as the lock files are compiled for it (Makefile, `lock`).
IMAGE_ENV = {"python_version": "3.11", "python_full_version": "3.11.9", "sys_platform": "linux"}
IMAGE_ENV |= {"platform_system": "Linux", "platform_machine": "x86_64", "implementation_name": "cpython"}
IMAGE_ENV |= {"platform_python_implementation": "CPython", "os_name": "posix"}
#: Installed apart from the lock (the Dockerfile: torch's CPU build from PyTorch's index).
NOT_LOCKED = {"torch"}


def pinned(lock: Path) -> dict[str, tuple[Version, int]]:
    """Each package of a lock file: its version and how many hashes it carries."""
    found: dict[str, tuple[Version, int]] = {}
    name = None
    for line in lock.read_text().splitlines():
        if m := re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", line):
            name = str(canonicalize_name(m[1]))
            found[name] = (Version(m[2]), 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            found[name] = (found[name][0], found[name][1] + 1)
        elif line and not line.startswith((" ", "#")):
            pytest.fail(f"{lock.name}: a line that pins nothing: {line!r}")
    return found


def runtime_requirements(service: str) -> list[Requirement]:
    """What the image of ``service`` needs at run time: its dependencies and the two libraries'."""
    reqs = []
    for dist in (ROOT / "libs" / "events", ROOT / "libs" / "kit", ROOT / "services" / service):
        project = tomllib.loads((dist / "pyproject.toml").read_text())["project"]
        reqs += [Requirement(r) for r in project["dependencies"]]
    return [r for r in reqs if not r.name.startswith("porchlight-")]


@pytest.mark.parametrize("service", SERVICES)
def test_every_runtime_dependency_is_pinned_with_hashes_in_the_service_lock(service: str) -> None:
    lock = pinned(LOCKS / f"{service}.txt")
    for req in runtime_requirements(service):
        if req.marker is not None and not req.marker.evaluate(IMAGE_ENV):
            continue
        name = str(canonicalize_name(req.name))
        if name in NOT_LOCKED:
            assert name not in lock, f"{name} is installed apart from the lock, not from it"
            continue
        assert name in lock, f"{req} ({service}) is not in {service}.txt: run `make lock`"
        version, _ = lock[name]
        assert req.specifier.contains(version, prereleases=True), (
            f"{service}.txt pins {name}=={version}, which {req} refuses: run `make lock`"
        )
    for name, (version, hashes) in lock.items():
        assert hashes > 0, f"{name}=={version} in {service}.txt has no hash: pip --require-hashes refuses it"
        assert not name.startswith(("nvidia-", "cuda-", "porchlight-")) and name not in {"torch", "triton"}, name


def test_the_build_backend_is_locked_for_every_distribution() -> None:
    backend = pinned(LOCKS / "build.txt")
    assert backend["hatchling"][1] > 0
    for pyproject in [*ROOT.glob("libs/*/pyproject.toml"), *ROOT.glob("services/*/pyproject.toml")]:
        needs = [Requirement(r) for r in tomllib.loads(pyproject.read_text())["build-system"]["requires"]]
        for req in needs:
            assert str(canonicalize_name(req.name)) in backend, f"{pyproject}: {req} is not in build.txt"
            assert req.specifier.contains(backend[str(canonicalize_name(req.name))][0])


def test_the_image_is_built_from_a_digest_and_installs_from_the_locks_only() -> None:
    text = DOCKERFILE.read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M)
    assert base is not None and re.fullmatch(r"python:3\.11-slim@sha256:[0-9a-f]{64}", base[1]), base
    assert text.count("FROM ${PYTHON_IMAGE}") == 2  # both stages
    installs = [line.strip() for line in text.splitlines() if re.search(r"\bpip (install|wheel)\b", line)]
    for line in installs:
        # Every install is hash-checked from a lock, or takes no dependencies (torch, our own wheels).
        assert "--no-deps" in line, line
    assert 'pip install --require-hashes --no-deps -r "/src/requirements/${SERVICE}.txt"' in text
    assert "--require-hashes --no-deps -r /src/requirements/build.txt" in text
    assert "--no-build-isolation" in text  # no unpinned build backend fetched for our own wheels
    assert "pip check" in text
    case = re.search(r"case \"\$\{SERVICE\}\" in ([a-z|]+)\)", text)
    assert case is not None and sorted(case[1].split("|")) == sorted(SERVICES)


def test_make_sbom_writes_valid_cyclonedx_json_listing_the_locked_packages(tmp_path: Path) -> None:
    services = ["synthesis", "projects"]  # torch's special case, and one other (each takes ~5 s)
    subprocess.run(
        ["make", "-s", "sbom", f"SBOM_DIR={tmp_path}", f"LOCK_SERVICES={' '.join(services)}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    validator = make_schemabased_validator(OutputFormat.JSON, SchemaVersion.V1_6)
    for service in services:
        text = (tmp_path / f"porchlight-{service}.cdx.json").read_text()
        errors = validator.validate_str(text)
        assert errors is None, f"{service}: {errors}"
        bom = json.loads(text)
        assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"
        assert bom["metadata"]["component"]["name"] == f"porchlight-{service}"
        listed = {str(canonicalize_name(c["name"])): c["version"] for c in bom["components"]}
        expected = {name: str(version) for name, (version, _) in pinned(LOCKS / f"{service}.txt").items()}
        if service == "synthesis":
            expected["torch"] = "2.13.0"
        assert listed == expected
        purls = [c["purl"] for c in bom["components"]]
        assert all(p.startswith("pkg:pypi/") for p in purls)
