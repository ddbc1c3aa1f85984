"""Shapes of the exchange formats."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict

from porchlight.projects.work.schemas import PlanningWarning


class ImportReport(BaseModel):
    """What a CSV import did (or, in a dry run, would do): the projects created and their warnings."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dry_run": False,
                    "created": 1,
                    "project_ids": ["0b7e4d8c-5f1a-4c2e-8d3b-2a9f6c1e7d40"],
                    "warnings": [
                        {
                            "code": "long-project",
                            "field": "rows.1",
                            "message": "spans 21 days; micro-projects take one or two weeks: consider splitting it",
                        }
                    ],
                }
            ]
        }
    )

    dry_run: bool
    created: int
    project_ids: list[uuid.UUID]
    warnings: list[PlanningWarning]
