"""Notes -> concern statements -> one embedding pass -> topic and sentiment of each (CPU, no I/O).

Runs in a worker thread (``asyncio.to_thread``) so the event loop keeps serving HTTP while the
model works; a whole consumer batch is embedded in one call, sorted by length inside the embedder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from porchlight.kit.quantify import stored_probabilities
from porchlight.synthesis.model.concerns import split_concerns
from porchlight.synthesis.model.live import CORRECTION_MATCH, LiveModel
from porchlight.synthesis.model.sentiment import note_sentiment


@dataclass(frozen=True)
class NoteInput:
    concern_fields: Sequence[str]
    text: str


@dataclass(frozen=True)
class ConcernResult:
    position: int
    text: str
    #: ``document[start:end] == text``; -1/-1 when the text could not be located (never quoted).
    start: int
    end: int
    topic: str
    topic_score: float
    best_topic: str
    sentiment: str
    sentiment_score: float
    embedding: np.ndarray
    #: The model's topic probabilities before the city's fitted shares (porchlight.kit.quantify counts
    #: from them); empty for a concern rebuilt from storage without them.
    topic_probs: dict[str, float] = field(default_factory=dict)
    #: Who set ``topic``: the model, or a supervisor (a concern rebuilt from storage after a correction).
    topic_source: str = "model"


@dataclass(frozen=True)
class NoteResult:
    document: str
    concerns: tuple[ConcernResult, ...]
    sentiment: str
    sentiment_score: float


def compose_document(concern_fields: Sequence[str], text: str) -> str:
    """The note as one redacted text: each top-concern field (whitespace-normalized) on its own
    line, then the free text as written. Quotes are exact substrings of this document."""
    fields = [" ".join(c.split()) for c in concern_fields if c and c.strip()]
    return "\n".join([*fields, text] if text and text.strip() else fields)


def locate(document: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    """Each piece's span in ``document``, searched in order from the end of the previous one."""
    spans = []
    cursor = 0
    for piece in pieces:
        at = document.find(piece, cursor)
        if at < 0:
            at = document.find(piece)
        if at < 0 or not piece:
            spans.append((-1, -1))
            continue
        spans.append((at, at + len(piece)))
        cursor = at + len(piece)
    return spans


def analyze_notes(live: LiveModel, notes: Sequence[NoteInput]) -> list[NoteResult]:
    per_note = [split_concerns(n.text, n.concern_fields) for n in notes]
    flat = [c for cs in per_note for c in cs]
    emb = live.embedder.embed(flat) if flat else np.zeros((0, live.embedder.dimension), dtype=np.float32)
    topics, mixture = live.topics.predict_with_mixture(flat, emb) if flat else ([], np.zeros((0, 0)))
    sentiments = live.sentiment.predict(flat, emb) if flat else []
    # The near-duplicate rule: a statement (nearly) identical to a corrected one takes its topic.
    override: dict[int, tuple[str, float]] = {}
    if flat and len(live.corrected_topics):
        sims = emb @ live.corrected_emb.T
        best = sims.argmax(axis=1)
        for i, j in enumerate(best):
            if sims[i, j] >= CORRECTION_MATCH:
                override[i] = (live.corrected_topics[j], float(sims[i, j]))
    out: list[NoteResult] = []
    i = 0
    for note, texts in zip(notes, per_note, strict=True):
        document = compose_document(note.concern_fields, note.text)
        spans = locate(document, texts)
        concerns = []
        for position, (text, (start, end)) in enumerate(zip(texts, spans, strict=True)):
            tp, sp = topics[i], sentiments[i]
            topic, score = override.get(i, (tp.topic, tp.confidence))
            concerns.append(
                ConcernResult(
                    position=position,
                    text=text,
                    start=start,
                    end=end,
                    topic=topic,
                    topic_score=round(float(score), 4),
                    best_topic=tp.best,
                    sentiment=sp.label,
                    sentiment_score=float(sp.score),
                    embedding=emb[i],
                    topic_probs=stored_probabilities(live.topics.topics, mixture[i]),
                )
            )
            i += 1
        overall = note_sentiment([sentiments[k] for k in range(i - len(texts), i)], live.sentiment)
        out.append(NoteResult(document, tuple(concerns), overall.label, float(overall.score)))
    return out


def embedding_bytes(vector: np.ndarray) -> bytes:
    """A concern's embedding as stored: float32 little-endian."""
    return np.asarray(vector, dtype="<f4").tobytes()


def embedding_of(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")
