"""Topic counts adjusted for the model's measured confusion, with a 90 % interval (issue 17):
the estimator on synthetic data with a known confusion, the bag figures, and ``porchlight eval --bags``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from porchlight.synthesis.eval.commands import eval_app
from porchlight.synthesis.model.bags import bag_figures
from porchlight.synthesis.model.quantify import (
    SHIPPED_CONFUSION,
    Confusion,
    QuantifyError,
    classify_and_count,
    estimate_counts,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
TOPICS = SHARED / "topics_dev.csv"
needs_data = pytest.mark.skipif(not TOPICS.is_file(), reason="../shared/data not present")

K = 6
NAMES = [f"t{i}" for i in range(K)]


def _true_confusion() -> np.ndarray:
    """A lopsided confusion: 70 % right, and t0 is often taken for t1 (raw counts inflate t1)."""
    c = np.full((K, K), 0.3 / (K - 1))
    np.fill_diagonal(c, 0.7)
    c[0] = 0.02
    c[0, 0], c[0, 1] = 0.55, 0.37
    c[2, 1] += 0.15
    c[2, 2] -= 0.15
    return c / c.sum(axis=1, keepdims=True)


def _labeled(rng: np.random.Generator, c: np.ndarray, per_topic: int) -> Confusion:
    counts = np.vstack([rng.multinomial(per_topic, c[i]) for i in range(K)]).astype(float)
    return Confusion(tuple(NAMES), tuple(NAMES), counts, "evaluation")


def _predicted(rng: np.random.Generator, c: np.ndarray, truth: np.ndarray) -> dict[str, int]:
    pred = np.zeros(K, dtype=int)
    for i in range(K):
        pred += rng.multinomial(truth[i], c[i])
    return dict(zip(NAMES, pred.tolist(), strict=True))


def test_interval_covers_the_truth_about_nine_times_in_ten_and_adjusted_beats_raw() -> None:
    rng = np.random.default_rng(7)
    c = _true_confusion()
    covered, adj, raw = [], [], []
    for draw in range(120):
        confusion = _labeled(rng, c, 80)  # the confusion itself is measured, not known
        truth = rng.multinomial(150, rng.dirichlet(np.ones(K)))  # prior shift: every bag its own mix
        pred = _predicted(rng, c, truth)
        est = estimate_counts(pred, confusion, seed=draw, draws=400)
        for i, t in enumerate(NAMES):
            covered.append(est[t].low <= truth[i] <= est[t].high)
            adj.append(abs(est[t].count - truth[i]))
            raw.append(abs(pred[t] - truth[i]))
    coverage = float(np.mean(covered))
    assert 0.84 <= coverage <= 0.98, coverage
    assert np.mean(adj) < 0.8 * np.mean(raw), (np.mean(adj), np.mean(raw))


def test_a_district_where_one_topic_dominates_is_not_credited_to_the_topic_it_is_mistaken_for() -> None:
    rng = np.random.default_rng(3)
    c = _true_confusion()
    confusion = _labeled(rng, c, 400)
    truth = np.array([120, 5, 5, 10, 5, 5])  # t0 dominates; the model calls 37 % of t0 "t1"
    pred = _predicted(rng, c, truth)
    est = estimate_counts(pred, confusion)
    assert pred["t1"] > 40  # raw counts: t1 looks like a big topic
    assert est["t1"].count < 20 and est["t1"].low <= 5 <= est["t1"].high
    assert est["t0"].low <= 120 <= est["t0"].high
    assert sum(e.count for e in est.values()) == pytest.approx(150)
    assert est["t0"].share == pytest.approx(est["t0"].count / 150)


def test_labels_the_confusion_never_saw_and_empty_counts() -> None:
    confusion = Confusion.from_pairs(
        [("a", "a")] * 30 + [("a", "b")] * 5 + [("b", "b")] * 30 + [("b", "unassigned")] * 3, basis="evaluation"
    )
    assert confusion.labels == 68 and "unassigned" in confusion.predicted
    est = estimate_counts({"a": 10, "b": 10, "c": 4, "unassigned": 2}, confusion)
    assert set(est) == {"a", "b", "c"}
    assert all(e.low <= e.count <= e.high for e in est.values())
    assert sum(e.count for e in est.values()) == pytest.approx(26)
    nothing = estimate_counts({}, confusion)
    assert all(e.count == 0 and e.high == 0 for e in nothing.values())
    with pytest.raises(QuantifyError, match="negative"):
        estimate_counts({"a": -1}, confusion)


def test_confusion_json_round_trip_and_bad_documents() -> None:
    confusion = Confusion.from_pairs([("a", "b"), ("a", "a"), ("b", "b")], basis="corrections", source="x")
    again = Confusion.from_json(json.loads(json.dumps(confusion.to_json())))
    assert again.topics == confusion.topics and again.predicted == confusion.predicted
    assert (again.counts == confusion.counts).all() and again.basis == "corrections"
    with pytest.raises(QuantifyError, match="not a confusion document"):
        Confusion.from_json({"topics": ["a"]})
    with pytest.raises(QuantifyError, match="shape"):
        Confusion(("a",), ("a", "b"), np.zeros((2, 2)), "evaluation")


def test_the_shipped_evaluation_confusion_loads() -> None:
    shipped = Confusion.load(SHIPPED_CONFUSION)
    assert shipped.basis == "evaluation" and shipped.labels > 1000
    assert "street_lighting" in shipped.topics and 0.3 < shipped.accuracy < 1


def test_classify_and_count_counts_unassigned_for_no_topic() -> None:
    assert classify_and_count(["a", "a", "unassigned", "b"], ["a", "b"]) == {"a": 0.5, "b": 0.25}


def test_bag_figures_report_adjusted_raw_and_coverage() -> None:
    rng = np.random.default_rng(0)
    c = _true_confusion()
    labels = [NAMES[i] for i in range(K) for _ in range(200)]
    preds = [NAMES[rng.choice(K, p=c[NAMES.index(y)])] for y in labels]
    order = rng.permutation(len(labels))
    held_out = [order[:600], order[600:]]
    conf = [
        Confusion.from_pairs([(labels[i], preds[i]) for i in order[600:]], basis="evaluation", topics=NAMES),
        Confusion.from_pairs([(labels[i], preds[i]) for i in order[:600]], basis="evaluation", topics=NAMES),
    ]
    out = bag_figures(labels, preds, held_out, conf, bags=30, bag_size=150, seed=1)
    assert out["bags"] == 30 and out["bag_size"] == 150
    assert out["share_mae"] < out["raw_share_mae"]
    assert 0.8 <= out["share_coverage"] <= 1
    assert set(out["per_topic"]) == set(NAMES)


# -- porchlight eval --bags -------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(eval_app, name="eval")

    @app.command()
    def version() -> None:
        pass

    return app


def _slice(dst: Path, rows: int, step: int) -> Path:
    with TOPICS.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        picked = [r for i, r in enumerate(reader) if i % step == 0][:rows]
        fields = reader.fieldnames or []
    with dst.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(picked)
    return dst


@pytest.mark.parametrize(
    ("args", "named"),
    [(["--bags", "-1"], "--bags"), (["--bags", "5", "--bag-size", "3"], "--bag-size"), (["--bags", "x"], "--bags")],
)
def test_eval_rejects_bad_bag_values(tmp_path: Path, args: list[str], named: str) -> None:
    data = tmp_path / "d.csv"
    data.write_text("text,topic\nthe light is out,street_lighting\n")
    result = CliRunner().invoke(_app(), ["eval", "--data", str(data), *args])
    assert result.exit_code == 2
    assert named in result.output


@pytest.mark.parametrize(
    ("header", "named"),
    [("comment,topic", "'text'"), ("text,sentiment", "'topic'"), ("text,comment", "'topic'")],
)
def test_eval_file_without_the_needed_columns_names_the_column(tmp_path: Path, header: str, named: str) -> None:
    data = tmp_path / "d.csv"
    value = "neutral" if "sentiment" in header else "x"
    data.write_text(f"{header}\nthe light is out,{value}\n")
    result = CliRunner().invoke(_app(), ["eval", "--data", str(data), "--bags", "5"])
    assert result.exit_code == 2
    assert named in result.output and "error:" in result.output


@needs_data
def test_eval_bags_on_a_slice_taxonomy_alone(tmp_path: Path) -> None:
    data = _slice(tmp_path / "topics.csv", 300, step=7)
    conf = tmp_path / "confusion.json"
    args = ["eval", "--data", str(data), "--bags", "20", "--bag-size", "60", "--json", "--save-confusion", str(conf)]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["bags"] == 20 and out["bag_size"] == 60
    for key in ("share_mae", "raw_share_mae", "share_coverage"):
        assert isinstance(out[key], float), key
    assert 0 < out["share_mae"] < 20 and 0 <= out["share_coverage"] <= 1
    assert "taxonomy alone" in out["mode"]
    saved = Confusion.load(conf)
    assert saved.labels == 300 and saved.basis == "evaluation"
    table = CliRunner().invoke(_app(), ["eval", "--data", str(data), "--bags", "10", "--bag-size", "60"])
    assert table.exit_code == 0, table.output
    assert "share MAE, adjusted (points)" in table.stdout and "90 % interval holds the true share" in table.stdout
