"""The files door: CSV, GeoJSON and XLSX exports of a department's system, read with a mapping."""
