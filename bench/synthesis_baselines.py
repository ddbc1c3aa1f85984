"""Porchlight's model against the baselines a data scientist would reach for, on the same data.

Topics — ../shared/data/topics_dev.csv, the same 5 folds as ``porchlight eval`` (seed 0):
  * TF-IDF + logistic regression (scikit-learn defaults: word unigrams, C=1, 1000 iterations)
  * BERTopic 0.17 (UMAP + HDBSCAN + c-TF-IDF) on the same MiniLM embeddings of the same texts;
    each BERTopic topic is matched to the majority label of its training rows, outliers (-1)
    count as unassigned (one "outliers -> majority label" variant too)
  * Porchlight, taxonomy prototypes only (no labeled data: a new city)
  * Porchlight, taxonomy + learned examples (what ``porchlight eval`` scores)
Sentiment — ../shared/data/sentiment_dev.csv:
  * VADER (compound >= 0.05 positive, <= -0.05 negative: its authors' rule)
  * TF-IDF + logistic regression (5-fold CV)
  * Porchlight, shipped calibration; with thresholds recalibrated per fold; and the learned head
    (embedding + VADER scores, fitted inside each fold: ``porchlight eval --train`` a sentiment file)

    .venv/bin/python bench/synthesis_baselines.py [--json] [--skip-bertopic] [--cache-dir /tmp/x]

``--cache-dir`` keeps the embeddings of the two files on disk (keyed by file digest, model and
backend) so a second run spends its CPU on the methods, not on MiniLM.

BERTopic is a bench-only dependency: ``pip install bertopic``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"


def scores(y_true: list[str], y_pred: list[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    labels = sorted(set(y_true))
    yt, yp = np.array(y_true, dtype=object), np.array(y_pred, dtype=object)
    return {
        "accuracy": round(float((yt == yp).mean()), 4),
        "macro_f1": round(float(f1_score(yt, yp, labels=labels, average="macro", zero_division=0)), 4),
        "unassigned_rate": round(float((yp == "unassigned").mean()), 4),
    }


def cv_predict(n: int, folds: Any, fit_predict: Any) -> list[str]:
    pred = [""] * n
    for tr, te in folds:
        for i, p in zip(te, fit_predict(tr, te), strict=True):
            pred[i] = p
    return pred


def embed_file(embedder: Any, texts: list[str], digest: str, cache_dir: str | None, log: Any) -> np.ndarray:
    from porchlight.synthesis.model.embedder import MODEL_FINGERPRINT

    path = None
    if cache_dir:
        key = f"{digest[:16]}-{MODEL_FINGERPRINT.replace('@', '-')}-{embedder.backend}.npy"
        path = Path(cache_dir) / key
        if path.is_file():
            cached = np.load(path)
            if cached.shape == (len(texts), embedder.dimension):
                log(f"  embeddings from {path}")
                return cached
    t0 = time.perf_counter()
    emb = embedder.embed(texts)
    log(f"  {len(texts) / (time.perf_counter() - t0):.0f} texts/s")
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, emb)
    return np.asarray(emb)


def topic_baselines(args: argparse.Namespace, embedder: Any, log: Any) -> dict[str, dict[str, float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from porchlight.synthesis.model.evaluation import Evaluator
    from porchlight.synthesis.model.labeled import read_labeled_csv, splitter
    from porchlight.synthesis.model.taxonomy import demo_taxonomy
    from porchlight.synthesis.model.topics import TopicModel

    f = read_labeled_csv(SHARED / "topics_dev.csv")
    texts, labels = f.texts, f.topics or []
    folds = list(splitter(labels, 5, 0).split(texts, labels))
    y = np.array(labels, dtype=object)
    out: dict[str, dict[str, float]] = {}

    log("topics: TF-IDF + logistic regression")

    def tfidf_lr(tr: np.ndarray, te: np.ndarray) -> list[str]:
        vec = TfidfVectorizer()
        m = LogisticRegression(max_iter=1000).fit(vec.fit_transform([texts[i] for i in tr]), y[tr])
        return list(m.predict(vec.transform([texts[i] for i in te])))

    out["TF-IDF + logistic regression"] = scores(labels, cv_predict(len(texts), folds, tfidf_lr))

    log("topics: embedding the texts (MiniLM, shared by BERTopic and Porchlight)")
    emb = embed_file(embedder, texts, f.digest, args.cache_dir, log)

    if not args.skip_bertopic:
        try:
            import bertopic  # noqa: F401
        except ImportError:
            log("topics: bertopic is not installed (pip install bertopic): skipped")
        else:
            log("topics: BERTopic")
            for variant, outliers_to_majority in (
                ("BERTopic (outliers unassigned)", False),
                ("BERTopic (outliers -> majority label)", True),
            ):
                out[variant] = scores(
                    labels, cv_predict(len(texts), folds, _bertopic_fold(texts, emb, y, outliers_to_majority))
                )

    taxonomy = demo_taxonomy()
    log("topics: Porchlight, taxonomy only")
    zero = TopicModel(taxonomy, embedder)
    out["Porchlight, taxonomy only (no labels)"] = scores(labels, [p.topic for p in zero.predict(texts, emb)])
    out["Porchlight, taxonomy only, forced (no unassigned)"] = scores(
        labels, [p.best for p in zero.predict(texts, emb)]
    )

    log("topics: Porchlight, taxonomy + learned examples (5-fold)")
    ev = Evaluator(embedder, taxonomy, folds=5, seed=0, log=lambda m: None)
    ev._cache.update(zip(texts, emb, strict=True))
    yt, yp, _ = ev.topics([f], f)
    out["Porchlight, taxonomy + learned examples"] = scores(yt, yp)
    return out


def _bertopic_fold(texts: list[str], emb: np.ndarray, y: np.ndarray, outliers_to_majority: bool) -> Any:
    def run(tr: np.ndarray, te: np.ndarray) -> list[str]:
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from umap import UMAP

        umap_model = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42)
        hdb = HDBSCAN(min_cluster_size=10, metric="euclidean", cluster_selection_method="eom", prediction_data=True)
        model = BERTopic(umap_model=umap_model, hdbscan_model=hdb, calculate_probabilities=False, verbose=False)
        train_topics, _ = model.fit_transform([texts[i] for i in tr], embeddings=emb[tr])
        majority: dict[int, str] = {}
        by_topic: dict[int, Counter[str]] = {}
        for t, lab in zip(train_topics, y[tr], strict=True):
            by_topic.setdefault(int(t), Counter())[lab] += 1
        for t, c in by_topic.items():
            majority[t] = c.most_common(1)[0][0]
        test_topics, _ = model.transform([texts[i] for i in te], embeddings=emb[te])
        preds = []
        for t in test_topics:
            t = int(t)
            if t == -1 and not outliers_to_majority:
                preds.append("unassigned")
            else:
                preds.append(majority.get(t, "unassigned"))
        return preds

    return run


def sentiment_baselines(
    embedder: Any, log: Any, limit: int | None, cache_dir: str | None
) -> dict[str, dict[str, float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from porchlight.synthesis.model.labeled import read_labeled_csv, splitter
    from porchlight.synthesis.model.sentiment import SentimentModel, fit_thresholds

    f = read_labeled_csv(SHARED / "sentiment_dev.csv")
    texts, labels = f.texts, f.sentiments or []
    if limit:
        texts, labels = texts[:: max(1, len(texts) // limit)], labels[:: max(1, len(labels) // limit)]
    out: dict[str, dict[str, float]] = {}
    log("sentiment: VADER")
    vader = SentimentIntensityAnalyzer()
    comp = [vader.polarity_scores(t)["compound"] for t in texts]
    out["VADER (±0.05)"] = scores(
        labels, ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in comp]
    )
    folds = list(splitter(labels, 5, 0).split(texts, labels))
    y = np.array(labels)
    log("sentiment: TF-IDF + logistic regression")

    def tfidf_lr(tr: np.ndarray, te: np.ndarray) -> list[str]:
        vec = TfidfVectorizer()
        m = LogisticRegression(max_iter=1000).fit(vec.fit_transform([texts[i] for i in tr]), y[tr])
        return list(m.predict(vec.transform([texts[i] for i in te])))

    out["TF-IDF + logistic regression (5-fold CV)"] = scores(labels, cv_predict(len(texts), folds, tfidf_lr))
    log(f"sentiment: Porchlight ({len(texts)} sentences)")
    model = SentimentModel(embedder)
    emb = embed_file(embedder, texts, f.digest + str(limit or ""), cache_dir, log)
    z, _, _ = model.polarity(texts, emb)
    out["Porchlight, shipped calibration"] = scores(labels, [model.label_of(float(v)) for v in z])
    pred = [""] * len(texts)
    for tr, te in folds:
        lo, hi = fit_thresholds(z[tr], y[tr])
        for i in te:
            pred[i] = "negative" if z[i] <= lo else "positive" if z[i] >= hi else "neutral"
    out["Porchlight, thresholds by 5-fold CV"] = scores(labels, pred)
    log("sentiment: Porchlight, learned head (5-fold CV)")

    def learned(tr: np.ndarray, te: np.ndarray) -> list[str]:
        m = SentimentModel(embedder)
        m.learn([texts[i] for i in tr], [labels[i] for i in tr], emb[tr])
        return [p.label for p in m.predict([texts[i] for i in te], emb[te])]

    out["Porchlight, learned head (5-fold CV)"] = scores(labels, cv_predict(len(texts), folds, learned))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--skip-bertopic", action="store_true")
    ap.add_argument("--sentiment-limit", type=int, default=None, help="score every k-th sentiment row only")
    ap.add_argument("--cache-dir", default=None, help="keep the files' embeddings here between runs")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    from porchlight.synthesis.model.embedder import get_embedder

    embedder = get_embedder("torch")
    results = {"topics (topics_dev.csv, 5-fold CV)": topic_baselines(args, embedder, log)}
    results["sentiment (sentiment_dev.csv)"] = sentiment_baselines(embedder, log, args.sentiment_limit, args.cache_dir)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for section, rows in results.items():
        print(f"\n{section}")
        print(f"  {'method':<52} {'accuracy':>9} {'macro-F1':>9} {'unassigned':>11}")
        for name, s in rows.items():
            print(f"  {name:<52} {s['accuracy']:>9.3f} {s['macro_f1']:>9.3f} {s['unassigned_rate']:>11.3f}")


if __name__ == "__main__":
    main()
