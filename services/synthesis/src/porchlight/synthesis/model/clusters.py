"""Cluster unassigned concerns (HDBSCAN) and name each cluster by its distinctive words (c-TF-IDF).

* HDBSCAN (scikit-learn) on the unit-length sentence embeddings with euclidean distance (a
  monotone function of cosine distance on unit vectors): no number of clusters to guess, and
  statements that belong nowhere stay noise instead of being forced into a cluster.
* Class-based TF-IDF (as BERTopic names topics): the statements of each cluster are one document;
  a word's weight is its frequency in the cluster times ``log(1 + A / f)`` with ``A`` the average
  number of words per cluster and ``f`` the word's frequency over all clusters, noise included —
  words every cluster uses ("street", "please") score low.
* Representative quotes: the statements closest to the cluster's centroid, one per note.

A cluster's id is a digest of its concern ids: the same statements give the same id.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MIN_CLUSTER_SIZE = 3
WORDS = 4
QUOTES = 3


@dataclass(frozen=True)
class Statement:
    concern_id: int
    note_id: uuid.UUID
    text: str
    start: int
    end: int
    embedding: np.ndarray


@dataclass(frozen=True)
class Cluster:
    cluster_id: str
    words: tuple[str, ...]
    members: tuple[Statement, ...]
    quotes: tuple[Statement, ...]

    @property
    def note_ids(self) -> list[uuid.UUID]:
        return sorted({m.note_id for m in self.members}, key=str)


def cluster_statements(statements: Sequence[Statement], min_cluster_size: int = MIN_CLUSTER_SIZE) -> list[Cluster]:
    """Clusters of at least ``min_cluster_size`` statements from at least two notes, largest first."""
    if len(statements) < max(min_cluster_size, 2) + 1:
        return []
    from sklearn.cluster import HDBSCAN
    from threadpoolctl import threadpool_limits

    x = np.stack([s.embedding for s in statements]).astype(np.float64)
    with threadpool_limits(limits=1, user_api="blas"):
        labels = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=2, copy=True).fit_predict(x)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    kept = {k: idx for k, idx in groups.items() if k >= 0 and len({statements[i].note_id for i in idx}) >= 2}
    if not kept:
        return []
    words = distinctive_words([[statements[i].text for i in idx] for idx in groups.values()], list(groups))
    out = []
    for k, idx in kept.items():
        members = [statements[i] for i in idx]
        centroid = x[idx].mean(axis=0)
        order = np.argsort(-(x[idx] @ centroid))
        quotes: list[Statement] = []
        seen_notes: set[uuid.UUID] = set()
        for j in order:
            s = members[int(j)]
            if s.note_id not in seen_notes and s.start >= 0:
                quotes.append(s)
                seen_notes.add(s.note_id)
            if len(quotes) == QUOTES:
                break
        digest = hashlib.sha256(
            ",".join(str(m.concern_id) for m in sorted(members, key=lambda m: m.concern_id)).encode()
        )
        out.append(Cluster(digest.hexdigest()[:12], tuple(words[k]), tuple(members), tuple(quotes)))
    out.sort(key=lambda c: (-len(c.members), c.cluster_id))
    return out


def distinctive_words(
    docs_per_class: Sequence[Sequence[str]], classes: Sequence[int], top: int = WORDS
) -> dict[int, list[str]]:
    """c-TF-IDF: the ``top`` most distinctive words of each class."""
    from sklearn.feature_extraction.text import CountVectorizer

    joined = [" ".join(d) for d in docs_per_class]
    vec = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b", lowercase=True)
    try:
        counts = vec.fit_transform(joined).toarray().astype(np.float64)
    except ValueError:  # nothing but stop words
        return {c: [] for c in classes}
    vocab = np.array(vec.get_feature_names_out())
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    avg_words = counts.sum() / max(len(joined), 1)
    idf = np.log(1 + avg_words / np.maximum(counts.sum(axis=0), 1))
    weights = tf * idf
    out = {}
    for row, c in enumerate(classes):
        order = np.argsort(-weights[row], kind="stable")
        out[c] = [str(vocab[j]) for j in order[:top] if weights[row, j] > 0]
    return out
