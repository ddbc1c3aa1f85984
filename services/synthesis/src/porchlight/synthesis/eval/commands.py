"""``porchlight eval``: score the model on labeled CSV files and print one table (or JSON).

Mounted by the kit as a top-level group: ``eval_app`` runs on its own (no sub-command)::

    porchlight eval --data ../shared/data/topics_dev.csv --data ../shared/data/sentiment_dev.csv \\
                    --train ../shared/data/topics_dev.csv [--taxonomy FILE.yaml] [--json] \\
                    [--bags 200 --bag-size 150] [--save-calibration FILE.json]

``--train`` may be repeated (one topic file, one sentiment file); a ``--data`` file that is also a
``--train`` file is scored by 5-fold cross-validation, learning only inside each fold.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

eval_app = typer.Typer(
    help="Score topics and sentiment on labeled CSV files (columns: text, topic and/or sentiment).",
    no_args_is_help=False,
    add_completion=False,
)


@eval_app.callback(invoke_without_command=True)
def eval_command(
    data: Annotated[
        list[Path],
        typer.Option(
            "--data",
            help="Labeled CSV to score (repeatable): text, topic and/or sentiment columns.",
            exists=True,
            dir_okay=False,
        ),
    ],
    train: Annotated[
        list[Path] | None,
        typer.Option(
            help=(
                "Labeled CSV the model learns from first (like a city's corrections); repeatable, "
                "one file per kind of label (topic, sentiment). "
                "A --data file that is a --train file is scored by k-fold cross-validation."
            ),
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    taxonomy: Annotated[
        Path | None,
        typer.Option(help="Taxonomy YAML (default: the demo city's).", exists=True, dir_okay=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the table.")] = False,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Folds of the cross-validation.")] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the fold assignment.")] = 0,
    backend: Annotated[
        str | None,
        typer.Option(help="Embedding backend: onnx-int8 (what the service runs, the default) or torch (fp32)."),
    ] = None,
    bags: Annotated[
        int,
        typer.Option(
            min=0,
            max=100_000,
            help=(
                "Draw this many random 'districts' of held-out topic rows with varied topic mixes and score "
                "the topic shares adjusted by the measured calibration (share_mae, share_coverage)."
            ),
        ),
    ] = 0,
    bag_size: Annotated[int, typer.Option(min=10, max=100_000, help="Rows per random district (--bags).")] = 150,
    save_calibration: Annotated[
        Path | None,
        typer.Option(
            help="Write the calibration of the held-out topic probabilities as JSON (the service ships one).",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    # Imported here: ``porchlight --help`` does not load the model's libraries.
    from porchlight.synthesis.model.embedder import ModelIntegrityError, get_embedder
    from porchlight.synthesis.model.evaluation import EvalError, evaluate, format_table
    from porchlight.synthesis.model.taxonomy import TaxonomyError
    from porchlight.synthesis.settings import SynthesisSettings

    if backend not in (None, "torch", "onnx-int8"):
        raise typer.BadParameter("backend must be torch or onnx-int8", param_hint="--backend")
    try:
        settings = SynthesisSettings()  # the service's backend (PORCHLIGHT_EMBEDDER) unless --backend
        settings.keep_model_offline()
        embedder = get_embedder(backend or settings.embedder, settings.model_cache_dir)  # type: ignore[arg-type]
        report = evaluate(
            data,
            train,
            taxonomy,
            embedder=embedder,
            folds=folds,
            seed=seed,
            bags=bags,
            bag_size=bag_size,
            save_calibration=save_calibration,
        )
    except (EvalError, TaxonomyError, ModelIntegrityError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n")
    else:
        typer.echo(format_table(report))
