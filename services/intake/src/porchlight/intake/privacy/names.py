"""Names introduced as names: only a context says a capitalised word is someone's name.

For every capitalised word, the two or three words before it are read against the contexts
below. Strong contexts ("my name is", "call me", "named", a title such as "Mr."/"Officer", a
letter's closing "Sincerely,", a dash signature ending the text) take any capitalised word that
is not a common word. Weak contexts ("I'm", "this is", "contact", "Thanks,", a relative: "my son
Kevin") take only a known given name, because "I'm Concerned" and "this is Ridiculous" are
sentences, not introductions. A name followed by a street suffix or a place word is a place
("Martin Luther King Blvd", "Jane Addams Park") and stays.

Titles: officers' names are redacted like residents' (personal data either way; the title is
kept: "Officer [NAME]"). Officials named by office ("Mayor Frey", "Chief Arradondo", "Council
Member Bender") are public in that role and stay; so do the public figures the texts discuss
after "Mr."/"Dr." (George Floyd, Martin Luther King).
"""

from __future__ import annotations

import re

from porchlight.intake.privacy.lexicon import (
    GIVEN_NAMES,
    NAME_PARTICLES,
    NOT_NAMES,
    PLACE_WORDS,
    STREET_SUFFIXES,
    word_set,
)

Span = tuple[int, int, str]

#: Abbreviated titles take a name with or without their dot ("Mr Smith", "Lt. Kroll") -- except
#: "Dr", which needs it ("2 DR Malibu" is a two-door car, "Oak Dr Smith" a street).
_ABBREVIATED_TITLES = word_set("mr mrs ms mx dr ofc sgt det lt cpl ptl")
#: Titles written out end a sentence when a dot follows ("... alone with an officer. Changing").
_WORD_TITLES = word_set("miss officer sergeant detective lieutenant corporal deputy trooper")
_TITLES = _ABBREVIATED_TITLES | _WORD_TITLES
_STRONG_TAILS = frozenset(
    {
        ("name", "is"),
        ("name", "was"),
        ("name's",),
        ("name", ":"),
        ("call", "me"),
        ("named",),
        ("goes", "by"),
        ("name", "of"),
        ("signed", ","),
        ("signed", ":"),
        ("sincerely",),
        ("sincerely", ","),
        ("regards", ","),
        ("respectfully", ","),
        ("truly", ","),
    }
)
_RELATIVES = word_set(
    """
    neighbor neighbour neighbors neighbours son sons daughter daughters wife husband partner
    boyfriend girlfriend mom mother dad father brother sister friend friends landlord landlady
    roommate tenant grandson granddaughter grandma grandmother grandpa grandfather nephew niece
    uncle aunt cousin kid kids child
    """
)
_WEAK_TAILS = frozenset(
    {
        ("i'm",),
        ("i", "am"),
        ("this", "is"),
        ("it's",),
        ("contact",),
        ("ask", "for"),
        ("speak", "to"),
        ("speak", "with"),
        ("talk", "to"),
        ("thanks", ","),
        ("thank", "you", ","),
        ("cheers", ","),
        ("best", ","),
        *((r,) for r in _RELATIVES),
        *((r, ",") for r in _RELATIVES),
    }
)
#: Words any context needs: a text with none of them (and no given name) has no name to find.
_TRIGGERS = _TITLES | _RELATIVES | frozenset(w for tail in _STRONG_TAILS | _WEAK_TAILS for w in tail)

_CANDIDATE = re.compile(r"(?<![\w'\u2019.-])[A-ZÀ-ÖØ-Þ]")
#: Words, the punctuation contexts use, and placeholders (which match no context: "[NAME] was"
#: must not read as "name was").
_TAIL_TOKEN = re.compile(r"\[[A-Z]+\]|(?<![A-Za-z])[A-Za-z]+(?:['\u2019][A-Za-z]+)?|[,:.]")
_GAP = re.compile(r"[ \t]*\n?[ \t]*")
#: A dash signature closing the text: "... thanks! - Jane R." / "— J. Roe"
_DASH_SIGNATURE = re.compile(r"(?:^|\s)(?:--?|\u2013|—)[ \t]*(?=\S[^\n]{0,40}\s*\Z)")

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-](?!s\b)[^\W\d_]+)*")
_INITIAL = re.compile(r"[A-Z]\.?(?![\w'\u2019])")
_GENERATION = frozenset({"jr", "sr", "ii", "iii", "iv"})
_LOWER = re.compile(r"[a-z]")
#: Public figures the texts discuss after a title ("Mr. Floyd", "Mr. George Floyd", "Dr. King",
#: "Dr. Martin Luther King"), by the words their name starts with.
_PUBLIC_FIGURES = (("floyd",), ("george", "floyd"), ("king",), ("martin", "luther"))
#: A word after a name that makes it a description: "Sincerely, Minneapolis Resident".
_DESCRIBED = word_set(
    "resident residents homeowner homeowners citizen citizens neighbor neighbors voter voters "
    "taxpayer taxpayers family families community parent parents business owner owners"
)


