"""Numbers in layers' sentences, written one way (``writing.figure``)."""

from porchlight.layers.figures.writing import figure

__all__ = ["figure"]
