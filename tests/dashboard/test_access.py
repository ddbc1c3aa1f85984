"""Who sees which district: a supervisor with a district claim sees that district only (403 with
a problem document for another, and for the city page); without the claim, the whole city;
analysts (leadership) always the whole city."""

from __future__ import annotations

import pytest
from dashboard.test_read_models import LAST_MONTH, use_city
from support import bearer, running

pytestmark = pytest.mark.integration


def forbidden(r, own: str) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 403 and f"district {own}" in problem["detail"] and problem["district"] == own


async def test_a_district_supervisor_sees_their_own_district_only(settings, test_city):
    a, b = test_city.a, test_city.b
    m = f"month={LAST_MONTH.label}"
    async with running("dashboard", settings, background=False) as (app, client):
        use_city(app, test_city)
        sgt = bearer(settings, "supervisor", subject="sgt-a", district=a)
        own = await client.get(f"/v1/districts/{a}/page?{m}", headers=sgt)
        own_map = await client.get(f"/v1/districts/{a}/concerns.geojson?{m}", headers=sgt)
        other = await client.get(f"/v1/districts/{b}/page?{m}", headers=sgt)
        other_map = await client.get(f"/v1/districts/{b}/concerns.geojson?{m}", headers=sgt)
        unknown = await client.get(f"/v1/districts/NOPE/page?{m}", headers=sgt)
        city = await client.get(f"/v1/city/page?{m}", headers=sgt)
        # The report and crime figures: their district when none is named, 403 for another.
        report = await client.get(f"/v1/reports/monthly?{m}", headers=sgt)
        other_report = await client.get(f"/v1/reports/monthly?{m}&district={b}&format=pdf", headers=sgt)
        stats = await client.get(f"/v1/incidents/stats?{m}", headers=sgt)
        other_stats = await client.get(f"/v1/incidents/stats?{m}&district={b}", headers=sgt)

        city_wide_sgt = bearer(settings, "supervisor", subject="sgt-city")  # no district claim
        free = [
            await client.get(f"/v1/districts/{b}/page?{m}", headers=city_wide_sgt),
            await client.get(f"/v1/city/page?{m}", headers=city_wide_sgt),
            await client.get(f"/v1/districts/{a}/page?{m}", headers=bearer(settings, "analyst", district=b)),
            await client.get(f"/v1/city/page?{m}", headers=bearer(settings, "analyst", district=b)),
            await client.get(f"/v1/city/page?{m}", headers=bearer(settings, "admin", district=b)),
        ]
        city_wide_stats = await client.get(f"/v1/incidents/stats?{m}", headers=city_wide_sgt)

    assert own.status_code == 200 and own.json()["district"]["code"] == a
    assert own_map.status_code == 200 and own_map.json()["type"] == "FeatureCollection"
    for r in (other, other_map, unknown, other_report, other_stats):
        forbidden(r, a)
    forbidden(city, a)
    assert "city-wide" in city.json()["detail"]
    assert report.status_code == 200 and f"District {a}" in report.text and f"District {b}" not in report.text
    assert [d["district"] for d in stats.json()["districts"]] == [a]
    for r in free:
        assert r.status_code == 200, r.text
    assert free[1].json()["city"].startswith("Testville")
    assert [d["district"] for d in city_wide_stats.json()["districts"]] == [a, b]
