"""Crime incidents, imported into layers (the police records system is a department too): the
same file format and API as before, each incident a record of the ``incident`` layer."""

from __future__ import annotations

import json

import pytest
from dashboard.test_incidents import MAPPING, incidents_csv
from support import bearer, running, scalar
from typer.testing import CliRunner

from porchlight.layers.records.startup import places_of
from porchlight.layers.settings import LayersSettings

pytestmark = pytest.mark.integration


async def test_import_locates_maps_codes_refuses_bad_rows_and_adds_nothing_twice(settings, test_city):
    tc = test_city
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        analyst = bearer(settings, "analyst")
        (lat_a, lon_a) = tc.inside[tc.a]
        # About 45 m south of district A: over the edge, within the locator's tolerance, so A's.
        edge = f"{tc.a}-12,240,,2026-10-01,{lat_a - 0.0504},{lon_a},,\n"
        edge += f"{tc.a}-13,240,,2026-10-01,,,Elm St,\n"  # a block without a district: nowhere to count it
        edge += f"{tc.a}-1,240,,2026-10-01,{lat_a},{lon_a},,\n"  # an id seen above: the first row is kept
        files = {
            "file": ("incidents.csv", (incidents_csv(tc, tc.a) + edge).encode(), "text/csv"),
            "mapping": ("codes.csv", MAPPING.encode(), "text/csv"),
        }
        r = await client.post("/v1/incidents/imports", files=files, headers=analyst)
        assert r.status_code == 201, r.text
        report = r.json()
        # 14 rows: 9 stored (one placed by the file's district alone: unlocated), 1 repeated, 4 refused.
        assert (report["rows"], report["imported"], report["duplicates"]) == (14, 9, 1)
        assert (report["rejected"], report["unlocated"]) == (4, 1)
        assert report["by_district"] == {tc.a: 8, tc.b: 1}
        assert {(e["row"], e["field"]) for e in report["errors"]} == {
            (10, "latitude"),  # outside the city
            (11, "occurred_at"),
            (12, "latitude"),
            (14, "latitude"),
        }
        again = (await client.post("/v1/incidents/imports", files=files, headers=analyst)).json()
        assert (again["imported"], again["duplicates"], again["unlocated"]) == (0, 10, 0)  # nothing new twice
    stored = await scalar(
        settings,
        "select count(*) from layers.records where department = 'police' and layer = 'incident' "
        "and external_id like :p and attributes->>'nibrs_code' = '240'",
        p=f"{tc.a}-%",
    )
    assert stored == 7  # AUTO mapped to 240, and the rows given as 240


async def test_import_refuses_a_bad_mapping_and_other_roles(settings, test_city):
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=test_city.path)))
        files = {
            "file": ("i.csv", b"offense_code,occurred_at\n240,2026-01-01\n", "text/csv"),
            "mapping": ("m.csv", b"code,nibrs_code\nAUTO,999\n", "text/csv"),
        }
        r = await client.post("/v1/incidents/imports", files=files, headers=bearer(settings, "analyst"))
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "body.mapping"
        r = await client.post(
            "/v1/incidents/imports",
            files={"file": ("i.csv", b"x\n1\n", "text/csv")},
            headers=bearer(settings, "analyst"),
        )
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.file"
        r = await client.post("/v1/incidents/imports", files=files, headers=bearer(settings, "officer"))
        assert r.status_code == 403


async def test_a_file_past_the_default_body_limit_is_accepted(settings, test_city):
    """The route has its own limit: a year of incidents does not fit in the kit's 1 MB default."""
    tc = test_city
    (lat, lon) = tc.inside[tc.a]
    header = "case_number,offense_code,nibrs_code,occurred_at,latitude,longitude,block,district"
    rows = [f"big-{tc.a}-{i:06d},240,,2026-10-01,{lat},{lon},{'x' * 40},{tc.a}" for i in range(14_000)]
    body = ("\n".join([header, *rows]) + "\n").encode()
    assert len(body) > settings.max_body_bytes
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        r = await client.post("/v1/incidents/imports", files={"file": ("big.csv", body, "text/csv")},
                              headers=bearer(settings, "analyst"))  # fmt: skip
    assert r.status_code == 201, r.text[:500]
    assert r.json()["imported"] == 14_000


def test_the_command_imports_a_file_and_names_a_bad_mapping(settings, test_city, tmp_path, monkeypatch):
    from porchlight.kit.cli import _add_service_clis, app

    data = tmp_path / "incidents.csv"
    data.write_text(incidents_csv(test_city, f"cli-{test_city.a}"))
    mapping = tmp_path / "codes.csv"
    mapping.write_text(MAPPING)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORCHLIGHT_LAYERS_PLACES_FILE", str(test_city.path))
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(tmp_path))
    _add_service_clis()
    runner = CliRunner()
    result = runner.invoke(app, ["layers", "import-incidents", str(data), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["imported"], report["rejected"]) == (8, 3)
    assert report["by_district"] == {test_city.a: 7, test_city.b: 1}
    mapping.write_text("code,nibrs_code\nAUTO,999\n")
    result = runner.invoke(app, ["layers", "import-incidents", str(data), "--mapping", str(mapping)])
    assert result.exit_code == 1 and "NIBRS" in result.output
