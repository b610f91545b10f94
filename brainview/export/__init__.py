"""Readers and writers of figures: scene files, scripts, HTML (and movies).

They read the models (layers' parameters, the figure's camera and
annotations) and the figure's drawing, never change them.
"""

from ._encoding import c_ordered_image

__all__ = ["c_ordered_image"]
