"""Browser tests: every service served for real (uvicorn on free ports, the session's PostgreSQL
and broker) and Debian's Chromium driven by Playwright.

Chromium is never downloaded: Playwright drives ``/usr/bin/chromium``, which ``make install``
installs with apt-get. Without it these tests FAIL (they never skip): a CI that cannot run a
browser must say so loudly, not pass on fewer tests.

The stack gets a district of its own: added to intake's places for the run and to the
dashboard's city file (``PORCHLIGHT_DASHBOARD_PLACES_FILE``), so its counts start at zero.

It also gets a broker of its own (the session's database, a fresh Tansu): on the session's
broker, the stack's consumer groups would first read every event the earlier tests published
(tens of thousands of notes), and a page waiting on one new event would wait behind them all.
For the same reason, before the stack starts, the outbox rows earlier tests left unpublished go
to the session's broker, and the fresh broker is recorded as the one holding the outboxes'
archives (docs/adr/0015; the session's put back after). Otherwise the stack's relays send it
every event of the session at start, its synthesis reads each note with the model and its
dashboard applies them all: in a full run (thousands of events) the district page waited over a
minute for a note filed in the browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from intake.test_subscriptions import Sink
from support import all_topics, district_of_its_own, neighborhood_of, publish_pending_outboxes, record_archive_broker
from ui.helpers import CHROMIUM, CHROMIUM_ARGS, run_async

from porchlight.events import ensure_topics
from porchlight.kit.embedded import EmbeddedBroker, free_port
from porchlight.kit.service import discover_services
from porchlight.kit.settings import KitSettings
from porchlight.kit.standalone import build_servers


@dataclass
class Stack:
    urls: dict[str, str]
    district: str
    settings: KitSettings
    #: The SMTP server intake mails through (aiosmtpd on 127.0.0.1): every message it got.
    mail: Sink
    #: When the stack was started (before its services): no event on its broker is older.
    started_at: datetime

    @property
    def web(self) -> str:
        return self.urls["dashboard"]

    @property
    def neighborhood(self) -> str:
        """The district's one neighborhood (the same square): its public page, its subscribers."""
        return neighborhood_of(self.district)


class _Loop:
    """An event loop in a thread of its own: the servers run there, the sync tests here."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="ui-servers", daemon=True)
        self.thread.start()

    def run(self, coro: Any, timeout: float = 90) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="session")
def stack(settings: KitSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from porchlight.kit.city import DEMO_CITY

    started_at = datetime.now(UTC)
    session_settings = settings
    broker: EmbeddedBroker | None = None
    if not os.environ.get("TEST_KAFKA_BOOTSTRAP"):  # an outside broker is the caller's to isolate
        run_async(publish_pending_outboxes(settings))
        broker = EmbeddedBroker(port=free_port(), log_path=tmp_path_factory.mktemp("ui-broker") / "broker.log")
        settings = settings.model_copy(update={"kafka_bootstrap": broker.start()})
        bootstrap = settings.require_kafka_bootstrap()
        run_async(ensure_topics(bootstrap, all_topics(), partitions=settings.topic_partitions))
        run_async(record_archive_broker(settings))
    loop = _Loop()
    district_cm = district_of_its_own(settings, prefix="UI", neighborhood=True)
    district = loop.run(district_cm.__aenter__())
    # The dashboard's city: the demo city plus the district of its own, as intake now has it.
    city = json.loads(DEMO_CITY.read_text())

    # Drawn just off the demo city's coast so the map keeps its scale (intake has the district
    # somewhere else: only its code matters to what the UI shows).
    ring = [[-70.99, 42.33], [-70.97, 42.33], [-70.97, 42.35], [-70.99, 42.35], [-70.99, 42.33]]
    city["features"].append(
        {
            "type": "Feature",
            "properties": {"kind": "district", "code": district, "name": f"Test {district}"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
    )
    hood = {"kind": "neighborhood", "code": neighborhood_of(district), "name": "Test Commons", "district": district}
    city["features"].append(
        {"type": "Feature", "properties": hood, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    )
    places = tmp_path_factory.mktemp("ui-city") / "city.geojson"
    places.write_text(json.dumps(city))
    saved = os.environ.get("PORCHLIGHT_DASHBOARD_PLACES_FILE")
    os.environ["PORCHLIGHT_DASHBOARD_PLACES_FILE"] = str(places)
    # Layers locates department records in the same city (its settings are read at start).
    saved_layers = os.environ.get("PORCHLIGHT_LAYERS_PLACES_FILE")
    os.environ["PORCHLIGHT_LAYERS_PLACES_FILE"] = str(places)

    services = list(discover_services().values())
    ports = {s.name: free_port() for s in services}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    # Where this run's services listen, as a deployment says it: PORCHLIGHT_WEB_UPSTREAMS (read by
    # the dashboard's start-up; put back after).
    saved_upstreams = os.environ.get("PORCHLIGHT_WEB_UPSTREAMS")
    os.environ["PORCHLIGHT_WEB_UPSTREAMS"] = json.dumps({n: u for n, u in urls.items() if n != "dashboard"})
    # Intake mails through a local SMTP server, and its links (confirm, unsubscribe) and the
    # public pages' addresses are this run's (read at start-up, put back after).
    sink = Sink()
    sink.controller.start()
    mailing = {
        "PORCHLIGHT_INTAKE_SMTP_HOST": "127.0.0.1",
        "PORCHLIGHT_INTAKE_SMTP_PORT": str(sink.port),
        "PORCHLIGHT_INTAKE_MAIL_PER_SECOND": "200",
        "PORCHLIGHT_INTAKE_PUBLIC_URL": f"{urls['dashboard']}/api/intake",
        "PORCHLIGHT_DASHBOARD_PUBLIC_URL": urls["dashboard"],
    }
    saved_mailing = {k: os.environ.get(k) for k in mailing}
    os.environ.update(mailing)
    servers = build_servers(settings, services, ports)

    async def start() -> list[asyncio.Task[None]]:
        tasks = [asyncio.create_task(s.serve()) for s in servers]
        while not all(s.started for s in servers):
            for t in tasks:
                if t.done():
                    t.result()  # a server that failed to start: its error, now
            await asyncio.sleep(0.05)
        return tasks

    tasks = loop.run(start())
    # Read by the services' start-up: put back at once, so no later test sees this run's URLs.
    for key, value in {"PORCHLIGHT_WEB_UPSTREAMS": saved_upstreams, **saved_mailing}.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    try:
        yield Stack(urls=urls, district=district, settings=settings, mail=sink, started_at=started_at)
    finally:

        async def stop() -> None:
            for s in servers:
                s.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            loop.run(stop(), timeout=30)
        with contextlib.suppress(Exception):
            loop.run(district_cm.__aexit__(None, None, None))
        loop.close()
        sink.controller.stop()
        if broker is not None:
            broker.stop()
            run_async(record_archive_broker(session_settings))
        if saved is None:
            os.environ.pop("PORCHLIGHT_DASHBOARD_PLACES_FILE", None)
        else:
            os.environ["PORCHLIGHT_DASHBOARD_PLACES_FILE"] = saved
        if saved_layers is None:
            os.environ.pop("PORCHLIGHT_LAYERS_PLACES_FILE", None)
        else:
            os.environ["PORCHLIGHT_LAYERS_PLACES_FILE"] = saved_layers


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium (`make install` runs "
            "`apt-get install -y chromium`; Playwright never downloads a browser here)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
