"""``porchlight eval --bags N --bag-size K``: how right the adjusted topic counts are on random "districts".

A district is a bag of ``K`` labeled rows with its own topic mix: the mix is drawn from a flat
Dirichlet over the topics (the "artificial prevalence protocol" of quantification benchmarks, so
bags range from one dominant topic to an even spread, far from the data's own mix), then each
topic's rows are drawn, with replacement, from the *held-out* rows of that topic. Each bag's raw
shares (classify and count) and adjusted shares (quantify.py, with a 90 % interval) are compared
with its true shares; reported are the mean absolute error of the shares in points over every
(bag, topic) and how often the interval holds the true share.

Honesty: the confusion that adjusts a bag is measured only on rows outside the bag's fold, by a
model that never learned the bag's rows (cross-fitting):

* ``--data`` is the ``--train`` file: for each outer fold ``f`` the model learns the other folds
  and predicts ``f`` (the bags' predictions); the confusion for ``f`` is measured by an inner
  cross-validation over the other folds (for each other fold ``g``: learn the folds that are
  neither ``f`` nor ``g``, predict ``g``). The inner models learn one fold fewer than the outer
  one, so the confusion is slightly pessimistic: an honest bias, not a leak.
* no ``--train`` (the taxonomy alone, a city's first day): predictions do not depend on labels;
  the confusion for fold ``f`` is the one measured on the other folds (an "evaluation").
* a separate ``--train`` file: the model learns it and predicts ``--data``; the confusion is
  measured by cross-validation on the training file alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from porchlight.synthesis.model.labeled import EvalError, LabeledFile, same_file, splitter
from porchlight.synthesis.model.quantify import Confusion, estimate_counts
from porchlight.synthesis.model.topics import LabeledExample, TopicModel


class Evaluator(Protocol):
    """What the bags need of evaluation.py's Evaluator (named here: that module imports this one)."""

    folds: int
    seed: int

    def embed(self, texts: Sequence[str], *, timed: bool) -> np.ndarray: ...

    def _topic_base(self) -> TopicModel: ...


def _learn(
    base: TopicModel, texts: Sequence[str], labels: Sequence[str], emb: np.ndarray, idx: np.ndarray
) -> TopicModel:
    model = base.fork()
    model.learn([LabeledExample(texts[i], labels[i], "train") for i in idx], embeddings=emb[idx])
    return model


def _predict(model: TopicModel, texts: Sequence[str], emb: np.ndarray, idx: np.ndarray) -> list[str]:
    return [p.topic for p in model.predict([texts[i] for i in idx], emb[idx])]


def cross_fitted(
    ev: Evaluator, data: LabeledFile, train: LabeledFile | None, log: Callable[[str], None]
) -> tuple[list[str], list[str], list[np.ndarray], list[Confusion], str]:
    """Labels, held-out predictions, the folds' held-out rows and each fold's outside confusion."""
    if data.topics is None:
        raise EvalError(f"{data.path}: --bags needs a 'topic' column in the --data file")
    rows = [(t, y) for t, y in zip(data.texts, data.topics, strict=True) if y]
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    if not rows:
        raise EvalError(f"{data.path}: --bags needs rows with a 'topic' label")
    emb = ev.embed(texts, timed=False)
    base = ev._topic_base()
    splits = list(splitter(labels, ev.folds, ev.seed).split(texts, labels))
    preds = np.array([""] * len(rows), dtype=object)
    confusions: list[Confusion] = []
    topics = sorted(set(labels))
    if train is not None and train.topics is not None and same_file(data, train):
        mode = (
            "cross-fitted: each fold predicted by a model that learned the other folds, "
            "adjusted by the confusion of an inner cross-validation on those folds"
        )
        for k, (tr, te) in enumerate(splits):
            log(f"  bags: fold {k + 1}/{len(splits)}: outer model and {len(splits) - 1} inner models")
            preds[te] = _predict(_learn(base, texts, labels, emb, tr), texts, emb, te)
            pairs: list[tuple[str, str]] = []
            for g, (_, te_g) in enumerate(splits):
                if g == k:
                    continue
                inner = np.setdiff1d(tr, te_g)
                pairs += zip(
                    [labels[i] for i in te_g],
                    _predict(_learn(base, texts, labels, emb, inner), texts, emb, te_g),
                    strict=True,
                )
            confusions.append(Confusion.from_pairs(pairs, basis="evaluation", topics=topics))
    elif train is not None and train.topics is not None:
        mode = f"learned {train.path.name}, adjusted by the confusion of a cross-validation on {train.path.name}"
        trows = [(t, y) for t, y in zip(train.texts, train.topics, strict=True) if y]
        ttexts, tlabels = [t for t, _ in trows], [y for _, y in trows]
        temb = ev.embed(ttexts, timed=False)
        pairs = []
        for tr, te in splitter(tlabels, ev.folds, ev.seed).split(ttexts, tlabels):
            pairs += zip(
                [tlabels[i] for i in te],
                _predict(_learn(base, ttexts, tlabels, temb, tr), ttexts, temb, te),
                strict=True,
            )
        everything = np.arange(len(trows))
        preds[:] = _predict(_learn(base, ttexts, tlabels, temb, everything), texts, emb, np.arange(len(rows)))
        confusions = [Confusion.from_pairs(pairs, basis="evaluation", topics=topics)] * len(splits)
    else:
        mode = "taxonomy alone, adjusted by the confusion measured on the other folds"
        preds[:] = _predict(base, texts, emb, np.arange(len(rows)))
        for _, te in splits:
            outside = np.setdiff1d(np.arange(len(rows)), te)
            confusions.append(
                Confusion.from_pairs([(labels[i], preds[i]) for i in outside], basis="evaluation", topics=topics)
            )
    return labels, list(preds), [te for _, te in splits], confusions, mode


