"""Fine-tuning MiniLM on the labeled rows: does it beat the frozen embeddings? (issue 4)

Same data and folds as ``porchlight eval --data topics_dev.csv --train topics_dev.csv``
(../shared/data/topics_dev.csv, 5 folds, seed 0, the eval's own splitter). On each training fold
the verified local MiniLM (loaded as ``Embedder`` loads it, offline) is fine-tuned, then the
held-out fold is scored. Variants:

* ``frozen``   — reference: the Porchlight topic pipeline (prototypes + kNN + head) on frozen
                 embeddings, exactly what ``porchlight eval`` scores today;
* ``clf``      — (a) classification fine-tune: mean pooling + linear head, class-weighted
                 cross-entropy, AdamW, linear warm-up/decay; scored by the head's argmax;
* ``clf+pipe`` — (c) the Porchlight pipeline on the embeddings of the encoder fine-tuned by (a);
* ``con+pipe`` — (b) SetFit-style contrastive fine-tune of the encoder (supervised in-batch
                 contrastive loss: same-topic texts pulled together, others pushed apart), then
                 the Porchlight pipeline on its embeddings (SetFit's "encoder, then the head").

Prints accuracy, macro-F1 (unassigned counts wrong, as the eval does) and training time per fold
and the mean, with the load average next to each time. Run it niced::

    nice -n 19 .venv/bin/python bench/synthesis_finetune.py --variants frozen,clf,clf+pipe --folds-run 0
    nice -n 19 .venv/bin/python bench/synthesis_finetune.py --variants clf+pipe --epochs 3 --json

Per-fold probabilities go to ``--out-dir`` (npz) so mixtures can be scored without retraining.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from synthesis_baselines import scores  # same scoring as the baselines (this folder is on sys.path)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- fine-tuning (a copy of the verified weights; the base embedder is never touched) ---------------


@dataclass(frozen=True)
class FinetuneParams:
    epochs: float = 3
    lr: float = 5e-5
    #: The freshly initialized head learns faster than the pretrained encoder.
    head_lr: float = 1e-3
    batch_size: int = 32
    max_length: int = 64
    class_weight: Literal["balanced", "sqrt", "none"] = "sqrt"
    warmup: float = 0.1
    weight_decay: float = 0.01
    #: Contrastive loss temperature.
    temperature: float = 0.05
    seed: int = 0
    #: Stop after this many optimizer steps (tests: prove the plumbing in a second).
    max_steps: int | None = None


@dataclass
class TunedClassifier:
    encoder: Any  # transformers BertModel, eval mode
    head: Any  # torch.nn.Linear
    classes: list[str]
    tokenizer: Any
    max_length: int
    seconds: float
    steps: int

    def predict_proba(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        import torch

        ids = _token_ids(self.tokenizer, texts, self.max_length)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), len(self.classes)), dtype=np.float32)
        self.encoder.eval()
        with torch.inference_mode():
            for s in range(0, len(order), batch_size):
                b = order[s : s + batch_size]
                logits = self.head(_pool(self.encoder, _pad([ids[i] for i in b], self.tokenizer)))
                out[b] = torch.softmax(logits, dim=1).numpy()
        return out


def _token_ids(tokenizer: Any, texts: Sequence[str], max_length: int) -> list[list[int]]:
    cleaned = [t if t and t.strip() else "[UNK]" for t in (str(x) for x in texts)]
    return list(tokenizer(cleaned, truncation=True, max_length=max_length)["input_ids"])


def _pad(ids: Sequence[Sequence[int]], tokenizer: Any) -> dict[str, Any]:
    import torch

    longest = max(len(x) for x in ids)
    input_ids = torch.full((len(ids), longest), tokenizer.pad_token_id or 0, dtype=torch.long)
    attention = torch.zeros((len(ids), longest), dtype=torch.long)
    for r, x in enumerate(ids):
        input_ids[r, : len(x)] = torch.tensor(x, dtype=torch.long)
        attention[r, : len(x)] = 1
    return {"input_ids": input_ids, "attention_mask": attention, "token_type_ids": torch.zeros_like(input_ids)}


def _pool(encoder: Any, enc: dict[str, Any]) -> Any:
    """Mean over the attention mask (what the embedder and sentence-transformers do)."""
    states = encoder(**enc).last_hidden_state
    weights = enc["attention_mask"].unsqueeze(-1).to(states.dtype)
    return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)


def _bucketed_batches(lengths: Sequence[int], batch_size: int, rng: np.random.Generator) -> list[list[int]]:
    """Shuffled batches of texts of similar length: shuffle, sort within chunks of 50 batches, cut."""
    order = rng.permutation(len(lengths))
    chunk = batch_size * 50
    batches: list[list[int]] = []
    for s in range(0, len(order), chunk):
        part = sorted(order[s : s + chunk].tolist(), key=lambda i: lengths[i])
        batches.extend(part[b : b + batch_size] for b in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def _class_weights(labels: Sequence[int], k: int, how: str) -> np.ndarray:
    counts = np.bincount(np.asarray(labels), minlength=k).astype(np.float64)
    counts = np.maximum(counts, 1)
    if how == "none":
        w = np.ones(k)
    elif how == "balanced":
        w = counts.sum() / (k * counts)
    else:  # sqrt: half-way (in log terms) between none and balanced
        w = np.sqrt(counts.sum() / (k * counts))
    return w / (w * counts).sum() * counts.sum()  # mean weight over the rows is 1


def _schedule(optimizer: Any, total: int, warmup: float) -> Any:
    import torch

    warm = max(1, int(total * warmup))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.0, (total - step) / max(1, total - warm))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _copy_encoder(embedder: Any) -> Any:
    import torch

    torch.manual_seed(0)
    return copy.deepcopy(embedder._load_torch())


def finetune_classifier(
    embedder: Any,
    texts: Sequence[str],
    labels: Sequence[str],
    params: FinetuneParams | None = None,
    *,
    log: Callable[[str], None] | None = None,
) -> TunedClassifier:
    """Fine-tune a copy of the embedder's encoder with a linear topic head on ``texts``/``labels``."""
    import torch

    p = params or FinetuneParams()
    torch.manual_seed(p.seed)
    rng = np.random.default_rng(p.seed)
    classes = sorted(set(labels))
    col = {c: i for i, c in enumerate(classes)}
    y = np.array([col[v] for v in labels])
    ids = _token_ids(embedder.tokenizer, texts, p.max_length)
    lengths = [len(x) for x in ids]
    encoder = _copy_encoder(embedder)
    encoder.train()
    head = torch.nn.Linear(encoder.config.hidden_size, len(classes))
    weights = torch.tensor(_class_weights(y.tolist(), len(classes), p.class_weight), dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    optimizer = torch.optim.AdamW(
        [
            {"params": [q for q in encoder.parameters() if q.requires_grad], "lr": p.lr},
            {"params": head.parameters(), "lr": p.head_lr},
        ],
        weight_decay=p.weight_decay,
    )
    per_epoch = math.ceil(len(ids) / p.batch_size)
    total = max(1, math.ceil(per_epoch * p.epochs))
    if p.max_steps is not None:
        total = min(total, p.max_steps)
    scheduler = _schedule(optimizer, total, p.warmup)
    t0 = time.perf_counter()
    step = 0
    while step < total:
        for batch in _bucketed_batches(lengths, p.batch_size, rng):
            if step >= total:
                break
            logits = head(_pool(encoder, _pad([ids[i] for i in batch], embedder.tokenizer)))
            loss = loss_fn(logits, torch.from_numpy(y[batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if log and (step % 20 == 0 or step == total):
                log(f"    classifier step {step}/{total} loss {loss.item():.3f} ({time.perf_counter() - t0:.0f} s)")
    encoder.eval()
    head.eval()
    return TunedClassifier(encoder, head, classes, embedder.tokenizer, p.max_length, time.perf_counter() - t0, step)


def _contrastive_batches(
    y: np.ndarray, batch_size: int, steps: int, rng: np.random.Generator, per_class: int = 4
) -> list[list[int]]:
    """Batches of ``batch_size // per_class`` topics (drawn in proportion to the square root of
    their counts), ``per_class`` statements each, so every statement has positives in its batch."""
    by_class = {c: np.nonzero(y == c)[0] for c in np.unique(y)}
    classes = np.array(sorted(by_class))
    prob = np.sqrt([len(by_class[c]) for c in classes])
    prob = prob / prob.sum()
    n_cls = max(2, min(len(classes), batch_size // per_class))
    out = []
    for _ in range(steps):
        chosen = rng.choice(classes, size=n_cls, replace=False, p=prob)
        batch: list[int] = []
        for c in chosen:
            pool = by_class[c]
            batch.extend(rng.choice(pool, size=per_class, replace=len(pool) < per_class).tolist())
        out.append(batch)
    return out


def finetune_contrastive(
    embedder: Any,
    texts: Sequence[str],
    labels: Sequence[str],
    params: FinetuneParams | None = None,
    *,
    log: Callable[[str], None] | None = None,
) -> Any:
    """Fine-tune a copy of the encoder so that statements of one topic embed close together
    (supervised contrastive loss, Khosla et al. 2020, on normalized mean-pooled embeddings)."""
    import torch

    p = params or FinetuneParams()
    torch.manual_seed(p.seed)
    rng = np.random.default_rng(p.seed)
    codes = {c: i for i, c in enumerate(sorted(set(labels)))}
    y = np.array([codes[v] for v in labels])
    ids = _token_ids(embedder.tokenizer, texts, p.max_length)
    encoder = _copy_encoder(embedder)
    encoder.train()
    optimizer = torch.optim.AdamW(
        [q for q in encoder.parameters() if q.requires_grad], lr=p.lr, weight_decay=p.weight_decay
    )
    total = max(1, math.ceil(len(ids) / p.batch_size * p.epochs))
    if p.max_steps is not None:
        total = min(total, p.max_steps)
    scheduler = _schedule(optimizer, total, p.warmup)
    t0 = time.perf_counter()
    for step, batch in enumerate(_contrastive_batches(y, p.batch_size, total, rng), start=1):
        z = torch.nn.functional.normalize(_pool(encoder, _pad([ids[i] for i in batch], embedder.tokenizer)), dim=1)
        yb = torch.from_numpy(y[batch])
        sims = z @ z.T / p.temperature
        eye = torch.eye(len(batch), dtype=torch.bool)
        sims = sims.masked_fill(eye, -1e9)
        log_prob = sims - torch.logsumexp(sims, dim=1, keepdim=True)
        positive = (yb[:, None] == yb[None, :]) & ~eye
        has = positive.any(dim=1)
        loss = -(log_prob * positive).sum(dim=1)[has] / positive.sum(dim=1)[has]
        loss = loss.mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        if log and (step % 20 == 0 or step == total):
            log(f"    contrastive step {step}/{total} loss {loss.item():.3f} ({time.perf_counter() - t0:.0f} s)")
    encoder.eval()
    return encoder


def pipeline_predict(
    embedder: Any, taxonomy: Any, texts: list[str], labels: list[str], emb: np.ndarray, tr: Any, te: Any
) -> tuple[list[str], np.ndarray, list[str]]:
    """What ``porchlight eval`` does inside one fold: learn the training rows, predict the rest."""
    from porchlight.synthesis.model.topics import LabeledExample, TopicModel

    model = TopicModel(taxonomy, embedder, allow_new_topics=True)
    model.learn([LabeledExample(texts[i], labels[i], "train") for i in tr], embeddings=emb[tr])
    held = [texts[i] for i in te]
    probs = model.predict_proba(held, emb[te])
    preds = [p.topic for p in model._decide(probs)]
    return preds, probs, model.topics


def finetuned_embedder(base: Any, bert: Any) -> Any:
    """The base embedder (same tokenizer, batching, pooling) running the fine-tuned weights."""
    e = copy.copy(base)
    e._torch_model = bert.eval()
    e._cache = {}
    e._lock = threading.Lock()
    return e


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(SHARED / "topics_dev.csv"))
    ap.add_argument("--variants", default="frozen,clf,clf+pipe,con+pipe")
    ap.add_argument("--folds-run", default="all", help="comma-separated fold numbers (0-4) or 'all'")
    ap.add_argument("--epochs", type=float, default=3)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=64)
    ap.add_argument("--class-weight", default="sqrt", choices=["balanced", "sqrt", "none"])
    ap.add_argument("--con-epochs", type=float, default=2)
    ap.add_argument("--con-temperature", type=float, default=0.05)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-steps", type=int, default=None, help="stop each fine-tune early (smoke runs)")
    ap.add_argument("--out-dir", default="/tmp/synth-finetune")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import torch

    from porchlight.synthesis.model.embedder import Embedder
    from porchlight.synthesis.model.labeled import read_labeled_csv, splitter
    from porchlight.synthesis.model.taxonomy import load_taxonomy

    torch.set_num_threads(args.threads)
    data = read_labeled_csv(args.data)
    assert data.topics is not None
    rows = [(t, y) for t, y in zip(data.texts, data.topics, strict=True) if y]
    texts = [t for t, _ in rows]
    labels = [y for _, y in rows]
    folds = list(splitter(labels, 5, 0).split(texts, labels))
    run = range(5) if args.folds_run == "all" else [int(x) for x in args.folds_run.split(",")]
    variants = args.variants.split(",")
    taxonomy = load_taxonomy()
    base = Embedder(threads=args.threads)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    params = FinetuneParams(
        epochs=args.epochs,
        lr=args.lr,
        head_lr=args.head_lr,
        batch_size=args.batch,
        max_length=args.max_len,
        class_weight=args.class_weight,
        seed=args.seed,
        max_steps=args.max_steps,
    )
    con_params = FinetuneParams(
        epochs=args.con_epochs,
        lr=args.lr,
        batch_size=args.batch,
        max_length=args.max_len,
        temperature=args.con_temperature,
        seed=args.seed,
        max_steps=args.max_steps,
    )
    log(f"{len(texts)} rows, folds {list(run)}, variants {variants}, params {params}, load {load_avg()}")

    frozen_emb: np.ndarray | None = None
    if "frozen" in variants:
        cache = out_dir / f"frozen-{data.digest[:16]}.npy"
        if cache.is_file():
            frozen_emb = np.load(cache)
        else:
            frozen_emb = base.embed(texts)
            np.save(cache, frozen_emb)

    results: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
    for k in run:
        tr, te = folds[k]
        y_te = [labels[i] for i in te]
        tr_texts, tr_labels = [texts[i] for i in tr], [labels[i] for i in tr]
        if "frozen" in variants:
            assert frozen_emb is not None
            preds, probs, names = pipeline_predict(base, taxonomy, texts, labels, frozen_emb, tr, te)
            results["frozen"].append({"fold": k, **scores(y_te, preds), "train_s": 0.0})
            np.savez(out_dir / f"frozen-f{k}.npz", probs=probs, names=names, te=te)
            log(f"fold {k} frozen: {results['frozen'][-1]}")
        if "clf" in variants or "clf+pipe" in variants:
            t0 = time.perf_counter()
            tuned = finetune_classifier(base, tr_texts, tr_labels, params, log=log)
            secs = time.perf_counter() - t0
            load = load_avg()
            if "clf" in variants:
                probs = tuned.predict_proba([texts[i] for i in te])
                preds = [tuned.classes[j] for j in probs.argmax(axis=1)]
                results["clf"].append({"fold": k, **scores(y_te, preds), "train_s": round(secs, 1), "load": load})
                np.savez(out_dir / f"clf-f{k}.npz", probs=probs, names=tuned.classes, te=te)
                log(f"fold {k} clf: {results['clf'][-1]}")
            if "clf+pipe" in variants:
                emb = finetuned_embedder(base, tuned.encoder)
                t1 = time.perf_counter()
                vectors = emb.embed(texts)
                preds, probs, names = pipeline_predict(emb, taxonomy, texts, labels, vectors, tr, te)
                results["clf+pipe"].append(
                    {
                        "fold": k,
                        **scores(y_te, preds),
                        "train_s": round(secs, 1),
                        "pipeline_s": round(time.perf_counter() - t1, 1),
                        "load": load,
                    }
                )
                np.savez(out_dir / f"clfpipe-f{k}.npz", probs=probs, names=names, te=te)
                log(f"fold {k} clf+pipe: {results['clf+pipe'][-1]}")
        if "con+pipe" in variants:
            t0 = time.perf_counter()
            encoder = finetune_contrastive(base, tr_texts, tr_labels, con_params, log=log)
            secs = time.perf_counter() - t0
            load = load_avg()
            emb = finetuned_embedder(base, encoder)
            vectors = emb.embed(texts)
            preds, probs, names = pipeline_predict(emb, taxonomy, texts, labels, vectors, tr, te)
            results["con+pipe"].append({"fold": k, **scores(y_te, preds), "train_s": round(secs, 1), "load": load})
            np.savez(out_dir / f"conpipe-f{k}.npz", probs=probs, names=names, te=te)
            log(f"fold {k} con+pipe: {results['con+pipe'][-1]}")

    summary: dict[str, Any] = {}
    for v, rs in results.items():
        if not rs:
            continue
        summary[v] = {
            "folds": rs,
            "mean_accuracy": round(float(np.mean([r["accuracy"] for r in rs])), 4),
            "mean_macro_f1": round(float(np.mean([r["macro_f1"] for r in rs])), 4),
            "mean_train_s": round(float(np.mean([r["train_s"] for r in rs])), 1),
        }
    if args.json:
        print(json.dumps({"params": vars(args), "results": summary}, indent=2))
        return
    print(f"params: {vars(args)}")
    print(f"{'variant':<10} {'fold':>4} {'accuracy':>9} {'macro-F1':>9} {'train s':>8}  load")
    for v, s in summary.items():
        for r in s["folds"]:
            figures = f"{r['accuracy']:>9.3f} {r['macro_f1']:>9.3f} {r['train_s']:>8.1f}"
            print(f"{v:<10} {r['fold']:>4} {figures}  {r.get('load', '')}")
        print(f"{v:<10} {'mean':>4} {s['mean_accuracy']:>9.3f} {s['mean_macro_f1']:>9.3f} {s['mean_train_s']:>8.1f}")


if __name__ == "__main__":
    main()
