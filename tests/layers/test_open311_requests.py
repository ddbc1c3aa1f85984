"""Open311 ``POST requests`` forms and ``GET requests`` filters: what is kept, what is refused and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from porchlight.layers.open311.georeport import (
    PERSONAL_FIELDS,
    AttributeValue,
    NewRequest,
    Open311Problem,
    RequestFilters,
    ServiceAttribute,
    ServiceDefinition,
    ServiceRequest,
    check_attributes,
    parse_filters,
    parse_post,
)

PERSONAL = {
    "email": "resident@example.org",
    "device_id": "device-77f1",
    "account_id": "acct-991",
    "first_name": "Dolores",
    "last_name": "Quimby",
    "phone": "617-555-0142",
}


def problems(form) -> list[str]:
    with pytest.raises(Open311Problem) as refused:
        parse_post(form)
    assert all(e.code == 400 for e in refused.value.errors)
    return [e.description for e in refused.value.errors]


def test_a_full_form_is_read():
    form = [
        ("api_key", "k-123"),
        ("jurisdiction_id", "city.gov"),
        ("service_code", "001"),
        ("lat", "42.3581"),
        ("long", "-71.0636"),
        ("address_string", "1 City Hall Sq"),
        ("attribute[WHISHETN]", "123"),
        ("attribute[COLORS][]", "red"),
        ("attribute[COLORS][]", "blue"),
        ("description", "  Cans out since Monday  "),
        ("media_url", "https://city.gov/m/1.jpg"),
        ("unknown_field", "ignored"),
    ]
    assert parse_post(form) == NewRequest(
        service_code="001",
        lat=42.3581,
        lon=-71.0636,
        address_string="1 City Hall Sq",
        attributes={"WHISHETN": "123", "COLORS": ["red", "blue"]},
        description="Cans out since Monday",
        media_url="https://city.gov/m/1.jpg",
        jurisdiction_id="city.gov",
        api_key="k-123",
    )


def test_a_mapping_with_an_address_only_is_enough():
    new = parse_post({"service_code": "002", "address_id": "545483"})
    assert (new.address_id, new.lat, new.lon, new.attributes) == ("545483", None, None, {})


def test_personal_fields_are_dropped_everywhere():
    new = parse_post({"service_code": "001", "address_string": "8TH AVE and JUDAH ST", **PERSONAL, "api_key": "s3cret"})
    kept = repr(new) + repr(vars(new))
    for value in PERSONAL.values():
        assert value not in kept
    assert "s3cret" not in repr(new)  # the key is for the route's check, not for logs
    assert set(PERSONAL) == PERSONAL_FIELDS
    # ...and not echoed in errors either
    with pytest.raises(Open311Problem) as refused:
        parse_post({"lat": "north", **PERSONAL})
    assert not any(v in str(refused.value) for v in PERSONAL.values())


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"lat": "1", "long": "2"}, ["service_code: required"]),
        ({"service_code": "1"}, ["lat: required (with long), or address_string or address_id"]),
        ({"service_code": "1", "lat": "north", "long": "-71"}, ["lat: not a number"]),
        ({"service_code": "1", "lat": "42", "long": "nan"}, ["long: out of range (-180 to 180)"]),
        ({"service_code": "1", "lat": "91", "long": "0"}, ["lat: out of range (-90 to 90)"]),
        ({"service_code": "1", "lat": "42"}, ["long: required with lat"]),
        ({"service_code": "1", "long": "-71", "address_id": "9"}, ["lat: required with long"]),
        (
            {"service_code": "1", "address_id": "9", "media_url": "file:///etc/passwd"},
            ["media_url: not an http(s) URL"],
        ),
        (
            {"service_code": "1", "address_id": "9", "description": "x" * 4001},
            ["description: longer than 4000 characters"],
        ),
    ],
)
def test_each_problem_names_its_field(form, expected):
    assert problems(form) == expected


def test_every_problem_is_reported_at_once():
    assert problems([("lat", "x"), ("long", "999"), ("media_url", "nope"), ("lat", "y")]) == [
        "lat: given more than once",
        "service_code: required",
        "lat: not a number",
        "long: out of range (-180 to 180)",
        "media_url: not an http(s) URL",
    ]


# --- attributes against the service definition ----------------------------------------------

DEFINITION = ServiceDefinition(
    service_code="DMV66",
    attributes=(
        ServiceAttribute(
            code="MAKE",
            datatype="singlevaluelist",
            required=True,
            values=(AttributeValue("123", "Ford"), AttributeValue("124", "Chrysler")),
        ),
        ServiceAttribute(
            code="COLORS", datatype="multivaluelist", values=(AttributeValue("r", "red"), AttributeValue("b", "blue"))
        ),
        ServiceAttribute(code="COUNT", datatype="number"),
        ServiceAttribute(code="SEEN", datatype="datetime"),
        ServiceAttribute(code="NOTE", datatype="text", variable=False),
    ),
)


def _with(**attributes) -> NewRequest:
    return NewRequest(service_code="DMV66", address_id="1", attributes=attributes)


def test_answers_that_fit_pass():
    check_attributes(_with(MAKE="123", COLORS=["r", "b"], COUNT="3", SEEN="2026-01-05T10:00:00-05:00"), DEFINITION)
    check_attributes(_with(MAKE=["124"]), DEFINITION)


def test_answers_that_do_not_fit_name_the_attribute():
    with pytest.raises(Open311Problem) as refused:
        check_attributes(_with(COLORS=["r", "green"], COUNT="three", SEEN="soon", NOTE="x"), DEFINITION)
    assert [e.description for e in refused.value.errors] == [
        "attribute[NOTE]: not an attribute of DMV66",
        "attribute[MAKE]: required",
        "attribute[COLORS]: not one of the listed keys",
        "attribute[COUNT]: not a number",
        "attribute[SEEN]: not a W3C datetime",
    ]
    with pytest.raises(Open311Problem) as refused:
        check_attributes(_with(MAKE=["123", "124"]), DEFINITION)
    assert [e.description for e in refused.value.errors] == ["attribute[MAKE]: one value only"]


# --- GET requests filters --------------------------------------------------------------------

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def test_filters_are_read():
    filters = parse_filters(
        {
            "service_request_id": "1, 2,2",
            "service_code": "001,006",
            "start_date": "2026-04-01T00:00:00-04:00",
            "end_date": "2026-04-30T00:00:00Z",
            "status": "Open,closed",
            "jurisdiction_id": "city.gov",
        }
    )
    assert filters == RequestFilters(
        ids=("1", "2"),
        service_codes=("001", "006"),
        start=datetime(2026, 4, 1, 4, tzinfo=UTC),
        end=datetime(2026, 4, 30, tzinfo=UTC),
        statuses=("open", "closed"),
        jurisdiction_id="city.gov",
    )


def test_bad_filters_name_the_field():
    with pytest.raises(Open311Problem) as refused:
        parse_filters({"start_date": "last week", "end_date": "2026-13-01", "status": "pending"})
    descriptions = [e.description for e in refused.value.errors]
    assert [d.split(":")[0] for d in descriptions] == ["start_date", "end_date", "status"]
    with pytest.raises(Open311Problem, match="end_date: before start_date"):
        parse_filters({"start_date": "2026-04-02", "end_date": "2026-04-01"})
    with pytest.raises(Open311Problem, match="end_date: more than 90 days"):
        parse_filters({"start_date": "2026-01-01", "end_date": "2026-04-02"})


def test_the_default_window_is_90_days():
    assert parse_filters({}).window(NOW) == (NOW - timedelta(days=90), NOW)
    start = datetime(2026, 4, 20, tzinfo=UTC)
    assert parse_filters({"start_date": "2026-04-20"}).window(NOW) == (start, NOW)
    old = datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_filters({"start_date": "2025-01-01"}).window(NOW) == (old, old + timedelta(days=90))
    end = datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_filters({"end_date": "2026-03-01"}).window(NOW) == (end - timedelta(days=90), end)


def test_filters_match_requests():
    request = ServiceRequest(
        service_request_id="9", status="open", service_code="001", requested_datetime=NOW - timedelta(days=3)
    )
    assert parse_filters({}).matches(request, NOW)
    assert parse_filters({"status": "open", "service_code": "001,002"}).matches(request, NOW)
    assert not parse_filters({"status": "closed"}).matches(request, NOW)
    assert not parse_filters({"service_code": "002"}).matches(request, NOW)
    assert not parse_filters({"start_date": "2026-04-29"}).matches(request, NOW)
    assert parse_filters({"end_date": format(NOW - timedelta(days=3), "%Y-%m-%dT%H:%M:%SZ")}).matches(request, NOW)
    # ids override every other filter, as the spec says
    assert parse_filters({"service_request_id": "9", "status": "closed"}).matches(request, NOW)
    assert not parse_filters({}).matches(ServiceRequest(service_request_id="old", requested_datetime=None), NOW)
