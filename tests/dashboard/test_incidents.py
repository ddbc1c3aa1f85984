"""Crime statistics: CSV import with a mapping file, districts by point-in-polygon, changes."""

from __future__ import annotations

import json

import pytest
from support import bearer, running
from typer.testing import CliRunner

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.settings import DashboardSettings

pytestmark = pytest.mark.integration

MONTH = Month.parse(None).shift(-1)
PREV, LAST_YEAR = MONTH.shift(-1), MONTH.shift(-12)
MAPPING = "code,nibrs_code,category\nAUTO,240,\nNOISE,,Noise complaint\n"


def incidents_csv(tc, prefix: str) -> str:
    (lat_a, lon_a), (lat_b, lon_b) = tc.inside[tc.a], tc.inside[tc.b]
    m, p, y = (x.start.isoformat() for x in (MONTH, PREV, LAST_YEAR))
    rows = [
        "case_number,offense_code,nibrs_code,occurred_at,latitude,longitude,block,district",
        f"{prefix}-1,AUTO,,{m},{lat_a},{lon_a},,",  # mapped: 240 Motor vehicle theft
        f"{prefix}-2,240,,{m}T22:15:00Z,{lat_a},{lon_a},,",  # a NIBRS code needs no mapping
        f"{prefix}-3,LOCAL-7,13B,{m},{lat_a},{lon_a},,",  # the file's own NIBRS column wins
        f"{prefix}-4,NOISE,,{m},,,100 block of Elm St,{tc.a}",  # a block: the file's district
        f"{prefix}-5,240,,{p},{lat_a},{lon_a},,",
        f"{prefix}-6,240,,{y},{lat_a},{lon_a},,",
        f"{prefix}-7,240,,{y},{lat_a},{lon_a},,",
        f"{prefix}-8,240,,{m},{lat_b},{lon_b},,",
        f"{prefix}-9,240,,{m},0.5,0.5,,",  # outside the city: imported, no district
        f"{prefix}-10,240,,not a date,{lat_a},{lon_a},,",  # rejected
        f"{prefix}-11,240,,{m},95,{lon_a},,",  # rejected: not a WGS84 point
    ]
    return "\n".join(rows) + "\n"


async def test_import_assigns_districts_and_counts_changes(settings, test_city):
    tc = test_city
    prefix = tc.a
    async with running("dashboard", settings, background=False) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=tc.path))
        analyst = bearer(settings, "analyst")
        files = {
            "file": ("incidents.csv", incidents_csv(tc, prefix).encode(), "text/csv"),
            "mapping": ("codes.csv", MAPPING.encode(), "text/csv"),
        }
        r = await client.post("/v1/incidents/imports", files=files, headers=analyst)
        assert r.status_code == 201, r.text
        report = r.json()
        assert (report["rows"], report["imported"], report["rejected"], report["unlocated"]) == (11, 9, 2, 1)
        assert report["by_district"] == {tc.a: 7, tc.b: 1}
        assert {(e["row"], e["field"]) for e in report["errors"]} == {(11, "occurred_at"), (12, "latitude")}

        again = (await client.post("/v1/incidents/imports", files=files, headers=analyst)).json()
        assert (again["imported"], again["duplicates"]) == (0, 9)  # the same file twice adds nothing

        r = await client.get(f"/v1/incidents/stats?month={MONTH.label}&district={tc.a}", headers=analyst)
        crime = r.json()["districts"][0]["crime"]
    assert (crime["total"], crime["previous_month"], crime["last_year"]) == (4, 1, 2)
    assert crime["change_vs_previous_month"] == 3.0
    assert crime["change_vs_last_year"] == 1.0
    cats = {c["category"]: c for c in crime["by_category"]}
    assert cats["Motor vehicle theft"]["count"] == 2 and cats["Motor vehicle theft"]["nibrs_code"] == "240"
    assert cats["Simple assault"]["count"] == 1
    assert cats["Noise complaint"]["count"] == 1 and cats["Noise complaint"]["nibrs_code"] is None
    trend = {m["month"]: m["count"] for m in crime["trend"]}
    assert trend[MONTH.label] == 4 and trend[PREV.label] == 1


async def test_import_refuses_a_bad_mapping_and_other_roles(settings, test_city):
    async with running("dashboard", settings, background=False) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=test_city.path))
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
    (lat, lon), m = tc.inside[tc.a], MONTH.start.isoformat()
    header = "case_number,offense_code,nibrs_code,occurred_at,latitude,longitude,block,district"
    rows = [f"big-{tc.a}-{i:06d},240,,{m},{lat},{lon},{'x' * 40},{tc.a}" for i in range(14_000)]
    body = ("\n".join([header, *rows]) + "\n").encode()
    assert len(body) > settings.max_body_bytes
    async with running("dashboard", settings, background=False) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=tc.path))
        files = {"file": ("big.csv", body, "text/csv")}
        r = await client.post("/v1/incidents/imports", files=files, headers=bearer(settings, "analyst"))
    assert r.status_code == 201, r.text[:500]
    assert r.json()["imported"] == 14_000


def test_cli_imports_a_file(settings, test_city, tmp_path, monkeypatch):
    from porchlight.kit.cli import _add_service_clis, app

    data = tmp_path / "incidents.csv"
    data.write_text(incidents_csv(test_city, f"cli-{test_city.a}"))
    mapping = tmp_path / "codes.csv"
    mapping.write_text(MAPPING)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORCHLIGHT_DASHBOARD_PLACES_FILE", str(test_city.path))
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(tmp_path))
    _add_service_clis()
    result = CliRunner().invoke(app, ["dashboard", "incidents", "import", str(data), "--mapping", str(mapping)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["imported"] == 9 and report["by_district"][test_city.a] == 7
