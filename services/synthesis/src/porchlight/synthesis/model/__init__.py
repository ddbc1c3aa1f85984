"""Synthesis's local model: embeddings, topics and sentiment of concerns (issue 4), the taxonomy
they label with, and the pieces the service builds on (the live model, note analysis, clustering).

No SQL and no HTTP here: the service's capabilities (learning, analysis, insights) hand it data.
"""

from porchlight.synthesis.model.concerns import split_concerns, split_sentences
from porchlight.synthesis.model.embedder import (
    MODEL_FINGERPRINT,
    Embedder,
    ModelIntegrityError,
    get_embedder,
    verify_model_dir,
)
from porchlight.synthesis.model.pipeline import ConcernAnalysis, NoteAnalysis, SynthesisModel
from porchlight.synthesis.model.sentiment import SentimentModel, SentimentPrediction
from porchlight.synthesis.model.topics import LabeledExample, TopicModel, TopicParams, TopicPrediction

__all__ = [
    "MODEL_FINGERPRINT",
    "ConcernAnalysis",
    "Embedder",
    "LabeledExample",
    "ModelIntegrityError",
    "NoteAnalysis",
    "SentimentModel",
    "SentimentPrediction",
    "SynthesisModel",
    "TopicModel",
    "TopicParams",
    "TopicPrediction",
    "get_embedder",
    "split_concerns",
    "split_sentences",
    "verify_model_dir",
]
