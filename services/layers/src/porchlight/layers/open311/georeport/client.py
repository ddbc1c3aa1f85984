"""Pulling a city's existing GeoReport v2 endpoint: its services, and its requests incrementally.

``pull`` walks ``requested_datetime`` windows from ``since`` to now with ``start_date`` and
``end_date``. Servers cap the requests one call returns (often 50 to 1000, silently), so a window
that comes back full is split in half and asked again, down to ``min_window``. Windows touch at
their ends and both ends are inclusive, so a request on a boundary comes twice: it is yielded
once (by ``service_request_id``). Requests come out window by window, oldest window first, so a
caller may remember the last ``requested_datetime`` it stored and pull from there next time.

The spec filters on ``requested_datetime`` only: a request opened before ``since`` and closed
since is not seen. Pulling an earlier ``since`` again is safe: the records store keeps one
record per id, so a second pull updates instead of duplicating.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx

from porchlight.layers.open311.georeport.entities import (
    Open311Error,
    ServiceDefinition,
    ServiceInfo,
    ServiceRequest,
)
from porchlight.layers.open311.georeport.formats import (
    Format,
    read_errors,
    read_requests,
    read_service_definition,
    read_services,
)
from porchlight.layers.open311.georeport.requests import DEFAULT_WINDOW
from porchlight.layers.open311.georeport.wire import format_w3c

log = logging.getLogger(__name__)

#: Below this many requests a response is never taken for a capped one (no server caps so low),
#: so a quiet city is not split into seconds when the cap is learned from the responses.
_SMALLEST_CAP = 10
_RETRIED = frozenset({429, 500, 502, 503, 504})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Open311ClientError(Exception):
    """The server refused a call; ``errors`` is its error list when it sent one."""

    def __init__(self, status: int, errors: list[Open311Error]) -> None:
        detail = "; ".join(f"{e.code} {e.description}" for e in errors) or "no error list"
        super().__init__(f"HTTP {status}: {detail}")
        self.status = status
        self.errors = errors


@dataclass
class PullStats:
    """What a pull did, for the command to report (filled in as the pull goes)."""

    calls: int = 0
    splits: int = 0
    #: Windows still full at ``min_window``: the server holds more there than it will return.
    truncated: int = 0
    duplicates: int = 0
    yielded: int = 0


def _endpoint(url: str, path: str, fmt: Format) -> str:
    return f"{url.rstrip('/')}/{path}.{fmt}"


def _second(moment: datetime, *, up: bool) -> datetime:
    """Aware, on a whole second (rounded down, or up): servers differ on fractions in queries."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    whole = moment.replace(microsecond=0)
    return whole + timedelta(seconds=1) if up and whole != moment else whole


def _query_time(moment: datetime) -> str:
    return format_w3c(moment.astimezone(UTC)).replace("+00:00", "Z")


@contextlib.asynccontextmanager
async def _http(client: httpx.AsyncClient | None) -> AsyncIterator[httpx.AsyncClient]:
    if client is not None:
        yield client
        return
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(30.0), follow_redirects=True, headers={"User-Agent": "porchlight-open311"}
    ) as own:
        yield own


