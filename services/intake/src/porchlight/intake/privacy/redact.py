"""Redaction of residents' personal data from free text (pure logic, no I/O).

Every text that leaves intake (events, exports, public pages) goes through :func:`redact`.
Personal data is replaced by typed placeholders -- ``[EMAIL]``, ``[PHONE]``, ``[PLATE]``,
``[NUMBER]`` (a house or apartment number), ``[ID]`` (an SSN-like number), ``[DATE]`` (a date of
birth), ``[NAME]`` -- and everything else is kept byte for byte, because synthesis later quotes
redacted text verbatim. Redacting twice changes nothing.

Decisions (see tests/intake/redaction_corpus.yaml for the cases that pin them):

- Emails: plain, spaced ("jane @ example . org") and obfuscated ("jane(at)example.org", "jane
  at example dot org"). A spelled-out "at" needs a spelled-out "dot" or a webmail domain, else
  "visit us at cityofboston.gov" would lose a website.
- Phones: ``phonenumbers`` at leniency VALID, run only on runs of ten or more digits, plus our
  own patterns for formatted North American numbers it rejects (555 numbers, unassigned area
  codes) and 7-digit local numbers written with a separator ("555-1234"). POSSIBLE leniency was
  measured and rejected: on the shared comments it took parcel ids ("15118-010-000") for phones,
  and bare 7-digit ids ("case 1286318").
- Not personal data, kept: years, times, counts, money, percentages, ordinals, route and bus
  numbers, 911/311, block numbers ("the 100 block of Main St": public and useful for places),
  and ZIP codes on their own (a ZIP covers thousands of people; it is place data, not a person).
- House numbers: only the number is replaced, the street is kept ("[NUMBER] Main St"). The number
  must be followed directly by a street name ending in a street suffix; "2 cars on Main St" is a
  count, "on 5th Ave" an ordinal street, "NW 19 Way" a numbered street. Apartment numbers ("apt
  4B", "unit 12", "12 Elm St #3") go too.
- SSN-like numbers: 3-2-4 digits with dashes, spaces or nothing between ("123-45-6789", "123 45
  6789", "123456789"), standing alone; a nine-digit ZIP ("ZIP 021394307") stays.
- Dates of birth: only a date a birth word introduces ("DOB 3/14/1985", "born March 14, 1985",
  "date of birth: 1985-03-14"); meeting dates and the like are not personal data and stay.
- Plates and names: see ``plates.py``, ``names.py`` (names introduced as names) and ``ner.py``
  (any PERSON the NER model finds, less offices, public figures and places, and the names it
  misreads that a given name of ``given_names.py``'s dictionary or a neighbouring name shows). Officers' names are
  redacted like anyone's (personal data too); the role is kept ("Officer [NAME]"). ``ner=False``
  runs the rules alone (the log filter: log lines are not prose, and must stay cheap).
- ``found`` lists only the kinds found: ``{}`` means nothing was replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import Leniency

from porchlight.intake.privacy.lexicon import COUNT_NOUNS, STREET_STOPWORDS, STREET_SUFFIXES, word_set
from porchlight.intake.privacy.names import find_names
from porchlight.intake.privacy.ner import find_person_entities
from porchlight.intake.privacy.plates import find_plates

#: Kinds in priority order: when two findings overlap, the earlier kind wins.
KINDS = ("email", "phone", "id", "plate", "number", "date", "name")
PLACEHOLDERS = {kind: f"[{kind.upper()}]" for kind in KINDS}

Span = tuple[int, int, str]
Finder = Callable[[str, frozenset[str]], list[Span]]


@dataclass(frozen=True)
class Redaction:
    """A redacted text and how many of each kind were replaced (never the values)."""

    text: str
    found: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.found)


# --- emails -----------------------------------------------------------------------------------

#: Local parts may hold letters of any script ("josé.pérez@..."): RFC 6531 allows them, people use them.
_LOCAL = r"[^\W_](?:[\w.%+-]{0,63})"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})"
_TLD = r"(?:com|org|net|edu|gov|us|io|info|biz|co|me|mil|ca|uk|app|dev|ai)"
_AT_BRACKETED = r"[ \t]*[(\[{<][ \t]*(?:at|AT|At)[ \t]*[)\]}>][ \t]*"
#: "[dot]" or " dot " -- every separator unambiguous, and at most eight labels, so that a text of
#: "dot dot dot ..." cannot send the matcher into exponential backtracking.
_DOT_SPELLED = r"(?:[ \t]*[(\[{<][ \t]*(?:dot|DOT|Dot)[ \t]*[)\]}>][ \t]*|[ \t]+(?:dot|DOT|Dot)[ \t]+)"
_DOT_ANY = rf"(?:\.|{_DOT_SPELLED})"
_WEBMAIL_NAMES = word_set("gmail yahoo hotmail outlook aol icloud comcast protonmail live msn verizon")
_WEBMAIL = "(?:" + "|".join(sorted(_WEBMAIL_NAMES)) + ")"
_EMAIL_END = r"(?![\w@\[])"

#: A dot, or a dot spaced on both sides ("example . org"); "example.org. Next" is a sentence end.
_AT_DOT = r"(?:\.|[ \t]\.[ \t])"
#: jane@example.org, jane @ example . org
_EMAIL_AT = re.compile(
    rf"(?<![\w.%+\]-]){_LOCAL}[ \t]?@[ \t]?{_LABEL}(?:{_AT_DOT}{_LABEL}){{0,8}}{_AT_DOT}[A-Za-z]{{2,24}}"
    rf"{_EMAIL_END}"
)
_EMAIL_SPELLED = re.compile(
    rf"(?<![\w.%+\]-])(?:"
    # bracketed at: jane(at)example.org, jane [at] example [dot] org
    rf"{_LOCAL}{_AT_BRACKETED}{_LABEL}(?:{_DOT_ANY}{_LABEL}){{0,8}}{_DOT_ANY}{_TLD}"
    # spelled at needs a spelled dot (else "us at cityofboston.gov" is an address, not a person)
    # (the local part may spell its dots too: "maria dot alvarez at gmail dot com")
    rf"|{_LOCAL}(?:{_DOT_SPELLED}{_LOCAL}){{0,3}}\s+(?:at|AT)\s+{_LABEL}(?:{_DOT_ANY}{_LABEL}){{0,8}}{_DOT_SPELLED}{_TLD}"
    # ... or a webmail provider: jane at gmail.com
    rf"|{_LOCAL}(?:{_DOT_SPELLED}{_LOCAL}){{0,3}}\s+(?:at|AT)\s+{_WEBMAIL}{_DOT_ANY}(?:com|net)"
    rf"){_EMAIL_END}",
)


def _find_emails(text: str, vocab: frozenset[str]) -> list[Span]:
    spans: list[Span] = []
    if "@" in text:
        spans.extend((m.start(), m.end(), "email") for m in _EMAIL_AT.finditer(text))
    if "at" in vocab and (
        "dot" in vocab or not vocab.isdisjoint(_WEBMAIL_NAMES) or "(at)" in text.lower() or "[at]" in text.lower()
    ):
        spans.extend((m.start(), m.end(), "email") for m in _EMAIL_SPELLED.finditer(text))
    return spans


# --- phones -----------------------------------------------------------------------------------

_EXT = r"(?:\s*(?:ext\.?|extension|x)\s*\d{1,5})?"
_PHONE = re.compile(
    r"(?<![\w.+/$\]-])(?:"
    # +1 555 123 4567, 1-555-123-4567, (555) 123 4567, 555.123.4567, 555-123-4567
    r"(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}"
    # +1 5551234567, (555)1234567
    r"|\+1\s?\d{10}|\(\d{3}\)\s?\d{7}"
    # 7-digit local with a separator: 555-1234 (bare 7 digits are ids, not phones)
    r"|\d{3}[.-]\d{4}"
    rf"){_EXT}(?![\w\[-]|\.\d|,\d)",
    re.IGNORECASE,
)
#: Seven digits with short gaps: the cheapest test that a text may hold a phone at all.
_MAYBE_PHONE = re.compile(r"\d(?:[^\d\n]{0,4}\d){6}")
#: Runs of ten or more digits with phone-like separators: the only places where the library
#: (which wants a full 10-digit number at VALID) can find something ours did not. Running it on
#: these windows, not the whole text, keeps it off the years and counts of a long note.
_DIGIT_RUN = re.compile(r"\+?\d(?:(?:[ \t]?[-./()][ \t]?|[ \t])?\(?\d){9,}")


def _uncovered_digits(start: int, end: int, text: str, spans: list[Span]) -> int:
    """The most digits between ``start`` and ``end`` in a row of text no span covers."""
    best = run = 0
    covered = sorted((max(s, start), min(e, end)) for s, e, _ in spans if s < end and e > start)
    pos = start
    for s, e in [*covered, (end, end)]:
        run = sum(c.isdigit() for c in text[pos:s])
        best, pos = max(best, run), max(pos, e)
    return best


def _find_phones(text: str, vocab: frozenset[str]) -> list[Span]:
    if not _MAYBE_PHONE.search(text):
        return []
    spans = [(m.start(), m.end(), "phone") for m in _PHONE.finditer(text)]
    for run in _DIGIT_RUN.finditer(text):
        if not _uncovered_digits(run.start(), run.end(), text, spans) >= 10:
            continue  # ours already has the phone(s) in it; what is left is too short for one
        lo, hi = max(0, run.start() - 2), min(len(text), run.end() + 16)  # "(", "+" and "ext 12"
        for match in phonenumbers.PhoneNumberMatcher(text[lo:hi], "US", leniency=Leniency.VALID):
            spans.append((lo + match.start, lo + match.end, "phone"))
    return spans


# --- house and apartment numbers --------------------------------------------------------------

_SUFFIX = "|".join(sorted(STREET_SUFFIXES, key=len, reverse=True))
_STOP = "|".join(sorted(STREET_STOPWORDS, key=len, reverse=True))
_NAME_WORD = r"(?:\d{1,3}(?:st|nd|rd|th)|[^\W\d_](?:[^\W\d_]|['\u2019.-]){0,24})"
_HOUSE = re.compile(
    rf"(?<![\w$#.,/:+\]-])(?P<num>\d{{1,6}}[A-Za-z]?(?:[ \t]?[-\u2013][ \t]?\d{{1,6}}[A-Za-z]?)?)"
    rf"(?=[ \t]+(?P<name>(?:(?!(?:{_STOP})\b){_NAME_WORD}[ \t]+){{1,4}}?)"
    rf"(?P<suffix>(?:{_SUFFIX})\.?)(?![\w'\u2019-]))",
    re.IGNORECASE,
)
_UNIT_WORDS = frozenset({"apt", "apartment", "suite", "ste", "unit", "flat"})
_UNIT = re.compile(
    r"(?<![\w-])(?P<kw>apt|apartment|suite|ste|unit|flat)\.?[ \t]*(?:#|no\.?|number)?[ \t]*"
    r"(?P<num>\d{1,5}[A-Za-z]?|[A-Za-z]\d{0,4})(?![\w\[-])",
    re.IGNORECASE,
)
#: "#3" right after a street suffix: 12 Elm St #3, 12 Elm St, #3B
_HASH_AFTER_STREET = re.compile(
    rf"\b(?:{_SUFFIX})\.?,?[ \t]*#[ \t]?(?P<num>\d{{1,5}}[A-Za-z]?)(?![\w\[-])", re.IGNORECASE
)
_LISTED = re.compile(
    r"(?<![\w$#.,/:+\]-])(?P<num>\d{1,6}[A-Za-z]?)"
    r"(?:[ \t]*,[ \t]*(?:(?:and|or|&)[ \t]+)?|[ \t]*&[ \t]*|[ \t]+(?:and|or)[ \t]+)\Z",
    re.IGNORECASE,
)
_ORDINAL_ENDINGS = frozenset({"st", "nd", "rd", "th"})
_DIRECTIONS = word_set(
    "n s e w ne nw se sw n.w. n.e. s.w. s.e. north south east west northeast northwest southeast southwest"
)
#: Street types that are also ordinary words: written in lowercase after lowercase words, they
#: are prose ("took place", "gave way", "a test drive") unless a capital, ordinal or direction says
#: street.
_PROSE_SUFFIXES = word_set(
    "way place court drive square row circle lane terrace trail plaza crescent alley highway parkway"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_BEFORE_YEAR = word_set("in since of from until till by year before after during around circa")
_NOT_APARTMENT_UNITS = {"police", "k9", "k-9", "patrol", "crisis", "gang", "traffic", "response", "mobile"}


def _word_before(text: str, pos: int) -> str:
    words = text[max(0, pos - 16) : pos].split()
    return words[-1].lower().strip(",;:()") if words else ""


def _is_house_number(text: str, m: re.Match[str]) -> bool:
    words = m.group("name").split()
    first, suffix = words[0], m.group("suffix").rstrip(".")
    if first.lower() in _ORDINAL_ENDINGS:
        return False  # "NW 24 TH ST" is 24th Street
    if _word_before(text, m.start()) in _DIRECTIONS:
        return False  # "NW 19 Way": a numbered street, not a house on it
    if first.islower() and first.lower() in COUNT_NOUNS:
        return False  # "2 cars Main St" is a count
    if (
        suffix.islower()
        and suffix in _PROSE_SUFFIXES
        and not any(w[0].isupper() or w[0].isdigit() or w.lower() in _DIRECTIONS for w in words)
    ):
        return False  # "over 100 shootings took place": a street type that is also a word
    # "since 1995 Elm Street has been ..." is a year
    return not (_YEAR.fullmatch(m.group("num")) and _word_before(text, m.start()) in _BEFORE_YEAR)


def _listed_before(text: str, start: int) -> list[Span]:
    """Numbers listed before a house number: "3517 and 3519 NW 11th Ave", "320, 330, and 334"."""
    spans: list[Span] = []
    while m := _LISTED.search(text, max(0, start - 24), start):
        if _YEAR.fullmatch(m.group("num")):
            break
        spans.append((m.start("num"), m.end("num"), "number"))
        start = m.start("num")
    return spans


def _find_numbers(text: str, vocab: frozenset[str]) -> list[Span]:
    spans: list[Span] = []
    has_suffix = not vocab.isdisjoint(STREET_SUFFIXES)
    if has_suffix:
        for m in _HOUSE.finditer(text):
            if _is_house_number(text, m):
                spans.append((m.start("num"), m.end("num"), "number"))
                spans.extend(_listed_before(text, m.start("num")))
    if not vocab.isdisjoint(_UNIT_WORDS):
        for m in _UNIT.finditer(text):
            if m.group("num").isalpha():
                continue  # "suite A" of a clinic: a letter alone identifies little
            if m.group("kw").lower() == "unit" and _word_before(text, m.start()) in _NOT_APARTMENT_UNITS:
                continue
            spans.append((m.start("num"), m.end("num"), "number"))
    if has_suffix and "#" in text:
        spans.extend((m.start("num"), m.end("num"), "number") for m in _HASH_AFTER_STREET.finditer(text))
    return spans


# --- SSN-like numbers and dates of birth -------------------------------------------------------

_SSN = re.compile(r"(?<![\w$#.,/:+\]-])\d{3}(?P<sep>[- ]?)\d{2}(?P=sep)\d{4}(?![\w\[-]|[.,/:]\d)")
_MAYBE_SSN = re.compile(r"\d{3}[- ]?\d{2}[- ]?\d{4}")
_ZIP_WORDS = word_set("zip zipcode zip+4 postal")


def _find_ids(text: str, vocab: frozenset[str]) -> list[Span]:
    if not _MAYBE_SSN.search(text):
        return []
    return [
        (m.start(), m.end(), "id")
        for m in _SSN.finditer(text)
        if not (m.group("sep") == "" and _word_before(text, m.start()) in _ZIP_WORDS)
    ]


_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_DATE_VALUE = (
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 3/14/1985, 03-14-85
    r"|\d{4}-\d{1,2}-\d{1,2}"  # 1985-03-14
    rf"|(?:{_MONTHS})\.?[ \t]+{_DAY},?[ \t]+\d{{4}}"  # March 14, 1985
    rf"|{_DAY}[ \t]+(?:of[ \t]+)?(?:{_MONTHS})\.?,?[ \t]+\d{{4}}"  # 14 March 1985
)
_BIRTH = re.compile(
    r"(?<![\w.])(?:dob|d\.o\.b\.?|date[ \t]+of[ \t]+birth|birth[ \t]?date|birthday|born)"
    r"[ \t]*[:#-]?[ \t]*(?:(?:is|was|on)[ \t]+)?"
    rf"(?P<date>{_DATE_VALUE})(?![\w/-]|[.]\d)",
    re.IGNORECASE,
)
_BIRTH_WORDS = word_set("dob d birth birthday birthdate born")


def _find_birth_dates(text: str, vocab: frozenset[str]) -> list[Span]:
    if vocab.isdisjoint(_BIRTH_WORDS):
        return []
    return [(m.start("date"), m.end("date"), "date") for m in _BIRTH.finditer(text)]


# --- assembly ---------------------------------------------------------------------------------

_RULES: tuple[Finder, ...] = (
    _find_emails,
    _find_phones,
    _find_ids,
    find_plates,
    _find_numbers,
    _find_birth_dates,
    find_names,
)
_WITH_NER: tuple[Finder, ...] = (*_RULES, find_person_entities)
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}


def _choose(text: str, spans: list[Span]) -> list[Span]:
    """Non-overlapping spans: higher-priority kinds first, then the longer, then the earlier.

    A name running into a stronger finding keeps the part before it ("my name is Jane
    Roejane@example.org": the email wins, "Jane" is still a name), so that redacting the
    result again finds nothing new.
    """
    chosen: list[Span] = []
    for start, end, kind in sorted(spans, key=lambda s: (_PRIORITY[s[2]], s[0] - s[1], s[0])):
        clashes = [s for s, e, _ in chosen if start < e and s < end]
        if clashes and kind == "name" and min(clashes) > start:
            end = start + len(text[start : min(clashes)].rstrip())
            clashes = [] if end > start else clashes
        if not clashes:
            chosen.append((start, end, kind))
    return sorted(chosen)


_ASCII_WORD = re.compile(r"[a-z]+")


#: Passes at most. A replacement can change what its neighbours read as ("555-1234,7XYZ123"
#: is no phone until the plate goes; a word glued to an email may be a name once the email has
#: gone), so a text that changed is read again until nothing changes. Texts without personal
#: data take one pass, nearly all others two.
_MAX_PASSES = 4


def _redact_once(text: str, found: dict[str, int], finders: tuple[Finder, ...]) -> str:
    # The text's lowercase ASCII words, once: each finder runs its costly patterns only when the
    # words it needs are there (most notes have no street suffix, plate word or title at all).
    vocab = frozenset(_ASCII_WORD.findall(text.lower()))
    spans: list[Span] = []
    for finder in finders:
        spans.extend(finder(text, vocab))
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end, kind in _choose(text, spans):
        out.append(text[pos:start])
        out.append(PLACEHOLDERS[kind])
        found[kind] = found.get(kind, 0) + 1
        pos = end
    out.append(text[pos:])
    return "".join(out)


def redact(text: str, *, ner: bool = True) -> Redaction:
    """Replace personal data in ``text`` with typed placeholders; keep everything else as is.

    Idempotent: ``redact(redact(t).text).text == redact(t).text``. ``ner=False``: the rules
    alone, without the NER model (see the module's docstring).
    """
    found: dict[str, int] = {}
    finders = _WITH_NER if ner else _RULES
    for _ in range(_MAX_PASSES):
        redacted = _redact_once(text, found, finders)
        if redacted == text:
            break
        text = redacted
    return Redaction(text, found)
