"""The risk narrative: plain sentences about an area or one block, each carrying the figures it
quotes so a reader (and a test) can check every number in it against the model's output.

Every number is written by ``figure`` and only numbers from a sentence's ``figures`` appear in its
text. Cell ids are never quoted (their hex digits would read as numbers): a sentence about a
block is returned for that block, the caller knows which one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from porchlight.layers.figures import figure
from porchlight.layers.risk.terrain.model import RiskFactor, RiskModel

#: The level of every interval quoted, in per cent.
LEVEL_PERCENT = 95


@dataclass(frozen=True)
class Sentence:
    """A sentence, the figures it quotes (name -> value, each written in the text by ``figure``),
    and the layer it is about with its influence distance, so the caller can list the records
    behind it (the layer's features within ``distance_m`` of the place)."""

    text: str
    figures: dict[str, float] = field(default_factory=dict)
    layer: str | None = None
    distance_m: int | None = None


def _factor_sentence(f: RiskFactor, subject: str, names: Mapping[str, str]) -> Sentence:
    name = names.get(f.layer, f.layer)
    if f.distance_m is None:
        return Sentence(
            f"{name}: not tested (too few blocks near its records, or too few away from them).", layer=f.layer
        )
    figures = {
        "relative_risk": f.relative_risk,
        "distance_m": float(f.distance_m),
        "interval_level": float(LEVEL_PERCENT),
        "ci_low": f.ci_low,
        "ci_high": f.ci_high,
    }
    interval = f"{figure(LEVEL_PERCENT)} % interval {figure(f.ci_low)} to {figure(f.ci_high)}"
    times = f"{figure(f.relative_risk)} times as likely within {figure(f.distance_m)} m of one"
    if f.selected:
        figures["exposed_cells"] = float(f.exposed_cells)
        text = f"{name}: {subject} are {times} ({interval}; {figure(f.exposed_cells)} blocks are that close)."
    else:
        text = f"{name}: not a risk factor here (at best {times}, {interval})."
    return Sentence(text, figures, f.layer, f.distance_m)


def _listing(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def describe(
    model: RiskModel, cell: str | None = None, subject: str = "incidents", names: Mapping[str, str] | None = None
) -> list[Sentence]:
    """Plain sentences about the area (``cell`` None: a summary, then one per layer) or one cell;
    every number in a sentence's text is one of its ``figures``. ``subject``: what the incidents
    are, plural ("vehicle thefts"); ``names``: the layers' names to write (their codes otherwise)."""
    names = names or {}
    if cell is not None:
        return _describe_cell(model, cell, subject, names)
    kept = model.selected
    tested = len(model.factors)
    family = "Poisson" if model.family == "poisson" else model.family  # a name, then a noun
    summary = Sentence(
        f"{subject[:1].upper()}{subject[1:]}: {figure(model.incidents)} in {figure(model.cells)} blocks; "
        f"of {figure(tested)} {'layer' if tested == 1 else 'layers'} tested, {figure(len(kept))} "
        f"{'is a risk factor' if len(kept) == 1 else 'are risk factors'} "
        f"({family} regression, layers kept by {figure(model.folds)}-fold cross-validation).",
        {
            "incidents": float(model.incidents),
            "cells": float(model.cells),
            "layers_tested": float(tested),
            "risk_factors": float(len(kept)),
            "folds": float(model.folds),
        },
    )
    return [summary, *(_factor_sentence(f, subject, names) for f in model.factors)]


def _describe_cell(model: RiskModel, cell: str, subject: str, names: Mapping[str, str]) -> list[Sentence]:
    risk = model.cell(cell)
    by_layer = {f.layer: f for f in model.selected}
    sentences: list[Sentence] = []
    if risk.factors:
        near = [f"{figure(by_layer[code].distance_m or 0)} m of {names.get(code, code)}" for code in risk.factors]
        figures = {f"distance_m.{name}": float(by_layer[name].distance_m or 0) for name in risk.factors}
        figures["rrs"] = risk.rrs
        sentences.append(
            Sentence(
                f"This block is within {_listing(near)}: its risk of {subject} is {figure(risk.rrs)} times "
                "that of a block near none of the risk factors.",
                figures,
            )
        )
        for name in risk.factors:
            sentences.append(_factor_sentence(by_layer[name], subject, names))
    else:
        sentences.append(Sentence(f"This block is near none of the risk factors for {subject}.", {}))
    share = model.share_at_least(cell) * 100
    sentences.append(
        Sentence(
            f"The model expects {figure(risk.expected)} {subject} here, against {figure(risk.observed)} recorded; "
            f"{figure(share)} % of the area's blocks have a risk score as high or higher.",
            {"expected": risk.expected, "observed": float(risk.observed), "share_percent": share},
        )
    )
    return sentences
