"""docs/integrating.md's Python example, run exactly as written against a running layers service.

The blocks to run are the fenced ``python`` blocks right after ``<!-- tested: tests/layers/
test_integrating_doc.py -->``, in order, in one namespace (the second uses the first's producer
and ``publish``), as a department's script would. The ONLY change made to them is the line
``BOOTSTRAP = "localhost:9092"``, replaced by the test broker's address; everything else —
confluent-kafka (librdkafka, not Porchlight's client), the headers, the key, the data — is the
documented text. If the document drifts from what layers reads, this test fails.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from support import bearer, eventually, running, scalar

from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrating.md"
MARK = "<!-- tested: tests/layers/test_integrating_doc.py -->"
BOOTSTRAP_LINE = 'BOOTSTRAP = "localhost:9092"'
EXTERNAL_ID = "SL-2025-004217"  # the record the documented example reports


def marked_blocks(text: str) -> list[str]:
    """The python blocks marked as tested, in document order."""
    return re.findall(re.escape(MARK) + r"\n```python\n(.*?)\n```", text, flags=re.DOTALL)


def test_the_document_marks_its_python_example_and_its_bootstrap_line() -> None:
    blocks = marked_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) == 2, "the report block and the close block"
    assert blocks[0].count(BOOTSTRAP_LINE) == 1
    assert "confluent_kafka" in blocks[0] and EXTERNAL_ID in blocks[0] and EXTERNAL_ID in blocks[1]
    assert "org.porchlight.record.reported.v1" in blocks[0] and "org.porchlight.record.closed.v1" in blocks[1]


def kafkajs_headers(text: str) -> set[str]:
    block = re.search(r"```javascript\n(.*?)\n```", text, flags=re.DOTALL)
    assert block is not None
    headers = re.search(r"headers: \{(.*?)\}", block.group(1), flags=re.DOTALL)
    assert headers is not None
    return {h.strip('"') for h in re.findall(r'^\s*("?[\w-]+"?):', headers.group(1), flags=re.MULTILINE)}


def test_the_untested_kafkajs_example_sends_the_same_headers_as_the_tested_python() -> None:
    text = DOC.read_text(encoding="utf-8")
    python_headers = set(re.findall(r'\("([\w-]+)", ', marked_blocks(text)[0]))
    assert "ce_specversion" in python_headers and "content-type" in python_headers
    assert kafkajs_headers(text) == python_headers


async def test_a_department_publishes_as_the_document_says_and_sees_it_on_the_map(settings: KitSettings) -> None:
    report, close = marked_blocks(DOC.read_text(encoding="utf-8"))
    report = report.replace(BOOTSTRAP_LINE, f'BOOTSTRAP = "{settings.kafka_bootstrap}"')
    namespace: dict[str, Any] = {"__name__": "department_script"}
    supervisor = bearer(settings, "supervisor")

    async def status() -> object:
        return await scalar(
            settings,
            "select status from layers.records where department = 'public-works' and external_id = :e",
            e=EXTERNAL_ID,
        )

    async with running("layers", settings) as (_, client):
        # confluent-kafka blocks (flush): the script runs in a thread while layers consumes.
        await asyncio.to_thread(exec, compile(report, "integrating.md#python-1", "exec"), namespace)

        async def reported() -> bool:
            return await status() == "open"

        await eventually(reported, timeout_s=30)
        assert await scalar(settings, "select count(*) from layers.records where external_id = :e", e=EXTERNAL_ID) == 1
        assert (
            await scalar(settings, "select district from layers.records where external_id = :e", e=EXTERNAL_ID) == "D4"
        )
        on_map = await client.get(
            "/v1/records.geojson", params={"layer": "street_light_outage", "district": "D4"}, headers=supervisor
        )
        assert on_map.status_code == 200, on_map.text
        (feature,) = [f for f in on_map.json()["features"] if f["properties"]["external_id"] == EXTERNAL_ID]
        assert feature["geometry"] == {"type": "Point", "coordinates": [-71.0747, 42.3433]}
        assert (feature["properties"]["department"], feature["properties"]["status"]) == ("public-works", "open")

        await asyncio.to_thread(exec, compile(close, "integrating.md#python-2", "exec"), namespace)

        async def closed() -> bool:
            return await status() == "fixed"

        await eventually(closed, timeout_s=30)
        params = {"layer": "street_light_outage", "district": "D4"}
        still_open = await client.get("/v1/records.geojson", params=params, headers=supervisor)
        assert EXTERNAL_ID not in {f["properties"]["external_id"] for f in still_open.json()["features"]}
        done = await client.get("/v1/records.geojson", params={**params, "status": "closed"}, headers=supervisor)
        (feature,) = [f for f in done.json()["features"] if f["properties"]["external_id"] == EXTERNAL_ID]
        assert feature["properties"]["closed_at"] is not None
