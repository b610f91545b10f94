"""Readers and writers of figures: scene files, scripts (and, later, movies and HTML).

They read the models (layers' parameters, the figure's camera and
annotations), never the VTK objects that draw them.
"""

from ._encoding import c_ordered_image

__all__ = ["c_ordered_image"]
