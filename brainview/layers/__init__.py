"""Traits models of everything a figure draws, one small module per kind.

Each layer validates its input and computes geometry through
:mod:`brainview.geometry`; it holds no VTK rendering object. The drawers of
:mod:`brainview.render` draw it, one per figure that shows it. Every kind's
class is importable from here (``brainview.layers.StatMap``), collected from
the registry (:mod:`brainview.layers.registry`).
"""

from .base import Kind, Layer
from .registry import KINDS
from .stat_map import StatMapGroup

globals().update({kind.model.__name__: kind.model for kind in KINDS.values()})

__all__ = ["Kind", "Layer", "StatMapGroup", *sorted(kind.model.__name__ for kind in KINDS.values())]
