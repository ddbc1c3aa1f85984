"""The Open311 client against a GeoReport v2 server in memory and against the spec's examples.

The server here is ``httpx.MockTransport`` over this package's own filters and rendering, so it
honours ``start_date``/``end_date`` as the spec says and, like real cities, returns at most 50
requests per call without saying so.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from porchlight.layers.open311.georeport import (
    Open311ClientError,
    Open311Error,
    Open311FormatError,
    Open311Problem,
    PullStats,
    ServiceRequest,
    errors_response,
    fetch_service_definition,
    fetch_services,
    parse_filters,
    parse_format,
    pull,
    render_requests,
)

FIXTURES = Path(__file__).parent / "fixtures" / "open311"
BASE = "https://city.example/open311/v2"
SINCE = datetime(2026, 1, 1, tzinfo=UTC)
UNTIL = datetime(2026, 3, 1, tzinfo=UTC)
CAP = 50


def city_requests() -> list[ServiceRequest]:
    """~900 requests over two months: a steady trickle, a storm day, and some on window edges."""
    out: list[ServiceRequest] = []
    for i in range(500):  # one every ~2.8 hours, all before UNTIL
        out.append(ServiceRequest(f"T{i}", requested_datetime=SINCE + timedelta(minutes=169 * i), service_code="001"))
    storm = datetime(2026, 1, 20, tzinfo=UTC)
    for i in range(400):  # a storm: 400 in six hours
        out.append(ServiceRequest(f"S{i}", status="closed", requested_datetime=storm + timedelta(seconds=54 * i)))
    for week in range(1, 8):  # exactly on the 7-day page boundaries (both pages see them)
        out.append(ServiceRequest(f"E{week}", requested_datetime=SINCE + timedelta(days=7 * week)))
    return out


class Server:
    """A GeoReport v2 ``requests`` endpoint with a cap, recording the queries it was sent."""

    def __init__(self, data: list[ServiceRequest], *, cap: int = CAP, api_key: str | None = None) -> None:
        self.data = sorted(data, key=lambda r: r.requested_datetime)
        self.cap = cap
        self.api_key = api_key
        self.queries: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.queries.append(params)
        name, _, ext = request.url.path.rsplit("/", 1)[-1].partition(".")
        try:
            fmt = parse_format(ext)
            if name != "requests":
                raise Open311Problem([Open311Error(404, f"{name}: not found")])
            if self.api_key is not None and params.get("api_key") != self.api_key:
                raise Open311Problem([Open311Error(403, "api_key: not valid")])
            filters = parse_filters(params)
        except Open311Problem as problem:
            refused = errors_response(problem.errors, "json")
            return httpx.Response(refused.status, content=refused.body, headers={"content-type": refused.media_type})
        found = [r for r in self.data if filters.matches(r, UNTIL)][: self.cap]
        rendered = render_requests(found, fmt)
        return httpx.Response(rendered.status, content=rendered.body, headers={"content-type": rendered.media_type})


def client_of(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


async def pulled(**options) -> list[ServiceRequest]:
    return [r async for r in pull(BASE, SINCE, until=UNTIL, backoff=0, **options)]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_pull_gets_every_request_once_through_a_capped_server(fmt):
    data = city_requests()
    server, stats = Server(data), PullStats()
    async with client_of(server) as http:
        got = await pulled(client=http, fmt=fmt, stats=stats)
    ids = [r.service_request_id for r in got]
    assert len(ids) == len(set(ids))  # no duplicates
    assert set(ids) == {r.service_request_id for r in data}  # and nothing missed
    assert got == sorted(data, key=lambda r: r.requested_datetime)  # oldest first, fields intact
    assert stats.splits > 0 and stats.truncated == 0 and stats.duplicates > 0  # the edges came twice
    assert stats.yielded == len(data) and stats.calls == len(server.queries)
    assert all(query["start_date"].endswith("Z") for query in server.queries)  # W3C with an offset
    spans = [parse_filters(q).window(UNTIL) for q in server.queries]
    assert max(end - start for start, end in spans) == timedelta(days=7)


async def test_a_known_cap_splits_without_learning_it():
    data = city_requests()
    server = Server(data)
    async with client_of(server) as http:
        got = await pulled(client=http, cap=CAP)
    assert len(got) == len(data)
    assert len(server.queries) < 60  # splits where the storm is, not everywhere


async def test_a_quiet_city_is_not_split():
    data = [ServiceRequest(f"Q{i}", requested_datetime=SINCE + timedelta(days=i, hours=5)) for i in range(0, 59, 3)]
    server, stats = Server(data), PullStats()
    async with client_of(server) as http:
        got = await pulled(client=http, stats=stats)
    assert [r.service_request_id for r in got] == [r.service_request_id for r in data]
    assert stats.splits == 0 and stats.calls == 9  # 60 days in 7-day pages


async def test_more_in_one_second_than_the_server_returns_is_reported(caplog):
    moment = datetime(2026, 2, 2, 2, 2, 2, tzinfo=UTC)
    data = [ServiceRequest(f"B{i}", requested_datetime=moment) for i in range(CAP + 10)]  # a batch import
    stats = PullStats()
    with caplog.at_level(logging.WARNING):
        async with client_of(Server(data)) as http:
            got = await pulled(client=http, cap=CAP, stats=stats)
    assert len(got) == CAP and stats.truncated >= 1
    assert "still full" in caplog.text


async def test_pull_sends_the_key_and_jurisdiction_and_reports_refusals():
    server = Server(city_requests()[:10], api_key="right")
    async with client_of(server) as http:
        got = await pulled(client=http, api_key="right", jurisdiction_id="city.example", page_days=30)
        assert len(got) == 10
        assert server.queries[0]["jurisdiction_id"] == "city.example"
        with pytest.raises(Open311ClientError) as refused:
            await pulled(client=http, api_key="wrong")
    assert refused.value.status == 403
    assert refused.value.errors == [Open311Error(403, "api_key: not valid")]


async def test_pull_retries_a_busy_server():
    server = Server(city_requests()[:5])
    busy = [503, 429]

    def flaky(request: httpx.Request) -> httpx.Response:
        return httpx.Response(busy.pop()) if busy else server(request)

    async with client_of(flaky) as http:
        got = await pulled(client=http, page_days=90)
    assert len(got) == 5 and not busy
    always_down = client_of(lambda request: httpx.Response(502, text="<html>Bad gateway</html>"))
    async with always_down as http:
        with pytest.raises(Open311ClientError) as refused:
            await pulled(client=http, retries=1)
    assert refused.value.status == 502 and refused.value.errors == []


async def test_page_days_stay_within_the_spec_window():
    with pytest.raises(ValueError, match="page_days"):
        await pulled(page_days=91)
    with pytest.raises(ValueError, match="page_days"):
        await pulled(page_days=0)


# --- against the spec's examples -------------------------------------------------------------


def serve_file(name: str, seen: list[httpx.URL] | None = None) -> httpx.AsyncClient:
    body = (FIXTURES / name).read_bytes()

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request.url)
        return httpx.Response(200, content=body)

    return client_of(handler)


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_pull_reads_the_spec_example_and_keeps_each_request_once(fmt):
    seen: list[httpx.URL] = []
    stats = PullStats()
    async with serve_file(f"requests.{fmt}", seen) as http:
        got = [
            r
            async for r in pull(
                BASE, datetime(2010, 4, 1), until=datetime(2010, 4, 29), client=http, fmt=fmt, stats=stats
            )
        ]
    assert [r.service_request_id for r in got] == ["638344", "638349"]
    assert got[0].lon == -122.4651145 and got[0].status == "closed"
    assert all(url.path == f"/open311/v2/requests.{fmt}" for url in seen)
    assert stats.calls == 4 and stats.duplicates == 6  # every window answered with both


async def test_pull_refuses_an_xml_bomb():
    async with serve_file("bomb.xml") as http:
        with pytest.raises(Open311FormatError, match="unsafe XML"):
            await pulled(client=http, fmt="xml")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_fetch_services_and_a_definition(fmt):
    async with serve_file(f"services.{fmt}") as http:
        services = await fetch_services(BASE + "/", client=http, fmt=fmt)
    assert [s.service_code for s in services] == ["001", "002", "003"]
    seen: list[httpx.URL] = []
    async with serve_file(f"service_definition.{fmt}", seen) as http:
        definition = await fetch_service_definition(BASE, "DMV/66", client=http, fmt=fmt, jurisdiction_id="c")
    assert definition.attributes[0].code == "WHISHETN"
    assert seen[0].raw_path == f"/open311/v2/services/DMV%2F66.{fmt}?jurisdiction_id=c".encode()


async def test_fetch_reports_the_servers_error_list_in_xml():
    body = (FIXTURES / "errors.xml").read_bytes()
    async with client_of(lambda request: httpx.Response(403, content=body)) as http:
        with pytest.raises(Open311ClientError) as refused:
            await fetch_services(BASE, client=http, fmt="xml")
    assert refused.value.errors == [Open311Error(403, "Invalid api_key")]


# --- against this project's own server, and into the records -----------------------------------

LAT, LON = 42.3474, -71.0944  # in the demo city (district D4)


def near(i: int) -> tuple[float, float]:
    return LAT + (i % 7) * 0.0003, LON + (i % 5) * 0.0003


@pytest.mark.integration
async def test_pull_from_the_layers_server_with_a_small_cap_gets_everything_once(settings, monkeypatch):
    from support import running

    from porchlight.layers.open311 import service
    from porchlight.layers.records.service import Places, RecordIn, accept

    monkeypatch.setattr(service, "SERVER_CAP", 10)  # as small as real cities' caps get
    tag = uuid.uuid4().hex[:8]
    t0 = datetime(2004, 2, 1, tzinfo=UTC)
    burst = [t0 + timedelta(days=9, minutes=i) for i in range(25)]  # a busy hour: one window splits
    trickle = [t0 + timedelta(days=i, hours=3) for i in range(0, 30, 2)]
    records = [
        RecordIn("public-works", "graffiti", f"{tag}-{i}", "Graffiti", point=near(i), opened_at=moment,
                 status="closed" if i % 3 == 0 else "open")
        for i, moment in enumerate([*burst, *trickle])
    ]  # fmt: skip
    async with running("layers", settings, background=False) as (app, _):
        runtime = app.state.runtime
        places = runtime.resource(Places)
        async with runtime.sessions() as session, session.begin():
            assert not (await accept(session, records, places, source="http")).refused
        transport = httpx.ASGITransport(app=app)
        stats = PullStats()
        async with httpx.AsyncClient(transport=transport, base_url="http://layers") as http:
            got = [
                r
                async for r in pull(
                    "http://layers/open311/v2", t0, until=t0 + timedelta(days=31), client=http, stats=stats, backoff=0
                )
            ]
        ids = [r.service_request_id for r in got]
        assert len(ids) == len(set(ids)) and set(ids) == {r.external_id for r in records}
        assert stats.splits > 0 and stats.truncated == 0
        assert {r.status for r in got} == {"open", "closed"} and all(r.service_code == "graffiti" for r in got)

        # The pull command's storing, twice: the second time nothing changes.
        from porchlight.layers.open311.service import PullReport, store_requests

        unplaced = ServiceRequest(f"{tag}-nowhere", service_code="graffiti", requested_datetime=t0)
        unknown = ServiceRequest(f"{tag}-odd", service_code="potholes", requested_datetime=t0, lat=LAT, lon=LON)
        reports = []
        for _ in range(2):
            report = PullReport()
            async with runtime.sessions() as session, session.begin():
                await store_requests(session, places, [*got, unplaced, unknown], {"graffiti": "noise"}, report)
            reports.append(report)
        first, second = reports
        assert (first.created, first.updated, first.unchanged) == (len(records), 0, 0)
        assert (second.created, second.updated, second.unchanged) == (0, 0, len(records))
        refused = {r["service_request_id"]: r["errors"][0]["field"] for r in second.refused}
        assert refused == {f"{tag}-nowhere": "point", f"{tag}-odd": "service_code"}
        sql = "select count(*) from layers.records where department = 'code-enforcement' and external_id like :t"
        departments = await _scalar_of(runtime, sql, t=f"{tag}-%")
        assert departments == len(records)  # the noise layer's department


async def _scalar_of(runtime, sql: str, **params: object) -> object:
    import sqlalchemy as sa

    async with runtime.sessions() as session:
        return (await session.execute(sa.text(sql), params)).scalar()


@pytest.mark.integration
async def test_pull_into_stores_a_citys_requests_idempotently(settings):
    from support import running

    from porchlight.layers.open311.service import pull_into
    from porchlight.layers.records.service import Places

    tag = uuid.uuid4().hex[:8]
    t0 = datetime(2005, 6, 1, tzinfo=UTC)
    city = [
        ServiceRequest(
            f"{tag}-{i}",
            status="closed" if i % 4 == 0 else "open",
            service_code="STLT" if i % 2 else "GRAF",
            service_name="Street light out" if i % 2 else "Graffiti removal",
            requested_datetime=t0 + timedelta(hours=7 * i),
            updated_datetime=t0 + timedelta(hours=7 * i + 5),
            address=f"{i} Example St",
            lat=near(i)[0],
            lon=near(i)[1],
        )
        for i in range(120)
    ]
    server = Server(city, cap=50)
    mapping = {"STLT": "street_light_outage", "GRAF": "graffiti"}
    async with running("layers", settings, background=False) as (app, _):
        runtime = app.state.runtime
        places = runtime.resource(Places)
        reports = []
        for _ in range(2):
            async with client_of(server) as http, runtime.sessions() as session, session.begin():
                report = await pull_into(
                    session, places, BASE, t0, until=t0 + timedelta(days=40), mapping=mapping, client=http
                )
            reports.append(report.as_dict())
        stored = await _scalar_of(
            runtime, "select count(*) from layers.records where external_id like :t and source = 'open311'",
            t=f"{tag}-%",
        )  # fmt: skip
    first, second = reports
    assert (first["pulled"], first["created"], first["refused"]) == (120, 120, [])
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 120)
    assert first["stats"]["splits"] > 0 and stored == 120
