"""Topic classification: similarity to the taxonomy's prototypes, sharpened by what the city teaches.

A concern's topic probabilities are a mixture of three parts, each a distribution over topics:

* **prototypes** — cosine similarity of the concern's embedding to each topic's description and
  example phrases (mean of the 3 closest), softmax at temperature ``proto_temperature``. Works
  with no labeled data at all: a new city gets topics from its taxonomy alone.
* **nearest learned examples** — a similarity-weighted vote of the ``knn_k`` closest labeled
  examples (supervisors' corrections, ``--train`` rows): each correction is a new prototype.
* **a linear head** — multinomial logistic regression over the embedding, word/bigram TF-IDF and
  the concern's similarity to each topic's prototypes (so the head can lean on the taxonomy for
  topics with few examples), class-balanced, refitted on the learned examples whenever they change.

With fewer than ``min_examples_for_head`` learned examples (or fewer than two topics among them)
the model is in its **first-day regime**: the head learns the taxonomy's own descriptions and
example phrases instead (weight ``taxonomy_head_weight``), so a city's words, not only their
embeddings, count from the first note. In that regime :meth:`TopicModel.adapt` may also fit the
topics' **prior shares** to unlabeled concerns (the EM of Saerens, Latinne & Decaestecker, 2002):
the prototypes and the taxonomy head assume every topic equally likely, which floods rare topics
with false positives (in the Gainesville data "animals" was predicted 45 times for 8 true). Both
add 2 to 4 points of macro-F1 each on held-out rows (docs/benchmarks.md, "First-day quality"). The winning topic is
reported as :data:`UNASSIGNED` when its probability is under ``threshold``; the threshold is
calibrated by cross-validation on the learned examples (see :meth:`TopicModel.calibrate`) so that
leaving concerns unassigned costs at most ``calib_max_cost`` (half a point) of accuracy.

Every change to what the model knows (``learn``, a new taxonomy, a recalibration) increments
:attr:`TopicModel.version`, so events can say which version labeled what.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from porchlight.synthesis.model.embedder import MODEL_FINGERPRINT, Embedder
from porchlight.synthesis.model.taxonomy import UNASSIGNED, Taxonomy


@dataclass(frozen=True)
class TopicParams:
    """Hyper-parameters, chosen by 5-fold cross-validation on the Gainesville data (docs/benchmarks.md)."""

    proto_weight: float = 0.3
    knn_weight: float = 0.2
    head_weight: float = 0.5
    proto_temperature: float = 0.05
    proto_top: int = 3
    knn_k: int = 10
    knn_temperature: float = 0.05
    head_c: float = 3.0
    #: Scale of the 17-ish prototype-similarity features next to TF-IDF and the embedding in the
    #: head (+0.4 accuracy, +0.7 macro-F1 points in 5-fold CV; 0 turns them off).
    head_proto_weight: float = 3.0
    min_examples_for_head: int = 20
    #: First-day regime: weight of the head learned from the taxonomy's own phrases (0 turns it
    #: off); with ``proto_weight`` 0.3 this mixes 40 % prototypes, 60 % head.
    taxonomy_head_weight: float = 0.45
    #: The head learns the taxonomy's phrases beside fewer learned examples than this (``_refit``).
    taxonomy_in_head_until: int = 1000
    #: ``adapt``: the probabilities are sharpened by this temperature before the EM of the prior
    #: shares and when the priors are applied (the mixture is under-confident: at 1.0 the EM
    #: over-corrects and loses 7 points of macro-F1 on the dev half; 0.5 gains 3).
    prior_temperature: float = 0.5
    prior_iterations: int = 200
    #: The least share a topic keeps, as a fraction of an equal share (0.1: 0.6 % of 17 topics).
    prior_floor: float = 0.1
    #: Fewer unlabeled concerns than this say too little about the shares: ``adapt`` declines.
    prior_min_concerns: int = 100
    #: Default unassigned threshold before any calibration (prototype-only regime).
    default_threshold: float = 0.15
    #: Kept for compatibility of saved params; the calibration now bounds the cost below.
    calib_max_precision: float = 0.2
    #: Calibration: the concerns left unassigned may hold at most this share of all learned
    #: examples that the model would have labeled right (the accuracy it costs on a closed label set)...
    calib_max_cost: float = 0.005
    #: ...and never more than this share of concerns is left unassigned.
    calib_max_unassigned: float = 0.05
    calib_min_examples: int = 100


@dataclass(frozen=True)
class LabeledExample:
    text: str
    topic: str
    source: str = "correction"  # "correction" (a supervisor), "train" (a labeled file), ...


@dataclass(frozen=True)
class TopicPrediction:
    topic: str  # a topic name or UNASSIGNED
    confidence: float  # probability of the best topic
    best: str  # the best topic even when unassigned
    alternatives: tuple[tuple[str, float], ...] = field(default=())  # top 3 (name, probability)

    @property
    def assigned(self) -> bool:
        return self.topic != UNASSIGNED


def _softmax(m: np.ndarray, temperature: float) -> np.ndarray:
    z = (m - m.max(axis=1, keepdims=True)) / temperature
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class TopicModel:
    """Prototype + learned-example topic classifier over one :class:`Taxonomy`."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        embedder: Embedder,
        *,
        params: TopicParams | None = None,
        allow_new_topics: bool = False,
    ) -> None:
        self.params = params or TopicParams()
        self.embedder = embedder
        self.allow_new_topics = allow_new_topics
        self.version = 0
        self.threshold = self.params.default_threshold
        self.calibrated_on = 0
        self._lock = threading.RLock()
        self._examples: list[LabeledExample] = []
        self._example_emb = np.zeros((0, embedder.dimension), dtype=np.float32)
        self._head: Any = None
        self._vectorizer: Any = None
        #: Prior shares of the taxonomy's topics fitted by ``adapt`` (None: equally likely).
        self._priors: np.ndarray | None = None
        self.adapted_on = 0
        self._set_taxonomy(taxonomy)
        self._refit()

    # -- what the model knows --------------------------------------------------------------------

    @property
    def taxonomy(self) -> Taxonomy:
        return self._taxonomy

    @property
    def topics(self) -> list[str]:
        """Every topic the model can answer: the taxonomy's, then any learned beyond it."""
        return list(self._topics)

    @property
    def examples(self) -> list[LabeledExample]:
        return list(self._examples)

    @property
    def version_tag(self) -> str:
        """``<version>/<taxonomy fingerprint>/<embedding model>``: what labeled a concern."""
        return f"{self.version}/{self._taxonomy.fingerprint}/{MODEL_FINGERPRINT}"

    def set_taxonomy(self, taxonomy: Taxonomy) -> int:
        with self._lock:
            self._set_taxonomy(taxonomy)
            self._refit()
            return self.version

    def _set_taxonomy(self, taxonomy: Taxonomy) -> None:
        texts: list[str] = []
        owners: list[str] = []
        for topic in taxonomy:
            for t in topic.prototype_texts():
                texts.append(t)
                owners.append(topic.name)
        self._taxonomy = taxonomy
        self._proto_texts = texts
        self._proto_owner = np.array(owners)
        self._proto_emb = self.embedder.embed_cached(texts)
        self._topics = list(taxonomy.names)
        for ex in self._examples:
            if ex.topic not in self._topics:
                self._topics.append(ex.topic)
        self._priors, self.adapted_on = None, 0  # shares of another taxonomy's topics
        self.version += 1

    @property
    def first_day(self) -> bool:
        """True while the learned examples are too few to weigh as much as the taxonomy."""
        labels = {e.topic for e in self._examples}
        return len(self._examples) < self.params.min_examples_for_head or len(labels) < 2

    @property
    def priors(self) -> dict[str, float] | None:
        """The topics' prior shares fitted by :meth:`adapt` (None when not adapted)."""
        if self._priors is None:
            return None
        return {t: round(float(p), 6) for t, p in zip(self._taxonomy.names, self._priors, strict=True)}

    def adapt(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> bool:
        """Fit the topics' prior shares to unlabeled concerns (EM, Saerens et al. 2002); bumps the
        version and returns True when it did. No label is read: only how the concerns spread.

        Declines (returns False) with fewer than ``prior_min_concerns`` concerns, and once the model
        learned a head of its own from the city's corrections: that head is fitted class-balanced
        on labeled examples and the adaptation was measured only in the first-day regime."""
        p = self.params
        if len(texts) < p.prior_min_concerns:
            return False
        if embeddings is None:
            embeddings = self.embedder.embed(texts)
        with self._lock, _one_blas_thread():
            if not self.first_day:
                return False
            self._priors = None
            probs = self._proba(texts, embeddings)[:, : len(self._taxonomy)]
            priors = _em_priors(_sharpen(probs, p.prior_temperature), p.prior_iterations)
            # A floor: a topic absent from these concerns can still be raised tomorrow.
            priors = np.maximum(priors, p.prior_floor / len(priors))
            self._priors = priors / priors.sum()
            self.adapted_on = len(texts)
            self.version += 1
            return True

    def set_priors(self, priors: dict[str, float] | None) -> None:
        """Restore priors fitted before (a saved model version); unknown topics are ignored."""
        with self._lock:
            if not priors:
                self._priors = None
                return
            v = np.array([max(float(priors.get(t, 0.0)), 0.0) for t in self._taxonomy.names])
            self._priors = v / v.sum() if v.sum() > 0 else None

    def learn(
        self, examples: Iterable[LabeledExample | tuple[str, str]], *, embeddings: np.ndarray | None = None
    ) -> int:
        """Add labeled examples (a supervisor's corrections, a training file) and refit; returns the new version.

        A topic outside the taxonomy raises ``ValueError`` unless the model was built with
        ``allow_new_topics=True`` (evaluation on label sets the taxonomy does not name).
        """
        items = [e if isinstance(e, LabeledExample) else LabeledExample(text=e[0], topic=e[1]) for e in examples]
        items = [e for e in items if e.text and e.text.strip()]
        if not items:
            return self.version
        with self._lock:
            for e in items:
                if e.topic == UNASSIGNED:
                    raise ValueError(f"{UNASSIGNED!r} is not a topic one can learn")
                if e.topic not in self._topics:
                    if not self.allow_new_topics:
                        raise ValueError(f"unknown topic {e.topic!r}: add it to the taxonomy first")
                    self._topics.append(e.topic)
            if embeddings is None:
                embeddings = self.embedder.embed_cached([e.text for e in items])
            elif len(embeddings) != len(items):
                raise ValueError("embeddings and examples differ in length")
            self._examples.extend(items)
            self._example_emb = np.vstack([self._example_emb, embeddings.astype(np.float32)])
            self._refit()
            grown = len(self._examples) >= self.params.calib_min_examples and (
                self.calibrated_on == 0 or len(self._examples) >= 1.25 * self.calibrated_on
            )
            if grown:
                self._calibrate()
            self.version += 1
            return self.version

    def _refit(self) -> None:
        """The head learns the learned examples and, while they are fewer than
        ``taxonomy_in_head_until``, the taxonomy's own phrases: a hundred corrections alone
        teach less than the city's taxonomy (0.549 against 0.560 macro-F1 with both, 5-fold CV on
        the Gainesville data); with thousands the phrases only blur the city's own labels (0.624
        against 0.607)."""
        p = self.params
        texts = [e.text for e in self._examples]
        labels = [e.topic for e in self._examples]
        emb = self._example_emb
        if len(self._examples) < p.taxonomy_in_head_until and p.taxonomy_head_weight > 0:
            texts = [*self._proto_texts, *texts]
            labels = [*self._proto_owner.tolist(), *labels]
            emb = np.vstack([self._proto_emb, emb]) if len(emb) else self._proto_emb
        if len(labels) < p.min_examples_for_head or len(set(labels)) < 2:
            self._head = self._vectorizer = None
            return
        extra = self._head_extra(self._proto_similarity(emb))
        self._vectorizer, self._head = _fit_head(texts, emb, labels, p.head_c, extra)

    # -- inference -------------------------------------------------------------------------------

    def predict_proba(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """``(n, len(self.topics))`` probabilities, columns in :attr:`topics` order."""
        if embeddings is None:
            embeddings = self.embedder.embed(texts)
        with self._lock, _one_blas_thread():
            return self._proba(texts, embeddings)

    def _proba(self, texts: Sequence[str], emb: np.ndarray) -> np.ndarray:
        return self._with_priors(self._mixture(texts, emb))

    def _mixture(self, texts: Sequence[str], emb: np.ndarray) -> np.ndarray:
        """The prototypes, nearest examples and head mixed, before any fitted topic shares."""
        p = self.params
        n, k = len(emb), len(self._topics)
        col = {t: i for i, t in enumerate(self._topics)}
        total = np.zeros((n, k))
        weight = 0.0
        if n == 0:
            return total
        # 1. prototypes of the taxonomy
        raw = self._proto_similarity(emb)
        proto_scores = np.full((n, k), -1.0)
        proto_scores[:, : raw.shape[1]] = raw  # the taxonomy's topics come first in self._topics
        total += p.proto_weight * _softmax(proto_scores, p.proto_temperature)
        weight += p.proto_weight
        # 2. nearest learned examples
        if len(self._examples) >= 1 and p.knn_weight > 0:
            total += p.knn_weight * self._knn(emb)
            weight += p.knn_weight
        # 3. the linear head (on the first day it knows only the taxonomy's phrases)
        head_weight = p.taxonomy_head_weight if self.first_day else p.head_weight
        if self._head is not None and head_weight > 0:
            probs = _head_proba(self._vectorizer, self._head, texts, emb, self._head_extra(raw))
            for j, name in enumerate(self._head.classes_):
                total[:, col[name]] += head_weight * probs[:, j]
            weight += head_weight
        return total / weight

    def _with_priors(self, mixture: np.ndarray) -> np.ndarray:
        """4. the city's own mix of topics (first-day regime, after ``adapt``)."""
        if self._priors is None or not self.first_day:
            return mixture
        k = len(self._taxonomy)
        out = mixture.copy()
        out[:, :k] = _sharpen(out[:, :k], self.params.prior_temperature) * self._priors
        return out / out.sum(axis=1, keepdims=True)

    def _proto_similarity(self, emb: np.ndarray) -> np.ndarray:
        """``(n, len(taxonomy))``: mean cosine similarity to each topic's ``proto_top`` closest prototypes."""
        top_n = self.params.proto_top
        sims = emb @ self._proto_emb.T
        names = self._taxonomy.names
        out = np.zeros((len(emb), len(names)))
        for j, name in enumerate(names):
            s = sims[:, self._proto_owner == name]
            top = min(top_n, s.shape[1])
            out[:, j] = np.sort(s, axis=1)[:, -top:].mean(axis=1)
        return out

    def _head_extra(self, proto_similarity: np.ndarray) -> np.ndarray | None:
        w = self.params.head_proto_weight
        return proto_similarity * w if w > 0 else None

    def _knn(self, emb: np.ndarray) -> np.ndarray:
        p = self.params
        col = {t: i for i, t in enumerate(self._topics)}
        labels = np.array([col[e.topic] for e in self._examples])
        sims = emb @ self._example_emb.T
        kk = min(p.knn_k, sims.shape[1])
        idx = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        top = np.take_along_axis(sims, idx, axis=1)
        w = np.exp((top - top.max(axis=1, keepdims=True)) / p.knn_temperature)
        out = np.zeros((len(emb), len(self._topics)))
        rows = np.repeat(np.arange(len(emb)), kk)
        np.add.at(out, (rows, labels[idx].ravel()), w.ravel())
        return out / out.sum(axis=1, keepdims=True)

    def predict(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> list[TopicPrediction]:
        return self.predict_with_mixture(texts, embeddings)[0]

    def predict_with_mixture(
        self, texts: Sequence[str], embeddings: np.ndarray | None = None
    ) -> tuple[list[TopicPrediction], np.ndarray]:
        """The predictions and the mixture's probabilities (:attr:`topics` order) before the
        fitted topic shares: what counts are estimated from (quantify.py fits each place's own
        shares, so the city's shares must not be in them already)."""
        if embeddings is None:
            embeddings = self.embedder.embed(texts)
        with self._lock, _one_blas_thread():
            mixture = self._mixture(texts, embeddings)
            probs = self._with_priors(mixture)
            claim = self._taxonomy_claim(embeddings) if self.first_day else None
        return self._decide(probs, claim), mixture

    def _taxonomy_claim(self, emb: np.ndarray) -> np.ndarray:
        """How strongly the taxonomy's phrases alone claim each statement: the prototypes' best
        probability. On the first day this, not the mixture, decides "unassigned": the head,
        fitted on the phrases, is sure of itself far from them too (it labeled "board game nights
        at the library" *noise*), and what no phrase claims is what emerging topics are made of."""
        return _softmax(self._proto_similarity(emb), self.params.proto_temperature).max(axis=1)

    def _decide(self, probs: np.ndarray, claim: np.ndarray | None = None) -> list[TopicPrediction]:
        out = []
        for i, row in enumerate(probs):
            order = np.argsort(-row)[:3]
            best = self._topics[order[0]]
            conf = float(row[order[0]])
            sure = conf if claim is None else float(claim[i])
            alts = tuple((self._topics[j], round(float(row[j]), 4)) for j in order)
            out.append(
                TopicPrediction(
                    topic=best if sure >= self.threshold else UNASSIGNED, confidence=conf, best=best, alternatives=alts
                )
            )
        return out

    def classify(self, text: str) -> TopicPrediction:
        return self.predict([text])[0]

    # -- calibration -----------------------------------------------------------------------------

    def calibrate(self, folds: int = 5, seed: int = 0) -> float:
        """Recalibrate the unassigned threshold on the learned examples; bumps the version."""
        with self._lock:
            self._calibrate(folds, seed)
            self.version += 1
            return self.threshold

    def _calibrate(self, folds: int = 5, seed: int = 0) -> None:
        """Cross-validated confidences of the learned examples: the threshold is the highest
        confidence below which the examples the best topic would have got right are at most
        ``calib_max_cost`` of all examples, capped so at most ``calib_max_unassigned`` of the
        examples fall under it. On a closed label set (every concern has a true topic) an
        unassigned concern counts as wrong, so this bounds what "unassigned" costs in accuracy
        while still setting aside the least certain (mostly wrong) labels for emerging topics."""
        p = self.params
        n = len(self._examples)
        if n < p.calib_min_examples:
            return
        conf, correct = self._cross_val_confidences(folds, seed)
        order = np.argsort(conf)
        cum_correct = np.cumsum(correct[order])
        cap = int(p.calib_max_unassigned * n)
        ok = np.nonzero(cum_correct[:cap] <= p.calib_max_cost * n)[0]
        self.threshold = float(conf[order][ok[-1]]) + 1e-9 if len(ok) else 0.0
        self.calibrated_on = n

    def _cross_val_confidences(self, folds: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.model_selection import KFold, StratifiedKFold

        labels = np.array([e.topic for e in self._examples])
        texts = [e.text for e in self._examples]
        _, counts = np.unique(labels, return_counts=True)
        splitter: Any = (
            StratifiedKFold(folds, shuffle=True, random_state=seed)
            if counts.min() >= folds
            else KFold(folds, shuffle=True, random_state=seed)
        )
        conf = np.zeros(len(labels))
        correct = np.zeros(len(labels))
        for tr, te in splitter.split(texts, labels):
            sub = self.fork(train_idx=tr)
            with _one_blas_thread():
                probs = sub._proba([texts[i] for i in te], self._example_emb[te])
            best = probs.argmax(axis=1)
            conf[te] = probs.max(axis=1)
            correct[te] = np.array([sub._topics[b] for b in best]) == labels[te]
        return conf, correct

    def fork(self, train_idx: Sequence[int] | np.ndarray | None = None) -> TopicModel:
        """A copy sharing the taxonomy prototypes, learned only from the examples ``train_idx``."""
        clone = TopicModel.__new__(TopicModel)
        clone.params = self.params
        clone.embedder = self.embedder
        clone.allow_new_topics = self.allow_new_topics
        clone.version = self.version
        clone.threshold = self.threshold
        clone.calibrated_on = self.calibrated_on
        clone._lock = threading.RLock()
        clone._taxonomy = self._taxonomy
        clone._proto_texts = self._proto_texts
        clone._proto_owner = self._proto_owner
        clone._proto_emb = self._proto_emb
        clone._priors, clone.adapted_on = self._priors, self.adapted_on
        clone._topics = list(self._topics)
        idx = np.arange(len(self._examples)) if train_idx is None else np.asarray(train_idx)
        clone._examples = [self._examples[i] for i in idx]
        clone._example_emb = self._example_emb[idx] if len(idx) else self._example_emb[:0]
        clone._head = clone._vectorizer = None
        clone._refit()
        return clone

    # -- persistence -----------------------------------------------------------------------------

    def save(self, directory: Path | str) -> None:
        """Write the learned state (examples, their embeddings, threshold, version) to ``directory``."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        with self._lock:
            np.save(d / "examples.npy", self._example_emb)
            (d / "examples.jsonl").write_text("".join(json.dumps(asdict(e)) + "\n" for e in self._examples))
            meta = {
                "version": self.version,
                "threshold": self.threshold,
                "calibrated_on": self.calibrated_on,
                "priors": self.priors,
                "adapted_on": self.adapted_on,
                "taxonomy_fingerprint": self._taxonomy.fingerprint,
                "embedding_model": MODEL_FINGERPRINT,
                "params": asdict(self.params),
            }
            (d / "meta.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, directory: Path | str, taxonomy: Taxonomy, embedder: Embedder, **kwargs: Any) -> TopicModel:
        d = Path(directory)
        meta = json.loads((d / "meta.json").read_text())
        model = cls(taxonomy, embedder, **kwargs)
        lines = (d / "examples.jsonl").read_text().splitlines()
        examples = [LabeledExample(**json.loads(line)) for line in lines if line.strip()]
        if examples:
            emb = np.load(d / "examples.npy")
            if meta.get("embedding_model") != MODEL_FINGERPRINT:
                emb = None  # embedded by another model: recompute
            model.allow_new_topics = True  # keep what was learned even if the taxonomy shrank
            model.learn(examples, embeddings=emb)
            model.allow_new_topics = kwargs.get("allow_new_topics", False)
        model.threshold = float(meta.get("threshold", model.threshold))
        model.calibrated_on = int(meta.get("calibrated_on", model.calibrated_on))
        model.set_priors(meta.get("priors"))
        model.adapted_on = int(meta.get("adapted_on", 0))
        model.version = max(int(meta.get("version", 0)), model.version)
        return model


def _sharpen(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Rows of ``probs`` raised to ``1 / temperature`` and renormalized."""
    q = np.power(np.clip(probs, 1e-12, None), 1.0 / temperature)
    return q / q.sum(axis=1, keepdims=True)


def _em_priors(probs: np.ndarray, iterations: int) -> np.ndarray:
    """Prior shares maximizing the likelihood of unlabeled rows whose class probabilities
    ``probs`` were computed under equal priors (Saerens, Latinne & Decaestecker, 2002): each round
    re-weights the rows' posteriors by the current shares and takes their mean as the next."""
    k = probs.shape[1]
    priors = np.full(k, 1.0 / k)
    for _ in range(iterations):
        post = probs * priors
        post /= post.sum(axis=1, keepdims=True)
        new = post.mean(axis=0)
        if np.abs(new - priors).max() < 1e-7:
            return new
        priors = new
    return priors


def _one_blas_thread() -> Any:
    """Small dense/sparse algebra runs much faster on one BLAS thread than on several (10x for
    the head's L-BFGS on 2 cores, measured), and leaves the other core to the embedder."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _fit_head(
    texts: list[str], emb: np.ndarray, labels: list[str], c: float, extra: np.ndarray | None = None
) -> tuple[Any, Any]:
    with _one_blas_thread():
        return _fit_head_inner(texts, emb, labels, c, extra)


def _head_features(vec: Any, texts: Sequence[str], emb: np.ndarray, extra: np.ndarray | None, *, fit: bool) -> Any:
    from scipy.sparse import csr_matrix, hstack

    words = vec.fit_transform(texts) if fit else vec.transform(texts)
    parts = [words, csr_matrix(emb)]
    if extra is not None:
        parts.append(csr_matrix(extra))
    return hstack(parts).tocsr()


def _fit_head_inner(
    texts: list[str], emb: np.ndarray, labels: list[str], c: float, extra: np.ndarray | None = None
) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2 if len(texts) >= 200 else 1)
    x = _head_features(vec, texts, emb, extra, fit=True)
    head = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    head.fit(x, labels)
    return vec, head


def _head_proba(
    vec: Any, head: Any, texts: Sequence[str], emb: np.ndarray, extra: np.ndarray | None = None
) -> np.ndarray:
    x = _head_features(vec, [str(t) for t in texts], emb, extra, fit=False)
    return np.asarray(head.predict_proba(x))
