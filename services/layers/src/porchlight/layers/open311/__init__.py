"""Open311 GeoReport v2: a city's 311 requests in and out (the wire formats live in ``georeport``)."""
