"""Splitting a note into concern statements: its top-concern fields and the sentences of its text."""

from __future__ import annotations

import re
from collections.abc import Iterable

# A sentence ends at . ! ? (or runs of them) followed by space and an upper-case letter, digit or
# quote, or at a line break. Common abbreviations ("St.", "Ave.", "Dr.", "e.g.") do not end one.
_ABBREV = re.compile(
    r"\b(?:St|Ave|Rd|Blvd|Dr|Mr|Mrs|Ms|Jr|Sr|Ln|Ct|Pl|Ter|Hwy|No|approx|vs|etc|e\.g|i\.e|[A-Z])\.$", re.IGNORECASE
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\s*\n\s*\n?\s*")
MIN_CHARS = 3
MAX_CHARS = 600


def split_sentences(text: str) -> list[str]:
    """Split free text into sentences, keeping each as an exact substring of ``text`` (trimmed)."""
    if not text or not text.strip():
        return []
    parts: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        piece = text[start : m.start()]
        if _ABBREV.search(piece.rstrip()) and "\n" not in m.group(0):
            continue  # "NW 5th Ave. near the school" stays one sentence
        parts.append(piece)
        start = m.end()
    parts.append(text[start:])
    out = []
    for p in parts:
        p = p.strip()
        if len(p) >= MIN_CHARS and any(ch.isalnum() for ch in p):
            out.append(p[:MAX_CHARS])
    return out


def split_concerns(text: str | None, top_concerns: Iterable[str] = ()) -> list[str]:
    """The concern statements of a note: each non-empty top-concern field, then each sentence."""
    concerns = [" ".join(c.split()) for c in top_concerns if c and c.strip()]
    concerns.extend(split_sentences(text or ""))
    return concerns
