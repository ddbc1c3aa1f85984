"""Does asking supervisors about the concerns the model is least sure of teach it more than asking
at random? (issue 17, "The model learns where it is unsure")

A simulation on ../shared/data/topics_dev.csv (its labels stand in for the supervisors' answers):

* 5-fold cross-validation, the same folds as ``porchlight eval`` (seed 0). In each fold the
  training folds are the pool a supervisor is asked about and the held-out fold is scored; a
  picked row is never scored.
* Start: the taxonomy-only model (prototypes, no label: a city's first day).
* **Uncertain**: 5 rounds of 20 labels; each round the pool (less the rows already labeled, and
  those the near-duplicate rule already settles) is scored by the model built from the labels so
  far, and the 20 least sure by the rule are labeled — what ``GET /v1/concerns/uncertain`` lists
  (model/uncertainty.py: ``RULE``). ``--rules`` names the rules run (default: the shipped one
  and plain margin and entropy sampling).
* **Random**: 100 labels drawn at random from the pool (3 seeds), learned in the same steps of 20.
* Every model is built exactly as the service builds one from its corrections
  (``build_live_model``: corrections as prototypes, as learned examples from 50 on, the
  near-duplicate rule), with the service's embedding backend; the texts are embedded once.

Prints macro-F1 (and accuracy) on the held-out folds after 0, 20, ..., 100 labels: mean and
standard deviation across folds (random: across folds x seeds), and the paired difference
uncertain - random per fold.

    .venv/bin/python bench/active_learning.py [--json] [--rounds 5] [--per-round 20] [--seeds 3]
        [--rules dense-spread,margin,entropy] [--learn-from N]

Results: docs/benchmarks.md, "Help the model".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def macro_f1(y_true: list[str], y_pred: list[str]) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    labels = sorted(set(y_true))
    yt, yp = np.array(y_true, dtype=object), np.array(y_pred, dtype=object)
    f1 = float(f1_score(yt, yp, labels=labels, average="macro", zero_division=0))
    return f1, float((yt == yp).mean())


class Simulation:
    def __init__(self, texts: list[str], labels: list[str], emb: np.ndarray, unassigned_below: float | None) -> None:
        from porchlight.synthesis.model.sentiment import SentimentModel
        from porchlight.synthesis.model.taxonomy import DEMO_TAXONOMY, load_taxonomy

        self.texts, self.labels, self.emb = texts, np.array(labels, dtype=object), emb
        self.taxonomy = load_taxonomy(DEMO_TAXONOMY)
        self.unassigned_below = unassigned_below
        self.embedder: Any = None
        self.sentiment: SentimentModel | None = None
        self.builds = 0

    def build(self, picked: list[int]) -> Any:
        from porchlight.synthesis.model.live import build_live_model

        self.builds += 1
        examples = [(self.texts[i], str(self.labels[i])) for i in picked]
        assert self.sentiment is not None
        return build_live_model(
            self.builds,
            1,
            self.taxonomy,
            examples,
            embedder=self.embedder,
            sentiment=self.sentiment,
            unassigned_below=self.unassigned_below,
        )

    def predict(self, live: Any, idx: np.ndarray) -> list[str]:
        """The topics the service would store: the model's, or a corrected twin's (analyze_notes' rule)."""
        from porchlight.synthesis.model.live import CORRECTION_MATCH

        emb = self.emb[idx]
        preds = [p.topic for p in live.topics.predict([self.texts[i] for i in idx], emb)]
        if len(live.corrected_topics):
            sims = emb @ live.corrected_emb.T
            best = sims.argmax(axis=1)
            for k, j in enumerate(best):
                if sims[k, j] >= CORRECTION_MATCH:
                    preds[k] = live.corrected_topics[j]
        return preds

    def score(self, live: Any, test: np.ndarray) -> tuple[float, float]:
        return macro_f1([str(y) for y in self.labels[test]], self.predict(live, test))

    def uncertain(self, pool: np.ndarray, test: np.ndarray, rule: Any, rounds: int, per_round: int) -> list[Any]:
        from porchlight.synthesis.model.uncertainty import least_sure, settled

        picked: list[int] = []
        curve = []
        for _ in range(rounds):
            live = self.build(picked)
            curve.append(self.score(live, test))
            chosen = set(picked)
            cand = np.array([i for i in pool if i not in chosen])
            cand = cand[~settled(self.emb[cand], live.corrected_emb)]
            probs = live.topics.predict_proba([self.texts[i] for i in cand], self.emb[cand])
            picked.extend(int(i) for i in cand[least_sure(probs, rule, per_round, self.emb[cand])])
        curve.append(self.score(self.build(picked), test))
        return curve

    def random(self, pool: np.ndarray, test: np.ndarray, seed: int, rounds: int, per_round: int) -> list[Any]:
        order = np.random.default_rng(seed).permutation(pool)
        return [self.score(self.build([int(i) for i in order[: k * per_round]]), test) for k in range(rounds + 1)]


def summary(values: list[float]) -> dict[str, float]:
    a = np.array(values)
    return {"mean": round(float(a.mean()), 4), "std": round(float(a.std(ddof=1)) if len(a) > 1 else 0.0, 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=SHARED / "topics_dev.csv")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--per-round", type=int, default=20)
    ap.add_argument("--seeds", type=int, default=3, help="Random draws per fold")
    ap.add_argument(
        "--rules", default="dense-spread,margin,entropy", help="model/uncertainty.py rules, comma-separated"
    )
    ap.add_argument(
        "--learn-from",
        type=int,
        default=None,
        help="Simulate another live.LEARN_MIN_CORRECTIONS (corrections become learned examples from this many)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from porchlight.synthesis.model.embedder import get_embedder
    from porchlight.synthesis.model.labeled import read_labeled_csv, splitter
    from porchlight.synthesis.model.sentiment import SentimentModel
    from porchlight.synthesis.settings import SynthesisSettings

    if args.learn_from is not None:
        from porchlight.synthesis.model import live

        live.LEARN_MIN_CORRECTIONS = args.learn_from  # read by build_live_model at each call
    t0 = time.perf_counter()
    data = read_labeled_csv(args.data)
    if data.topics is None:
        sys.exit(f"{args.data}: no 'topic' column")
    rows = [(t, y) for t, y in zip(data.texts, data.topics, strict=True) if y]
    texts, labels = [t for t, _ in rows], [y for _, y in rows]
    settings = SynthesisSettings()
    settings.keep_model_offline()
    embedder = get_embedder(settings.embedder, settings.model_cache_dir)
    log(f"embedding {len(texts)} texts ({settings.embedder})…")
    # embed_cached: every later build (corrections as prototypes) finds its texts embedded.
    emb = np.asarray(embedder.embed_cached(texts), dtype=np.float32)
    log(f"  {time.perf_counter() - t0:.0f} s")
    sim = Simulation(texts, labels, emb, settings.unassigned_below)
    sim.embedder = embedder
    sim.sentiment = SentimentModel(embedder)

    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    steps = [k * args.per_round for k in range(args.rounds + 1)]
    curves: dict[str, list[list[tuple[float, float]]]] = {r: [] for r in rules}
    curves["random"] = []
    per_fold_random: list[list[list[tuple[float, float]]]] = []
    for k, (tr, te) in enumerate(splitter(labels, args.folds, 0).split(texts, labels), start=1):
        pool, test = np.asarray(tr), np.asarray(te)
        for rule in rules:
            curves[rule].append(sim.uncertain(pool, test, rule, args.rounds, args.per_round))
        fold_random = [sim.random(pool, test, 1000 * k + s, args.rounds, args.per_round) for s in range(args.seeds)]
        curves["random"].extend(fold_random)
        per_fold_random.append(fold_random)
        done = {r: round(curves[r][-1][-1][0], 3) for r in rules}
        rnd = round(float(np.mean([c[-1][0] for c in fold_random])), 3)
        took = time.perf_counter() - t0
        log(f"fold {k}/{args.folds}: macro-F1 at {steps[-1]} labels {done}, random {rnd} ({took:.0f} s)")

    out: dict[str, Any] = {
        "data": str(args.data),
        "rows": len(texts),
        "folds": args.folds,
        "labels": steps,
        "seeds": args.seeds,
        "backend": settings.embedder,
        "learn_from": args.learn_from,
        "seconds": round(time.perf_counter() - t0, 1),
        "macro_f1": {},
        "accuracy": {},
        "gain_over_random": {},
    }
    for name, runs in curves.items():
        out["macro_f1"][name] = [summary([r[s][0] for r in runs]) for s in range(len(steps))]
        out["accuracy"][name] = [summary([r[s][1] for r in runs]) for s in range(len(steps))]
    for rule in rules:
        # Paired per fold: the rule's run minus the mean of that fold's random runs.
        diffs = [
            [curves[rule][f][s][0] - float(np.mean([r[s][0] for r in per_fold_random[f]])) for f in range(args.folds)]
            for s in range(len(steps))
        ]
        out["gain_over_random"][rule] = [{**summary(d), "folds_ahead": int(sum(x > 0 for x in d))} for d in diffs]
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{out['rows']} rows, {args.folds}-fold CV, {args.seeds} random seeds, {out['seconds']} s")
    print("macro-F1 on held-out folds (mean ± std) after N labels")
    print(f"{'labels':>8}  " + "  ".join(f"{n:>15}" for n in curves))
    for s, n in enumerate(steps):
        cells = [f"{out['macro_f1'][name][s]['mean']:.3f} ± {out['macro_f1'][name][s]['std']:.3f}" for name in curves]
        print(f"{n:>8}  " + "  ".join(f"{c:>15}" for c in cells))
    for rule in rules:
        g = out["gain_over_random"][rule][-1]
        ahead = f"{g['folds_ahead']}/{args.folds} folds ahead"
        print(f"{rule} - random at {steps[-1]} labels: {g['mean']:+.3f} ± {g['std']:.3f} ({ahead})")


if __name__ == "__main__":
    main()
