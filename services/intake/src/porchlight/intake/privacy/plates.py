"""Licence plates: read after a plate word ("plate ABC 1234"), or plate-shaped on their own.

After a plate word (and fillers such as "number", "#", ":", a state code) the next one or two
tokens are the plate when together they hold 4-8 letters and digits, at least one a digit, in one
case. Vanity plates of letters only are not caught: "PLATE NOT VISIBLE" in an all-caps note must
survive. Digits alone need five or more and must not read as a year or date ("tags expired 2019",
"tags 09-17"). On their own, only the shapes plates are issued in, in capitals, count:
``ABC-1234``/``KJX4419``, ``7XYZ123``/``4GHT-881``, ``123-ABC``; codes of the same shape that are
not plates (``FY2020``, ``SR520``, ``HB1234``, ``100MPH``, ``GNV311``) are listed out. "I-95",
"COVID-19", district codes ("A1", "C11"), "4x4", "MP3" are too short or mixed-case to qualify.
"""

from __future__ import annotations

import re

from porchlight.intake.privacy.lexicon import word_set

Span = tuple[int, int, str]

_PLATE_WORDS = word_set("license licence plate plates tag tags reg registration")
_PLATE_WORD = re.compile(r"\b(?:licen[cs]e(?:[ \t]+plates?)?|plates?|tags?|reg(?:istration)?)\b", re.IGNORECASE)
_TOKEN = re.compile(r"[ \t]*(?P<tok>[#:=]|[A-Za-z0-9][A-Za-z0-9-]*)")
_FILLERS = word_set("# : = number num no no. nr was is reads read of ending starting with in partial")
_US_STATES = word_set(
    """AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
    NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"""
)
_SERVICE_LINE = re.compile(r"(?<!\d)[349]11(?!\d)")
_YEARISH = re.compile(r"(?:19|20)\d\d")

_STANDALONE = re.compile(
    r"(?<![\w/.@\]-])(?:"
    r"(?P<a>[A-Z]{2,3})-?\d{3,4}"  # ABC-1234, KJX4419
    r"|\d[A-Z]{2,3}-?\d{2,4}"  # 7XYZ123, 4GHT-881
    r"|\d{3}-?(?P<c>[A-Z]{3})"  # 123-ABC
    r")(?![\w/@\[-]|\.\w)"
)
#: A capital next to a digit: the cheapest sign a text may hold a plate-shaped token.
_MAYBE_STANDALONE = re.compile(r"[A-Z]-?\d|\d-?[A-Z]")
#: Letter prefixes of codes shaped like plates: years, routes, bills, files, schools.
_NOT_PLATE_PREFIXES = word_set(
    "FY CY SR US CR RT RTE HWY HB SB AB HF SF LB HR CF PS IS JHS MS HS CVE RFC ISO PM AM TV NO ID"
    " PO ZIP EO DC HUD ADA RFP RFQ FAQ GPS CPD NYPD APD LAPD BPD MPD SPD PD FD EMS UCR NIBRS"
    " CAD RMS CSO CRN OR ER ICU BUS APT STE"
)
#: Three-letter words a lowercase "plate <letters> <digits>" may hold that are not plates.
_NOT_LETTER_GROUPS = word_set(
    "and the for was not but had has are you his her our out any all one two six ten new old off per via its"
)
_NOT_PLATE_SUFFIXES = word_set("MPH HRS MIN SEC LBS YRS KGS SQF PCT AMS PMS THS NDS RDS STS FPS BPM RPM")


def _alnum(s: str) -> str:
    return "".join(c for c in s if c.isalnum())


def _plate_like(s: str) -> bool:
    chars = _alnum(s)
    if not 4 <= len(chars) <= 8 or not any(c.isdigit() for c in chars):
        return False
    if chars.isdigit() and (len(chars) < 5 or _YEARISH.fullmatch(chars)):
        return False  # "tags expired 2019", "expired tags 09-17"
    # mixed case is prose ("tag2Go"), plates are one case
    return not (any(c.islower() for c in chars) and any(c.isupper() for c in chars))


def _lowercase_plate(letters: str, digits: str) -> bool:
    """A plate written in lowercase ("plate abc 1234"): three letters that are no word, then 3-4 digits."""
    return (
        len(letters) == 3
        and letters.isalpha()
        and letters.islower()
        and letters not in _NOT_LETTER_GROUPS
        and digits.isdigit()
        and 3 <= len(digits) <= 4
    )


def _after_plate_word(text: str, pos: int) -> Span | None:
    tokens: list[re.Match[str]] = []
    while len(tokens) < 6:
        m = _TOKEN.match(text, pos)
        if not m:
            break
        tokens.append(m)
        pos = m.end()
    i = 0
    while i < len(tokens) and tokens[i]["tok"].lower() in _FILLERS:
        i += 1
    if i < len(tokens) - 1 and tokens[i]["tok"] in _US_STATES and _plate_like(tokens[i + 1]["tok"]):
        i += 1  # "plate MA 1ABC23": the state is public, the plate is not
    if i >= len(tokens):
        return None
    first = tokens[i]
    if i + 1 < len(tokens):  # "plate ABC 1234": two short groups make one plate
        second = tokens[i + 1]
        a, b = first["tok"], second["tok"]
        if (
            len(a) <= 4
            and len(b) <= 5
            and ((a.isalpha() and a.isupper()) or a.isdigit() or _lowercase_plate(a, b))
            and any(c.isdigit() for c in b)
            and _plate_like(a + b)
            and text[first.end() : second.start("tok")] == " "
        ):
            return (first.start("tok"), second.end(), "plate")
    if _plate_like(first["tok"]) and first["tok"][0] not in "#:=":
        return (first.start("tok"), first.end(), "plate")
    return None


def find_plates(text: str, vocab: frozenset[str]) -> list[Span]:
    spans: list[Span] = []
    if not vocab.isdisjoint(_PLATE_WORDS):
        for m in _PLATE_WORD.finditer(text):
            if found := _after_plate_word(text, m.end()):
                spans.append(found)
    if not _MAYBE_STANDALONE.search(text):
        return spans
    for m in _STANDALONE.finditer(text):
        if m["a"] in _NOT_PLATE_PREFIXES or m["c"] in _NOT_PLATE_SUFFIXES or _SERVICE_LINE.search(m.group()):
            continue  # "GNV311", "311GNV": the city's service line and its app
        spans.append((m.start(), m.end(), "plate"))
    return spans
