"""Scoring the model on labeled CSV files: what ``porchlight eval`` runs.

A labeled file has a ``text`` column and a ``topic`` and/or a ``sentiment`` column (negative /
neutral / positive); other columns are ignored. ``train`` rows are learned first, exactly as a
city's corrections would teach the model: ``topic`` rows become learned examples of the topic
model, ``sentiment`` rows fit the sentiment model's learned head (without them the shipped
lexicon + prototype calibration is scored). Several training files may be given, at most one per
kind of label (e.g. a topic file and a sentiment file). When a data file *is* the training file (same path or
same bytes), scoring it after learning it would be meaningless, so that file is scored by k-fold
cross-validation instead: each fold is predicted by a model that learned only the other folds.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from porchlight.synthesis.model.bags import bag_figures, cross_fitted, format_bags, pooled_calibration
from porchlight.synthesis.model.embedder import MODEL_FINGERPRINT, Embedder
from porchlight.synthesis.model.labeled import EvalError, LabeledFile, read_labeled_csv, same_file, splitter
from porchlight.synthesis.model.sentiment import SentimentModel
from porchlight.synthesis.model.taxonomy import UNASSIGNED, Taxonomy, load_taxonomy
from porchlight.synthesis.model.topics import LabeledExample, TopicModel, TopicParams


@dataclass
class Timer:
    seconds: float = 0.0
    items: int = 0

    def add(self, seconds: float, items: int = 0) -> None:
        self.seconds += seconds
        self.items += items


@dataclass
class EvalReport:
    topic: dict[str, Any] | None = None
    sentiment: dict[str, Any] | None = None
    concerns_per_second: float | None = None
    notes: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    #: ``--bags``: counts adjusted by the measured calibration on random "districts" (bags.py).
    bags: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "topic_accuracy": None,
            "topic_macro_f1": None,
            "sentiment_accuracy": None,
            "sentiment_macro_f1": None,
        }
        if self.topic:
            out["topic_accuracy"] = self.topic["accuracy"]
            out["topic_macro_f1"] = self.topic["macro_f1"]
            out["topic_accuracy_assigned"] = self.topic["accuracy_assigned"]
            out["topic_unassigned_rate"] = self.topic["unassigned_rate"]
            out["topic_per_topic_f1"] = self.topic["per_label"]
            out["topic_confusions"] = self.topic["confusions"]
            out["topic_rows"] = self.topic["rows"]
            out["topic_mode"] = self.topic["mode"]
            if "day_one" in self.topic:
                out["topic_accuracy_day_one"] = self.topic["day_one"]["accuracy"]
                out["topic_macro_f1_day_one"] = self.topic["day_one"]["macro_f1"]
        if self.sentiment:
            out["sentiment_accuracy"] = self.sentiment["accuracy"]
            out["sentiment_macro_f1"] = self.sentiment["macro_f1"]
            out["sentiment_per_class_f1"] = self.sentiment["per_label"]
            out["sentiment_rows"] = self.sentiment["rows"]
            out["sentiment_mode"] = self.sentiment["mode"]
        if self.bags:
            out.update({k: v for k, v in self.bags.items() if k != "per_topic"})
            out["share_per_topic"] = self.bags["per_topic"]
        out["concerns_per_second"] = self.concerns_per_second
        out["notes"] = self.notes
        out.update(self.meta)
        return out


def _metrics(y_true: list[str], y_pred: list[str], *, confusions: int = 10) -> dict[str, Any]:
    from sklearn.metrics import f1_score

    labels = sorted(set(y_true))
    yt, yp = np.array(y_true, dtype=object), np.array(y_pred, dtype=object)
    n = len(yt)
    assigned = yp != UNASSIGNED
    per = f1_score(yt, yp, labels=labels, average=None, zero_division=0)
    support = Counter(y_true)
    pairs = Counter((t, p) for t, p in zip(y_true, y_pred, strict=True) if t != p)
    return {
        "rows": n,
        "accuracy": round(float((yt == yp).mean()), 4) if n else None,
        "macro_f1": round(float(np.mean(per)), 4) if n else None,
        "accuracy_assigned": round(float((yt[assigned] == yp[assigned]).mean()), 4) if assigned.any() else None,
        "unassigned_rate": round(float((~assigned).mean()), 4) if n else None,
        "per_label": {
            lab: {"f1": round(float(f), 4), "support": support[lab]} for lab, f in zip(labels, per, strict=True)
        },
        "confusions": [{"true": t, "predicted": p, "count": c} for (t, p), c in pairs.most_common(confusions)],
    }


class Evaluator:
    def __init__(
        self,
        embedder: Embedder,
        taxonomy: Taxonomy,
        *,
        folds: int = 5,
        seed: int = 0,
        params: TopicParams | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.embedder = embedder
        self.taxonomy = taxonomy
        self.folds = folds
        self.seed = seed
        self.params = params
        self.log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
        self.timer = Timer()
        self._cache: dict[str, np.ndarray] = {}
        #: Taxonomy-only predictions before ``adapt``: what a city gets for its very first notes.
        self.day_one: list[str] = []

    def embed(self, texts: Sequence[str], *, timed: bool) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            t0 = time.perf_counter()
            vectors = self.embedder.embed(missing)
            if timed:
                self.timer.add(time.perf_counter() - t0, len(missing))
            self._cache.update(zip(missing, vectors, strict=True))
        if not texts:
            return np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    # -- topics ----------------------------------------------------------------------------------

    def _topic_base(self) -> TopicModel:
        return TopicModel(self.taxonomy, self.embedder, params=self.params, allow_new_topics=True)

    def topics(self, data: list[LabeledFile], train: LabeledFile | None) -> tuple[list[str], list[str], list[str]]:
        y_true: list[str] = []
        y_pred: list[str] = []
        modes: list[str] = []
        base = self._topic_base()
        train_rows: list[tuple[str, str]] = []
        if train is not None and train.topics is not None:
            train_rows = [(t, y) for t, y in zip(train.texts, train.topics, strict=True) if y]
        trained: TopicModel | None = None
        adapted = False
        for f in data:
            if f.topics is None:
                continue
            rows = [(t, y) for t, y in zip(f.texts, f.topics, strict=True) if y]
            texts = [t for t, _ in rows]
            labels = [y for _, y in rows]
            emb = self.embed(texts, timed=True)
            preds: list[str] = [""] * len(rows)
            if train is not None and train_rows and same_file(f, train):
                modes.append(f"{self.folds}-fold cross-validation on {f.path.name} (--data is the --train file)")
                self.log(f"topics: {f.path.name} is also the training file: {self.folds}-fold cross-validation")
                for k, (tr, te) in enumerate(splitter(labels, self.folds, self.seed).split(texts, labels), start=1):
                    model = base.fork()
                    model.learn([LabeledExample(texts[i], labels[i], "train") for i in tr], embeddings=emb[tr])
                    t0 = time.perf_counter()
                    fold_preds = model.predict([texts[i] for i in te], emb[te])
                    self.timer.add(time.perf_counter() - t0)
                    for i, p in zip(te, fold_preds, strict=True):
                        preds[i] = p.topic
                    self.log(f"  fold {k}/{self.folds}: learned {len(tr)}, scored {len(te)}")
            else:
                if trained is None:
                    trained = base
                    if train_rows:
                        self.log(f"topics: learning {len(train_rows)} labeled examples from {train.path.name}")  # type: ignore[union-attr]
                        temb = self.embed([t for t, _ in train_rows], timed=False)
                        trained.learn([LabeledExample(t, y, "train") for t, y in train_rows], embeddings=temb)
                scorer = trained
                if not train_rows:
                    # The city's first day: the taxonomy alone, then the same model adapted to the
                    # file's concerns as the service adapts to the notes it received (their topic
                    # shares, by EM: topics.py ``adapt``). The labels are read only to score.
                    self.day_one.extend(p.topic for p in trained.predict(texts, emb))
                    scorer = trained.fork()
                    adapted = scorer.adapt(texts, emb)
                mode = (
                    f"learned {train.path.name} ({len(train_rows)} rows), scored {f.path.name}"
                    if train_rows and train
                    else f"taxonomy alone, adapted to the {len(texts)} unlabeled concerns' topic shares, "
                    f"scored {f.path.name}"
                    if adapted
                    else f"taxonomy alone, scored {f.path.name}"
                )
                modes.append(mode)
                t0 = time.perf_counter()
                preds = [p.topic for p in scorer.predict(texts, emb)]
                self.timer.add(time.perf_counter() - t0)
            unknown = sorted({y for y in labels if y not in base.topics and y not in {y for _, y in train_rows}})
            if unknown:
                self.log(f"topics: labels the taxonomy and the training data do not name (always wrong): {unknown}")
            y_true.extend(labels)
            y_pred.extend(preds)
        return y_true, y_pred, modes

    # -- sentiment -------------------------------------------------------------------------------

    def sentiments(self, data: list[LabeledFile], train: LabeledFile | None) -> tuple[list[str], list[str], list[str]]:
        y_true: list[str] = []
        y_pred: list[str] = []
        modes: list[str] = []
        if all(f.sentiments is None for f in data):
            return y_true, y_pred, modes
        model = SentimentModel(self.embedder)
        shipped = model.calibration
        train_rows: list[tuple[str, str]] = []
        if train is not None and train.sentiments is not None:
            train_rows = [(t, s) for t, s in zip(train.texts, train.sentiments, strict=True) if s]
        learned_on_train = False
        for f in data:
            if f.sentiments is None:
                continue
            rows = [(t, s) for t, s in zip(f.texts, f.sentiments, strict=True) if s]
            texts = [t for t, _ in rows]
            labels = [s for _, s in rows]
            emb = self.embed(texts, timed=True)
            if train is not None and train_rows and same_file(f, train):
                modes.append(
                    f"sentiment head learned by {self.folds}-fold cross-validation on {f.path.name} "
                    "(--data is the --train file)"
                )
                self.log(f"sentiment: {f.path.name} is also the training file: {self.folds}-fold cross-validation")
                preds = [""] * len(rows)
                for tr, te in splitter(labels, self.folds, self.seed).split(texts, labels):
                    fold_model = SentimentModel(self.embedder)
                    fold_model.learn([texts[i] for i in tr], [labels[i] for i in tr], emb[tr])
                    t0 = time.perf_counter()
                    fold_preds = fold_model.predict([texts[i] for i in te], emb[te])
                    self.timer.add(time.perf_counter() - t0)
                    for i, p in zip(te, fold_preds, strict=True):
                        preds[i] = p.label
            else:
                if train_rows and not learned_on_train:
                    self.log(f"sentiment: learning {len(train_rows)} labeled examples from {train.path.name}")  # type: ignore[union-attr]
                    temb = self.embed([t for t, _ in train_rows], timed=False)
                    model.learn([t for t, _ in train_rows], [s for _, s in train_rows], temb)
                    learned_on_train = True
                mode = (
                    f"sentiment head learned on {train.path.name} ({len(train_rows)} rows), scored {f.path.name}"
                    if learned_on_train and train
                    else f"shipped calibration (weight {shipped.proto_weight}, neutral shrink "
                    f"{shipped.neutral_shrink}, thresholds {shipped.low}/{shipped.high}), scored {f.path.name}"
                )
                modes.append(mode)
                t0 = time.perf_counter()
                preds = [p.label for p in model.predict(texts, emb)]
                self.timer.add(time.perf_counter() - t0)
            y_true.extend(labels)
            y_pred.extend(preds)
        return y_true, y_pred, modes

    def run(self, data: list[LabeledFile], train: LabeledFile | Sequence[LabeledFile] | None) -> EvalReport:
        trains = [] if train is None else [train] if isinstance(train, LabeledFile) else list(train)
        topic_train = _one_train(trains, "topics")
        sentiment_train = _one_train(trains, "sentiments")
        report = EvalReport()
        yt, yp, modes = self.topics(data, topic_train)
        if yt:
            report.topic = _metrics(yt, yp) | {"mode": "; ".join(modes)}
            if len(self.day_one) == len(yt):
                report.topic["day_one"] = _metrics(yt, self.day_one)
            report.notes.extend(modes)
        yt, yp, modes = self.sentiments(data, sentiment_train)
        if yt:
            report.sentiment = _metrics(yt, yp) | {"mode": "; ".join(modes)}
            report.notes.extend(modes)
        if self.timer.seconds > 0 and self.timer.items:
            report.concerns_per_second = round(self.timer.items / self.timer.seconds, 1)
        report.meta = {
            "embedding_model": MODEL_FINGERPRINT,
            "embedding_backend": self.embedder.backend,
            "taxonomy_fingerprint": self.taxonomy.fingerprint,
            "data": [str(f.path) for f in data],
            "train": [str(t.path) for t in trains] if len(trains) > 1 else (str(trains[0].path) if trains else None),
        }
        return report


def _one_train(trains: Sequence[LabeledFile], kind: str) -> LabeledFile | None:
    """The training file holding ``kind`` labels (``topics`` or ``sentiments``); at most one may."""
    having = [t for t in trains if getattr(t, kind) is not None]
    if len(having) > 1:
        names = ", ".join(t.path.name for t in having)
        raise EvalError(f"several --train files have a {kind[:-1]} column ({names}): give one per kind of label")
    return having[0] if having else None


def evaluate(
    data_paths: Sequence[Path | str],
    train_path: Path | str | Sequence[Path | str] | None = None,
    taxonomy_path: Path | str | None = None,
    *,
    embedder: Embedder | None = None,
    folds: int = 5,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
    bags: int = 0,
    bag_size: int = 150,
    save_calibration: Path | str | None = None,
) -> EvalReport:
    """Score ``data_paths``; with ``bags``, also the adjusted topic shares on random districts
    (bags.py) of the first data file with a topic column; ``save_calibration`` writes the
    calibration of its held-out probabilities (quantify.Calibration JSON, what the service ships
    as its "evaluation" basis)."""
    data = [read_labeled_csv(p) for p in data_paths]
    topical = [f for f in data if f.topics is not None]
    if (bags or save_calibration) and not topical:
        names = ", ".join(f.path.name for f in data)
        raise EvalError(f"--bags and --save-calibration need a 'topic' column in a --data file ({names} has none)")
    train_paths = [] if not train_path else [train_path] if isinstance(train_path, (str, Path)) else list(train_path)
    train = [read_labeled_csv(p) for p in train_paths]
    taxonomy = load_taxonomy(taxonomy_path)
    if embedder is None:
        from porchlight.synthesis.model.embedder import get_embedder

        embedder = get_embedder()  # the default backend; ``porchlight eval`` passes the service's
    evaluator = Evaluator(embedder, taxonomy, folds=folds, seed=seed, log=log)
    report = evaluator.run(data, train)
    if bags or save_calibration:
        evaluator.log(f"topic shares: {bags} bags of {bag_size} rows from {topical[0].path.name}")
        held = cross_fitted(evaluator, topical[0], _one_train(train, "topics"), evaluator.log)
        if bags:
            report.bags = bag_figures(held, bags=bags, bag_size=bag_size, seed=seed)
            report.bags["mode"] = held.mode
            report.notes.append(f"topic shares: {held.mode}")
        if save_calibration:
            import json

            how = "taxonomy alone" if held.mode.startswith("taxonomy") else "a model learned from labeled rows"
            source = (
                f"porchlight eval, held-out rows of {topical[0].path.name} ({how}); taxonomy {taxonomy.fingerprint}"
            )
            doc = pooled_calibration(held, source=source).to_json()
            Path(save_calibration).write_text(json.dumps(doc, indent=1) + "\n")
    return report


def format_table(report: EvalReport) -> str:
    """One plain-text table of every figure."""
    lines: list[str] = []

    def row(name: str, value: Any) -> None:
        lines.append(f"  {name:<44} {value}")

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.3f}"

    lines.append("Porchlight model evaluation")
    for note in report.notes:
        lines.append(f"  * {note}")
    t = report.topic
    if t:
        lines.append("")
        lines.append(f"Topics ({t['rows']} rows)")
        row("accuracy (unassigned counted wrong)", pct(t["accuracy"]))
        row("macro-F1", pct(t["macro_f1"]))
        row("accuracy of assigned concerns", pct(t["accuracy_assigned"]))
        row("unassigned rate", pct(t["unassigned_rate"]))
        if "day_one" in t:
            row("macro-F1 before adapting (the first notes)", pct(t["day_one"]["macro_f1"]))
            row("accuracy before adapting", pct(t["day_one"]["accuracy"]))
        lines.append("  per-topic F1:")
        for name, v in sorted(t["per_label"].items(), key=lambda kv: -kv[1]["support"]):
            lines.append(f"    {name:<42} {v['f1']:.3f}  (n={v['support']})")
        if t["confusions"]:
            lines.append("  most frequent confusions (true -> predicted):")
            for c in t["confusions"]:
                lines.append(f"    {c['count']:>5}  {c['true']} -> {c['predicted']}")
    if report.bags:
        lines.extend(format_bags(report.bags))
    s = report.sentiment
    if s:
        lines.append("")
        lines.append(f"Sentiment ({s['rows']} rows)")
        row("accuracy", pct(s["accuracy"]))
        row("macro-F1", pct(s["macro_f1"]))
        for name, v in s["per_label"].items():
            lines.append(f"    {name:<42} {v['f1']:.3f}  (n={v['support']})")
    lines.append("")
    row(
        "concerns/s (embedding + classification)",
        "n/a" if report.concerns_per_second is None else report.concerns_per_second,
    )
    row("embedding model", f"{report.meta.get('embedding_model')} ({report.meta.get('embedding_backend')})")
    return "\n".join(lines)
