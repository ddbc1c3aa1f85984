"""Which departments may send records, and on which layers (a city's YAML file)."""

from porchlight.layers.registry.registry import DEMO_REGISTRY, Layer, Registry, load_registry, parse_registry

__all__ = ["DEMO_REGISTRY", "Layer", "Registry", "load_registry", "parse_registry"]
