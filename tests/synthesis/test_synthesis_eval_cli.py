"""``porchlight eval`` on small slices of the shared labeled data (issue 4)."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from porchlight.synthesis.eval.commands import eval_app
from porchlight.synthesis.model.embedder import get_embedder
from porchlight.synthesis.model.evaluation import EvalError, read_labeled_csv

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
TOPICS = SHARED / "topics_dev.csv"
SENTIMENT = SHARED / "sentiment_dev.csv"

needs_data = pytest.mark.skipif(not (TOPICS.is_file() and SENTIMENT.is_file()), reason="../shared/data not present")


def _slice(src: Path, dst: Path, rows: int, step: int = 1) -> Path:
    with src.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        picked = [r for i, r in enumerate(reader) if i % step == 0][:rows]
        fields = reader.fieldnames or []
    with dst.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(picked)
    return dst


def _app() -> typer.Typer:
    """Mounted the way the kit mounts a top-level group: ``porchlight eval ...``."""
    app = typer.Typer()
    app.add_typer(eval_app, name="eval")

    @app.command()
    def version() -> None:  # a second command so "eval" stays a group, as in the real CLI
        pass

    return app


@pytest.fixture(scope="module", autouse=True)
def _model_loaded() -> None:
    get_embedder("torch")  # loaded once per process, shared with test_model.py


@needs_data
def test_eval_json_on_a_200_row_slice(tmp_path: Path) -> None:
    topics = _slice(TOPICS, tmp_path / "topics.csv", 200, step=11)
    sentiment = _slice(SENTIMENT, tmp_path / "sentiment.csv", 100, step=237)
    started = time.perf_counter()
    result = CliRunner().invoke(
        _app(), ["eval", "--data", str(topics), "--data", str(sentiment), "--train", str(topics), "--json"]
    )
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    for key in ("topic_accuracy", "topic_macro_f1", "sentiment_macro_f1", "sentiment_accuracy", "concerns_per_second"):
        assert isinstance(out[key], float), key
    assert out["topic_rows"] == 200 and out["sentiment_rows"] == 100
    assert "cross-validation" in out["topic_mode"]
    assert 0.3 < out["topic_accuracy"] <= 1 and 0.3 < out["sentiment_macro_f1"] <= 1
    assert elapsed < 60, f"eval of 300 rows took {elapsed:.0f}s"


@needs_data
def test_eval_table_with_a_separate_train_file(tmp_path: Path) -> None:
    train = _slice(TOPICS, tmp_path / "train.csv", 80, step=7)
    data = _slice(TOPICS, tmp_path / "data.csv", 40, step=13)
    result = CliRunner().invoke(_app(), ["eval", "--data", str(data), "--train", str(train)])
    assert result.exit_code == 0, result.output
    assert "Topics (40 rows)" in result.stdout
    assert "macro-F1" in result.stdout and "per-topic F1" in result.stdout
    assert "learned train.csv (80 rows)" in result.stdout
    assert "cross-validation" not in result.stdout


def test_eval_rejects_files_without_labels(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("text,comment\nhello,world\n")
    with pytest.raises(EvalError, match="topic"):
        read_labeled_csv(bad)
    bad.write_text("text,sentiment\nhello,great\n")
    with pytest.raises(EvalError, match="sentiment 'great'"):
        read_labeled_csv(bad)
    result = CliRunner().invoke(_app(), ["eval", "--data", str(bad)])
    assert result.exit_code == 2


@needs_data
def test_eval_learns_sentiment_from_a_second_train_file(tmp_path: Path) -> None:
    topics = _slice(TOPICS, tmp_path / "topics.csv", 60, step=31)
    sentiment = _slice(SENTIMENT, tmp_path / "sentiment.csv", 150, step=151)
    args = ["eval", "--data", str(topics), "--data", str(sentiment), "--json"]
    result = CliRunner().invoke(_app(), [*args, "--train", str(topics), "--train", str(sentiment)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert "sentiment head learned by 5-fold cross-validation" in out["sentiment_mode"]
    assert "cross-validation" in out["topic_mode"]
    assert out["sentiment_rows"] == 150 and isinstance(out["sentiment_macro_f1"], float)
    # Two training files with the same kind of label are ambiguous: a clear error, exit 2.
    result = CliRunner().invoke(_app(), [*args, "--train", str(topics), "--train", str(topics)])
    assert result.exit_code == 2
    assert "one per kind of label" in result.output
