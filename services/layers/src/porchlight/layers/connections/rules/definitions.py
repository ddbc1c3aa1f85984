"""A connection rule, as a city writes it (YAML in the repo, editable over the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from porchlight.events.catalog import RemedyKind

DEMO_RULES = Path(__file__).with_name("demo_rules.yaml")

_SLUG = r"^[a-z][a-z0-9_-]{0,63}$"


class RuleError(ValueError):
    """A rule that cannot be used; ``field`` is its path (``rules[0].incidents.window_days``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class RecordCondition(_Part):
    """Which department records open the question: an open record of one of these layers."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"layers": ["street_light_outage"]}]})

    layers: list[str] = Field(min_length=1, description="Layer codes, e.g. street_light_outage.")
    status: Literal["open"] = Field(
        default="open", description="Only an open record raises the question; its closing closes the connection."
    )


class IncidentCondition(_Part):
    """Incidents near the record, in a recent window, significantly above the place's own baseline."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"categories": ["240", "23F"], "window_days": 28, "min_count": 3}]}
    )

    categories: list[str] = Field(
        min_length=1, description="Incident categories (as imported, any case) or NIBRS codes, e.g. 240, 23F."
    )
    window_days: int = Field(default=28, ge=1, le=365, description="The recent window, in days.")
    baseline_days: int = Field(
        default=364, ge=28, le=3650, description="The place's own history before the window, in days."
    )
    min_count: int = Field(default=3, ge=1, le=1000, description="At least this many incidents in the window.")
    p_value: float = Field(default=0.05, gt=0, lt=1, description="The test's significance level.")
    test: Literal["poisson", "negative_binomial"] = Field(
        default="poisson", description="Poisson, or negative binomial for places whose counts vary more than Poisson's."
    )


class ConcernCondition(_Part):
    """Residents' concerns on these topics, raised near the record recently."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"topics": ["street_lighting"], "window_days": 90}]})

    topics: list[str] = Field(min_length=1, description="synthesis' topic ids, e.g. street_lighting.")
    window_days: int = Field(default=90, ge=1, le=730, description="How far back, in days.")
    min_notes: int = Field(default=1, ge=1, le=100, description="At least this many notes raised them.")


class Rule(_Part):
    """One connection rule: a record, incidents above baseline and (optionally) residents' concerns."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "dark-block-vehicle-crime",
                    "title": "Dark block with rising vehicle crime",
                    "record": {"layers": ["street_light_outage"]},
                    "incidents": {"categories": ["240", "23F"], "window_days": 28, "min_count": 3, "p_value": 0.05},
                    "concerns": {"topics": ["street_lighting"], "window_days": 90, "min_notes": 1},
                    "radius_m": 150,
                    "remedy_kind": "physical",
                    "department": "public-works",
                }
            ]
        }
    )

    name: str = Field(pattern=_SLUG, description="The rule's id (lowercase, digits, - and _).")
    title: str = Field(min_length=1, max_length=200, description="What the connection means, in plain words.")
    record: RecordCondition
    incidents: IncidentCondition
    concerns: ConcernCondition | None = Field(default=None, description="Optional: residents' concerns too.")
    radius_m: float | None = Field(
        default=None, ge=25, le=1000, description="The same block, in metres (default: the city's radius)."
    )
    remedy_kind: RemedyKind = Field(default="physical", description="The DICE remedy kind it suggests.")
    department: str | None = Field(default=None, max_length=64, description="The department that would own it.")


class RuleSet(_Part):
    """A city's rules and its "same block" radius."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "radius_m": 150,
                    "rules": [
                        {
                            "name": "dark-block-vehicle-crime",
                            "title": "Dark block with rising vehicle crime",
                            "record": {"layers": ["street_light_outage"]},
                            "incidents": {"categories": ["240", "23F"]},
                        }
                    ],
                }
            ]
        }
    )

    radius_m: float = Field(default=150, ge=25, le=1000, description="The same block, in metres.")
    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> RuleSet:
        seen: set[str] = set()
        for i, rule in enumerate(self.rules):
            if rule.name in seen:
                raise ValueError(f"rules[{i}].name: {rule.name!r} is used twice")
            seen.add(rule.name)
        return self

    def radius_of(self, rule: Rule) -> float:
        return rule.radius_m if rule.radius_m is not None else self.radius_m


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "rules"


def check(model: type[BaseModel], data: Any, prefix: str = "") -> Any:
    """``model`` validated from ``data``, or RuleError naming the first wrong field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        path = _path(tuple(err["loc"]))
        message = str(err["msg"])
        if err["type"] == "value_error" and ": " in message:  # our own "path: message"
            path, message = message.removeprefix("Value error, ").split(": ", 1)
        full = f"{prefix}.{path}" if prefix and path else prefix or path
        raise RuleError(full, message) from None


def parse_rules(data: Any) -> RuleSet:
    if not isinstance(data, dict):
        raise RuleError("rules", "a mapping with radius_m and rules")
    rules: RuleSet = check(RuleSet, data)
    return rules


def load_rules(path: Path | None) -> RuleSet:
    """A rule set from a YAML file (None: the demo city's)."""
    path = path or DEMO_RULES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise RuleError("rules", f"not YAML: {exc}") from None
    return parse_rules(data)
