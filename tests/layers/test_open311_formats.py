"""Open311 GeoReport v2 documents: the spec's own examples read, and render → read round trips.

The fixtures under ``fixtures/open311/`` are the examples of wiki.open311.org/GeoReport_v2, with
one change: the wiki writes codes as ``001`` and ``006``, which JSON does not allow, so they are
strings here (``requests_loose.json`` has what real servers send instead).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring as safe_fromstring

from porchlight.layers.open311.georeport import (
    AttributeValue,
    Open311Error,
    Open311FormatError,
    Open311Problem,
    RequestReceipt,
    ServiceAttribute,
    ServiceDefinition,
    ServiceInfo,
    ServiceRequest,
    TokenInfo,
    errors_response,
    format_w3c,
    parse_format,
    parse_w3c,
    read_errors,
    read_receipts,
    read_requests,
    read_service_definition,
    read_services,
    read_tokens,
    render_receipts,
    render_requests,
    render_service_definition,
    render_services,
    render_tokens,
)

FIXTURES = Path(__file__).parent / "fixtures" / "open311"
PST = timezone(timedelta(hours=-8))
BOTH = ("json", "xml")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


SIDEWALK = ServiceRequest(
    service_request_id="638344",
    status="closed",
    status_notes="Duplicate request.",
    service_name="Sidewalk and Curb Issues",
    service_code="006",
    requested_datetime=datetime(2010, 4, 14, 6, 37, 38, tzinfo=PST),
    updated_datetime=datetime(2010, 4, 14, 6, 37, 38, tzinfo=PST),
    expected_datetime=datetime(2010, 4, 15, 6, 37, 38, tzinfo=PST),
    address="8TH AVE and JUDAH ST",
    address_id="545483",
    zipcode="94122",
    lat=37.762221815,
    lon=-122.4651145,
    media_url="http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
)


# --- the spec's examples ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", BOTH)
def test_services_example(fmt):
    services = read_services(fixture(f"services.{fmt}"), fmt)
    assert [s.service_code for s in services] == ["001", "002", "003"]
    assert services[0] == ServiceInfo(
        service_code="001",
        service_name="Cans left out 24x7",
        description="Garbage or recycling cans that have been left out for more than 24 hours after collection. "
        "Violators will be cited.",
        metadata=True,
        type="realtime",
        keywords="lorem, ipsum, dolor",
        group="sanitation",
    )
    assert services[2].group == "street" and services[2].service_name == "Curb or curb ramp defect"


@pytest.mark.parametrize("fmt", BOTH)
def test_service_definition_example(fmt):
    definition = read_service_definition(fixture(f"service_definition.{fmt}"), fmt)
    assert definition == ServiceDefinition(
        service_code="DMV66",
        attributes=(
            ServiceAttribute(
                code="WHISHETN",
                datatype="singlevaluelist",
                variable=True,
                required=True,
                datatype_description=None,
                order=1,
                description="What is the ticket/tag/DL number?",
                values=(AttributeValue("123", "Ford"), AttributeValue("124", "Chrysler")),
            ),
        ),
    )


@pytest.mark.parametrize("fmt", BOTH)
def test_requests_example(fmt):
    requests = read_requests(fixture(f"requests.{fmt}"), fmt)
    assert requests[0] == SIDEWALK  # numbers become text ids, the media URL's stray space goes
    assert requests[1].service_request_id == "638349"
    assert requests[1].status == "open" and requests[1].status_notes is None
    assert requests[1].requested_datetime == datetime(2010, 4, 19, 14, 37, 38, tzinfo=UTC)


@pytest.mark.parametrize("fmt", BOTH)
def test_single_request_example_is_a_list_of_one(fmt):
    assert read_requests(fixture(f"request.{fmt}"), fmt) == [SIDEWALK]


@pytest.mark.parametrize("fmt", BOTH)
def test_post_response_example(fmt):
    notice = read_receipts(fixture(f"post_response.{fmt}"), fmt)
    assert len(notice) == 1
    assert notice[0].service_request_id == "293944" and notice[0].token is None
    assert notice[0].service_notice.startswith("The City will inspect")
    token = read_receipts(fixture("post_response_token.json"), "json")
    assert token[0].token == "12345" and token[0].service_request_id is None


@pytest.mark.parametrize("fmt", BOTH)
def test_token_example(fmt):
    assert read_tokens(fixture(f"token.{fmt}"), fmt) == [TokenInfo(token="12345", service_request_id="638344")]


@pytest.mark.parametrize("fmt", BOTH)
def test_error_example(fmt):
    assert read_errors(fixture(f"errors.{fmt}"), fmt) == [Open311Error(403, "Invalid api_key")]


def test_what_real_servers_send_is_read():
    requests = read_requests(fixture("requests_loose.json"), "json")
    assert [r.service_request_id for r in requests] == ["SR-2024-000101", "SR-2024-000102"]  # no id: skipped
    first, second = requests
    assert first.status == "open" and first.service_code == "6" and first.zipcode == "02108"
    assert (first.lat, first.lon) == (42.3581, -71.0636)
    assert first.requested_datetime == datetime(2024, 3, 1, 15, 0, tzinfo=UTC)
    assert second.requested_datetime == datetime(2024, 3, 1, 16, 30, 5, tzinfo=UTC)
    assert second.updated_datetime is None  # unreadable: dropped, the request kept
    assert (second.lat, second.lon) == (None, None) and second.address == "1 City Hall Sq"


# --- rendering: the spec's names, and back again --------------------------------------------

ODD = ServiceRequest(
    service_request_id="A-0001",
    status="open",
    description='Light out <again> & "flickering", café ✓',
    requested_datetime=datetime(2026, 1, 5, 14, 30, 0, 123456, tzinfo=UTC),
    updated_datetime=datetime(2026, 1, 5, 9, 31, tzinfo=timezone(timedelta(hours=-5))),
    lat=-0.000001,
    lon=179.999999,
)


@pytest.mark.parametrize("fmt", BOTH)
def test_round_trip_of_every_document(fmt):
    services = read_services(fixture("services.json"), "json")
    assert read_services(render_services(services, fmt).body, fmt) == services
    definition = read_service_definition(fixture("service_definition.json"), "json")
    assert read_service_definition(render_service_definition(definition, fmt).body, fmt) == definition
    requests = [SIDEWALK, ODD, ServiceRequest(service_request_id="bare")]
    assert read_requests(render_requests(requests, fmt).body, fmt) == requests
    receipts = [RequestReceipt(service_request_id="7", service_notice="soon"), RequestReceipt(token="t-1")]
    assert read_receipts(render_receipts(receipts, fmt).body, fmt) == receipts
    tokens = [TokenInfo(token="t-1", service_request_id="7"), TokenInfo(token="t-2")]
    assert read_tokens(render_tokens(tokens, fmt).body, fmt) == tokens
    errors = [Open311Error(400, "lat: not a number"), Open311Error(400, "service_code: required")]
    assert read_errors(errors_response(errors, fmt).body, fmt) == errors


def _tags(element) -> list[str]:
    return [child.tag for child in element]


def test_rendered_xml_has_the_spec_elements_in_its_order():
    spec = safe_fromstring(fixture("requests.xml"))
    ours = safe_fromstring(render_requests([SIDEWALK], "xml").body)
    assert ours.tag == spec.tag == "service_requests"
    assert _tags(ours) == ["request"]
    assert _tags(ours[0]) == _tags(spec[0])  # every field, "long" included, in the wiki's order
    spec_definition = safe_fromstring(fixture("service_definition.xml"))
    definition = read_service_definition(fixture("service_definition.xml"), "xml")
    ours_definition = safe_fromstring(render_service_definition(definition, "xml").body)
    assert _tags(ours_definition) == _tags(spec_definition)
    assert _tags(ours_definition[1][0]) == _tags(spec_definition[1][0])
    assert _tags(ours_definition[1][0][7][0]) == ["key", "name"]
    assert safe_fromstring(render_services([], "xml").body).tag == "services"
    assert safe_fromstring(errors_response([Open311Error(404, "x")], "xml").body)[0][0].tag == "code"


def test_rendered_json_has_the_spec_keys_and_w3c_datetimes():
    spec = json.loads(fixture("requests.json"))[0]
    ours = json.loads(render_requests([SIDEWALK], "json").body)[0]
    assert list(ours) == list(spec)
    assert ours["long"] == -122.4651145 and ours["requested_datetime"] == "2010-04-14T06:37:38-08:00"
    assert ours["description"] is None  # null, as the spec shows absent values
    definition = json.loads(
        render_service_definition(read_service_definition(fixture("service_definition.json"), "json"), "json").body
    )
    assert definition["attributes"][0]["values"] == [{"key": "123", "name": "Ford"}, {"key": "124", "name": "Chrysler"}]


def test_xml_drops_characters_xml_cannot_carry():
    request = ServiceRequest(service_request_id="1", description="bell\x07 and\x00 tab\tnewline\n")
    (read,) = read_requests(render_requests([request], "xml").body, "xml")
    assert read.description == "bell and tab\tnewline"


def test_error_response_status_and_media_type():
    forbidden = errors_response([Open311Error(403, "api_key: not valid")], "json")
    assert forbidden.status == 403 and forbidden.media_type == "application/json"
    assert json.loads(forbidden.body) == [{"code": 403, "description": "api_key: not valid"}]
    assert errors_response([Open311Error(404, "x")], "xml").media_type.startswith("application/xml")
    assert errors_response([], "json").status == 400
    assert errors_response([Open311Error(404, "x")], "json", status=410).status == 410


def test_format_comes_from_the_extension():
    assert parse_format(".json") == "json" and parse_format("XML") == "xml"
    with pytest.raises(Open311Problem) as refused:
        parse_format("csv")
    assert refused.value.status == 404 and "format" in refused.value.errors[0].description


# --- what is refused -------------------------------------------------------------------------


def test_xml_bomb_is_refused_not_expanded():
    with pytest.raises(Open311FormatError, match="unsafe XML"):
        read_requests(fixture("bomb.xml"), "xml")


def test_external_entities_are_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<service_requests><request><service_request_id>&x;</service_request_id></request></service_requests>"
    )
    with pytest.raises(Open311FormatError, match="unsafe XML"):
        read_requests(xxe, "xml")


def test_documents_that_are_not_documents():
    with pytest.raises(Open311FormatError):
        read_requests(b"<service_requests><request>", "xml")
    with pytest.raises(Open311FormatError):
        read_requests(b"[{", "json")
    with pytest.raises(Open311FormatError):
        read_requests(b'"text"', "json")
    with pytest.raises(Open311FormatError):
        read_service_definition(b"[]", "json")
    assert read_errors(b"<html>", "xml") == []


# --- W3C datetimes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2010-04-14T06:37:38-08:00", datetime(2010, 4, 14, 14, 37, 38, tzinfo=UTC)),
        ("2010-04-14T06:37:38-0800", datetime(2010, 4, 14, 14, 37, 38, tzinfo=UTC)),
        ("2010-04-14T06:37:38.5Z", datetime(2010, 4, 14, 6, 37, 38, 500000, tzinfo=UTC)),
        ("2010-04-14T06:37+01:00", datetime(2010, 4, 14, 5, 37, tzinfo=UTC)),
        ("2010-04-14", datetime(2010, 4, 14, tzinfo=UTC)),
        ("2010-04", datetime(2010, 4, 1, tzinfo=UTC)),
        ("2010", datetime(2010, 1, 1, tzinfo=UTC)),
    ],
)
def test_w3c_datetimes(text, moment):
    assert parse_w3c(text) == moment
    assert parse_w3c(format_w3c(parse_w3c(text))) == moment


@pytest.mark.parametrize("text", ["yesterday", "2010-13-01", "14/04/2010", ""])
def test_not_w3c_datetimes(text):
    with pytest.raises(ValueError):
        parse_w3c(text)
