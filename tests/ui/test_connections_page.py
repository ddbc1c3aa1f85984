"""The supervisor in Chromium: a streetlight out on a block where thefts rise and residents raised
lighting shows as a connection on the district page and map, opens to its evidence and becomes a
micro-project in one click."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from ui.helpers import check_accessibility, run_async, screenshot, sign_in

from porchlight.events import NoteAnalyzed, NoteSubmitted
from porchlight.events.catalog import Concern, ConcernAnalysis, GeoPoint

pytestmark = [pytest.mark.integration, pytest.mark.browser]

M = 1 / 111_320  # a metre of latitude, in degrees
LAT, LON = 42.34, -70.98  # inside the UI stack's own district (tests/ui/conftest.py)


def _publish(settings, events) -> None:  # type: ignore[no-untyped-def]

    from porchlight.events import EventProducer, new_envelope, to_kafka

    async def go() -> None:
        producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
        await producer.start()
        try:
            for event in events:
                key, value, headers = to_kafka(new_envelope(event, source="/porchlight/tests"))
                await (await producer.send_raw(event.TOPIC, key=key, value=value, headers=headers))
        finally:
            await producer.stop()

    run_async(go())


def _state(stack, quote: str) -> str:  # type: ignore[no-untyped-def]
    """What layers holds, for a failure's message: which step the connection is missing."""
    from support import scalar

    queries = {
        "concern": ("select count(*) from layers.note_concerns where text = :t", {"t": quote}),
        "topic": ("select max(topic) from layers.note_concerns where text = :t", {"t": quote}),
        "dirty": ("select count(*) from layers.dirty_cells", {}),
        "connections": ("select string_agg(status || ' ' || rule, ', ') from layers.connections where district = :d",
                        {"d": stack.district}),
        "near": ("select count(*) from layers.records where layer = 'incident' and abs(lat - :lat) < 0.003 "
                 "and abs(lon - :lon) < 0.004", {"lat": LAT, "lon": LON}),
        "incidents": ("select count(*) from layers.records where district = :d and layer = 'incident'",
                      {"d": stack.district}),
    }  # fmt: skip

    async def read() -> dict[str, object]:
        return {name: await scalar(stack.settings, sql, **params) for name, (sql, params) in queries.items()}

    try:
        return f"layers holds {run_async(read())}"
    except Exception as exc:  # a message for a failure already on its way: say what could not be read
        return f"layers could not be read: {exc!r}"


def test_supervisor_opens_a_connection_to_its_evidence_and_makes_it_a_micro_project(stack, browser) -> None:  # type: ignore[no-untyped-def]
    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "supervisor", "district": stack.district}).json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    analyst_token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "analyst"}).json()["token"]
    analyst = {"Authorization": f"Bearer {analyst_token}"}
    layers, projects = stack.urls["layers"], stack.urls["projects"]
    tag = uuid.uuid4().hex[:6]
    now = datetime.now(UTC)
    today = date.today()
    priority = {
        "title": "Brighter blocks",
        "district": stack.district,
        "quarter": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
    }
    assert httpx.post(f"{projects}/v1/priorities", json=priority, headers=auth).status_code == 201
    httpx.post(f"{projects}/v1/departments", json={"code": "public-works", "name": "Public Works"}, headers=auth)
    theft = {
        "department": "police",
        "layer": "incident",
        "category": "Motor vehicle theft",
        "attributes": {"nibrs_code": "240"},
    }
    for i in range(6):
        when = (now - timedelta(days=1 + 3 * i)).isoformat()
        body = {**theft, "external_id": f"UI-{tag}-{i}", "point": {"lat": LAT + 25 * M, "lon": LON}, "opened_at": when}
        r = httpx.post(f"{layers}/v1/records", headers=analyst, json=body)
        assert r.status_code == 200, r.text
    quote = f"The corner by the bakery is pitch dark {tag}"
    note_id = uuid.uuid4()
    _publish(stack.settings, [
        NoteSubmitted(note_id=note_id, district=stack.district, host_id="liaison-ui", submitted_at=now, held_at=now,
                      concerns=[Concern(text=quote, point=GeoPoint(lat=LAT - 30 * M, lon=LON))]),
        NoteAnalyzed(note_id=note_id, district=stack.district, model_version="t", revision=1, occurred_at=now,
                     sentiment="negative", sentiment_score=-0.4,
                     concerns=[ConcernAnalysis(text=quote, topic="street_lighting", sentiment="negative",
                                               sentiment_score=-0.4)]),
    ])  # fmt: skip
    time.sleep(2)  # the note reaches layers before the outage does

    # The supervisor has the district page open when Public Works reports the outage.
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, stack.web, "supervisor", stack.district)
    page.goto(f"{stack.web}/#/district/{stack.district}")
    page.wait_for_selector("#connections-panel:not([aria-busy])")
    assert page.locator("#connections li.connection").count() == 0
    r = httpx.post(f"{layers}/v1/records", headers=analyst, json={
        "department": "public-works", "layer": "street_light_outage", "category": "Street light out",
        "external_id": f"SL-UI-{tag}", "point": {"lat": LAT, "lon": LON}, "opened_at": now.isoformat()})  # fmt: skip
    assert r.status_code == 200, r.text

    # Layers evaluates the cell on its next tick (about a second); the page shows it on a reload.
    # The steady-state latency is bench/layers_ingest.py's to measure.
    deadline = time.monotonic() + 60
    while True:
        page.wait_for_selector("#connections-panel:not([aria-busy])")
        if page.locator("#connections li.connection").count():
            break
        if time.monotonic() >= deadline:
            url = f"/api/layers/v1/connections?district={stack.district}&status=open"
            seen = page.evaluate(
                """async (u) => { const s = JSON.parse(localStorage.getItem('porchlight.session'));
                   const r = await fetch(u, {headers: {Authorization: 'Bearer ' + s.token}});
                   return r.status + ' ' + (await r.text()).slice(0, 400); }""",
                url,
            )
            direct = httpx.get(f"{layers}/v1/connections", params={"district": stack.district}, headers=auth)
            raise AssertionError(
                f"no connection on the district page: {page.inner_text('#connections-panel')!r}; "
                f"the page's fetch: {seen}; layers direct: {direct.status_code} {direct.text[:400]}; "
                f"{_state(stack, quote)}"
            )
        page.wait_for_timeout(1000)
        # A reload, not goto: going to the URL the page is on changes nothing (the same hash fires
        # no hashchange), and the first render, from before the connection, stayed on screen.
        page.reload()
    item = page.locator("#connections li.connection").first
    assert "Dark block with rising vehicle crime" in item.inner_text()
    item.locator("summary").click()
    assert quote in item.inner_text()  # residents' exact words, behind the figure
    assert page.locator("svg.citymap rect.connection").count() >= 1  # on the map
    assert page.locator("svg.citymap path.record").count() >= 1  # the outage itself, a department record
    check_accessibility(page, "district page with connections")
    screenshot(page, "supervisor-district-connections")

    item.locator("button:has-text('Make it a micro-project')").click()
    page.wait_for_selector("#connections li.connection .ok")
    board = httpx.get(f"{projects}/v1/board", params={"district": stack.district}, headers=auth).json()
    titles = [card["title"] for column in board["columns"] for card in column["cards"]]
    assert any(f"SL-UI-{tag}" in t for t in titles), titles
    page.context.close()
