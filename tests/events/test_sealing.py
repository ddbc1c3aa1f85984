"""Residents' words sealed under their note's key (docs/adr/0014): what goes on the wire, what opens,
what a shredded key leaves, and a keyring that never gives an erased note a key again."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from porchlight.events import (
    CorrelationDetected,
    CorrelationDetectedV2,
    NoteAnalyzedV2,
    NoteRevisedV2,
    NoteSubmitted,
    NoteSubmittedV2,
)
from porchlight.events.catalog import Concern, ConcernAnalysis
from porchlight.events.keyring import keys_of, shred
from porchlight.events.sealing import SealFailed, new_key, notes_to_open, notes_to_seal, open_sealed, seal
from porchlight.kit.db import create_engine
from porchlight.kit.settings import KitSettings

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
WORDS = ["glimmerwick lot", "snorkle alley", "call the plumbatrix", "talked of quondavelle"]


def _note(note_id: uuid.UUID) -> NoteSubmittedV2:
    return NoteSubmittedV2(
        note_id=note_id,
        district="A1",
        host_id="officer-1",
        submitted_at=NOW,
        concerns=[Concern(text=WORDS[0], topic="traffic", location=WORDS[1]), Concern(text="dark corner")],
        follow_ups=[WORDS[2]],
        text=WORDS[3],
        sentiment=2,
        attendees=5,
    )


def test_a_note_travels_with_no_word_in_clear_and_opens_with_its_key() -> None:
    n = uuid.uuid4()
    keys = {n: new_key()}
    wire = seal(_note(n), keys)
    raw = wire.model_dump_json()
    assert not any(w in raw for w in [*WORDS, "dark corner"])
    # What counts stays readable: district, topics, sentiment, attendees, how many concerns.
    assert wire.concerns[0].topic == "traffic" and len(wire.concerns) == 2 and wire.attendees == 5
    assert notes_to_open(wire) == {n} and notes_to_seal(wire) == set()  # sealed once, not twice
    back = open_sealed(NoteSubmittedV2.model_validate_json(raw), keys)
    assert back == _note(n)


def test_a_shredded_key_opens_to_blank_words_and_keeps_the_counts() -> None:
    n = uuid.uuid4()
    wire = seal(_note(n), {n: new_key()})
    gone = open_sealed(wire, {})
    assert gone.text == "" and gone.follow_ups == [] and [c.text for c in gone.concerns] == ["", ""]
    assert [c.location for c in gone.concerns] == [None, None] and gone.concerns[0].topic == "traffic"
    assert gone.sealed == [] and gone.sentiment == 2
    # And a seal without the note's key (an erased note) sends no words at all.
    assert seal(_note(n), {}).sealed == [] and seal(_note(n), {}).text == ""


def test_an_altered_or_moved_blob_is_refused_not_opened_blank() -> None:
    n, other = uuid.uuid4(), uuid.uuid4()
    key = new_key()
    wire = seal(_note(n), {n: key})
    blob = wire.sealed[0]
    flipped = blob.data[:-2] + ("A" if blob.data[-2] != "A" else "B") + blob.data[-1]
    with pytest.raises(SealFailed):
        open_sealed(wire.model_copy(update={"sealed": [blob.model_copy(update={"data": flipped})]}), {n: key})
    with pytest.raises(SealFailed):  # the wrong key
        open_sealed(wire, {n: new_key()})
    # The same words claimed for another note (same key) do not open: the note id is authenticated.
    moved = wire.model_copy(update={"note_id": other, "sealed": [blob.model_copy(update={"note_id": other})]})
    with pytest.raises(SealFailed):
        open_sealed(moved, {other: key})


def test_each_version_2_event_seals_what_it_carries() -> None:
    n, m = uuid.uuid4(), uuid.uuid4()
    keys = {n: new_key(), m: new_key()}
    revised = NoteRevisedV2(**_note(n).model_dump(exclude={"revision"}), revision=2, revised_at=NOW)
    analyzed = NoteAnalyzedV2(
        note_id=n,
        district="A1",
        model_version="v1",
        concerns=[ConcernAnalysis(text=WORDS[0], topic="traffic", sentiment="negative", sentiment_score=-0.5)],
        sentiment="negative",
        sentiment_score=-0.5,
    )
    correlation = CorrelationDetectedV2(
        correlation_id=uuid.uuid4(),
        district="A1",
        layers=["street_light_outage", "incident", "concerns"],
        place="cell",
        note_ids=[n, m],
        quotes=[WORDS[0], WORDS[2], WORDS[3]],
        quote_note_ids=[n, m, n],
    )
    for event in (revised, analyzed, correlation):
        wire = seal(event, keys)
        assert not any(w in wire.model_dump_json() for w in WORDS), type(event).__name__
        assert open_sealed(type(event).model_validate_json(wire.model_dump_json()), keys).model_dump(
            exclude={"quotes", "quote_note_ids"}
        ) == event.model_dump(exclude={"quotes", "quote_note_ids"})
    opened = open_sealed(seal(correlation, keys), keys)
    assert sorted(zip(opened.quotes, opened.quote_note_ids, strict=True)) == sorted(
        zip(correlation.quotes, correlation.quote_note_ids, strict=True)
    )
    # One of the two notes erased: its quotes go, the other note's stay.
    partly = open_sealed(seal(correlation, keys), {m: keys[m]})
    assert partly.quotes == [WORDS[2]] and partly.quote_note_ids == [m]


def test_a_version_1_payload_is_a_version_2_event_with_its_words_in_clear() -> None:
    n = uuid.uuid4()
    v1 = NoteSubmitted.model_validate(_note(n).model_dump(exclude={"sealed"}))
    as_v2 = NoteSubmittedV2.model_validate(v1.model_dump())
    assert as_v2.text == WORDS[3] and as_v2.sealed == []
    assert open_sealed(as_v2, {}) == as_v2  # nothing sealed, nothing to open
    old = CorrelationDetected(correlation_id=uuid.uuid4(), district="A1", layers=[], place="c", quotes=["q"])
    assert CorrelationDetectedV2.model_validate(old.model_dump()).quotes == ["q"]


@pytest.mark.integration
async def test_the_keyring_never_gives_a_shredded_note_a_key_again(settings: KitSettings) -> None:
    n, m = uuid.uuid4(), uuid.uuid4()
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.begin() as conn:
            made = await keys_of(conn, [n, m], create=True)
            assert set(made) == {n, m} and made[n] != made[m] and len(made[n]) == 32
            assert await keys_of(conn, [n, m], create=True) == made  # created once
            assert await shred(conn, [n, uuid.uuid4()]) == 1  # an unknown note gets a tombstone too
            assert await keys_of(conn, [n, m], create=True) == {m: made[m]}
            assert await shred(conn, [n]) == 0  # twice is harmless
            left = (await conn.execute(sa.text("SELECT key FROM keyring.note_keys WHERE note_id = :n"), {"n": n})).one()
            assert left.key is None
    finally:
        await engine.dispose()
