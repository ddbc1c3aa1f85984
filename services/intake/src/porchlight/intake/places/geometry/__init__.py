"""The city's shapes without a database: GeoJSON parsing and the point-in-polygon index."""
