"""The plain-language check (pure logic): grades, long sentences, jargon with plain alternatives."""

from __future__ import annotations

from porchlight.kit.plain_language import GRADE_NEEDS_REASON, GRADE_TARGET, Term, check, grade_of

JARGON_DRAFT = (
    "Due to proactive enforcement and CAD data, Part I crimes dropped. Public Works completed nuisance "
    "abatement pursuant to the ordinance in order to mitigate quality-of-life offenses across the jurisdiction."
)
PLAIN = "The streetlights on Tremont St are fixed. Twelve residents told us it was dark at night."


def test_a_jargon_filled_draft_is_flagged_term_by_term_with_what_to_say_instead() -> None:
    reading = check(JARGON_DRAFT)
    assert reading.grade > GRADE_NEEDS_REASON and reading.verdict == "needs_reason"
    found = {f.text: f.instead for f in reading.flags if f.kind == "jargon"}
    assert found["proactive enforcement"] == "extra patrols"
    assert found["CAD"] == "the 911 dispatch system"
    assert "Part I crimes" in found and "quality-of-life offenses" in found
    # The longer term is one flag, not also its last word.
    assert "nuisance abatement" in found and "abatement" not in found
    for flag in reading.flags:
        assert JARGON_DRAFT[flag.start : flag.end] == flag.text
    assert [f.start for f in reading.flags] == sorted(f.start for f in reading.flags)


def test_plain_text_passes_in_english_and_spanish() -> None:
    reading = check(PLAIN)
    assert reading.verdict == "plain" and reading.flags == []
    assert reading.grade <= GRADE_TARGET and reading.sentences == 2 and reading.words == 16
    es = check("Las luces de la calle Tremont están arregladas. Doce vecinos nos dijeron que estaba oscuro.", "es")
    assert es.language == "es" and es.verdict == "plain" and es.grade <= GRADE_TARGET


def test_acronyms_match_in_capitals_only_and_long_sentences_are_flagged() -> None:
    assert check("The cad was late; goa is a place.").flags == []
    long = " ".join(["word"] * 30) + ". Short one."
    [flag] = check(long).flags
    assert flag.kind == "long_sentence" and "30 words" in flag.message and flag.start == 0
    assert check(long).longest_sentence == 30


def test_a_city_adds_its_own_terms_and_empty_text_scores_zero() -> None:
    reading = check("The SARA model guided us.", jargon=(Term("SARA", "a problem-solving method", acronym=True),))
    assert [f.instead for f in reading.flags] == ["a problem-solving method"]
    assert grade_of("") == 0.0 and check("   ").verdict == "plain"
