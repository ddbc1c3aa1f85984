"""``SynthesisModel``: the three models behind one shared :class:`Embedder`, so each concern is
embedded once (what the benchmarks and ``porchlight eval`` call; the service uses model/live.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from porchlight.synthesis.model.concerns import split_concerns
from porchlight.synthesis.model.embedder import Embedder
from porchlight.synthesis.model.sentiment import SentimentModel, SentimentPrediction, note_sentiment
from porchlight.synthesis.model.taxonomy import Taxonomy, demo_taxonomy
from porchlight.synthesis.model.topics import TopicModel, TopicParams, TopicPrediction


@dataclass(frozen=True)
class ConcernAnalysis:
    text: str
    topic: TopicPrediction
    sentiment: SentimentPrediction


@dataclass(frozen=True)
class NoteAnalysis:
    concerns: tuple[ConcernAnalysis, ...]
    sentiment: SentimentPrediction
    model_version: str


class SynthesisModel:
    def __init__(
        self, embedder: Embedder, taxonomy: Taxonomy | None = None, *, params: TopicParams | None = None
    ) -> None:
        self.embedder = embedder
        self.topics = TopicModel(taxonomy or demo_taxonomy(), embedder, params=params)
        self.sentiment = SentimentModel(embedder)

    @property
    def version(self) -> str:
        return self.topics.version_tag

    def analyze(self, texts: Sequence[str]) -> list[ConcernAnalysis]:
        emb = self.embedder.embed(texts)
        topics = self.topics.predict(texts, emb)
        sentiments = self.sentiment.predict(texts, emb)
        return [ConcernAnalysis(t, tp, sp) for t, tp, sp in zip(texts, topics, sentiments, strict=True)]

    def analyze_notes(self, notes: Sequence[tuple[str, Sequence[str]]]) -> list[NoteAnalysis]:
        """``notes`` as (free text, top-concern fields); all concerns are embedded in one batch."""
        per_note = [split_concerns(text, tops) for text, tops in notes]
        flat = [c for cs in per_note for c in cs]
        analyzed = self.analyze(flat) if flat else []
        out = []
        i = 0
        version = self.version
        for cs in per_note:
            mine = tuple(analyzed[i : i + len(cs)])
            i += len(cs)
            out.append(NoteAnalysis(mine, note_sentiment([c.sentiment for c in mine], self.sentiment), version))
        return out
