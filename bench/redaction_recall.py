"""Redaction recall, over-redaction and cost (issue 15): is a name removed, does a street stay?

    python bench/redaction_recall.py [--seed N] [--generated N] [--timing N]

Three measurements, printed as a table (results: docs/benchmarks.md):

1. **Name recall** -- of the person names planted in texts, how many are removed (a name counts
   as removed only when none of its words is left). On the corpus
   (tests/intake/redaction_corpus.yaml: every name its expectations replace) and on a generated,
   held-out set: sentences of resident notes with names of varied origins (Spanish with two
   surnames and accents, Vietnamese, Somali, Hmong, Arabic, Ethiopian, Anglo, African American)
   that are in no word list of the rules, at sentence start, after a title, as possessives, next
   to streets and places named after people. Three name lists, and only the last is held out:
   ``NAMES`` and ``TUNED_NAMES`` were both read while tuning the rules (``TUNED_NAMES`` was the
   held-out list until the given-name dictionary and the run rules of ``ner.py`` were tuned on
   its misses: it stopped being held out then, and is reported as "tuned"); ``HELD_OUT_NAMES``
   was written before any result on it was seen and must never be tuned on -- its figure is the
   held-out figure. Tuning on it would make it a tuned list too: add a fresh list instead.
   Target: >= 0.95.
2. **Over-redaction** -- of the street and place words in the same texts (streets and places named
   after people: "Martin Luther King Blvd", "Jane Addams Park", "Washington St"), how many are
   lost; and of the street names residents really wrote in ../shared/data/topics_dev.csv (311
   requests: "NW 13th St", "Archer Rd"), how many are lost. Target: <= 5 %.
3. **Cost** -- ``redact`` per text, warm (the model loaded first): real 311 texts and comments as
   notes, and short place names as contacts carry them; p50/p99 in ms and texts/s on one core.

The generated set is built from lists in this file, not from the rules' word lists, so it says
how the rules and the model do on names they were not tuned on.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from porchlight.intake.privacy import given_names, redact
from porchlight.intake.privacy.ner import load_pipeline

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "intake" / "redaction_corpus.yaml"
DATA = ROOT.parent / "shared" / "data"

# Names of varied origins (first, last). None of the surnames and few of the given names are on
# the rules' lists: this set measures what the model adds.
NAMES = [
    ("Guadalupe", "Hernández Ortiz"),
    ("Juan Carlos", "Rodríguez Peña"),
    ("Ximena", "Castañeda"),
    ("Itzel", "Maldonado"),
    ("Thuy", "Pham"),
    ("Quang", "Le Hoang"),
    ("Bao", "Truong"),
    ("Hodan", "Mohamud Ali"),
    ("Abdirahman", "Osman"),
    ("Warsan", "Egal"),
    ("Kou", "Thao"),
    ("Mai Nou", "Lor"),
    ("Tou", "Vue"),
    ("Layla", "Haddad"),
    ("Omar", "Khalil"),
    ("Yasmin", "El-Amin"),
    ("Tigist", "Bekele"),
    ("Dawit", "Haile"),
    ("Shanice", "Robinson"),
    ("DeAndre", "Jackson"),
    ("Keisha", "Washington"),
    ("Margaret", "O'Connell"),
    ("Patrick", "Sullivan"),
    ("Olga", "Petrenko"),
    ("Wei", "Zhang"),
    ("Priya", "Raman"),
    ("Kwame", "Mensah"),
    ("Esperanza", "de la Cruz"),
]
#: The held-out list of the first NER round; its misses (lone and possessive given names, "Mr.
#: del Valle", two-surname names cut short, names the model tags ORG or GPE) were then read to
#: tune the given-name rules: a tuned figure now, not a held-out one.
TUNED_NAMES = [
    ("Marisol", "Villanueva Ruiz"),
    ("Rogelio", "Sandoval"),
    ("Yesenia", "Ochoa"),
    ("Hanh", "Nguyen Do"),
    ("Phuong", "Vo"),
    ("Sahra", "Abdullahi Jama"),
    ("Liban", "Farah"),
    ("Nhia", "Yang"),
    ("Chue", "Moua"),
    ("Rania", "Saleh"),
    ("Tariq", "Nasser"),
    ("Meron", "Tesfaye"),
    ("Jamal", "Whitfield"),
    ("Tanisha", "Brooks"),
    ("Bridget", "Keane"),
    ("Sergei", "Volkov"),
    ("Mei", "Lin"),
    ("Anand", "Krishnan"),
    ("Ama", "Owusu"),
    ("Lucia", "del Valle"),
]
#: Held out: written (with these origins: Spanish, Vietnamese, Somali, Hmong, Arabic, Ethiopian,
#: West African, Polish, Punjabi, Tamil, Irish, African American, Anglo) before any result on them
#: was seen, and never tuned on. Their figure is the held-out figure.
HELD_OUT_NAMES = [
    ("Araceli", "Bustamante Leal"),
    ("Efraín", "Zúñiga"),
    ("Khanh", "Dang"),
    ("Nguyet", "Tran"),
    ("Fadumo", "Warsame"),
    ("Abdiwali", "Hersi"),
    ("Pa Houa", "Xiong"),
    ("Yeng", "Vang"),
    ("Nadia", "Al-Masri"),
    ("Karim", "Darwish"),
    ("Selamawit", "Gebremedhin"),
    ("Yonas", "Tadesse"),
    ("Chidinma", "Okafor"),
    ("Mamadou", "Diallo"),
    ("Katarzyna", "Wiśniewska"),
    ("Harpreet", "Sandhu"),
    ("Lakshmi", "Venkatesan"),
    ("Siobhan", "Gallagher"),
    ("LaTonya", "Merriweather"),
    ("Gordon", "Whitaker"),
]
#: Streets and places named after people or ordinary words: what must stay.
PLACES = [
    "Martin Luther King Blvd",
    "Jane Addams Park",
    "Washington St",
    "Lincoln Ave",
    "Cesar Chavez Park",
    "Harriet Tubman Square",
    "Franklin Park",
    "Jefferson St",
    "Roosevelt Rd",
    "Lake St",
    "Chicago Ave",
    "Powderhorn Park",
    "Elm St",
    "Columbus Ave",
    "Malcolm X Blvd",
    "Frederick Douglass School",
]
TEMPLATES = [
    "{name} said the streetlight on {place} has been out for two weeks.",
    "{first}'s porch looks onto {place}; {name} hosted us there.",
    "We met {name} at {place} after church.",
    "Ms. {last} lives near {place} and worries about speeding.",
    "{name} and {name2} asked for a crossing guard near {place}.",
    "Thanks to {name} for the coffee. The kids play at {place} every day.",
    "{name}'s kitchen table again, six neighbors, mostly about {place}.",
    "Talked with {name} outside the store on {place}.",
    "Her son {first} walks to {place} alone; {name2} offered to go with him.",
    "Mr. {last} and {name2} want the trash cans at {place} emptied more often.",
]
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if len(w) > 1]


def _kept_words(redacted: str) -> set[str]:
    return set(_WORD.findall(redacted))


def generated(n: int, seed: int, pool: list[tuple[str, str]] = NAMES) -> list[tuple[str, list[str], list[str]]]:
    """(text, names planted, places planted), ``n`` texts."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        (first, last), (first2, last2) = rng.sample(pool, 2)
        place = rng.choice(PLACES)
        template = rng.choice(TEMPLATES)
        values = {
            "name": f"{first} {last}",
            "name2": f"{first2} {last2}",
            "first": first,
            "last": last,
            "place": place,
        }
        text = template.format(**values)
        names = [values[k] for k in ("name", "name2", "first", "last") if "{" + k + "}" in template]
        out.append((text, names, [place]))
    return out


