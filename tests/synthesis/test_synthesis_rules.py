"""Pure rules of synthesis (no model, no servers): what is material, where quotes come from."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from porchlight.synthesis.insights.schemas import Insight, PeriodOut, PlaceOut, SentimentCounts, SentimentMixOut
from porchlight.synthesis.insights.service import material_reason
from porchlight.synthesis.insights.summary import summarize
from porchlight.synthesis.model import split_concerns
from porchlight.synthesis.model.analyze import compose_document, locate
from porchlight.synthesis.model.live import latest_per_statement


def test_material_changes_are_first_ranking_and_large_moves_only() -> None:
    assert material_reason(None, {}, ["noise"], {"noise": 1}) == "first"
    assert material_reason(None, {}, [], {}) is None
    published = ["noise", "parks", "graffiti"]
    counts = {"noise": 10, "parks": 8, "graffiti": 4}
    assert material_reason(published, counts, published, {**counts, "noise": 11}) is None
    assert material_reason(published, counts, published, {**counts, "noise": 12}) is None
    assert material_reason(published, counts, published, {**counts, "noise": 13}) == "counts"  # >= 3 and >= 25 %
    assert material_reason(published, counts, ["parks", "noise", "graffiti"], counts) == "ranking"
    assert material_reason(published, counts, ["noise", "parks", "trash_dumping"], counts) == "ranking"
    big = {"noise": 40, "parks": 8, "graffiti": 4}
    assert material_reason(published, big, published, {**big, "noise": 49}) is None  # 9 < 25 % of 40
    assert material_reason(published, big, published, {**big, "noise": 50}) == "counts"


def test_every_concern_is_an_exact_span_of_the_note_document() -> None:
    fields = ["  streetlight   out on\tElm St ", "", "speeding near the school"]
    text = "Good turnout.\n\nThe lamp at NW 5th Ave. near the park is dark. Cars race at night!  Thanks."
    document = compose_document(fields, text)
    concerns = split_concerns(text, fields)
    spans = locate(document, concerns)
    assert len(concerns) >= 5
    for concern, (start, end) in zip(concerns, spans, strict=True):
        assert start >= 0 and document[start:end] == concern
    assert document.startswith("streetlight out on Elm St\nspeeding near the school\n")


def test_a_text_that_is_not_in_the_document_is_never_quoted() -> None:
    assert locate("abc def", ["def", "xyz", "abc"]) == [(4, 7), (-1, -1), (0, 3)]


def _insight(notes: int, pending: int) -> Insight:
    period = PeriodOut(start=date(2026, 11, 1), end=date(2026, 11, 30), days=30)
    return Insight(
        place=PlaceOut(district="D1", neighborhood=None),
        period=period,
        previous_period=PeriodOut(start=date(2026, 10, 2), end=date(2026, 10, 31), days=30),
        notes=notes,
        concerns=notes,
        previous_notes=2,
        pending=pending,
        unassigned=0,
        topics=[],
        sentiment=SentimentMixOut(notes=SentimentCounts(negative=notes), host_rating_mean=None, host_rated_notes=0),
        emerging=[],
        summary=[],
        model_versions=[],
        generated_at=datetime(2026, 11, 30, tzinfo=UTC),
    )


def test_notes_waiting_for_analysis_are_reported_not_counted_nor_called_absent() -> None:
    waiting = [uuid.uuid4(), uuid.uuid4(), uuid.uuid4()]
    before = [uuid.uuid4(), uuid.uuid4()]
    # Nothing analyzed yet: never "no notes were filed" while three are waiting.
    first = summarize(_insight(0, 3), [], before, {}, {}, waiting)
    texts = [s.text for s in first]
    assert not any("No notes were filed" in t for t in texts)
    assert texts[-1] == "3 notes are waiting for analysis and not counted here yet."
    assert first[-1].figures[0].path == "/pending" and first[-1].figures[0].value == 3
    assert set(first[-1].note_ids) == set(waiting)
    # Some analyzed, one waiting: the figures stand and the last sentence says one more is coming.
    later = summarize(_insight(4, 1), [uuid.uuid4() for _ in range(4)], before, {}, {}, waiting[:1])
    assert later[0].text.startswith("4 notes raised")
    assert later[-1].text == "1 more note is waiting for analysis and not counted here yet."
    # None waiting: no such sentence.
    done = summarize(_insight(4, 0), [uuid.uuid4() for _ in range(4)], before, {}, {})
    assert not any("waiting" in s.text for s in done)
    # Nothing at all: the old sentence.
    empty = summarize(_insight(0, 0), [], before, {}, {})
    assert [s.text for s in empty] == [
        "No notes were filed for D1 in this period; the previous period of equal length had 2 notes."
    ]


def test_a_later_correction_of_the_same_statement_overrules_the_earlier_one() -> None:
    corrections = [
        ("The fence around the garden keeps falling", "parks"),
        ("Cars race down Elm Street", "speeding_traffic"),
        ("the fence around the  garden keeps falling", "property_code"),
    ]
    assert latest_per_statement(corrections) == [
        ("Cars race down Elm Street", "speeding_traffic"),
        ("the fence around the  garden keeps falling", "property_code"),
    ]
