"""Traits models of everything a figure draws, one small module per kind.

Each layer validates its input, computes geometry through
:mod:`brainview.geometry`, owns its VTK props and keeps them in sync with its
traits.
"""

from .atlas import Atlas
from .base import Layer
from .connectome import Connectome
from .contour import Contour
from .glass_brain import GlassBrain
from .points import Points
from .slices import Slices
from .stat_map import StatMap, StatMapGroup
from .surface import Surface
from .volume import Volume

__all__ = ["Atlas", "Layer", "Connectome", "Contour", "Points", "Slices", "Surface", "Volume",
           "GlassBrain", "StatMap", "StatMapGroup"]
