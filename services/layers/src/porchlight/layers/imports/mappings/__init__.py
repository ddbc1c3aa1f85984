"""Mapping files shipped with layers (YAML): the default one and known exports' (Boston 311)."""
