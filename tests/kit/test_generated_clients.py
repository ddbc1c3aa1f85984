"""A city's IT team generates a client from each service's OpenAPI document and calls it.

For every service: openapi-python-client generates a client from the document the app serves,
with no warning (a warning means it dropped schemas or operations: two schemas titled `PlaceOut`
once made it drop `NoteOut`, and a real 201 came back as `None`); then one real call goes through
the generated code to the running service (real PostgreSQL and broker) and its answer is parsed
into the generated model.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import running

from porchlight.kit.auth import mint_token
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def generate(service: str, document: dict[str, Any], into: Path) -> str:
    """Generate ``<service>_client`` under ``into``; returns the generator's output (asserted clean)."""
    into.mkdir(parents=True, exist_ok=True)
    spec_path, config = into / f"{service}.json", into / f"{service}-config.yaml"
    spec_path.write_text(json.dumps(document), encoding="utf-8")
    # CSV bodies (projects' import) are bytes to the generator: its documented override for a
    # content type it has no model for, as a city's IT team would configure it.
    config.write_text(
        f"post_hooks: []\nproject_name_override: {service}-client\npackage_name_override: {service}_client\n"
        "content_type_overrides:\n  text/csv: application/octet-stream\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(spec_path), "--output-path", str(into / f"{service}_client"),
         "--config", str(config), "--meta", "none", "--overwrite"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def operation(service: str, package_dir: Path, operation_id: str) -> Any:
    """The generated module of one operation (``api/<tag>/<snake_case id>.py``)."""
    found = list((package_dir / f"{service}_client" / "api").rglob(f"{snake(operation_id)}.py"))
    assert len(found) == 1, f"{service}: no generated module for {operation_id}"
    rel = found[0].relative_to(package_dir).with_suffix("")
    return importlib.import_module(".".join(rel.parts))


@pytest.fixture
def client_dir(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.endswith("_client") or "_client." in m]:
        del sys.modules[name]


#: One real call per service: (operationId, keyword arguments of the generated function given
#: the generated package, the roles of the caller, the expected status, the generated model class).
Call = tuple[str, Callable[[Any], dict[str, Any]], tuple[str, ...], int, str]

CALLS: dict[str, Call] = {
    "intake": (
        "createNote",
        lambda pkg: {
            "body": pkg.models.NoteIn.from_dict(
                {
                    "place": {"district": "A1"},
                    "concerns": [{"text": "The streetlight on the corner has been out for a week"}],
                    "sentiment": 3,
                    "attendees": 5,
                }
            )
        },
        ("liaison",),
        201,
        "NoteOut",
    ),
    "synthesis": ("getTaxonomy", lambda pkg: {}, ("supervisor",), 200, "TaxonomyOut"),
    "projects": ("listDepartments", lambda pkg: {}, ("supervisor",), 200, ""),
    "layers": ("listLayers", lambda pkg: {}, ("supervisor",), 200, ""),
    "dashboard": ("listDistricts", lambda pkg: {}, ("supervisor",), 200, ""),
}


@pytest.mark.parametrize("service", sorted(CALLS))
async def test_generated_client_makes_a_real_call(settings: KitSettings, client_dir: Path, service: str) -> None:
    operation_id, arguments, roles, status, model = CALLS[service]
    async with running(service, settings, background=False) as (app, _):
        output = generate(service, app.openapi(), client_dir)
        assert "Warning" not in output and "Unable to" not in output, output
        pkg = importlib.import_module(f"{service}_client")
        importlib.import_module(f"{service}_client.models")
        token = mint_token(settings, subject="generated-client", roles=list(roles))
        client = pkg.AuthenticatedClient(base_url=f"http://{service}", token=token)
        client.set_async_httpx_client(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url=f"http://{service}",
                headers={"Authorization": f"Bearer {token}"},
            )
        )
        call: Callable[..., Awaitable[Any]] = operation(service, client_dir, operation_id).asyncio_detailed
        response = await call(client=client, **arguments(pkg))
        assert response.status_code == status, response.content
        assert response.parsed is not None, f"{service}: the generated client could not read its own answer"
        if model:
            assert type(response.parsed).__name__ == model
        elif isinstance(response.parsed, list):
            assert response.parsed, f"{service}: an empty list proves little"
