"""The district page and the city page: one JSON document each, from the read models."""
