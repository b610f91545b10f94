"""The 2-D painter of :class:`~brainview.layers.Streamlines`: dots where streamlines cross a plane.

Called by :mod:`brainview.planes` as the other kinds' painters are (see
:mod:`brainview.render.painters`); numpy only, no VTK, no Qt.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Streamlines
>>> layer = Streamlines([np.array([[0, 0, 0], [10, 0, 0.0]])])
>>> data, affine, paint = paint_streamlines(layer)
>>> paint(np.array([0.0, np.nan])).tolist()
[[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]
"""

from __future__ import annotations

import numpy as np

__all__ = ["paint_streamlines"]


def paint_streamlines(layer):
    """Streamlines on a plane: dots where drawn points fall within half a raster voxel of it.

    Returns ``(data, affine, paint)`` as :mod:`brainview.render.painters`' painters do: the
    layer's raster of drawn points (point indices, NaN elsewhere) and a paint giving each point's
    colour (as drawn in 3-D; by direction when coloured by value).
    """
    image = layer.image
    rgb = layer.raster_colors()

    def paint(values):
        finite = np.isfinite(values)
        rgba = np.zeros((len(values), 4), np.float32)
        rgba[finite, :3] = rgb[values[finite].astype(np.intp)] / np.float32(255)
        rgba[finite, 3] = 1.0
        return rgba

    return image.data, image.affine, paint
