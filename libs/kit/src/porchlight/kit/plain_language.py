"""Plain language, checked as a public text is written: reading grade, sentence length, jargon.

Every text residents read (updates, wins, public tasks, neighborhood pages, newsletters, flyers)
is scored here, in the editor as it is typed and again when it is published. The targets follow
the US Plain Writing Act's guidance and the article behind issue 18 ("translate complexity: turn
policy and planning into plain language"): a reading grade of 8 or below; above grade 10 a
person must say why before it goes out (the reason is kept with the update).

Grades come from textstat (Flesch-Kincaid for English; Crawford's years of schooling for
Spanish). A one-line title alone gives a meaningless grade, so callers score the title and the
words together. The jargon list names police and city terms residents trip over and what to say
instead; a city adds its own with ``jargon=`` (e.g. a department's acronyms).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import JsonDict
from textstat.textstat import textstatistics

Language = Literal["en", "es"]

#: The grade a public text should read at, and the grade above which publishing needs a reason.
GRADE_TARGET = 8.0
GRADE_NEEDS_REASON = 10.0
#: A sentence longer than this is flagged (plain-language guides aim for 15-20 words on average).
LONG_SENTENCE = 25


@dataclass(frozen=True)
class Term:
    """A term residents may not know, how to find it, and what to say instead."""

    term: str
    instead: str
    #: Acronyms match only in capitals ("CAD", not "cad"); phrases match in any case.
    acronym: bool = False


#: Police and city terms with plain alternatives. English terms are looked for in Spanish texts
#: too (acronyms and borrowed terms are left untranslated in practice).
JARGON: tuple[Term, ...] = (
    Term("Part I crimes", "serious crimes, like burglary, robbery and assault"),
    Term("Part 1 crimes", "serious crimes, like burglary, robbery and assault"),
    Term("Part II crimes", "less serious crimes, like vandalism or trespassing"),
    Term("CAD", "the 911 dispatch system", acronym=True),
    Term("RMS", "police records", acronym=True),
    Term("GOA", "the person had left when officers arrived", acronym=True),
    Term("UTL", "officers could not find the person", acronym=True),
    Term("BOLO", "a lookout", acronym=True),
    Term("UCR", "the FBI's crime counts", acronym=True),
    Term("NIBRS", "the FBI's crime counts", acronym=True),
    Term("CPTED", "designing places so they feel and are safer", acronym=True),
    Term("ROW", "the street and sidewalk", acronym=True),
    Term("proactive enforcement", "extra patrols"),
    Term("proactive patrol", "extra patrols"),
    Term("directed patrol", "extra patrols at set places"),
    Term("saturation patrol", "more officers in one area"),
    Term("calls for service", "calls to the police"),
    Term("quality-of-life offenses", "problems like noise, litter or public drinking"),
    Term("quality of life offenses", "problems like noise, litter or public drinking"),
    Term("hot spot", "a place with many problems"),
    Term("abatement", "fixing the problem (like cleaning up or closing a property)"),
    Term("nuisance abatement", "fixing a problem property"),
    Term("code enforcement", "the city's building and property inspectors"),
    Term("right-of-way", "the street and sidewalk"),
    Term("perpetrator", "the person who did it"),
    Term("suspect vehicle", "the car"),
    Term("apprehended", "caught"),
    Term("canvass", "knock on doors"),
    Term("deployed", "sent"),
    Term("mitigate", "reduce"),
    Term("mitigation", "making it smaller"),
    Term("remediation", "fixing"),
    Term("luminaire", "street light"),
    Term("illumination", "lighting"),
    Term("signalization", "traffic lights"),
    Term("ordinance", "city law"),
    Term("pursuant to", "under"),
    Term("aforementioned", "this"),
    Term("utilize", "use"),
    Term("utilized", "used"),
    Term("commence", "start"),
    Term("subsequent", "later"),
    Term("in order to", "to"),
    Term("stakeholders", "the people and groups involved"),
    Term("jurisdiction", "area"),
    Term("interagency", "between city departments"),
    Term("patrullaje proactivo", "más patrullas"),
    Term("diligencias", "trámites"),
    Term("mitigar", "reducir"),
)


_FLAG_EX: JsonDict = {
    "kind": "jargon",
    "text": "proactive enforcement",
    "start": 4,
    "end": 25,
    "message": "\u201cproactive enforcement\u201d is police or city language",
    "instead": "extra patrols",
}


class Flag(BaseModel):
    """One thing to change: where it is in the text, what it is, and what to write instead."""

    model_config = {"json_schema_extra": {"examples": [_FLAG_EX]}}

    kind: Literal["jargon", "long_sentence"]
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    message: str
    instead: str | None = None


class Reading(BaseModel):
    """How plain a text reads: its grade against the target, and each thing to change."""

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "language": "en",
                    "grade": 12.4,
                    "target": GRADE_TARGET,
                    "needs_reason_above": GRADE_NEEDS_REASON,
                    "verdict": "needs_reason",
                    "words": 21,
                    "sentences": 1,
                    "longest_sentence": 21,
                    "flags": [_FLAG_EX],
                }
            ]
        }
    }

    language: Language
    grade: float
    target: float = GRADE_TARGET
    needs_reason_above: float = GRADE_NEEDS_REASON
    #: ``plain``: at or below the target with nothing flagged; ``review``: above the target or
    #: flagged; ``needs_reason``: above grade 10, published only with a written reason.
    verdict: Literal["plain", "review", "needs_reason"]
    words: int
    sentences: int
    longest_sentence: int
    flags: list[Flag]


# Closing quotes and brackets may follow a sentence's end; apostrophes (straight or typographic,
# U+2019) join a word.
_SENTENCE_END = re.compile('(?<=[.!?\u2026])["\u201d\u2019)\\]]*\\s+|\\n{2,}')
_WORD = re.compile("[^\\W_]+(?:['\u2019-][^\\W_]+)*")


@cache
def _statistics(language: Language) -> textstatistics:
    stats = textstatistics()
    stats.set_lang(language)
    return stats


@cache
def _pattern(term: Term) -> re.Pattern[str]:
    words = r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", term.term))
    return re.compile(rf"(?<![\w-]){words}(?![\w-])", 0 if term.acronym else re.IGNORECASE)


def grade_of(text: str, language: Language = "en") -> float:
    """The reading grade (school years) of ``text``; 0 for an empty one."""
    if not _WORD.search(text):
        return 0.0
    stats = _statistics(language)
    grade = stats.crawford(text) if language == "es" else stats.flesch_kincaid_grade(text)
    return round(max(0.0, float(grade)), 1)


def _sentences(text: str) -> list[tuple[int, str]]:
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        out.append((start, text[start : match.start()]))
        start = match.end()
    out.append((start, text[start:]))
    return [(i, s) for i, s in out if _WORD.search(s)]


def _jargon_flags(text: str, terms: tuple[Term, ...]) -> list[Flag]:
    flags: list[Flag] = []
    taken: list[tuple[int, int]] = []
    # Longer terms first, so "nuisance abatement" is one flag, not also "abatement".
    for term in sorted(terms, key=lambda t: -len(t.term)):
        for m in _pattern(term).finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            what = "an acronym residents may not know" if term.acronym else "police or city language"
            flags.append(
                Flag(
                    kind="jargon",
                    text=m.group(0),
                    start=m.start(),
                    end=m.end(),
                    message=f"“{m.group(0)}” is {what}",
                    instead=term.instead,
                )
            )
    return flags


def check(text: str, language: Language = "en", *, jargon: tuple[Term, ...] = JARGON) -> Reading:
    """Score ``text`` (a title and its words together): grade, long sentences, jargon."""
    sentences = _sentences(text)
    lengths = [len(_WORD.findall(s)) for _, s in sentences]
    flags = _jargon_flags(text, jargon)
    for (start, sentence), n in zip(sentences, lengths, strict=True):
        if n > LONG_SENTENCE:
            flags.append(
                Flag(
                    kind="long_sentence",
                    text=sentence.strip()[:80],
                    start=start,
                    end=start + len(sentence),
                    message=f"a sentence of {n} words: split it (aim for 20 or fewer)",
                )
            )
    flags.sort(key=lambda f: f.start)
    grade = grade_of(text, language)
    verdict: Literal["plain", "review", "needs_reason"] = (
        "needs_reason" if grade > GRADE_NEEDS_REASON else "review" if grade > GRADE_TARGET or flags else "plain"
    )
    return Reading(
        language=language,
        grade=grade,
        verdict=verdict,
        words=sum(lengths),
        sentences=len(sentences),
        longest_sentence=max(lengths, default=0),
        flags=flags,
    )
