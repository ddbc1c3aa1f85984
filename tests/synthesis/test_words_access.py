"""Issue 15, least privilege, in synthesis: the insight's figures for every reader, its quotes
and the notes behind it only for the readers tests/kit/test_words_access.py's table names (an
officer of A1 read B2's notes, and a liaison the whole city's, before)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from kit.test_words_access import CITY, expected
from support import bearer
from synthesis.test_synthesis_service import analyzed, district, note, publish

from porchlight.kit.settings import KitSettings

#: This test's own words (a correction elsewhere must not teach the model about them), clearly of a
#: topic: quotes are a topic's, and a statement left unassigned would have none to withhold.
SAID = ["The streetlight by the footbridge over the rail cut has been out for weeks"]
READERS = ("officer", "liaison", "supervisor", "analyst")  # the roles synthesis serves insights to


async def _every_page(client: httpx.AsyncClient, headers: dict[str, str], first: httpx.Response) -> set[uuid.UUID]:
    """The note ids of every page from ``first`` on (the session's other tests file notes too,
    some dated after this one: the note need not be on the first page)."""
    ids: set[uuid.UUID] = set()
    page = first
    while True:
        assert page.status_code == 200, page.text
        body = page.json()
        ids |= {uuid.UUID(n["note_id"]) for n in body["notes"]}
        if not body.get("next_cursor"):
            return ids
        page = await client.get(
            "/v1/insights/notes", params={"limit": 500, "cursor": body["next_cursor"]}, headers=headers
        )


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.timeout(300)
async def test_quotes_and_notes_only_for_readers_of_the_districts_words(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    here, there = district("WA"), district("WB")
    filed = note(here, SAID)
    await publish(settings, filed)
    await analyzed(settings, [filed.note_id])
    name = {"A1": there, "B2": here}  # the table's B2 is the district the words were said in
    for role in READERS:
        for claim in (None, "A1", "B2"):
            headers = bearer(settings, role, district=name.get(claim or ""), subject=f"{role}-{claim}")
            words = {name.get(w, w) for w in expected(role, claim)}
            case = (role, claim)

            ins = (await client.get("/v1/insights", params={"district": here}, headers=headers)).json()
            assert ins["notes"] == 1, case  # the figures are everyone's
            quotes = [q["text"] for t in ins["topics"] for q in t["quotes"]]
            assert bool(quotes) == (here in words) and ins["words_withheld"] == (here not in words), case

            listed = await client.get("/v1/insights/notes", params={"district": here}, headers=headers)
            assert listed.status_code == (200 if here in words else 403), case
            if here in words:
                assert [n["note_id"] for n in listed.json()["notes"]] == [str(filed.note_id)], case

            # Without a district: the whole city for a city-wide duty, else the caller's own district.
            city = await client.get("/v1/insights/notes", params={"limit": 500}, headers=headers)
            if CITY in words or claim:
                ids = await _every_page(client, headers, city)
                assert (filed.note_id in ids) == (CITY in words or name[claim] == here), case
            else:
                assert city.status_code == 403, case

            emerging = (await client.get("/v1/emerging", params={"district": here}, headers=headers)).json()
            assert emerging["words_withheld"] == (here not in words), case
