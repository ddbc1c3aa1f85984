"""Reading a department's file (CSV, GeoJSON, XLSX) and turning its rows into records by a mapping."""

from porchlight.layers.imports.reading.mapping import Mapping, MappingError, parse_mapping, record_of
from porchlight.layers.imports.reading.tables import FileError, Row, read_rows

__all__ = ["FileError", "Mapping", "MappingError", "Row", "parse_mapping", "read_rows", "record_of"]
