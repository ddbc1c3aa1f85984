"""Reading a records system's incident CSV (column aliases, NIBRS codes, a code mapping) into records."""

from porchlight.layers.incidents.parsing.incidents import FileProblem, IncidentRow, parse_incidents, read_code_mapping
from porchlight.layers.incidents.parsing.offenses import OFFENSES, as_nibrs

__all__ = ["OFFENSES", "FileProblem", "IncidentRow", "as_nibrs", "parse_incidents", "read_code_mapping"]
