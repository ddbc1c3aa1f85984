"""The files door: Boston's real 311 export with the shipped mapping, small CSV / GeoJSON / XLSX
files, dry runs, and bad files and rows refused with the line and field named."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import uuid
from datetime import UTC, datetime

import openpyxl
import pytest
from support import bearer, running, scalar
from typer.testing import CliRunner

from porchlight.layers.imports.reading import read_rows, record_of
from porchlight.layers.imports.service import mapping_of
from porchlight.layers.imports.startup import DEMO_FILE, DEMO_MAPPING, demo_shift, load_demo_layers
from porchlight.layers.records.startup import places_of
from porchlight.layers.settings import LayersSettings

pytestmark = pytest.mark.integration

SHARED = "../shared/data/boston_311_2015_layers.csv"


def boston() -> bytes:
    try:
        with open(SHARED, "rb") as f:  # the shared data, as it is
            return f.read()
    except FileNotFoundError:  # a checkout without ../shared: the copy the demo ships (same bytes)
        return gzip.decompress(DEMO_FILE.read_bytes())


def test_the_shipped_copy_is_the_shared_file():
    try:
        with open(SHARED, "rb") as f:
            assert gzip.decompress(DEMO_FILE.read_bytes()) == f.read()
    except FileNotFoundError:
        pytest.skip("../shared/data is not beside this checkout")


async def test_boston_311_imports_as_it_is_with_the_shipped_mapping_and_again_changes_nothing(settings):
    files = {"file": ("boston_311_2015_layers.csv", boston(), "text/csv"),
             "mapping": ("boston_311.yaml", DEMO_MAPPING.read_bytes(), "application/yaml")}  # fmt: skip
    async with running("layers", settings, background=False) as (_, client):
        analyst = bearer(settings, "analyst")
        dry = (await client.post("/v1/records/imports", files=files, data={"dry_run": "true"}, headers=analyst)).json()
        first = (await client.post("/v1/records/imports", files=files, headers=analyst)).json()
        again = (await client.post("/v1/records/imports", files=files, headers=analyst)).json()
    print("boston import:", {k: first[k] for k in ("rows", "created", "updated", "unchanged", "refused")})
    assert first["rows"] == 19_591
    accepted = first["created"] + first["updated"] + first["unchanged"]
    assert accepted >= 0.95 * 19_591, first["errors"][:5]
    assert first["refused"] == 19_591 - accepted
    # The export's own faults, refused with their reason: points off the demo city's (approximate)
    # boundaries, and a few cases closed before they were opened.
    assert {(e["field"], e["message"]) for e in first["errors"]} <= {
        ("point", "outside the city"),
        ("closed_at", "before opened_at"),
    }
    assert first["by_layer"]["street_light_outage"] > 7_000 and first["by_layer"]["graffiti"] > 5_000
    assert (dry["dry_run"], dry["rows"], dry["refused"]) == (True, 19_591, first["refused"])
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, accepted)
    n = await scalar(settings, "select count(*) from layers.records where source = 'file' and department <> 'police' "
                               "and external_id like '1010%'")  # fmt: skip
    assert n == accepted


async def test_dry_run_writes_nothing_and_announces_nothing(settings, test_city):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    ext = f"DRY-{uuid.uuid4().hex[:8]}"
    csv = f"external_id,layer,category,opened_at,lat,lon\n{ext},graffiti,Graffiti,2026-11-01T10:00:00Z,{lat},{lon}\n"
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        outbox_before = await scalar(settings, "select count(*) from layers.outbox")
        r = await client.post("/v1/records/imports", files={"file": ("g.csv", csv.encode(), "text/csv")},
                              data={"dry_run": "true"}, headers=bearer(settings, "analyst"))  # fmt: skip
        assert r.status_code == 200, r.text
        assert (r.json()["created"], r.json()["dry_run"]) == (1, True)
        assert await scalar(settings, "select count(*) from layers.records where external_id = :e", e=ext) == 0
        assert await scalar(settings, "select count(*) from layers.outbox") == outbox_before


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_csv_geojson_and_xlsx_rows_refused_by_line_and_field(settings, test_city):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    tag = uuid.uuid4().hex[:6]
    header = ["external_id", "layer", "category", "opened_at", "lat", "lon"]
    good = [f"{tag}-1", "graffiti", "Graffiti", "2026-11-01T10:00:00Z", lat, lon]
    rows = [
        header,
        good,
        [f"{tag}-2", "unicorns", "?", "2026-11-01T10:00:00Z", lat, lon],  # line 3: unknown layer
        [f"{tag}-3", "graffiti", "Graffiti", "2026-11-01T10:00:00Z", 0.5, 0.5],  # line 4: outside
        [f"{tag}-4", "graffiti", "Graffiti", "first of May", lat, lon],  # line 5: bad date
        [f"{tag}-5", "graffiti", "Graffiti", "2026-11-01T10:00:00Z", 95, lon],  # line 6: no such latitude
    ]
    csv_bytes = "\n".join(",".join(str(c) for c in r) for r in rows).encode()
    features = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"external_id": f"{tag}-g1", "layer": "road_closure",
             "category": "Road closed", "opened_at": "2026-11-01T08:00:00Z"},
             "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon + 0.001, lat]]}},
            {"type": "Feature", "properties": {"external_id": f"{tag}-g2", "layer": "road_closure",
             "category": "Road closed", "opened_at": "2026-11-01T08:00:00Z"},
             "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}},
        ],
    }  # fmt: skip
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        h = bearer(settings, "analyst")
        r = (
            await client.post("/v1/records/imports", files={"file": ("a.csv", csv_bytes, "text/csv")}, headers=h)
        ).json()
        assert (r["rows"], r["created"], r["refused"]) == (5, 1, 4)
        refusals = {(3, "layer"), (4, "point"), (5, "opened_at"), (6, "point")}
        assert {(e["row"], e["field"]) for e in r["errors"]} == refusals
        book = xlsx(rows)
        r = (await client.post("/v1/records/imports", files={"file": ("a.xlsx", book, "application/octet-stream")},
                               headers=h)).json()  # fmt: skip
        assert (r["rows"], r["unchanged"], r["refused"]) == (5, 1, 4), r  # the same record as the CSV's
        assert {(e["row"], e["field"]) for e in r["errors"]} == refusals
        geo = json.dumps(features).encode()
        r = (await client.post("/v1/records/imports", files={"file": ("c.geojson", geo, "application/geo+json")},
                               headers=h)).json()  # fmt: skip
        assert (r["created"], r["refused"]) == (1, 1)
        assert r["errors"][0]["row"] == 2 and r["errors"][0]["field"] == "geometry"


@pytest.mark.parametrize(
    ("files", "status", "field"),
    [
        ({"file": ("x.csv", b"a,b\n1,2\n"), "mapping": ("m.yaml", b"fields: {layer: {column: t}}")}, 422,
         "body.mapping.fields.external_id"),
        ({"file": ("x.csv", b"a,b\n1,2\n"), "mapping": ("m.yaml", b"fields: {colour: {column: t}}")}, 422,
         "body.mapping.fields.colour"),
        ({"file": ("x.csv", b"external_id\xff\xfe,layer\n")}, 422, "body.file"),
        ({"file": ("x.csv", b"a,b\n1,2\n"), "mapping": ("m.yaml", b"fields: [unclosed")}, 422, "body.mapping"),
        ({"file": ("x.csv", b"a,b\n1,2\n"), "mapping": ("m.yaml", b"fields: {external_id: {column: i}, layer: "
          b"{column: l}, category: {column: c}, opened_at: {column: o, timezone: Mars/Olympus}}")}, 422,
         "body.mapping.fields.opened_at.timezone"),
        ({"file": ("x.bin", b"\x00\x01\x02")}, 415, "body.file"),
        ({"file": ("x.csv", b"external_id,layer\x00\n")}, 415, "body.file"),
        ({"file": ("x.xlsx", b"PK\x03\x04 not a zip")}, 422, "body.file"),
    ],
)  # fmt: skip
async def test_bad_files_and_mappings_are_refused_naming_the_field(settings, files, status, field):
    async with running("layers", settings, background=False) as (_, client):
        r = await client.post("/v1/records/imports", files=files, headers=bearer(settings, "analyst"))
    assert r.status_code == status, r.text
    if field:
        assert field in {e["field"] for e in r.json()["errors"]}, r.json()


async def test_an_oversized_file_is_a_413(settings):
    big = b"x" * 50_000_100
    async with running("layers", settings, background=False) as (_, client):
        r = await client.post(
            "/v1/records/imports", files={"file": ("big.csv", big)}, headers=bearer(settings, "analyst")
        )
    assert r.status_code == 413


async def test_a_partner_imports_its_own_departments_rows_only(settings):
    row = f"P-{uuid.uuid4().hex[:6]},police,incident,Motor vehicle theft,2026-11-01T10:00:00Z,42.3474,-71.0944"
    csv = "external_id,department,layer,category,opened_at,lat,lon\n" + row + "\n"
    from porchlight.kit.auth import mint_token

    token = mint_token(settings, subject="pw", roles=["partner"], department="public-works")
    async with running("layers", settings, background=False) as (_, client):
        r = await client.post("/v1/records/imports", files={"file": ("p.csv", csv.encode())},
                              headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert r.json()["refused"] == 1 and r.json()["errors"][0]["field"] == "department"


async def test_the_demo_replays_boston_as_the_last_year():
    today = datetime(2026, 12, 5, tzinfo=UTC)
    assert demo_shift(today) == 10  # 2015 -> 2025
    mapping = mapping_of(DEMO_MAPPING.read_text()).model_copy(update={"shift_years": demo_shift(today)})
    [first, *_] = read_rows("boston.csv", boston())
    values, errors = record_of(mapping, first)
    assert errors == []
    opened = datetime.strptime(first.cells["open_dt"], "%Y-%m-%d %H:%M:%S")
    assert values["opened_at"].replace(tzinfo=None) == opened.replace(year=opened.year + 10)
    assert str(values["opened_at"].tzinfo) == "America/New_York"
    # The file's last day lands within the year before today.
    last = max(datetime.strptime(r.cells["open_dt"], "%Y-%m-%d %H:%M:%S") for r in read_rows("b.csv", boston()))
    shifted = last.replace(year=last.year + 10, tzinfo=UTC)
    assert today.replace(year=today.year - 1) < shifted < today


async def test_an_xlsx_sheet_named_by_the_mapping(settings, test_city):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    ext = f"SHEET-{uuid.uuid4().hex[:6]}"
    book = openpyxl.Workbook()
    book.active.append(["a cover sheet, not the data"])
    cases = book.create_sheet("Cases")
    cases.append(["Case", "Kind", "Opened", "Lat", "Lon"])
    cases.append([ext, "Graffiti Removal", datetime(2026, 11, 1, 9, 30), lat, lon])
    out = io.BytesIO()
    book.save(out)
    mapping = (
        "sheet: Cases\nfields:\n  external_id: {column: Case}\n"
        "  layer: {column: Kind, values: {Graffiti Removal: graffiti}}\n  category: {column: Kind}\n"
        "  opened_at: {column: Opened, timezone: America/New_York}\n  lat: {column: Lat}\n  lon: {column: Lon}\n"
    )
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        h = bearer(settings, "analyst")
        files = {"file": ("cases.xlsx", out.getvalue()), "mapping": ("m.yaml", mapping.encode())}
        r = await client.post("/v1/records/imports", files=files, headers=h)
        assert r.status_code == 200, r.text
        assert (r.json()["created"], r.json()["by_layer"]) == (1, {"graffiti": 1})
        files["mapping"] = ("m.yaml", mapping.replace("sheet: Cases", "sheet: Kases").encode())
        r = await client.post("/v1/records/imports", files=files, headers=h)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.file"
        assert "Kases" in r.json()["errors"][0]["message"]
    opened = await scalar(settings, "select opened_at from layers.records where external_id = :e", e=ext)
    assert opened == datetime(2026, 11, 1, 14, 30, tzinfo=UTC)  # 9:30 in Boston, EST


def test_the_command_imports_a_file_with_a_dry_run_first(settings, test_city, tmp_path, monkeypatch):
    from porchlight.kit.cli import _add_service_clis, app

    lat, lon = test_city.inside[test_city.a]
    ext = f"CLI-{uuid.uuid4().hex[:6]}"
    data = tmp_path / "lights.csv"
    data.write_text(f"id;what;when;lat;lon\n{ext};Street Light Outages;2026-11-01 18:02:00;{lat};{lon}\n"
                    f"{ext}-2;Unicorns;2026-11-01 18:02:00;{lat};{lon}\n")  # fmt: skip
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "fields:\n  external_id: {column: id}\n  layer: {column: what, values: {Street Light Outages: "
        "street_light_outage}}\n  category: {column: what}\n  opened_at: {column: when, format: '%Y-%m-%d %H:%M:%S'}"
        "\n  lat: {column: lat}\n  lon: {column: lon}\n"
    )
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORCHLIGHT_LAYERS_PLACES_FILE", str(test_city.path))
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(tmp_path))
    _add_service_clis()
    runner = CliRunner()
    count = f"select count(*) from layers.records where external_id = '{ext}'"
    dry = runner.invoke(app, ["layers", "import", str(data), "--mapping", str(mapping), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["created"] == 1 and asyncio.run(scalar(settings, count)) == 0
    done = runner.invoke(app, ["layers", "import", str(data), "--mapping", str(mapping)])
    report = json.loads(done.output)
    assert (report["created"], report["refused"], report["dry_run"]) == (1, 1, False)
    assert report["errors"] == [{"row": 3, "field": "layer", "message": "'Unicorns' is not in the mapping's values"}]
    assert asyncio.run(scalar(settings, count)) == 1
    mapping.write_text("fields: {colour: {column: c}}\n")
    bad = runner.invoke(app, ["layers", "import", str(data), "--mapping", str(mapping)])
    assert bad.exit_code == 1 and "fields.colour" in bad.output


async def test_the_demo_hook_loads_nothing_when_records_exist(settings):
    async with running("layers", settings, background=False) as (app, _):
        await scalar(settings, "select 1")
        # Other tests stored records in this database: the demo never piles onto a city's data.
        if await scalar(settings, "select count(*) from layers.records") == 0:
            pytest.skip("needs an earlier test's records")
        assert await load_demo_layers(app.state.runtime) is None
