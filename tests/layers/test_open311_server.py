"""Open311 GeoReport v2 served by layers: services, requests read and posted, tokens, the error list."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring as safe_fromstring
from support import running, scalar

from porchlight.kit.auth import hash_api_key, new_api_key
from porchlight.kit.settings import KitSettings
from porchlight.layers.open311.georeport import Open311Error, read_errors, read_receipts, read_requests, read_services
from porchlight.layers.records.service import Places, RecordIn, accept

pytestmark = pytest.mark.integration

BASE = "/open311/v2"
#: In the demo city (district D4).
LAT, LON = 42.3474, -71.0944


def keys_for(settings: KitSettings, tmp_path: Path, *entries: dict[str, Any]) -> tuple[KitSettings, list[str]]:
    """Settings whose data dir holds API keys (as ``porchlight apikey create`` writes them)."""
    keys = [new_api_key() for _ in entries]
    stored = [{**e, "sha256": hash_api_key(k)} for e, k in zip(entries, keys, strict=True)]
    (tmp_path / "api-keys.json").write_text(json.dumps(stored))
    return settings.model_copy(update={"data_dir": tmp_path}), keys


def errors_of(response: Any) -> list[Open311Error]:
    fmt = "xml" if "xml" in response.headers["content-type"] else "json"
    return read_errors(response.content, fmt)


async def seed(app: Any, *records: RecordIn) -> None:
    runtime = app.state.runtime
    async with runtime.sessions() as session, session.begin():
        report = await accept(session, list(records), runtime.resource(Places), source="http")
    assert not report.refused, report.refused


def graffiti(external_id: str, opened_at: datetime, **more: Any) -> RecordIn:
    fields: dict[str, Any] = {
        "department": "public-works",
        "layer": "graffiti",
        "external_id": external_id,
        "category": "Graffiti",
        "point": (LAT, LON),
        "opened_at": opened_at,
        **more,
    }
    return RecordIn(**fields)


async def test_services_in_both_formats_and_the_spec_error_list(settings):
    async with running("layers", settings, background=False) as (_, client):
        r = await client.get(f"{BASE}/services.json")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
        services = {s.service_code: s for s in read_services(r.content, "json")}
        assert services["graffiti"].group == "Public Works" and services["graffiti"].service_name == "Graffiti"
        assert services["graffiti"].type == "realtime" and services["graffiti"].metadata is False
        assert "incident" not in services  # crime incidents are not 311 requests
        x = await client.get(f"{BASE}/services.xml")
        assert x.headers["content-type"].startswith("application/xml")
        assert set(services) == {s.service_code for s in read_services(x.content, "xml")}

        d = await client.get(f"{BASE}/services/graffiti.xml")
        assert d.status_code == 200 and safe_fromstring(d.content).findtext("service_code") == "graffiti"
        for path in (f"{BASE}/services/unicorns.json", f"{BASE}/services/incident.json"):
            missing = await client.get(path)
            assert missing.status_code == 404 and errors_of(missing)[0].description.startswith("service_code:")
        odd = await client.get(f"{BASE}/services.csv")  # an extension the spec does not have
        assert odd.status_code == 404 and errors_of(odd) == [Open311Error(404, "format: use .json or .xml")]
        bad = await client.get(f"{BASE}/requests.xml", params={"start_date": "last tuesday"})
        assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/xml")
        assert errors_of(bad)[0].description.startswith("start_date:")


async def test_post_stores_a_record_without_the_residents_personal_fields(settings, tmp_path):
    keyed, (key,) = keys_for(settings, tmp_path, {"name": "City 311 app", "role": "partner", "department": None})
    personal = {
        "email": "dolores@example.org",
        "phone": "617-555-0142",
        "first_name": "Dolores",
        "last_name": "Quimby",
        "device_id": "device-77f1",
        "account_id": "acct-991",
    }
    form = {
        "api_key": key,
        "service_code": "graffiti",
        "lat": str(LAT),
        "long": str(LON),
        "address_string": "1 Example St",
        "description": "Tag on the bridge rail",
        "attribute[surface]": "metal",
        **personal,
    }
    async with running("layers", keyed, background=False) as (_, client):
        r = await client.post(f"{BASE}/requests.json", data=form)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body[0]["account_id"] is None and body[0]["service_notice"]
        rid = body[0]["service_request_id"]
        assert rid.startswith("PL-") and len(rid) == 15

        row = await scalar(keyed, "select row_to_json(r)::text from layers.records r where r.external_id = :e", e=rid)
        stored = json.loads(str(row))
        assert (stored["department"], stored["layer"], stored["source"], stored["district"]) == (
            "public-works",
            "graffiti",
            "open311",
            "D4",
        )
        assert stored["attributes"] == {"surface": "metal", "address": "1 Example St"}
        assert stored["description"] == "Tag on the bridge rail"
        for value in personal.values():  # dropped: in no column of the record
            assert value not in str(row)
        outbox = await scalar(keyed, "select count(*) from layers.outbox where payload::text like :v", v="%dolores%")
        assert outbox == 0

        one = await client.get(f"{BASE}/requests/{rid}.xml")
        assert one.status_code == 200
        (got,) = read_requests(one.content, "xml")
        assert (got.service_request_id, got.status, got.service_code) == (rid, "open", "graffiti")
        assert (got.agency_responsible, got.address, got.lat, got.lon) == ("Public Works", "1 Example St", LAT, LON)
        token = await client.get(f"{BASE}/tokens/{rid}.json")
        assert token.json() == [{"service_request_id": rid, "token": rid}]
        assert (await client.get(f"{BASE}/tokens/PL-000000000000.json")).status_code == 404
        gone = await client.get(f"{BASE}/requests/PL-000000000000.json")
        assert gone.status_code == 404 and errors_of(gone)[0].description.startswith("service_request_id:")

        xml = await client.post(f"{BASE}/requests.xml", data={**form, "description": "again"})
        assert xml.status_code == 201 and xml.headers["content-type"].startswith("application/xml")
        assert read_receipts(xml.content, "xml")[0].service_request_id.startswith("PL-")


@pytest.mark.parametrize(
    ("change", "status", "named"),
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "plk_not-a-key"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "unicorns"}, 400, "service_code"),
        ({"service_code": "incident"}, 400, "service_code"),
        ({"lat": None, "long": None, "address_string": "1 Example St"}, 400, "lat"),  # no geocoder here
        ({"lat": "north"}, 400, "lat"),
        ({"lat": "0.5", "long": "0.5"}, 400, "lat"),  # outside the city
        ({"description": "x" * 4001}, 400, "description"),
    ],
)
async def test_post_refusals_name_the_field(settings, tmp_path, change, status, named):
    keyed, (key,) = keys_for(settings, tmp_path, {"name": "311 app", "role": "partner", "department": None})
    form = {"api_key": key, "service_code": "graffiti", "lat": str(LAT), "long": str(LON), **change}
    form = {k: v for k, v in form.items() if v is not None}
    async with running("layers", keyed, background=False) as (_, client):
        r = await client.post(f"{BASE}/requests.json", data=form)
    assert r.status_code == status, r.text
    errors = errors_of(r)
    assert errors and errors[0].code == status
    assert errors[0].description.startswith(f"{named}:"), errors


async def test_a_department_key_posts_its_own_departments_requests_only(settings, tmp_path):
    keyed, (parks, reader) = keys_for(
        settings,
        tmp_path,
        {"name": "Parks app", "role": "partner", "department": "parks"},
        {"name": "a dashboard", "role": "officer", "department": None},
    )
    form = {"service_code": "graffiti", "lat": str(LAT), "long": str(LON)}
    async with running("layers", keyed, background=False) as (_, client):
        other = await client.post(f"{BASE}/requests.json", data={**form, "api_key": parks})
        assert other.status_code == 403 and errors_of(other)[0].description.startswith("api_key:")
        role = await client.post(f"{BASE}/requests.json", data={**form, "api_key": reader})
        assert role.status_code == 403
        own = await client.post(f"{BASE}/requests.json", data={**form, "service_code": "park_maintenance",
                                                                 "api_key": parks})  # fmt: skip
        assert own.status_code == 201, own.text


async def test_get_requests_filters(settings):
    tag = uuid.uuid4().hex[:8]
    t0 = datetime(2003, 3, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    async with running("layers", settings, background=False) as (app, client):
        await seed(
            app,
            graffiti(f"{tag}-a", t0 + timedelta(days=1)),
            graffiti(f"{tag}-b", t0 + timedelta(days=2), status="closed", closed_at=t0 + timedelta(days=3)),
            graffiti(f"{tag}-c", t0 + timedelta(days=120)),  # beyond start + 90 days
            RecordIn("public-works", "needle_pickup", f"{tag}-d", "Needles", point=(LAT, LON), opened_at=t0),
            graffiti(f"{tag}-recent", now - timedelta(days=5)),
            graffiti(f"{tag}-old", now - timedelta(days=100)),  # before the default 90 days
        )

        async def ids(**params: str) -> list[str]:
            r = await client.get(f"{BASE}/requests.json", params=params)
            assert r.status_code == 200, r.text
            return [x["service_request_id"] for x in r.json() if x["service_request_id"].startswith(tag)]

        window = {"start_date": "2003-03-01T00:00:00Z", "end_date": "2003-05-01T00:00:00Z"}
        assert await ids(**window) == [f"{tag}-b", f"{tag}-a", f"{tag}-d"]  # newest first
        assert await ids(**window, status="closed") == [f"{tag}-b"]
        assert await ids(**window, status="open", service_code="graffiti,needle_pickup") == [f"{tag}-a", f"{tag}-d"]
        assert await ids(**window, service_code="needle_pickup") == [f"{tag}-d"]
        assert await ids(start_date="2003-03-01") == [f"{tag}-b", f"{tag}-a", f"{tag}-d"]  # 90 days from it
        assert await ids(service_request_id=f"{tag}-c,{tag}-a", status="closed") == [f"{tag}-c", f"{tag}-a"]
        recent = await ids(service_code="graffiti")
        assert f"{tag}-recent" in recent and f"{tag}-old" not in recent
        for bad, field in (({"end_date": "soon"}, "end_date"), ({"status": "pending"}, "status")):
            r = await client.get(f"{BASE}/requests.json", params=bad)
            assert r.status_code == 400 and errors_of(r)[0].description.startswith(f"{field}:")
        far = await client.get(f"{BASE}/requests.json", params={"start_date": "2003-01-01", "end_date": "2003-12-01"})
        assert far.status_code == 400 and errors_of(far)[0].description.startswith("end_date:")