async def _get(
    http: httpx.AsyncClient, url: str, params: dict[str, str], fmt: Format, *, retries: int, backoff: float
) -> bytes:
    """The body of a successful GET; retries throttling, server errors and broken connections."""
    for attempt in range(retries + 1):
        try:
            response = await http.get(url, params=params)
        except httpx.TransportError:
            if attempt == retries:
                raise
        else:
            if response.status_code < 400:
                return response.content
            if response.status_code not in _RETRIED or attempt == retries:
                body = response.content
                sent: Format = "xml" if body.lstrip().startswith(b"<") else "json"
                raise Open311ClientError(response.status_code, read_errors(body, sent) if body else [])
        await asyncio.sleep(backoff * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover  (the loop returns or raises)


def _params(jurisdiction_id: str | None, api_key: str | None, **more: str) -> dict[str, str]:
    params = dict(more)
    if jurisdiction_id:
        params["jurisdiction_id"] = jurisdiction_id
    if api_key:
        params["api_key"] = api_key
    return params


async def fetch_services(
    url: str,
    *,
    client: httpx.AsyncClient | None = None,
    jurisdiction_id: str | None = None,
    fmt: Format = "json",
    retries: int = 2,
    backoff: float = 1.0,
) -> list[ServiceInfo]:
    """``GET services``: the city's service list. ``url`` is the endpoint's base (``.../v2``)."""
    async with _http(client) as http:
        params = _params(jurisdiction_id, None)
        body = await _get(http, _endpoint(url, "services", fmt), params, fmt, retries=retries, backoff=backoff)
    return read_services(body, fmt)


async def fetch_service_definition(
    url: str,
    service_code: str,
    *,
    client: httpx.AsyncClient | None = None,
    jurisdiction_id: str | None = None,
    fmt: Format = "json",
    retries: int = 2,
    backoff: float = 1.0,
) -> ServiceDefinition:
    """``GET services/{service_code}``: the attributes of one service (when its metadata is true)."""
    async with _http(client) as http:
        endpoint = _endpoint(url, f"services/{quote(service_code, safe='')}", fmt)
        body = await _get(http, endpoint, _params(jurisdiction_id, None), fmt, retries=retries, backoff=backoff)
    return read_service_definition(body, fmt)


async def pull(
    url: str,
    since: datetime,
    *,
    until: datetime | None = None,
    client: httpx.AsyncClient | None = None,
    page_days: int = 7,
    jurisdiction_id: str | None = None,
    api_key: str | None = None,
    fmt: Format = "json",
    cap: int | None = None,
    min_window: timedelta = timedelta(seconds=1),
    retries: int = 2,
    backoff: float = 1.0,
    stats: PullStats | None = None,
) -> AsyncIterator[ServiceRequest]:
    """Every request of ``url`` (the endpoint's base, ``.../v2``) requested from ``since`` to ``until``.

    ``cap`` is the server's most requests per call when known; otherwise a response is taken as
    capped when it holds at least as many requests as the largest seen so far (and at least 10):
    a capped response can never be smaller than an uncapped one, so no window is cut short, at
    the price of a few extra calls. Naive datetimes are UTC. Raises ``Open311ClientError`` when
    the server refuses a call (after ``retries`` for 429 and 5xx), ``Open311FormatError`` on a
    body that is not GeoReport v2.
    """
    if not timedelta(0) < timedelta(days=page_days) <= DEFAULT_WINDOW:
        raise ValueError("page_days: from 1 to 90 (the spec's longest window)")
    stats = stats if stats is not None else PullStats()
    start = _second(since, up=False)
    stop = _second(until or datetime.now(UTC), up=True)
    endpoint = _endpoint(url, "requests", fmt)
    seen: set[str] = set()
    largest = 0
    async with _http(client) as http:
        while start < stop:
            page_end = min(start + timedelta(days=page_days), stop)
            windows = [(start, page_end)]
            while windows:
                low, high = windows.pop()
                params = _params(jurisdiction_id, api_key, start_date=_query_time(low), end_date=_query_time(high))
                body = await _get(http, endpoint, params, fmt, retries=retries, backoff=backoff)
                stats.calls += 1
                found = read_requests(body, fmt)
                largest = max(largest, len(found))
                full = len(found) >= cap if cap else len(found) >= max(largest, _SMALLEST_CAP)
                span = high - low
                if full and span > min_window:
                    middle = low + timedelta(seconds=max(1, int(span.total_seconds()) // 2))
                    windows += [(middle, high), (low, middle)]  # the earlier half is asked first
                    stats.splits += 1
                    continue
                if full:
                    stats.truncated += 1
                    log.warning("open311 pull: window %s..%s still full at %d requests", low, high, len(found))
                for request in sorted(found, key=_requested):
                    if request.service_request_id in seen:
                        stats.duplicates += 1
                        continue
                    seen.add(request.service_request_id)
                    stats.yielded += 1
                    yield request
            start = page_end


def _requested(request: ServiceRequest) -> datetime:
    return request.requested_datetime or _EPOCH
