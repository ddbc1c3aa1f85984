"""The city's districts, from a GeoJSON file (a logic package: shapely, no database, no HTTP)."""