def bag_figures(
    labels: Sequence[str],
    preds: Sequence[str],
    held_out: Sequence[np.ndarray],
    confusions: Sequence[Confusion],
    *,
    bags: int,
    bag_size: int,
    seed: int = 0,
) -> dict[str, Any]:
    """Draw ``bags`` bags of ``bag_size`` held-out rows (bag ``b`` from fold ``b mod folds``) and score them."""
    topics = sorted(set(labels))
    y = np.array(labels, dtype=object)
    p = np.array(preds, dtype=object)
    rng = np.random.default_rng(seed)
    adj_err: list[np.ndarray] = []
    raw_err: list[np.ndarray] = []
    covered: list[np.ndarray] = []
    widths: list[np.ndarray] = []
    for b in range(bags):
        k = b % len(held_out)
        te = held_out[k]
        by_topic = {t: te[y[te] == t] for t in topics}
        present = [t for t in topics if len(by_topic[t])]
        mix = rng.dirichlet(np.ones(len(present)))
        counts = rng.multinomial(bag_size, mix)
        idx = np.concatenate([rng.choice(by_topic[t], n, replace=True) for t, n in zip(present, counts, strict=True)])
        truth = np.array([np.sum(y[idx] == t) for t in topics]) / bag_size
        raw = np.array([np.sum(p[idx] == t) for t in topics]) / bag_size
        est = estimate_counts(dict(Counter(p[idx].tolist())), confusions[k], seed=seed * 100_003 + b)
        adj = np.array([est[t].share if t in est else 0.0 for t in topics])
        low = np.array([est[t].share_low if t in est else 0.0 for t in topics])
        high = np.array([est[t].share_high if t in est else 0.0 for t in topics])
        adj_err.append(np.abs(adj - truth))
        raw_err.append(np.abs(raw - truth))
        covered.append((low <= truth + 1e-12) & (truth <= high + 1e-12))
        widths.append(high - low)
    a, r, c, w = (np.array(x) for x in (adj_err, raw_err, covered, widths))
    return {
        "bags": bags,
        "bag_size": bag_size,
        "share_mae": round(100 * float(a.mean()), 3),
        "raw_share_mae": round(100 * float(r.mean()), 3),
        "share_coverage": round(float(c.mean()), 4),
        "share_interval_width": round(100 * float(w.mean()), 3),
        "per_topic": {
            t: {
                "share_mae": round(100 * float(a[:, j].mean()), 3),
                "raw_share_mae": round(100 * float(r[:, j].mean()), 3),
                "coverage": round(float(c[:, j].mean()), 4),
            }
            for j, t in enumerate(topics)
        },
    }


def pooled_confusion(labels: Sequence[str], preds: Sequence[str], *, source: str) -> Confusion:
    """Every held-out prediction against its label: what ``--save-confusion`` writes."""
    return Confusion.from_pairs(
        zip(labels, preds, strict=True), basis="evaluation", topics=sorted(set(labels)), source=source
    )


def format_bags(b: dict[str, Any]) -> list[str]:
    return [
        "",
        f"Topic shares on {b['bags']} random districts of {b['bag_size']} held-out rows ({b['mode']})",
        f"  {'share MAE, adjusted (points)':<44} {b['share_mae']:.2f}",
        f"  {'share MAE, raw counts (points)':<44} {b['raw_share_mae']:.2f}",
        f"  {'90 % interval holds the true share':<44} {b['share_coverage']:.3f}",
        f"  {'mean interval width (points)':<44} {b['share_interval_width']:.2f}",
    ]
