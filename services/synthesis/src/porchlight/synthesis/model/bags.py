"""``porchlight eval --bags N --bag-size K``: how right the adjusted topic counts are on random "districts".

A district is a bag of ``K`` distinct labeled rows with its own topic mix: the mix is drawn from a
flat Dirichlet over the topics (the "artificial prevalence protocol" of quantification benchmarks,
so bags range from one dominant topic to an even spread, far from the data's own mix), then each
topic's rows are drawn without replacement from the file's held-out rows of that topic. A topic
with fewer rows than its draw gives all it has and the rest is drawn again from the others in
proportion to the mix: a real district does not hold one concern thirty times. (Drawing with
replacement from one fold, as the first version did, repeats a rare topic's few rows and each of
their errors many times over; the figures of both protocols are in docs/benchmarks.md.) Each bag's
raw shares (classify and count) and adjusted shares (quantify.py, with a 90 % interval) are
compared with its true shares; reported are the mean absolute error of the shares in points over
every (bag, topic) and how often the interval holds the true share.

Honesty: every row's probabilities come from a model that never learned it, and the calibration
that turns them into likelihoods was measured without it (cross-fitting):

* ``--data`` is the ``--train`` file: for each fold ``f`` the model learns the other folds and
  gives the probabilities of ``f``; the calibration for ``f`` is measured by an inner
  cross-validation over the other folds (for each other fold ``g``: learn the folds that are
  neither ``f`` nor ``g``, predict ``g``). The inner models learn one fold fewer than the outer
  one, so the calibration is slightly pessimistic: an honest bias, not a leak.
* no ``--train`` (the taxonomy alone, a city's first day): the probabilities do not depend on
  labels; the calibration for fold ``f`` is measured on the other folds (an "evaluation").
* a separate ``--train`` file: the model learns it and gives the probabilities of ``--data``; the
  calibration is measured by cross-validation on the training file alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from porchlight.kit.quantify import Calibration, count_interval
from porchlight.synthesis.model.labeled import EvalError, LabeledFile, same_file, splitter
from porchlight.synthesis.model.topics import LabeledExample, TopicModel


class Evaluator(Protocol):
    """What the bags need of evaluation.py's Evaluator (named here: that module imports this one)."""

    folds: int
    seed: int

    def embed(self, texts: Sequence[str], *, timed: bool) -> np.ndarray: ...

    def _topic_base(self) -> TopicModel: ...


@dataclass(frozen=True)
class HeldOut:
    """Every labeled row's held-out prediction, probabilities and likelihoods (cross-fitted)."""

    labels: list[str]
    preds: list[str]
    topics: tuple[str, ...]
    #: The model's probabilities, ``(rows, topics)``: what ``--save-calibration`` is fitted on.
    probs: np.ndarray
    #: Calibrated by a calibration measured without the row: what the bags are estimated from.
    likelihoods: np.ndarray
    mode: str


class _Rows:
    """The labeled rows, their embeddings, and models learned on subsets of them."""

    def __init__(self, base: TopicModel, texts: list[str], labels: list[str], emb: np.ndarray, topics: tuple[str, ...]):
        self.base, self.texts, self.labels, self.emb, self.topics = base, texts, labels, emb, topics

    def learn(self, idx: np.ndarray) -> TopicModel:
        model = self.base.fork()
        model.learn([LabeledExample(self.texts[i], self.labels[i], "train") for i in idx], embeddings=self.emb[idx])
        return model

    def predict(self, model: TopicModel, idx: np.ndarray) -> tuple[list[str], np.ndarray]:
        """Labels and probabilities (in :attr:`topics` order) the model gives rows ``idx``."""
        preds, mixture = model.predict_with_mixture([self.texts[i] for i in idx], self.emb[idx])
        out = np.zeros((len(idx), len(self.topics)))
        cols = [self.topics.index(t) for t in model.topics]
        out[:, cols] = mixture
        return [p.topic for p in preds], out

    def calibration(self, idx: np.ndarray, probs: np.ndarray) -> Calibration:
        return Calibration.fit(probs, [self.labels[i] for i in idx], self.topics, basis="evaluation")


