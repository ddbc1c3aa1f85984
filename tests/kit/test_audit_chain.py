"""The audit trail's hash chain without a database (issue 15, "an audit trail")."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime, timedelta

from porchlight.kit.audit import GENESIS, Entry, Stored, canonical, chain, link, verify
from porchlight.kit.auditroutes import _kind, entry_of_request

T0 = datetime(2026, 11, 30, 14, 2, 11, 123456, tzinfo=UTC)


def entry(i: int) -> Entry:
    return Entry(
        at=T0 + timedelta(seconds=i),
        actor=f"sgt-{i}",
        roles=("supervisor",),
        actor_district="B2",
        action="read",
        route="GET /v1/insights/notes",
        status=200,
        districts=("B2",),
        ids={"note_id": [f"n{i}"]},
        filters={"district": ["B2"]},
    )


def test_each_hash_is_sha256_of_the_previous_hash_and_the_canonical_entry() -> None:
    first, second = chain(0, GENESIS, [entry(1), entry(2)])
    assert first.seq == 1 and first.prev_hash == GENESIS
    assert first.hash == hashlib.sha256(GENESIS.encode() + canonical(entry(1).fields(1))).hexdigest()
    assert second.seq == 2 and second.prev_hash == first.hash
    assert second.hash == link(first.hash, entry(2).fields(2))
    # Canonical: key order and duplicate districts do not change the bytes; content does.
    shuffled = dataclasses.replace(entry(1), districts=("B2", "B2"), ids={"note_id": ["n1"], "contact_id": []})
    assert canonical(shuffled.fields(1)) == canonical(entry(1).fields(1))
    assert canonical(dataclasses.replace(entry(1), actor="someone-else").fields(1)) != canonical(entry(1).fields(1))


def test_an_intact_chain_verifies_and_appending_after_its_head_continues_it() -> None:
    stored = chain(0, GENESIS, [entry(i) for i in range(1, 4)])
    stored += chain(stored[-1].seq, stored[-1].hash, [entry(4)])
    v = verify(stored)
    assert v.intact and v.entries == 4 and v.head_seq == 4 and v.head_hash == stored[-1].hash
    assert verify([]).intact and verify([]).head_hash == GENESIS


def test_an_edited_entry_is_named() -> None:
    stored = chain(0, GENESIS, [entry(i) for i in range(1, 6)])
    edited = dict(stored[2].fields) | {"actor": "nobody"}
    stored[2] = Stored(3, edited, stored[2].prev_hash, stored[2].hash)
    v = verify(stored)
    assert not v.intact and v.broken_seq == 3 and "changed" in (v.reason or "")
    assert v.entries == 2 and v.head_seq == 2


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    stored = chain(0, GENESIS, [entry(i) for i in range(1, 6)])
    edited = dict(stored[2].fields) | {"actor": "nobody"}
    stored[2] = Stored(3, edited, stored[2].prev_hash, link(stored[2].prev_hash, edited))
    v = verify(stored)
    assert v.broken_seq == 4 and "previous hash" in (v.reason or "")


def test_a_removed_entry_is_a_gap() -> None:
    stored = chain(0, GENESIS, [entry(i) for i in range(1, 6)])
    del stored[1]
    v = verify(stored)
    assert v.broken_seq == 3 and "missing" in (v.reason or "")


def test_a_request_entry_holds_ids_districts_and_filters_but_no_words() -> None:
    class _State(dict):  # what Allow leaves in scope["state"]
        pass

    from porchlight.kit.auth import Principal, Role

    who = Principal("sgt-okafor", frozenset({Role.supervisor}), district="B2")
    scope = {
        "type": "http",
        "method": "GET",
        "state": _State(principal=who),
        "path_params": {},
        "query_string": b"district=B2&topic=lighting&from=2026-11-23&cursor=abc&q=Maria+Alvarez",
    }
    body = b'{"total":1,"notes":[{"note_id":"n-1","district":"B2","text":"Maria Alvarez said","concerns":[]}]}'
    e = entry_of_request(scope, "read", "GET /v1/insights/notes", 200, body)
    assert (e.actor, e.roles, e.actor_district) == ("sgt-okafor", ("supervisor",), "B2")
    assert e.ids == {"note_id": ["n-1"]} and e.districts == ("B2",)
    assert e.filters == {"district": ["B2"], "topic": ["lighting"], "from": ["2026-11-23"]}
    assert "Maria" not in canonical(e.fields(1)).decode()
    # A path's district and ids; a list's plain ``id`` fields are ids of the route's kind.
    scope |= {"path_params": {"code": "C3", "contact_id": "c-9"}, "query_string": b""}
    e = entry_of_request(scope, "read", "GET /v1/contacts/{contact_id}", 200, b'{"id":"c-9"}')
    assert e.districts == ("C3",) and e.ids == {"contact_id": ["c-9"]}
    assert _kind("/v1/districts/{code}/concerns.geojson") == "concern" and _kind("/v1/notes") == "note"
