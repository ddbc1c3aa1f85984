"""Given names of the world, from a maintained dictionary: which capitalised word may start a name.

The rules' own list (``lexicon.GIVEN_NAMES``) holds a few hundred US, Spanish, Somali and Hmong
names; residents' notes hold many more ("Rogelio's porch", "Anand Krishnan said", "Bridget
Keane's kitchen table"), names the small NER model tags ORG or GPE or misses. The dictionary of
``gender-guesser`` 0.4.0 (Jörg Michael's ``nam_dict.txt``: ~48,000 first names from 55
countries, hand-checked, GFDL) knows them. Its file is pinned by SHA-256 and checked by
``kit.integrity`` before it is read, as the NER model's files are: a changed word list changes
what is redacted.

Only the names are read (not the genders or per-country frequencies): ~53,000 forms, about
5 MB of memory and 0.15 s once per process (at start-up, with the NER model). Names that are
also ordinary words the texts use ("Will", "Hope", "Young", "The", "Park", "Lincoln" the car)
are left out: :func:`is_given_name` answers for the rest, and the rules in ``ner.py`` use it
only where a context already says "person" -- a given name followed by a capitalised surname
or a possessive, never a street or place named after someone.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

from porchlight.intake.privacy.lexicon import GIVEN_NAMES, NOT_NAMES, PLACE_WORDS, STREET_SUFFIXES, word_set
from porchlight.kit.integrity import verify_files

PACKAGE = "gender_guesser"
DATA_FILE = "data/nam_dict.txt"
#: SHA-256 of ``gender-guesser`` 0.4.0's dictionary as first installed here (and as its wheel's RECORD says).
PINNED_SHA256 = {DATA_FILE: "bfe79b1f3533d188333c36d7b0722868b873b2d366bb15bed3ed9a4f85db3c8c"}

#: Names in the dictionary that are, far more often, words of the texts: function words, months
#: and virtues, verbs and adjectives, colours, car makes, and words of places and organisations.
_ORDINARY_WORDS = (
    NOT_NAMES
    | STREET_SUFFIXES
    | PLACE_WORDS
    | word_set(
        """
    about above after again all also always an and any are as at be been before being below
    between both but by can could did do does down during each few for from further had has
    have having he her here hers him his how if in into is it its just more most my no nor not
    now of off on once only or other our out over own same she should so some such than that
    the their them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your
    art bill dawn faith grace hope joy rose sunny summer autumn winter spring june august may
    april chase page carter mason hunter cash sky star king prince duke earl baron major long
    young rich bliss happy merry honey ivy holly lily iris daisy violet ruby pearl jade amber
    crystal blossom brook brooks river lake forest field glen dale hill valley storm rain
    angel baby blue green gray grey brown black white golden silver
    lincoln mercedes dodge ford chevy jeep audi porsche tesla
    police sheriff deputy officer judge pastor bishop father mother sister brother
    north south east west central downtown city county state town village ward
    christian muslim jewish catholic baptist methodist lutheran
    """
    )
)

_lock = threading.Lock()
_names: frozenset[str] | None = None


def data_path() -> Path:
    """The dictionary file inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{PACKAGE} is not installed: intake's name redaction needs it")
    return Path(next(iter(spec.submodule_search_locations)))


def parse(text: str) -> frozenset[str]:
    """Lowercased names of a ``nam_dict.txt``: lines "<gender> <name> <frequencies>", comments
    starting with "#" or "="; "+" joins the parts of a compound name ("Abd+al+Rahman": all of
    "abdalrahman", "abd al rahman", "abd-al-rahman" -- only one-word forms are kept here)."""
    names: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in "#=":
            continue
        parts = line.split()
        if len(parts) < 2:
            continue
        name = parts[1].lower()
        for joined in (name.replace("+", ""), name.replace("+", "-")) if "+" in name else (name,):
            names.add(joined)
    return frozenset(names - _ORDINARY_WORDS)


def load(directory: Path | None = None) -> frozenset[str]:
    """Verify the pinned dictionary, then read its names (once per process)."""
    global _names
    if _names is not None and directory is None:
        return _names
    with _lock:
        if _names is not None and directory is None:
            return _names
        root = directory or data_path()
        verify_files(root, PINNED_SHA256, what="given-name dictionary")
        names = parse((root / DATA_FILE).read_text("utf-8")) | GIVEN_NAMES
        if directory is None:
            _names = names
        return names


def is_given_name(word: str) -> bool:
    """Whether ``word`` (any case, no possessive) is a given name and not an ordinary word."""
    lowered = word.lower()
    return lowered in GIVEN_NAMES or lowered in load()
