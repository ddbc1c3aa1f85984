"""Issue 15, back-pressure: a full process answers 503 with Retry-After at once instead of letting
every request wait behind all the others (p99 9 s at 200 connections, never a 503, before)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from porchlight.kit.app import create_app
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings
from porchlight.kit.shedding import SHED, LoadShedding


async def slow(request: Request) -> PlainTextResponse:
    await asyncio.sleep(0.3)
    return PlainTextResponse("done")


def shedding_app(slots: int, wait_s: float, service: str) -> LoadShedding:
    inner = Starlette(routes=[Route("/work", slow), Route("/healthz", slow), Route("/stream", slow)])
    return LoadShedding(inner, service=service, max_in_flight=slots, queue_wait_s=wait_s, retry_after_s=2)


async def test_beyond_its_slots_and_a_short_wait_a_process_answers_503_with_retry_after() -> None:
    app = shedding_app(slots=2, wait_s=0.05, service="shed-test")
    before = SHED.labels("shed-test")._value.get()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        started = time.monotonic()
        answers = await asyncio.gather(*(client.get("/work") for _ in range(10)))
        took = time.monotonic() - started
        codes = sorted(r.status_code for r in answers)
        assert codes == [200, 200] + [503] * 8
        refused = next(r for r in answers if r.status_code == 503)
        assert refused.headers["retry-after"] == "2"
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 503 and "try again" in refused.json()["detail"]
        assert took < 0.6  # nobody waited behind eight others
        assert SHED.labels("shed-test")._value.get() - before == 8

        # A request that finds a slot within the wait is served: slots are given back.
        assert (await client.get("/work")).status_code == 200
        # Probes and event streams are never shed (a live board holds its stream for hours).
        busy = [asyncio.create_task(client.get("/work")) for _ in range(2)]
        await asyncio.sleep(0.05)
        probe, stream = await asyncio.gather(
            client.get("/healthz"), client.get("/stream", headers={"accept": "text/event-stream"})
        )
        assert probe.status_code == 200 and stream.status_code == 200
        await asyncio.gather(*busy)


async def stream(request: Request) -> StreamingResponse:
    async def events() -> AsyncIterator[bytes]:
        yield b"event: ready\n\n"
        await asyncio.sleep(1.0)  # a live board idles on its connection

    return StreamingResponse(events(), media_type="text/event-stream")


async def test_a_stream_asked_for_without_its_accept_header_gives_its_slot_back_once_it_streams() -> None:
    inner = Starlette(routes=[Route("/work", slow), Route("/events", stream)])
    app = LoadShedding(inner, service="shed-stream", max_in_flight=2, queue_wait_s=0.05, retry_after_s=1)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        # Three streams held open by clients that send no Accept header (bench/board.py's did not).
        streams = [asyncio.create_task(client.get("/events")) for _ in range(3)]
        await asyncio.sleep(0.2)
        assert (await client.get("/work")).status_code == 200  # their slots are free again
        assert [r.status_code for r in await asyncio.gather(*streams)] == [200] * 3


async def test_a_wait_long_enough_serves_everyone_in_turn() -> None:
    app = shedding_app(slots=2, wait_s=5, service="shed-queue")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answers = await asyncio.gather(*(client.get("/work") for _ in range(6)))
    assert [r.status_code for r in answers] == [200] * 6


def test_every_service_sheds_with_the_settings_limits() -> None:
    settings = KitSettings(shed_max_in_flight=7, shed_queue_wait_s=0.1)
    app = create_app(get_service("intake"), settings, run_background=False)
    (mw,) = [m for m in app.user_middleware if m.cls is LoadShedding]
    assert mw.kwargs["max_in_flight"] == 7 and mw.kwargs["queue_wait_s"] == 0.1
