"""Cluster unassigned concerns (HDBSCAN) and name each cluster by its distinctive words (c-TF-IDF).

* HDBSCAN (scikit-learn) on the unit-length sentence embeddings with euclidean distance (a
  monotone function of cosine distance on unit vectors): no number of clusters to guess, and
  statements that belong nowhere stay noise instead of being forced into a cluster.
* Class-based TF-IDF (as BERTopic names topics): the statements of each cluster are one document;
  a word's weight is its frequency in the cluster times ``log(1 + A / f)`` with ``A`` the average
  number of words per cluster and ``f`` the word's frequency over all clusters, noise included —
  words every cluster uses ("street", "please") score low.
* Only statements that truly belong: HDBSCAN's clusters are dense *relative to* their
  surroundings, so among a few dozen unrelated statements it groups ones that share nothing (a
  member's mean cosine similarity to the others 0.1 to 0.45 with the MiniLM embedder), and
  promoting such a cluster relabelled unrelated concerns. Each HDBSCAN cluster is therefore
  split by average linkage at :data:`MIN_SIMILARITY` and trimmed: a member stays only while its
  mean similarity to the other members is at least that (statements saying one thing in other
  words score 0.55 to 0.75). What is trimmed stays noise: unassigned, in no candidate topic.
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
#: A statement belongs to its cluster when its mean cosine similarity to the other members is at least this.
MIN_SIMILARITY = 0.5


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
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    with threadpool_limits(limits=1, user_api="blas"):
        found = HDBSCAN(min_cluster_size=min_cluster_size, min_samples=2, copy=True).fit_predict(x)
        labels = np.full(len(statements), -1)
        for k in sorted(set(int(v) for v in found) - {-1}):
            for part in cohesive_groups(x, np.flatnonzero(found == k)):
                if len(part) >= min_cluster_size and len({statements[i].note_id for i in part}) >= 2:
                    labels[part] = labels.max() + 1
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    kept = {k: idx for k, idx in groups.items() if k >= 0}
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


def cohesive_groups(x: np.ndarray, idx: np.ndarray, min_similarity: float = MIN_SIMILARITY) -> list[np.ndarray]:
    """The parts of one cluster (rows ``idx`` of unit vectors ``x``) whose members belong together:
    split by average linkage (no two parts' statements are ``min_similarity`` alike on average),
    then each part trimmed of its least similar member, one at a time, until every member's mean
    similarity to the others is at least ``min_similarity``."""
    from sklearn.cluster import AgglomerativeClustering

    if len(idx) < 2:
        return [idx]
    parts = AgglomerativeClustering(
        n_clusters=None, metric="cosine", linkage="average", distance_threshold=1 - min_similarity
    ).fit_predict(x[idx])
    out = []
    for part in sorted(set(int(p) for p in parts)):
        members = idx[parts == part]
        sims = x[members] @ x[members].T
        np.fill_diagonal(sims, 0.0)
        totals = sims.sum(axis=1)
        keep = np.ones(len(members), dtype=bool)
        while keep.sum() >= 2:
            mean = np.where(keep, totals / (keep.sum() - 1), np.inf)
            worst = int(np.argmin(mean))
            if mean[worst] >= min_similarity:
                break
            keep[worst] = False
            totals -= sims[:, worst]
        out.append(members[keep])
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
