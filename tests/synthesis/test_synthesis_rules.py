"""Pure rules of synthesis (no model, no servers): what is material, where quotes come from."""

from __future__ import annotations

from porchlight.synthesis.analysis.analyze import compose_document, locate
from porchlight.synthesis.insights.material import material_reason
from porchlight.synthesis.model import split_concerns


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
