"""Redaction of personal data (pure logic: no database, no broker).

The corpus (redaction_corpus.yaml) pins the behaviour case by case; the properties below hold
for any text: redaction never raises, is idempotent, and only ever replaces spans with
placeholders. The real-data test runs over residents' comments in ../shared/data.
"""

from __future__ import annotations

import csv
import io
import logging
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from porchlight.intake.privacy import KINDS, PLACEHOLDERS, redact
from porchlight.intake.privacy.logging import RedactingFilter, install_log_redaction

CORPUS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "redaction_corpus.yaml").read_text("utf-8"))
DATA = Path(__file__).parents[2].parent / "shared" / "data"

# Independent, deliberately simple detectors: what a reviewer would grep redacted text for.
EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
PHONE_LIKE = re.compile(r"(?<![\w-])(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))


def test_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 80


@pytest.mark.parametrize("case", CORPUS, ids=[f"{i:03d}" for i in range(len(CORPUS))])
def test_corpus_case(case: dict[str, Any]) -> None:
    expected = case.get("expected", case["input"])
    result = redact(case["input"])
    assert result.text == expected
    if "found" in case:
        assert result.found == case["found"]
    assert sum(result.found.values()) == len(_PLACEHOLDER.findall(result.text)) - len(
        _PLACEHOLDER.findall(case["input"])
    )
    assert redact(result.text).text == result.text, "redacting twice must change nothing"


def test_found_counts_kinds_never_values() -> None:
    result = redact("jane@example.org, 555-1234, 555-4321, 12 Elm St, plate ABC 1234, Officer Smith")
    assert result.found == {"email": 1, "phone": 2, "number": 1, "plate": 1, "name": 1}
    assert set(result.found) <= set(KINDS)
    assert all(type(v) is int for v in result.found.values())
    assert result.changed and not redact("nothing here").changed


def _outside_placeholders_unchanged(original: str, redacted: str) -> bool:
    """Every character not replaced is kept, in order: the pieces of the redacted text between
    placeholders appear in the original in order, each placeholder standing for at least one
    character (leftmost matching is enough for this shape, and linear)."""
    parts = _PLACEHOLDER.split(redacted)
    if len(parts) == 1:
        return original == redacted
    if not original.startswith(parts[0]):
        return False
    pos = len(parts[0])
    for part in parts[1:-1]:
        found = original.find(part, pos + 1)
        if found < 0:
            return False
        pos = found + len(part)
    return original.endswith(parts[-1]) and len(original) - len(parts[-1]) >= pos + 1


_FRAGMENTS = [
    "jane@example.org",
    "jane at example dot org",
    "555-1234",
    "(617) 555-0123",
    "+1 555 123 4567",
    "12 Elm St",
    "12-14 Main Street",
    "apt 4B",
    "#3",
    "plate ABC 1234",
    "7XYZ123",
    "I-95",
    "my name is Jane Roe",
    "I'm Jane",
    "Officer Smith",
    "Mr.",
    "Dr.",
    "- Jane R.",
    "2019",
    "7:30",
    "[PHONE]",
    "[NAME]",
    "[EMAIL]",
    "[NUMBER]",
    "[PLATE]",
    "at",
    "dot",
    "@",
    "(at)",
    "St",
    "Ave",
    "\n",
    "\t",
    " ",
    "  ",
    ",",
    ".",
    "-",
    "é",
    "☕",
    "911",
    "100 block of",
    "Route 9",
    "unit",
]


def _random_text(rng: random.Random) -> str:
    pieces: list[str] = []
    for _ in range(rng.randint(0, 30)):
        roll = rng.random()
        if roll < 0.5:
            pieces.append(rng.choice(_FRAGMENTS))
        elif roll < 0.8:
            pieces.append(" ")
        else:
            alphabet = "abcXYZ0123456789 .-#@()[]:'\u2019\n"
            pieces.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))))
    return "".join(pieces)


def test_random_texts_never_raise_and_are_idempotent() -> None:
    """A seeded property test (hypothesis is not a dev dependency yet; see the next test)."""
    rng = random.Random(20240601)
    for _ in range(1000):  # hypothesis below adds 500 of its own, shrunk when one fails
        text = _random_text(rng)
        once = redact(text).text
        assert redact(once).text == once, text
        assert _outside_placeholders_unchanged(text, once), text


def test_hypothesis_properties() -> None:
    hypothesis = pytest.importorskip("hypothesis", reason="hypothesis not installed (add to requirements-dev)")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=500, deadline=None)
    @hypothesis.given(st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=12)), max_size=25))
    def check(pieces: list[str]) -> None:
        text = "".join(pieces)
        once = redact(text).text
        assert redact(once).text == once
        assert _outside_placeholders_unchanged(text, once)

    check()


def _read_texts() -> list[str]:
    if not DATA.is_dir():
        pytest.skip(f"shared data folder {DATA} is absent: real-text measurement not run")
    texts: list[str] = []
    for name in ("public_comments_policing_community.csv", "topics_dev.csv"):
        with (DATA / name).open(encoding="utf-8", newline="") as f:
            texts.extend(row["text"] for row in csv.DictReader(f) if row.get("text"))
    return texts


