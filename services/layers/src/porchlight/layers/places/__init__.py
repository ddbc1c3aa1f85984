"""Where a record is: its geometry checked, a point on it, its H3 cell and its district."""

from porchlight.layers.places.cells import RESOLUTION, cell_of
from porchlight.layers.places.geometry import GeometryError, Placed, place_of
from porchlight.layers.places.locate import Locator

__all__ = ["RESOLUTION", "GeometryError", "Locator", "Placed", "cell_of", "place_of"]
