"""Synthesis's own settings (``PORCHLIGHT_SYNTHESIS_*``), read once when the service starts, never at import.

The runtime provides them by type: start-up hooks take them from the runtime
(``runtime.resource(SynthesisSettings)``) and hand them to the model holder and the analyzer;
commands read them when they run. Two variables keep the names they had before the prefix
existed (deployments and the tests set them): ``PORCHLIGHT_EMBEDDER`` and ``PORCHLIGHT_DATA_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from porchlight.synthesis.model.taxonomy import DEMO_TAXONOMY


class SynthesisSettings(BaseSettings):
    # An empty variable means "unset", as it did when these were read with ``os.environ.get(...) or``.
    model_config = SettingsConfigDict(
        env_prefix="PORCHLIGHT_SYNTHESIS_", extra="ignore", env_ignore_empty=True, populate_by_name=True
    )

    #: Analysis batches in flight at once (analysis/worker.py); at least one runs.
    analyzers: int = 2
    #: The city's taxonomy YAML loaded at first start; unset: the demo city's.
    taxonomy: Path | None = None
    #: Floor of the unassigned threshold while the model has too few learned examples to calibrate
    #: its own; unset: the measured ``PROTOTYPE_ONLY_THRESHOLD`` (model/live.py).
    unassigned_below: float | None = None
    #: Fit the topics' shares to the concerns received once there are this many, then each time
    #: they doubled (learning/service.py ``adapt_to_received``); 0: never (every topic equally likely).
    adapt_from: int = Field(default=200, ge=0)
    #: The embedding backend: ``onnx-int8`` (int8 graph built locally on first use) or ``torch`` (fp32).
    embedder: Literal["torch", "onnx-int8"] = Field(
        default="onnx-int8", validation_alias=AliasChoices("PORCHLIGHT_EMBEDDER")
    )
    #: The data directory (the kit's too); the int8 graph is cached under ``<data_dir>/models``.
    data_dir: Path = Field(default=Path(".porchlight"), validation_alias=AliasChoices("PORCHLIGHT_DATA_DIR"))

    @property
    def taxonomy_file(self) -> Path:
        return self.taxonomy or DEMO_TAXONOMY

    @property
    def model_cache_dir(self) -> Path:
        return self.data_dir / "models"

    @staticmethod
    def keep_model_offline() -> None:
        """Never reach a model hub: the switches transformers and huggingface_hub read when they
        are first imported, set (unless the environment says otherwise) before the model loads."""
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY"):
            os.environ.setdefault(name, "1")
