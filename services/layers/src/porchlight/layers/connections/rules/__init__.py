"""A city's connection rules, the test they state, and matching them at a record's place (no SQL, no HTTP).

The same block is a radius around the record's point (150 m by default: the city's, or the rule's
own). The place a connection names is the record's H3 cell at resolution 10 (~66 m edges, about
one block across; ``cell_of``): one open connection per rule and record.
"""

from porchlight.layers.connections.rules.definitions import (
    DEMO_RULES,
    ConcernCondition,
    IncidentCondition,
    RecordCondition,
    Rule,
    RuleError,
    RuleSet,
    load_rules,
    parse_rules,
)
from porchlight.layers.connections.rules.matching import (
    MAX_QUOTES,
    ConcernView,
    IncidentIndex,
    Match,
    RecordView,
    epoch_seconds,
    evaluate,
    metres_between,
    should_close,
    within,
)
from porchlight.layers.connections.rules.stats import BASELINE_FLOOR, IncidentTest, garwood, incident_test
from porchlight.layers.places.cells import RESOLUTION, cell_of

__all__ = [
    "BASELINE_FLOOR",
    "DEMO_RULES",
    "MAX_QUOTES",
    "RESOLUTION",
    "ConcernCondition",
    "ConcernView",
    "IncidentCondition",
    "IncidentIndex",
    "IncidentTest",
    "Match",
    "RecordCondition",
    "RecordView",
    "Rule",
    "RuleError",
    "RuleSet",
    "cell_of",
    "epoch_seconds",
    "evaluate",
    "garwood",
    "incident_test",
    "load_rules",
    "metres_between",
    "parse_rules",
    "should_close",
    "within",
]
