"""Lists page by cursor (kit.paging): the body stays a JSON array, the next page is in ``Link``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
from projects.helpers import Headers, day, execute, priority_body, project_body
from support import running

from porchlight.kit.settings import KitSettings


async def _all_pages(client: httpx.AsyncClient, url: str, headers: Headers) -> list[list[dict[str, Any]]]:
    pages = []
    while url:
        r = await client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        assert isinstance(r.json(), list)
        pages.append(r.json())
        found = re.match(r'<([^>]+)>; rel="next"', r.headers.get("link", ""))
        url = found.group(1) if found else ""
    return pages


async def test_priorities_wins_and_overdue_page_by_cursor(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    works = as_role("partner", "public-works")
    async with running("projects", settings, background=False) as (_, client):
        ids = [
            (
                await client.post("/v1/priorities", json=priority_body(district, title=f"P {i}"), headers=supervisor)
            ).json()["id"]
            for i in range(3)
        ]
        pages = await _all_pages(client, f"/v1/priorities?district={district}&limit=2", works)
        assert [len(p) for p in pages] == [2, 1]
        assert [p["id"] for page in pages for p in page] == ids[::-1]  # newest first, each once
        # Without a limit, one page as before (no Link).
        r = await client.get(f"/v1/priorities?district={district}", headers=works)
        assert len(r.json()) == 3 and "link" not in r.headers

        late = []
        for n in range(3):
            r = await client.post(
                "/v1/projects",
                json=project_body(ids[0], title=f"Late {n}", starts_on=day(-10), due_on=day(-5 + n)),
                headers=supervisor,
            )
            late.append(r.json()["id"])
        pages = await _all_pages(client, f"/v1/projects/overdue?district={district}&limit=2", works)
        assert [p["id"] for page in pages for p in page] == late  # earliest due first
        await execute(
            settings,
            "UPDATE projects.projects SET changed_at = now() - interval '8 days' WHERE district = :d",
            d=district,
        )
        pages = await _all_pages(client, f"/v1/projects/stalled?district={district}&limit=1", works)
        assert sorted(p["id"] for page in pages for p in page) == sorted(late) and len(pages) == 3

        r = await client.get("/v1/wins?cursor=bm90LWEtY3Vyc29y", headers=works)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.cursor"