def corpus_names() -> tuple[int, int]:
    """Names the corpus expects replaced, and how many of them are: counted by placeholders."""
    cases: list[dict[str, Any]] = yaml.safe_load(CORPUS.read_text("utf-8"))
    expected = found = 0
    for case in cases:
        want = case.get("expected", case["input"]).count("[NAME]") - case["input"].count("[NAME]")
        if want <= 0:
            continue
        got = redact(case["input"]).text.count("[NAME]") - case["input"].count("[NAME]")
        expected += want
        found += min(want, got)
    return found, expected


def measure_generated(texts: list[tuple[str, list[str], list[str]]]) -> dict[str, float]:
    names_total = names_removed = place_words = place_lost = 0
    for text, names, places in texts:
        kept = _kept_words(redact(text).text)
        for name in names:
            names_total += 1
            names_removed += not any(w in kept for w in _words(name) if w not in ("de", "la", "El"))
        for place in places:
            for w in _words(place):
                place_words += 1
                place_lost += w not in kept
    return {
        "names": names_total,
        "recall": names_removed / names_total,
        "place_words": place_words,
        "lost": place_lost / place_words,
    }


_STREET = re.compile(
    r"\b((?:[NS][EW] )?(?:\d+(?:st|nd|rd|th)|[A-Z][a-z]+)(?: [A-Z][a-z]+)? "
    r"(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Dr|Drive|Ln|Lane|Way|Pl|Ter|Park|Square|School))\b"
)


