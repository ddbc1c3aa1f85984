"""A city's connection rules, the test they state, and matching them at a record's place (no SQL, no HTTP)."""

from porchlight.layers.connections.rules.definitions import (
    DEMO_RULES,
    Rule,
    RuleError,
    RuleSet,
    load_rules,
    parse_rules,
)
from porchlight.layers.connections.rules.matching import (
    ConcernView,
    IncidentIndex,
    Match,
    RecordView,
    evaluate,
    metres_between,
)
from porchlight.layers.connections.rules.stats import IncidentTest, incident_test

__all__ = [
    "DEMO_RULES",
    "ConcernView",
    "IncidentIndex",
    "IncidentTest",
    "Match",
    "RecordView",
    "Rule",
    "RuleError",
    "RuleSet",
    "evaluate",
    "incident_test",
    "load_rules",
    "metres_between",
    "parse_rules",
]
