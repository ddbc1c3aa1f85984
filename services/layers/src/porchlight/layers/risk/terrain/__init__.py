"""Place risk, RTM-style (Risk Terrain Modeling): for each layer the relative risk of chosen
incidents in the blocks near its features, the composite risk surface per H3 cell, and a narrative
whose every number is one of the model's figures (no SQL, no HTTP).

``grid``: the study area's cells, incident counts and exposures. ``model``: ``fit_risk`` (family,
cross-validated forward selection, the final model) and the ``RiskModel`` it returns.
``narrative``: ``describe`` (the sentences) and the one ``figure`` format they use.
"""

from porchlight.layers.risk.terrain.grid import BLOCK_M, DISTANCES_M
from porchlight.layers.risk.terrain.model import LEVEL, OVERDISPERSION, CellRisk, RiskFactor, RiskModel, fit_risk
from porchlight.layers.risk.terrain.narrative import LEVEL_PERCENT, Sentence, describe, figure

__all__ = [
    "BLOCK_M",
    "DISTANCES_M",
    "LEVEL",
    "LEVEL_PERCENT",
    "OVERDISPERSION",
    "CellRisk",
    "RiskFactor",
    "RiskModel",
    "Sentence",
    "describe",
    "figure",
    "fit_risk",
]
