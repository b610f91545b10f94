"""Traits models of everything a figure draws, one small module per kind.

Each layer validates its input, computes geometry through
:mod:`brainview.geometry`, owns its VTK props and keeps them in sync with its
traits.
"""

from .base import Layer
from .contour import Contour
from .points import Points
from .slices import Slices
from .surface import Surface
from .volume import Volume

__all__ = ["Layer", "Contour", "Points", "Slices", "Surface", "Volume"]
