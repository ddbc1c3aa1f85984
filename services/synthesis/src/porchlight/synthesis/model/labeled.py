"""Labeled CSV files and their folds: what ``porchlight eval`` (evaluation.py), the topic-share
bags (bags.py) and the benchmarks read and split.

A labeled file has a ``text`` column and a ``topic`` and/or a ``sentiment`` column (negative /
neutral / positive); other columns are ignored.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from porchlight.synthesis.model.sentiment import LABELS as SENTIMENT_LABELS

csv.field_size_limit(10_000_000)


class EvalError(ValueError):
    """The input files cannot be evaluated (missing columns, bad labels)."""


@dataclass
class LabeledFile:
    path: Path
    texts: list[str]
    topics: list[str] | None
    sentiments: list[str] | None
    digest: str

    def __len__(self) -> int:
        return len(self.texts)


def read_labeled_csv(path: Path | str) -> LabeledFile:
    p = Path(path)
    raw = p.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    reader = csv.DictReader(raw.decode("utf-8-sig").splitlines(keepends=True))
    columns = {c.strip().lower(): c for c in (reader.fieldnames or [])}
    if "text" not in columns:
        raise EvalError(f"{p}: no 'text' column (found {sorted(columns)})")
    has_topic, has_sent = "topic" in columns, "sentiment" in columns
    if not (has_topic or has_sent):
        raise EvalError(f"{p}: needs a 'topic' and/or a 'sentiment' column")
    texts: list[str] = []
    topics: list[str] = []
    sentiments: list[str] = []
    for i, row in enumerate(reader, start=2):
        text = (row.get(columns["text"]) or "").strip()
        if not text:
            continue
        texts.append(text)
        if has_topic:
            topics.append((row.get(columns["topic"]) or "").strip())
        if has_sent:
            s = (row.get(columns["sentiment"]) or "").strip().lower()
            if s and s not in SENTIMENT_LABELS:
                raise EvalError(f"{p}:{i}: sentiment {s!r} is not one of {', '.join(SENTIMENT_LABELS)}")
            sentiments.append(s)
    return LabeledFile(p, texts, topics if has_topic else None, sentiments if has_sent else None, digest)


def same_file(a: LabeledFile, b: LabeledFile) -> bool:
    """The same file by path or by bytes: scoring a file after learning it would be meaningless."""
    try:
        if a.path.resolve() == b.path.resolve():
            return True
    except OSError:
        pass
    return a.digest == b.digest


def splitter(labels: Sequence[str], folds: int, seed: int) -> Any:
    """The k-fold splitter of every cross-validation here (evaluation, bags, benchmarks)."""
    from sklearn.model_selection import KFold, StratifiedKFold

    counts = Counter(labels)
    if counts and min(counts.values()) >= folds:
        return StratifiedKFold(folds, shuffle=True, random_state=seed)
    # Some label is rarer than the number of folds: stratify what can be, keep every row.
    return _LooseStratified(folds, seed) if counts else KFold(folds, shuffle=True, random_state=seed)


class _LooseStratified:
    """Round-robin assignment per label after a seeded shuffle: every fold gets its share of each
    label (a label with fewer rows than folds lands in as many folds as it has rows)."""

    def __init__(self, folds: int, seed: int) -> None:
        self.folds, self.seed = folds, seed

    def split(self, x: Sequence[Any], y: Sequence[str]) -> Any:
        rng = np.random.default_rng(self.seed)
        fold_of = np.zeros(len(y), dtype=int)
        offset = 0
        for label in sorted(set(y)):
            idx = np.array([i for i, v in enumerate(y) if v == label])
            rng.shuffle(idx)
            fold_of[idx] = (np.arange(len(idx)) + offset) % self.folds
            offset += len(idx)
        for f in range(self.folds):
            yield np.nonzero(fold_of != f)[0], np.nonzero(fold_of == f)[0]
