"""Reading what a GeoReport v2 client sends: a ``POST requests`` form and ``GET requests`` filters.

Both raise ``Open311Problem`` with every problem found at once, each naming its field
(``lat: not a number``), so a city's integrator fixes a form in one round trip.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from porchlight.layers.open311.georeport.entities import (
    NewRequest,
    Open311Error,
    Open311Problem,
    ServiceDefinition,
    ServiceRequest,
)
from porchlight.layers.open311.georeport.wire import parse_w3c

#: The resident's personal fields of the spec's POST. This project never stores nor passes on
#: personal data: they are dropped here, before anything else sees the form, and returned nowhere.
PERSONAL_FIELDS = frozenset({"email", "device_id", "account_id", "first_name", "last_name", "phone"})
#: The spec's limit on ``description``.
DESCRIPTION_MAX = 4_000
#: The spec's default window of ``GET requests`` and the longest one a query may ask for.
DEFAULT_WINDOW = timedelta(days=90)
#: The most requests one ``GET requests`` returns (the spec's guidance; servers often use less).
MAX_RESULTS = 1_000
STATUSES = frozenset({"open", "closed"})

_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_SINGLE = ("service_code", "lat", "long", "address_string", "address_id", "description", "media_url")

Form = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(form: Form) -> list[tuple[str, str]]:
    items = form.items() if isinstance(form, Mapping) else form
    return [(str(k), "" if v is None else str(v)) for k, v in items]


def _coordinate(raw: str, name: str, limit: float, errors: list[Open311Error]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        errors.append(Open311Error(400, f"{name}: not a number"))
        return None
    if not math.isfinite(value) or abs(value) > limit:
        errors.append(Open311Error(400, f"{name}: out of range (-{limit:g} to {limit:g})"))
        return None
    return value


def parse_post(form: Form) -> NewRequest:
    """A checked ``POST requests`` form (form-encoded pairs, as ``FormData.multi_items()`` gives).

    Requires ``service_code`` and a location: ``lat`` and ``long`` together, ``address_string``
    or ``address_id``. ``attribute[CODE]=v`` answers go to ``attributes`` (``attribute[CODE][]``
    or a repeated key make a list, for a multivaluelist). Unknown fields are ignored, as the spec
    lets servers do. ``api_key`` is carried for the route to check (403): missing is its call.
    Whether the service exists (404) and its attributes fit its definition (``check_attributes``)
    are the route's checks too.
    """
    errors: list[Open311Error] = []
    single: dict[str, str] = {}
    attributes: dict[str, str | list[str]] = {}
    extra: dict[str, str] = {}
    for key, raw in _pairs(form):
        if key in PERSONAL_FIELDS:
            continue  # personal data: dropped, never kept, logged or returned (see PERSONAL_FIELDS)
        value = raw.strip()
        match = _ATTRIBUTE.match(key)
        if match:
            code, as_list = match[1], bool(match[2])
            previous = attributes.get(code)
            if previous is None:
                attributes[code] = [value] if as_list else value
            else:
                attributes[code] = [*([previous] if isinstance(previous, str) else previous), value]
        elif key in _SINGLE:
            if key in single and single[key] != value:
                errors.append(Open311Error(400, f"{key}: given more than once"))
            single[key] = value
        elif key in ("api_key", "jurisdiction_id"):
            extra[key] = value
    code = single.get("service_code", "")
    if not code:
        errors.append(Open311Error(400, "service_code: required"))
    lat = lon = None
    has_lat, has_lon = bool(single.get("lat")), bool(single.get("long"))
    if has_lat != has_lon:
        missing = "long" if has_lat else "lat"
        errors.append(Open311Error(400, f"{missing}: required with {'lat' if has_lat else 'long'}"))
    elif has_lat:
        lat = _coordinate(single["lat"], "lat", 90, errors)
        lon = _coordinate(single["long"], "long", 180, errors)
    address_string = single.get("address_string") or None
    address_id = single.get("address_id") or None
    if not (has_lat or has_lon or address_string or address_id):
        errors.append(Open311Error(400, "lat: required (with long), or address_string or address_id"))
    description = single.get("description") or None
    if description is not None and len(description) > DESCRIPTION_MAX:
        errors.append(Open311Error(400, f"description: longer than {DESCRIPTION_MAX} characters"))
    media_url = single.get("media_url") or None
    if media_url is not None:
        parts = urlsplit(media_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.append(Open311Error(400, "media_url: not an http(s) URL"))
    if errors:
        raise Open311Problem(errors)
    return NewRequest(
        service_code=code,
        lat=lat,
        lon=lon,
        address_string=address_string,
        address_id=address_id,
        attributes=attributes,
        description=description,
        media_url=media_url,
        jurisdiction_id=extra.get("jurisdiction_id") or None,
        api_key=extra.get("api_key") or None,
    )


def check_attributes(request: NewRequest, definition: ServiceDefinition) -> None:
    """Raise ``Open311Problem`` when the answers do not fit the service's definition.

    Required attributes must be answered; list attributes take only their keys (one for a
    singlevaluelist); numbers and datetimes must read as such. Answers to unknown codes are
    refused too: they would be stored with nothing saying what they mean.
    """
    errors: list[Open311Error] = []
    known = {a.code: a for a in definition.attributes if a.variable}
    for code in request.attributes:
        if code not in known:
            errors.append(Open311Error(400, f"attribute[{code}]: not an attribute of {definition.service_code}"))
    for code, attribute in known.items():
        answer = request.attributes.get(code)
        answers = [] if answer is None else [answer] if isinstance(answer, str) else answer
        answers = [a for a in answers if a]
        name = f"attribute[{code}]"
        if not answers:
            if attribute.required:
                errors.append(Open311Error(400, f"{name}: required"))
            continue
        if attribute.datatype in ("singlevaluelist", "multivaluelist"):
            keys = {v.key for v in attribute.values}
            if attribute.datatype == "singlevaluelist" and len(answers) > 1:
                errors.append(Open311Error(400, f"{name}: one value only"))
            if any(a not in keys for a in answers):
                errors.append(Open311Error(400, f"{name}: not one of the listed keys"))
        elif len(answers) > 1:
            errors.append(Open311Error(400, f"{name}: one value only"))
        elif attribute.datatype == "number" and not _is_number(answers[0]):
            errors.append(Open311Error(400, f"{name}: not a number"))
        elif attribute.datatype == "datetime" and not _is_w3c(answers[0]):
            errors.append(Open311Error(400, f"{name}: not a W3C datetime"))
    if errors:
        raise Open311Problem(errors)


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _is_w3c(text: str) -> bool:
    try:
        parse_w3c(text)
    except ValueError:
        return False
    return True


# --- GET requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilters:
    """The filters of ``GET requests``; empty tuples mean "any"."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    jurisdiction_id: str | None = None

    @property
    def by_id(self) -> bool:
        """True when ids are asked for: the spec says they override every other filter."""
        return bool(self.ids)

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """The ``requested_datetime`` range to search, with the spec's 90-day default.

        Neither date: the last 90 days. Only a start: 90 days from it (not past now). Only an
        end: the 90 days before it.
        """
        if self.start is not None and self.end is not None:
            return self.start, self.end
        if self.start is not None:
            return self.start, max(self.start, min(self.start + DEFAULT_WINDOW, now))
        end = self.end or now
        return end - DEFAULT_WINDOW, end

    def matches(self, request: ServiceRequest, now: datetime) -> bool:
        """Whether a request passes these filters (the window inclusive at both ends)."""
        if self.by_id:
            return request.service_request_id in self.ids
        if self.service_codes and request.service_code not in self.service_codes:
            return False
        if self.statuses and request.status not in self.statuses:
            return False
        start, end = self.window(now)
        moment = request.requested_datetime
        return moment is not None and start <= moment <= end