def test_real_resident_texts_lose_every_email_and_phone() -> None:
    texts = _read_texts()
    # The published comments were masked upstream, so contact details are planted in every tenth
    # one as well: the check must be able to fail.
    planted = [
        f"{t} You can reach me at jane.roe{i}@example.org or (617) 555-{i % 10000:04d}." if i % 10 == 0 else t
        for i, t in enumerate(texts)
    ]
    totals: dict[str, int] = {}
    emails_before = phones_before = changed = 0
    for i, text in enumerate(planted):
        emails_before += len(EMAIL_LIKE.findall(text))
        phones_before += len(PHONE_LIKE.findall(text))
        # The NER model on every tenth (a minute on all of them): emails and phones are the rules'.
        result = redact(text, ner=i % 10 == 0)
        assert not EMAIL_LIKE.search(result.text), result.found
        assert not PHONE_LIKE.search(result.text), result.found
        assert _outside_placeholders_unchanged(text, result.text)
        changed += result.changed
        for kind, n in result.found.items():
            totals[kind] = totals.get(kind, 0) + n
    assert emails_before >= len(texts) // 10 and phones_before >= len(texts) // 10
    print(
        f"\nreal texts: {len(texts)} (+ contact details planted in every tenth), {changed} changed; "
        f"email-like {emails_before}, phone-like {phones_before} before, 0 after; "
        f"redacted per kind: {dict(sorted(totals.items()))}"
    )


def test_very_long_text_keeps_everything_else() -> None:
    paragraph = (
        "Line {i}: the 100 block of Elm St floods; my name is Jane Roe, 12 Elm St apt 4B, "
        "call 617-555-0123 or jane@example.org. Plate ABC 1234 again at 7:30 — ünïcödé ☕.\n"
    )
    expected = (
        "Line {i}: the 100 block of Elm St floods; my name is [NAME], [NUMBER] Elm St apt [NUMBER], "
        "call [PHONE] or [EMAIL]. Plate [PLATE] again at 7:30 — ünïcödé ☕.\n"
    )
    # ~48 kB: over twice intake's limit for a note (20 kB), a whole page of an imported file.
    text = "".join(paragraph.format(i=i) for i in range(300))
    start = time.perf_counter()
    result = redact(text)
    print(f"\nredact: one text of {len(text)} chars in {(time.perf_counter() - start) * 1000:.0f} ms")
    assert result.text == "".join(expected.format(i=i) for i in range(300))
    assert result.found == {"name": 300, "number": 600, "phone": 300, "email": 300, "plate": 300}


PATHOLOGICAL = {
    "spelled dots": "jane at example" + " dot example" * 40 + " dot xyz!",
    "only dots": "jane at b" + " dot" * 60 + " !",
    "at and dot words": "at " * 5000 + "dot " * 5000,
    "dotted chain": "a at b.c" + ".c" * 200 + "!",
    "email chain": "a@" + "b." * 500 + "!",
    "bracketed dots": "jane(at)" + "x(dot)" * 100 + "!",
    "spaced digits": "1 " * 3000,
    "dashed digits": "12-" * 10000 + " Main St",
    "one long number": "9" * 100_000,
    "one long word": "a" * 100_000,
    "street words": "12 " + "Elm " * 2000 + "x",
    "titles": "Mr. " + "Smith " * 3000,
    "all caps": "OFFICER " * 3000,
    "plate words": "plate " * 3000,
    "plates": "ABC-1234 " * 5000,
    "newlines": "\n" * 50_000,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_no_catastrophic_backtracking(name: str) -> None:
    """Inputs built to make nested quantifiers backtrack; exponential time would blow any bound,
    so a generous one (for a loaded 2-core machine) catches it without being flaky."""
    start = time.process_time()
    result = redact(PATHOLOGICAL[name])
    assert time.process_time() - start < 10
    assert redact(result.text).text == result.text


def test_intake_installs_the_log_guard_at_startup() -> None:
    from porchlight.intake.spec import spec

    assert install_log_redaction in spec.on_startup


def test_logging_filter_redacts_message_and_args() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        install_log_redaction(None)
        install_log_redaction(None)  # twice: still one filter
        assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1
        log = logging.getLogger("porchlight.intake.test_redaction")
        log.setLevel(logging.INFO)
        log.warning("resident wrote from jane@example.org")
        log.warning("callback %s for %s", "617-555-0123", {"plate": "plate ABC 1234"})
        try:
            raise ValueError("bad note from jane@example.org")
        except ValueError:
            log.exception("import failed")
    finally:
        root.removeHandler(handler)
    out = stream.getvalue()
    assert "jane@example.org" not in out and "617-555-0123" not in out and "ABC 1234" not in out
    assert "resident wrote from [EMAIL]" in out
    assert "callback [PHONE] for {'plate': 'plate [PLATE]'}" in out
    assert "ValueError: bad note from [EMAIL]" in out
