"""Issue 15, least privilege, on the dashboard: every role x district pair against the pages,
the map's concern points and the monthly report. Figures are for every reader the pages allow;
the residents' quotes only for the readers tests/kit/test_words_access.py's table names; a
department partner reads none of these pages (purpose limitation: no figure under 5 notes)."""

from __future__ import annotations

import pytest
from dashboard.test_read_models import LAST_MONTH, all_applied, district_events, publish, use_city
from kit.test_words_access import CITY, ROLES, expected
from support import bearer, eventually, running

pytestmark = pytest.mark.integration

QUOTES = ("speeding by the school", "cars race down Elm Street at night")


@pytest.mark.timeout(300)
async def test_every_role_and_district_pair_gets_words_only_where_the_rule_allows(settings, test_city):
    a, b = test_city.a, test_city.b
    # The table's districts are A1 and B2: here they are the test city's own two.
    name = {"A1": a, "B2": b}
    async with running("dashboard", settings) as (app, client):
        use_city(app, test_city)
        await publish(settings, district_events(b))
        url = f"/v1/districts/{b}/page?month={LAST_MONTH.label}"
        boss = bearer(settings, "analyst")

        async def applied() -> bool:
            return all_applied((await client.get(url, headers=boss)).json())

        await eventually(applied, timeout_s=30)
        for role in ROLES:
            for claim in (None, "A1", "B2"):
                headers = bearer(settings, role, district=name.get(claim or ""), subject=f"{role}-{claim}")
                words = {name.get(w, w) for w in expected(role, claim)}
                scoped = claim is not None and role not in ("analyst", "admin")  # the figures' own rule
                case = (role, claim)
                if role == "partner":
                    # A department partner never reads the pages counted from notes (no figure of
                    # fewer than 5 notes for partners: docs/privacy.md); the board is theirs.
                    for path in (url, f"/v1/districts/{b}/concerns.geojson", "/v1/city/page", "/v1/reports/monthly"):
                        assert (await client.get(path, headers=headers)).status_code == 403, (case, path)
                    continue

                page = await client.get(url, headers=headers)
                if scoped and name[claim] != b:
                    assert page.status_code == 403, case
                else:
                    assert page.status_code == 200, case
                    quotes = [c["quote"] for c in page.json()["top_concerns"]]
                    assert [c["count"] for c in page.json()["top_concerns"]] == [2, 1], case  # figures for all
                    if b in words:
                        assert quotes[0] in QUOTES, case
                    else:
                        assert quotes == [None, None], case

                points = await client.get(
                    f"/v1/districts/{b}/concerns.geojson?month={LAST_MONTH.label}", headers=headers
                )
                # Each point carries its statement's words: the whole list is for readers of them.
                assert points.status_code == (200 if b in words else 403), case

                city = await client.get(f"/v1/city/page?month={LAST_MONTH.label}", headers=headers)
                if scoped:
                    assert city.status_code == 403, case
                else:
                    row = next(d for d in city.json()["districts"] if d["district"]["code"] == b)
                    assert row["top_concern"]["count"] == 2, case
                    assert (row["top_concern"]["quote"] in QUOTES) == (CITY in words), case

                report = await client.get(
                    "/v1/reports/monthly", params={"month": LAST_MONTH.label, "district": b}, headers=headers
                )
                if scoped and name[claim] != b:
                    assert report.status_code == 403, case
                else:
                    assert report.status_code == 200, case
                    said = any(q in report.text for q in QUOTES)
                    assert said == (b in words), case
