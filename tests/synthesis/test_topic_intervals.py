"""Topic counts estimated from the model's calibrated probabilities, with a 90 % interval (issue
17): the estimator on synthetic data from a known model, the calibration, the bag figures, and
``porchlight eval --bags``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from porchlight.kit.quantify import (
    Calibration,
    QuantifyError,
    approximate_probabilities,
    classify_and_count,
    estimate_counts,
    probability_rows,
    stored_probabilities,
)
from porchlight.synthesis.calibration.service import SHIPPED_CALIBRATION
from porchlight.synthesis.eval.commands import eval_app
from porchlight.synthesis.model.bags import HeldOut, bag_figures
from porchlight.synthesis.model.taxonomy import load_taxonomy

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
TOPICS = SHARED / "topics_dev.csv"
needs_data = pytest.mark.skipif(not TOPICS.is_file(), reason="../shared/data not present")

K = 6
NAMES = [f"t{i}" for i in range(K)]


def _model_probs(rng: np.random.Generator, truth: np.ndarray) -> np.ndarray:
    """What a lopsided, over-confident model says of concerns whose true topics are ``truth``:
    t0 looks much like t1 (raw counts inflate t1), and the probabilities are too sure."""
    mu = 2.0 * np.eye(K)
    mu[0, 1] = 1.7
    mu[2, 1] = 0.8
    logits = mu[truth] + rng.normal(0, 1.0, (len(truth), K))
    z = 2.5 * logits  # over-confident: the calibration has to soften them
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _calibration(rng: np.random.Generator, per_topic: int) -> Calibration:
    """Measured on labeled concerns with an even mix (an evaluation), not known."""
    truth = np.repeat(np.arange(K), per_topic)
    return Calibration.fit(_model_probs(rng, truth), [NAMES[i] for i in truth], NAMES, basis="evaluation")


def _bag(rng: np.random.Generator, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    truth = np.repeat(np.arange(K), counts)
    return truth, _model_probs(rng, truth)


def test_interval_covers_the_truth_about_nine_times_in_ten_and_adjusted_beats_raw() -> None:
    rng = np.random.default_rng(7)
    covered, adj, raw = [], [], []
    for _ in range(100):
        calibration = _calibration(rng, 150)
        counts = rng.multinomial(150, rng.dirichlet(np.ones(K)))  # prior shift: every bag its own mix
        _, probs = _bag(rng, counts)
        pred = np.bincount(probs.argmax(axis=1), minlength=K)
        est = estimate_counts(probs, NAMES, calibration)
        for i, t in enumerate(NAMES):
            covered.append(est[t].low <= counts[i] <= est[t].high)
            adj.append(abs(est[t].count - counts[i]))
            raw.append(abs(pred[i] - counts[i]))
    coverage = float(np.mean(covered))
    assert 0.84 <= coverage <= 0.99, coverage
    assert np.mean(adj) < 0.8 * np.mean(raw), (np.mean(adj), np.mean(raw))


def test_a_district_where_one_topic_dominates_is_not_credited_to_the_topic_it_is_mistaken_for() -> None:
    rng = np.random.default_rng(3)
    calibration = _calibration(rng, 400)
    counts = np.array([120, 5, 5, 10, 5, 5])  # t0 dominates; the model often calls t0 "t1"
    _, probs = _bag(rng, counts)
    raw = np.bincount(probs.argmax(axis=1), minlength=K)
    est = estimate_counts(probs, NAMES, calibration)
    assert raw[1] > 30  # raw counts: t1 looks like a big topic
    assert est["t1"].count < 15 and est["t1"].low <= 5 <= est["t1"].high
    assert est["t0"].low <= 120 <= est["t0"].high
    assert sum(e.count for e in est.values()) == pytest.approx(150)
    assert est["t0"].share == pytest.approx(est["t0"].count / 150)


def test_the_calibration_softens_an_over_confident_model_and_keeps_its_ranking() -> None:
    rng = np.random.default_rng(11)
    calibration = _calibration(rng, 300)
    truth = np.repeat(np.arange(K), 200)
    probs = _model_probs(rng, truth)
    calibrated = calibration.apply(probs)

    def nll(p: np.ndarray) -> float:
        return float(-np.log(np.clip(p[np.arange(len(truth)), truth], 1e-12, 1)).mean())

    assert nll(calibrated) < 0.9 * nll(probs)  # measured: 0.73 against 0.92
    assert (calibrated.argmax(axis=1) == truth).mean() >= (probs.argmax(axis=1) == truth).mean() - 0.02
    assert calibration.labels == 6 * 300 and calibration.basis == "evaluation"
    assert calibration.shares == pytest.approx(np.full(K, 1 / K), abs=1e-3)


def test_a_few_labels_move_the_calibration_only_a_little() -> None:
    """Shrunk toward the raw probabilities: five corrections do not overrule the model."""
    rng = np.random.default_rng(5)
    truth = np.array([0, 0, 1, 2, 3])
    probs = _model_probs(rng, np.repeat(np.arange(K), 20))
    few = Calibration.fit(_model_probs(rng, truth), [NAMES[i] for i in truth], NAMES, basis="corrections")
    assert np.abs(few.weights).max() < 0.2 and np.abs(few.bias).max() < 0.5
    assert (few.apply(probs).argmax(axis=1) == probs.argmax(axis=1)).mean() > 0.85  # measured: 0.89


def test_topics_the_calibration_never_saw_removed_topics_and_empty_input() -> None:
    rng = np.random.default_rng(2)
    calibration = _calibration(rng, 100)
    topics = [*NAMES[1:], "new_topic"]  # t0 left the taxonomy, new_topic joined it
    probs = np.full((20, len(topics)), 0.02)
    probs[:10, -1] = 0.9
    probs[10:, 0] = 0.9
    est = estimate_counts(probs / probs.sum(axis=1, keepdims=True), topics, calibration)
    assert set(est) == set(topics)
    assert all(e.low <= e.count <= e.high for e in est.values())
    assert sum(e.count for e in est.values()) == pytest.approx(20)
    assert 5 <= est["new_topic"].count <= 15
    nothing = estimate_counts(np.zeros((0, len(topics))), topics, calibration)
    assert all(e.count == 0 and e.high == 0 for e in nothing.values())
    with pytest.raises(QuantifyError, match="shape"):
        estimate_counts(np.zeros((3, 2)), topics, calibration)
    with pytest.raises(QuantifyError, match="negative"):
        estimate_counts(-probs, topics, calibration)
    with pytest.raises(QuantifyError, match="does not have"):
        Calibration.fit(probs[:1], ["nowhere"], topics, basis="evaluation")


def test_concerns_a_supervisor_labeled_count_as_labeled() -> None:
    rng = np.random.default_rng(4)
    calibration = _calibration(rng, 100)
    _, probs = _bag(rng, np.array([10, 10, 10, 10, 10, 10]))
    alone = estimate_counts(probs, NAMES, calibration)
    both = estimate_counts(probs, NAMES, calibration, known={"t3": 7, "gone": 2})
    assert both["t3"].count == pytest.approx(alone["t3"].count + 7)
    assert (both["t3"].low, both["t3"].high) == (alone["t3"].low + 7, alone["t3"].high + 7)
    assert both["t0"].count == pytest.approx(alone["t0"].count) and both["t0"].total == 67
    only = estimate_counts(np.zeros((0, K)), NAMES, calibration, known={"t1": 3})
    assert (only["t1"].count, only["t1"].low, only["t1"].high) == (3, 3, 3) and only["t0"].high == 0


def test_stored_probabilities_round_trip_and_the_approximation_for_old_concerns() -> None:
    stored = stored_probabilities(["a", "b", "c"], np.array([0.9, 0.0999, 0.0001]))
    assert stored == {"a": 0.9, "b": 0.0999}  # what is too small to matter is not stored
    rows = probability_rows([stored, {"c": 1.0, "gone": 0.5}], ["a", "b", "c"])
    assert rows.shape == (2, 3) and rows.sum(axis=1) == pytest.approx([1, 1])
    assert rows[0].argmax() == 0 and rows[1].argmax() == 2
    approx = approximate_probabilities("b", 0.7, ["a", "b", "c"])
    assert approx == {"b": 0.7, "a": pytest.approx(0.15), "c": pytest.approx(0.15)}


def test_calibration_json_round_trip_and_bad_documents() -> None:
    calibration = _calibration(np.random.default_rng(1), 30)
    again = Calibration.from_json(json.loads(json.dumps(calibration.to_json())))
    assert again.topics == calibration.topics and again.labels == calibration.labels
    assert np.allclose(again.weights, calibration.weights, atol=1e-5) and again.basis == "evaluation"
    with pytest.raises(QuantifyError, match="not a calibration document"):
        Calibration.from_json({"topics": ["a"]})
    with pytest.raises(QuantifyError, match="do not match"):
        Calibration(("a",), np.zeros((2, 2)), np.zeros(1), np.ones(1), 0, "evaluation")
    with pytest.raises(QuantifyError, match="distinct"):
        Calibration.identity(["a", "a"])


def test_the_shipped_evaluation_calibration_loads_for_the_demo_taxonomy() -> None:
    shipped = Calibration.load(SHIPPED_CALIBRATION)
    assert shipped.basis == "evaluation" and shipped.labels > 1000
    assert set(shipped.topics) == set(load_taxonomy(None).names)
    assert shipped.shares.sum() == pytest.approx(1)


def test_classify_and_count_counts_unassigned_for_no_topic() -> None:
    assert classify_and_count(["a", "a", "unassigned", "b"], ["a", "b"]) == {"a": 0.5, "b": 0.25}


def test_bag_figures_report_adjusted_raw_and_coverage() -> None:
    rng = np.random.default_rng(0)
    calibration = _calibration(rng, 200)
    truth = np.repeat(np.arange(K), 200)
    probs = _model_probs(rng, truth)
    held = HeldOut(
        labels=[NAMES[i] for i in truth],
        preds=[NAMES[i] for i in probs.argmax(axis=1)],
        topics=tuple(NAMES),
        probs=probs,
        likelihoods=calibration.likelihoods(probs),
        mode="synthetic",
    )
    out = bag_figures(held, bags=30, bag_size=150, seed=1)
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
    saved_to = tmp_path / "calibration.json"
    args = ["eval", "--data", str(data), "--bags", "20", "--bag-size", "60", "--json"]
    args += ["--save-calibration", str(saved_to)]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["bags"] == 20 and out["bag_size"] == 60
    for key in ("share_mae", "raw_share_mae", "share_coverage"):
        assert isinstance(out[key], float), key
    assert 0 < out["share_mae"] < 20 and 0 <= out["share_coverage"] <= 1
    assert "taxonomy alone" in out["mode"]
    saved = Calibration.load(saved_to)
    assert saved.labels == 300 and saved.basis == "evaluation"
    table = CliRunner().invoke(_app(), ["eval", "--data", str(data), "--bags", "10", "--bag-size", "60"])
    assert table.exit_code == 0, table.output
    assert "share MAE, adjusted (points)" in table.stdout and "90 % interval holds the true share" in table.stdout