def _listed(raw: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in (raw or "").split(",") if p.strip()))


def parse_filters(query: Mapping[str, str]) -> RequestFilters:
    """``GET requests`` query parameters, checked; raises ``Open311Problem`` (400s naming fields).

    ``service_request_id``, ``service_code`` and ``status`` are comma-separated lists;
    ``start_date`` and ``end_date`` are W3C datetimes, at most 90 days apart (the spec's limit).
    """
    errors: list[Open311Error] = []
    dates: dict[str, datetime | None] = {}
    for name in ("start_date", "end_date"):
        raw = (query.get(name) or "").strip()
        dates[name] = None
        if raw:
            try:
                dates[name] = parse_w3c(raw)
            except ValueError:
                errors.append(Open311Error(400, f"{name}: not a W3C datetime (such as 2010-04-14T06:37:38-08:00)"))
    statuses = tuple(s.casefold() for s in _listed(query.get("status")))
    if any(s not in STATUSES for s in statuses):
        errors.append(Open311Error(400, "status: must be open or closed (comma-separated)"))
    start, end = dates["start_date"], dates["end_date"]
    if start is not None and end is not None:
        if end < start:
            errors.append(Open311Error(400, "end_date: before start_date"))
        elif end - start > DEFAULT_WINDOW:
            errors.append(Open311Error(400, "end_date: more than 90 days after start_date"))
    if errors:
        raise Open311Problem(errors)
    return RequestFilters(
        ids=_listed(query.get("service_request_id")),
        service_codes=_listed(query.get("service_code")),
        start=start,
        end=end,
        statuses=statuses,
        jurisdiction_id=(query.get("jurisdiction_id") or "").strip() or None,
    )