#: Lowercase particles right before a capitalised word, themselves after a space.
_PARTICLES_BEFORE = re.compile(
    r"(?<=[ \t])((?:(?:" + "|".join(sorted(NAME_PARTICLES, key=len, reverse=True)) + r") ){1,2})\Z"
)


def _context(text: str, pos: int) -> str | None:
    """'strong', 'title', 'weak' or None: what the words just before ``pos`` say about it."""
    before = text[max(0, pos - 24) : pos].split()
    if not before or before[-1].lower().strip(",.:").replace("\u2019", "'") not in _TRIGGERS:
        return None  # the common case, decided without tokenising: "... at night. The"
    tokens = list(_TAIL_TOKEN.finditer(text, max(0, pos - 40), pos))
    if not tokens or not _GAP.fullmatch(text, tokens[-1].end(), pos):
        return None
    words = [t.group().lower().replace("\u2019", "'") for t in tokens[-3:]]
    last = words[-1]
    if last == "." and len(words) > 1 and words[-2] in _ABBREVIATED_TITLES:
        return "title"
    if last in _TITLES and last != "dr" and (last != "miss" or tokens[-1].group() == "Miss"):
        return "title"  # "I miss Minneapolis" is not a title
    for n in (3, 2, 1):
        tail = tuple(words[-n:])
        if tail in _STRONG_TAILS:
            return "strong"
        if tail in _WEAK_TAILS:
            return "weak"
    return None


def _capitalised_word(text: str, pos: int) -> re.Match[str] | None:
    m = _WORD.match(text, pos)
    if not m or not m.group()[0].isupper() or m.group().lower() in NOT_NAMES:
        return None
    if len(m.group()) > 1 and m.group().isupper() and _LOWER.search(text, max(0, pos - 40), pos + 40):
        return None  # an acronym in ordinary text ("goes by GRU", "-JFK"); all-caps notes still count
    return m


def _take_name(text: str, pos: int, *, known_given: bool, max_words: int = 3) -> tuple[int, str] | None:
    """End and lowercased words of the name starting at ``pos``, or None if none starts there."""
    initial = _INITIAL.match(text, pos)
    if initial and initial.group().endswith(".") and text[initial.end() : initial.end() + 1] == " ":
        first = _capitalised_word(text, initial.end() + 1)  # "J. Roe": the surname must follow
        if first is None or known_given:
            return None
    else:
        first = _capitalised_word(text, pos)
        if first is None or (known_given and first.group().lower() not in GIVEN_NAMES):
            return None
    end, words = first.end(), [first.group().lower()]
    while len(words) < max_words and text[end : end + 1] == " ":
        initial = _INITIAL.match(text, end + 1)
        if initial and (initial.group().endswith(".") or not text[initial.end() :].strip()):
            end = initial.end()  # "Mary H." / "- Jane R" at the very end
            break
        nxt = _capitalised_word(text, end + 1)
        if nxt is None:
            break
        if text[nxt.end() : nxt.end() + 1] == ":":
            break  # a form's next label: "Last Name: Jenkins First Name: Kelly"
        if nxt.group().lower() in _GENERATION:
            end = nxt.end() + (text[nxt.end() : nxt.end() + 1] == ".")
            break
        if nxt.group().lower() in STREET_SUFFIXES or nxt.group().lower() in PLACE_WORDS:
            return None
        end, words = nxt.end(), [*words, nxt.group().lower()]
    following = text[end + 1 : end + 2] if text[end : end + 1] == " " else ""
    if following.isdigit():
        return None  # "Regards, Ward 4 resident"
    after = _WORD.match(text, end + 1) if following else None
    if after and (after.group().lower() in STREET_SUFFIXES or after.group().lower() in PLACE_WORDS):
        return None  # a place named after someone
    if after and after.group().lower() in _DESCRIBED:
        return None
    return end, " ".join(words)


def _public_figure(words: list[str]) -> bool:
    return any(tuple(words[: len(figure)]) == figure for figure in _PUBLIC_FIGURES)


def find_names(text: str, vocab: frozenset[str]) -> list[Span]:
    spans: list[Span] = []
    if not vocab.isdisjoint(_TRIGGERS) or not vocab.isdisjoint(GIVEN_NAMES):
        taken_until = 0
        for m in _CANDIDATE.finditer(text):
            pos = m.start()
            if pos < taken_until:
                continue  # inside the name just taken ("Officer Cody Holte")
            start = pos
            if particles := _PARTICLES_BEFORE.search(text, max(0, pos - 12), pos):
                start = particles.start(1)  # "Mr. del Valle", "Ms. van der Berg": the particles are the name's
            kind = _context(text, start)
            if kind is None or (start < pos and kind == "weak"):
                continue
            taken = _take_name(text, pos, known_given=kind == "weak")
            if taken is None or (kind == "title" and _public_figure(taken[1].split())):
                continue
            spans.append((start, taken[0], "name"))
            taken_until = taken[0]
    for m in _DASH_SIGNATURE.finditer(text, max(0, len(text) - 64)):
        taken = _take_name(text, m.end(), known_given=False)
        if taken and not text[taken[0] :].strip(" \t\n.!"):
            spans.append((m.end(), taken[0], "name"))
    return spans