def real_texts() -> list[str]:
    texts: list[str] = []
    for name in ("topics_dev.csv", "public_comments_policing_community.csv"):
        path = DATA / name
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as f:
                texts.extend(row["text"] for row in csv.DictReader(f) if row.get("text"))
    return texts


def measure_real_streets(texts: list[str]) -> dict[str, float]:
    words = lost = phrases = 0
    for text in texts:
        found = _STREET.findall(text)
        if not found:
            continue
        kept = _kept_words(redact(text).text)
        for phrase in found:
            phrases += 1
            for w in _words(phrase):
                words += 1
                lost += w not in kept
    return {"phrases": phrases, "words": words, "lost": lost / words if words else 0.0}


def timing(texts: list[str]) -> dict[str, float]:
    times = []
    start = time.perf_counter()
    for text in texts:
        t = time.perf_counter()
        redact(text)
        times.append((time.perf_counter() - t) * 1000)
    wall = time.perf_counter() - start
    q = statistics.quantiles(times, n=100)
    return {"n": len(texts), "p50": q[49], "p99": q[98], "per_s": len(texts) / wall}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--generated", type=int, default=1000, help="generated held-out texts")
    parser.add_argument("--timing", type=int, default=2000, help="texts per cost measurement")
    args = parser.parse_args(argv)

    t = time.perf_counter()
    load_pipeline()
    print(f"NER pipeline verified and loaded in {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    given_names.load()
    print(f"given-name dictionary verified and loaded in {time.perf_counter() - t:.2f} s")

    found, expected = corpus_names()
    gen = measure_generated(generated(args.generated, args.seed))
    tuned = measure_generated(generated(args.generated, args.seed + 1, TUNED_NAMES))
    held = measure_generated(generated(args.generated, args.seed + 2, HELD_OUT_NAMES))
    texts = real_texts()
    streets = measure_real_streets(texts)
    print(f"corpus names removed: {found}/{expected} = {found / expected:.3f}")
    for label, r in (
        ("generated, tuned (names the first tuning looked at)", gen),
        ("generated, tuned (the first round's held-out names, tuned on since)", tuned),
        ("generated, held-out names (never tuned on)", held),
    ):
        print(
            f"{label}: {r['names']:.0f} names, recall {r['recall']:.3f}; "
            f"{r['place_words']:.0f} street/place words, lost {r['lost']:.1%}"
        )
    print(
        f"real 311 texts and comments: {streets['phrases']:.0f} street/place phrases, "
        f"{streets['words']:.0f} words, lost {streets['lost']:.1%}"
    )

    rng = random.Random(args.seed)
    notes = [t for t in texts if len(t) >= 40]
    rng.shuffle(notes)
    notes = [n[:600] for n in notes[: args.timing]]
    places = [
        rng.choice(["", "the porch of ", "corner of ", "outside "]) + rng.choice(PLACES)
        if rng.random() < 0.7
        else f"{rng.choice(NAMES)[1]}'s kitchen table"
        for _ in range(args.timing)
    ]
    unique_places = [f"{p} #{i}" for i, p in enumerate(places)]  # every one new: no cache help
    for label, batch in (("notes (real texts, <= 600 chars)", notes), ("contact place names", places),
                         ("contact place names, all distinct", unique_places)):  # fmt: skip
        r = timing(batch)
        print(f"cost, {label}: n={r['n']:.0f} p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms, {r['per_s']:.0f} texts/s")
    ok = (
        found / expected >= 0.95
        and min(gen["recall"], tuned["recall"], held["recall"]) >= 0.95
        and max(gen["lost"], tuned["lost"], held["lost"], streets["lost"]) <= 0.05
    )
    print("targets (recall >= 0.95, street/place words lost <= 5 %):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