def cross_fitted(ev: Evaluator, data: LabeledFile, train: LabeledFile | None, log: Callable[[str], None]) -> HeldOut:
    """Each labeled row of ``data`` predicted and calibrated without it (the module docstring)."""
    if data.topics is None:
        raise EvalError(f"{data.path}: --bags needs a 'topic' column in the --data file")
    rows = [(t, y) for t, y in zip(data.texts, data.topics, strict=True) if y]
    if not rows:
        raise EvalError(f"{data.path}: --bags needs rows with a 'topic' label")
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    base = ev._topic_base()
    separate = train is not None and train.topics is not None and not same_file(data, train)
    train_labels = [y for y in (train.topics or []) if y] if separate and train else []
    topics = tuple(dict.fromkeys([*base.topics, *sorted({*labels, *train_labels})]))
    own = _Rows(base, texts, labels, ev.embed(texts, timed=False), topics)
    n = len(rows)
    preds: list[str] = [""] * n
    probs = np.zeros((n, len(topics)))
    lik = np.zeros((n, len(topics)))
    splits = list(splitter(labels, ev.folds, ev.seed).split(texts, labels))
    if train is not None and train.topics is not None and not separate:
        mode = (
            "cross-fitted: each fold predicted by a model that learned the other folds, "
            "calibrated by an inner cross-validation on those folds"
        )
        for k, (tr, te) in enumerate(splits):
            log(f"  bags: fold {k + 1}/{len(splits)}: outer model and {len(splits) - 1} inner models")
            p, probs[te] = own.predict(own.learn(tr), te)
            for i, label in zip(te, p, strict=True):
                preds[i] = label
            inner_idx, inner_probs = [], []
            for g, (_, te_g) in enumerate(splits):
                if g != k:
                    inner_idx.append(te_g)
                    inner_probs.append(own.predict(own.learn(np.setdiff1d(tr, te_g)), te_g)[1])
            cal = own.calibration(np.concatenate(inner_idx), np.vstack(inner_probs))
            lik[te] = cal.likelihoods(probs[te])
    elif separate and train is not None and train.topics is not None:
        mode = f"learned {train.path.name}, calibrated by a cross-validation on {train.path.name}"
        trows = [(t, y) for t, y in zip(train.texts, train.topics, strict=True) if y]
        tt, tl = [t for t, _ in trows], [y for _, y in trows]
        other = _Rows(base, tt, tl, ev.embed(tt, timed=False), topics)
        tprobs = np.zeros((len(trows), len(topics)))
        for tr, te in splitter(tl, ev.folds, ev.seed).split(tt, tl):
            tprobs[te] = other.predict(other.learn(tr), te)[1]
        cal = other.calibration(np.arange(len(trows)), tprobs)
        preds, probs = own.predict(other.learn(np.arange(len(trows))), np.arange(n))
        lik = cal.likelihoods(probs)
    else:
        mode = "taxonomy alone, calibrated on the other folds"
        preds, probs = own.predict(base, np.arange(n))
        for _, te in splits:
            outside = np.setdiff1d(np.arange(n), te)
            lik[te] = own.calibration(outside, probs[outside]).likelihoods(probs[te])
    return HeldOut(labels, list(preds), topics, probs, lik, mode)


def _bag(rng: np.random.Generator, pools: Sequence[np.ndarray], size: int) -> np.ndarray:
    """Row indices of one bag: a flat-Dirichlet mix, distinct rows, capped by what each topic has."""
    avail = np.array([len(p) for p in pools])
    if avail.sum() < size:
        raise EvalError(f"--bag-size {size} is more than the {int(avail.sum())} labeled rows")
    live = avail > 0
    mix = np.zeros(len(pools))
    mix[live] = rng.dirichlet(np.ones(int(live.sum())))
    counts = rng.multinomial(size, mix)
    while (over := int(np.maximum(counts - avail, 0).sum())) > 0:
        counts = np.minimum(counts, avail)
        room = mix * (counts < avail)
        if room.sum() == 0:  # the mix's topics are used up: the rest from any topic with rows left
            room = (counts < avail).astype(float)
        counts += rng.multinomial(over, room / room.sum())
    return np.concatenate([rng.choice(p, c, replace=False) for p, c in zip(pools, counts, strict=True) if c])


def bag_figures(held: HeldOut, *, bags: int, bag_size: int, seed: int = 0) -> dict[str, Any]:
    """Draw ``bags`` bags of ``bag_size`` held-out rows and score their raw and adjusted shares."""
    topics = list(held.topics)
    col = {t: j for j, t in enumerate(topics)}
    y = np.array([col[t] for t in held.labels])
    scored = sorted(set(held.labels))
    pools = [np.nonzero(y == j)[0] for j in range(len(topics))]
    p = np.array(held.preds, dtype=object)
    rng = np.random.default_rng(seed)
    adj_err, raw_err, covered, widths = [], [], [], []
    keep = [col[t] for t in scored]
    for _ in range(bags):
        idx = _bag(rng, pools, bag_size)
        truth = np.bincount(y[idx], minlength=len(topics))[keep] / bag_size
        raw = np.array([np.sum(p[idx] == t) for t in scored]) / bag_size
        mean, low, high = (x[keep] / bag_size for x in count_interval(held.likelihoods[idx]))
        adj_err.append(np.abs(mean - truth))
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
            for j, t in enumerate(scored)
        },
    }


def pooled_calibration(held: HeldOut, *, source: str) -> Calibration:
    """Every held-out row's probabilities against its label: what ``--save-calibration`` writes."""
    return Calibration.fit(held.probs, held.labels, held.topics, basis="evaluation", source=source)


def format_bags(b: dict[str, Any]) -> list[str]:
    return [
        "",
        f"Topic shares on {b['bags']} random districts of {b['bag_size']} held-out rows ({b['mode']})",
        f"  {'share MAE, adjusted (points)':<44} {b['share_mae']:.2f}",
        f"  {'share MAE, raw counts (points)':<44} {b['raw_share_mae']:.2f}",
        f"  {'90 % interval holds the true share':<44} {b['share_coverage']:.3f}",
        f"  {'mean interval width (points)':<44} {b['share_interval_width']:.2f}",
    ]
