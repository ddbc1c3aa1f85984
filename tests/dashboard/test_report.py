"""The monthly community report: its PDF's text carries the figures; HTML has its charts."""

from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest
from dashboard.test_incidents import MAPPING, MONTH, incidents_csv
from dashboard.test_read_models import LAST_MONTH, all_applied, district_events, publish, use_city
from pypdf import PdfReader
from support import bearer, eventually, import_incidents, running
from typer.testing import CliRunner

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).parent.parent / "artifacts"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_monthly_report_pdf_and_html_show_the_month(settings, test_city):
    assert MONTH == LAST_MONTH
    d = test_city.a
    async with running("dashboard", settings) as (app, client):
        use_city(app, test_city)
        await publish(settings, district_events(d))
        staff = bearer(settings, "supervisor")
        files = {
            "file": ("i.csv", incidents_csv(test_city, f"rep-{d}").encode(), "text/csv"),
            "mapping": ("m.csv", MAPPING.encode(), "text/csv"),
        }
        assert (await import_incidents(settings, test_city.path, files)).status_code == 201

        async def projected() -> bool:
            page = (await client.get(f"/v1/districts/{d}/page?month={MONTH.label}", headers=staff)).json()
            return all_applied(page) and page["crime"]["total"] == 4

        await eventually(projected, timeout_s=30)
        r = await client.get(f"/v1/reports/monthly?month={MONTH.label}&format=pdf", headers=staff)
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        html = await client.get(f"/v1/reports/monthly?month={MONTH.label}&district={d}", headers=staff)
        bad = await client.get(f"/v1/reports/monthly?month={MONTH.label}&format=doc", headers=staff)

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "monthly-report.pdf").write_bytes(r.content)
    assert len(PdfReader(io.BytesIO(r.content)).pages) == 1  # one page a council member reads in two minutes
    text = pdf_text(r.content)
    month_name = MONTH.start.strftime("%B %Y")
    assert f"Community report — {month_name} — Testville" in text
    squashed = re.sub(r"\s+", " ", text)
    # The headline: 3 meetings hosted; 14 residents at meetings + 18 via contacts; 7.5 h (1.5 h per
    # meeting without a duration in this test: 4.5 + 3.0 of contacts); 3 contacts; crime: district
    # A 4 + district B 1 = 5 this month.
    assert re.search(r"Meetings hosted 3\b", squashed), squashed[:600]
    assert "Engagement hours 7.5" in squashed and "Crime incidents 5" in squashed
    # One row per district: figures, its top concern, projects, wins and crime beside them.
    row = re.search(rf"{d} (\d+) (\d+) ([\d.]+) (\d+) ([\d.]+|-) (.+?) (\d+) / (\d+) / (\d+) (\d+) (\d+)", squashed)
    assert row, squashed[:2000]
    meetings, residents, hours, contacts, sentiment, concern, done, open_, overdue, wins, crime = row.groups()
    assert (meetings, residents, hours, contacts) == ("3", "32", "7.5", "3")
    assert sentiment == "3.0"
    assert concern == "Speeding and traffic safety in 2 notes (new)"  # synthesis' name, its unit
    assert (done, open_, overdue, wins, crime) == ("1", "1", "1", "1", "4")
    quote = re.search(r"“([^”]*)”", squashed[row.end() :])
    assert quote and quote.group(1) in {"speeding by the school", "cars race down Elm Street at night"}
    assert "Wins this month (1)" in squashed and f"{d} Elm Street lights fixed" in squashed
    assert "Motor vehicle theft 3" in squashed  # the city's most frequent incidents
    assert "60 minutes when none was given" in squashed

    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert html.text.count("<svg") >= 3  # charts inline, no external asset
    assert "Elm Street lights fixed" in html.text and "http://" not in html.text.split("<body>")[1].split("<svg")[0]
    (ARTIFACTS / "monthly-report.html").write_text(html.text)
    assert bad.status_code == 422


async def test_report_from_the_command_line(settings, test_city, tmp_path, monkeypatch):
    from porchlight.kit.cli import _add_service_clis, app

    d = test_city.a
    files = {"file": ("incidents.csv", incidents_csv(test_city, f"cli-report-{d}").encode(), "text/csv")}
    async with running("dashboard", settings) as (dash, client):
        use_city(dash, test_city)
        assert (await import_incidents(settings, test_city.path, files)).status_code == 201

        async def counted() -> bool:
            r = await client.get(
                f"/v1/incidents/stats?month={MONTH.label}&district={d}", headers=bearer(settings, "analyst")
            )
            return r.json()["districts"][0]["crime"]["total"] == 4

        await eventually(counted, timeout_s=30)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PORCHLIGHT_DASHBOARD_PLACES_FILE", str(test_city.path))
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(tmp_path))
    _add_service_clis()
    runner = CliRunner()
    out = tmp_path / "report.pdf"
    # The command runs its own event loop: from a thread, as a shell would.
    result = await asyncio.to_thread(
        runner.invoke, app, ["report", "monthly", "--month", MONTH.label, "--out", str(out), "--district", d]
    )
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", " ", pdf_text(out.read_bytes()))
    assert f"{MONTH.start.strftime('%B %Y')} — District {d}" in text
    # Without the mapping, the city's own codes stay as they are: AUTO is its own category.
    assert "Motor vehicle theft 1" in text and "AUTO 1" in text
    html = tmp_path / "report.html"
    result = await asyncio.to_thread(
        runner.invoke, app, ["report", "monthly", "--month", MONTH.label, "--out", str(html)]
    )
    assert result.exit_code == 0
    assert "<svg" in html.read_text()
    result = await asyncio.to_thread(runner.invoke, app, ["report", "monthly", "--month", "2026-1", "--out", str(out)])
    assert result.exit_code != 0 and "YYYY-MM" in result.output
