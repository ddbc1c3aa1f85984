"""What GeoReport v2 documents hold, as plain dataclasses shared by the server and the client.

One class per kind of item on the wire (a service, a service definition and its attributes, a
service request, a POST receipt, a token, an error). ``wire.py`` maps each of them to both JSON
and XML, so the two formats cannot drift apart and what the server renders the client reads back.

Identifiers (``service_request_id``, ``service_code``, ``address_id``, ``zipcode``, value keys)
are text: cities use numbers, letters and leading zeros alike, and a number would lose "006".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ServiceInfo:
    """One service of ``GET services``: what residents may report."""

    service_code: str
    service_name: str = ""
    description: str | None = None
    metadata: bool = False  # true when the service has a definition (attributes) to fetch
    type: str = "realtime"  # realtime | batch | blackbox
    keywords: str | None = None  # comma-separated, as on the wire
    group: str | None = None


@dataclass(frozen=True)
class AttributeValue:
    """One choice of a ``singlevaluelist`` or ``multivaluelist`` attribute."""

    key: str
    name: str = ""


@dataclass(frozen=True)
class ServiceAttribute:
    """One question of a service definition (``attribute[CODE]`` in a POST)."""

    code: str
    datatype: str = "string"  # string | number | datetime | text | singlevaluelist | multivaluelist
    variable: bool = True  # false: informational only, nothing to answer
    required: bool = False
    datatype_description: str | None = None
    order: int | None = None
    description: str | None = None
    values: tuple[AttributeValue, ...] = ()


@dataclass(frozen=True)
class ServiceDefinition:
    """``GET services/{service_code}``: the attributes a request of that service may carry."""

    service_code: str
    attributes: tuple[ServiceAttribute, ...] = ()


@dataclass(frozen=True)
class ServiceRequest:
    """One request of ``GET requests`` (and ``requests/{id}``).

    No personal field exists here: the spec's request has none, and this project never keeps
    the POST's name, email, phone or device (see ``requests.parse_post``).
    """

    service_request_id: str
    status: str = "open"  # open | closed
    status_notes: str | None = None
    service_name: str | None = None
    service_code: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    requested_datetime: datetime | None = None
    updated_datetime: datetime | None = None
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    lon: float | None = None  # "long" on the wire (a keyword in too many languages to be a name here)
    media_url: str | None = None


@dataclass(frozen=True)
class RequestReceipt:
    """The answer to ``POST requests``: the new request's id, or a token to ask for it later.

    ``account_id`` is in the spec's answer, so it is on the wire; it identifies a resident, which
    this project never stores nor passes on, so this server always sends it empty (null).
    """

    service_request_id: str | None = None
    token: str | None = None
    service_notice: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class TokenInfo:
    """``GET tokens/{token}``: the request a token became (no id yet while it is queued)."""

    token: str
    service_request_id: str | None = None


@dataclass(frozen=True)
class Open311Error:
    """One item of the spec's error list: an HTTP status and a text naming the field."""

    code: int
    description: str


class Open311Problem(Exception):
    """A request the spec says to refuse; ``errors`` is the error list to send back."""

    def __init__(self, errors: list[Open311Error]) -> None:
        super().__init__("; ".join(e.description for e in errors))
        self.errors = errors

    @property
    def status(self) -> int:
        """The HTTP status of the response: the first error's code."""
        return self.errors[0].code if self.errors else 400


class Open311FormatError(ValueError):
    """A document that is not GeoReport v2 JSON or XML (or is unsafe XML: entities, a DTD)."""


@dataclass(frozen=True)
class NewRequest:
    """A checked ``POST requests`` form, without any of the resident's personal fields."""

    service_code: str
    lat: float | None = None
    lon: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    #: ``attribute[CODE]`` answers: text, or a list for a multivaluelist (``attribute[CODE][]``).
    attributes: dict[str, str | list[str]] = field(default_factory=dict)
    #: Free text, carried as given (the resident's words about the problem; stored as the record's).
    description: str | None = None
    media_url: str | None = None
    jurisdiction_id: str | None = None
    #: Checked by the route (403 when wrong); never logged nor shown.
    api_key: str | None = field(default=None, repr=False)
