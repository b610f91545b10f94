"""2-D slice painters: each image kind's colours on a plane, in numpy (no VTK, no Qt).

A kind's painter is named in its declaration (``KIND = Kind(..., painter=
"brainview.render.painters:paint_<kind>")``, see
:class:`brainview.layers.base.Kind`) and called by :mod:`brainview.planes`,
which samples the image and composites the layers. A painter reads only the
layer's public properties and returns ``(data, affine, paint)``:

- ``data``: the 3-D array :mod:`brainview.planes` samples at each pixel's
  nearest voxel (NaN outside it);
- ``affine``: its voxel-to-world (RAS+ mm) affine;
- ``paint(values) -> ndarray (n, 4) float32``: the straight-alpha RGBA
  colours of a flat array of sampled values (alpha 0 where the layer shows
  nothing), before the layer's ``opacity``.

Each kind is coloured as it is drawn in 3-D, so that the 2-D and 3-D views
of one model agree: the colour map as drawn (:func:`brainview.colors.shown_cmap`:
``gamma`` and ``invert`` applied) and the clipping range (``clip``: values
outside it transparent) come from :mod:`brainview.colors`, as the drawers' do.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Slices
>>> layer = Slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), cmap="gray", clim=(0, 7))
>>> data, affine, paint = paint_slices(layer)
>>> paint(np.array([0.0, 7.0, np.nan])).round(2).tolist()
[[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]]
"""

from __future__ import annotations


import numpy as np

from .. import colors
from ..statmap_colors import contour_level, stat_colors

__all__ = ["paint_slices", "paint_volume", "paint_stat_map", "paint_contour", "paint_atlas"]

_LUT_SIZE = 256


def _lut(cmap):
    return colors.cmap_table(cmap, _LUT_SIZE).astype(np.float32)


def _through_table(values, table, low, high):
    """Colours of values through a table over ``(low, high)`` as a vtkLookupTable maps them."""
    finite = np.isfinite(values)
    scaled = np.where(finite, (np.nan_to_num(values) - low) / (high - low), 0.0)
    index = np.clip((scaled * len(table)).astype(np.intp), 0, len(table) - 1)
    rgba = table[index]
    rgba[~finite, 3] = 0.0
    return rgba


def paint_slices(layer):
    """Anatomy slices: the colormap over ``clim``; zeros, NaN, values outside ``clip`` (and below
    ``clim`` if ``transparent_below``) transparent, as the 3-D planes draw them.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Slices
    >>> layer = Slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(0, 7), clip=(1, 6), invert=True)
    >>> paint_slices(layer)[2](np.array([0.0, 1.0, 7.0])).round(2).tolist()
    [[1.0, 1.0, 1.0, 0.0], [0.86, 0.86, 0.86, 1.0], [0.0, 0.0, 0.0, 0.0]]
    """
    table, (low, high) = _lut(colors.shown_cmap(layer)), layer.clim
    transparent_below, clip = layer.transparent_below, layer.clip

    def paint(values):
        rgba = _through_table(values, table, low, high)
        rgba[values == 0, 3] = 0.0  # the image's empty background, as in 3-D (render.slices.drawn_mask)
        if transparent_below:
            rgba[values < low, 3] = 0.0
        rgba[~colors.clip_mask(values, clip), 3] = 0.0
        return rgba

    return layer.image.data, layer.image.affine, paint


def paint_volume(layer):
    """A volume: the colormap over ``clim`` where ``value >= clim[0]`` and inside ``clip``.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Volume
    >>> _, _, paint = paint_volume(Volume((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(2, 7)))
    >>> paint(np.array([1.0, 2.0, 7.0]))[:, 3].tolist()
    [0.0, 1.0, 1.0]
    """
    table, (low, high), clip = _lut(colors.shown_cmap(layer)), layer.clim, layer.clip

    def paint(values):
        rgba = _through_table(values, table, low, high)
        rgba[~((values >= low) & colors.clip_mask(values, clip)), 3] = 0.0
        return rgba

    return layer.image.data, layer.image.affine, paint


def paint_stat_map(layer):
    """A statistical map: its sign-readable colours where ``|value| >= threshold`` and inside ``clip``.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import StatMap
    >>> data = np.zeros((3, 3, 3)); data[1, 1, 1], data[0, 0, 0] = 4.0, -4.0
    >>> _, _, paint = paint_stat_map(StatMap((data, np.eye(4)), threshold=1.0))
    >>> rgba = paint(np.array([0.5, 4.0, -4.0]))
    >>> rgba[:, 3].tolist(), bool((rgba[1, :3] != rgba[2, :3]).any())
    ([0.0, 1.0, 1.0], True)
    """
    image = layer.image
    # The layer's colour range, from the memoised data range (no scan of the map per view).
    crange = layer.color_range
    level = contour_level(layer.threshold_value, 0.0)
    cmap, clip = colors.shown_cmap(layer), layer.clip

    def paint(values):
        rgba = np.zeros((len(values), 4), np.float32)
        shown = (np.abs(np.nan_to_num(values)) >= level) & colors.clip_mask(values, clip)
        if shown.any():
            rgba[shown] = stat_colors(values[shown], cmap, crange)
        return rgba

    return image.data, image.affine, paint


def paint_contour(layer):
    """Contours filled: where the image reaches a level, that level's colour (the highest reached wins).

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Contour
    >>> data = np.zeros((3, 3, 3)); data[1, 1, 1] = 3.0
    >>> layer = Contour((data, np.eye(4)), level=[1.0, 2.0], color=(1, 0, 0))
    >>> paint_contour(layer)[2](np.array([0.0, 1.5])).tolist()
    [[0.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 1.0]]
    """
    levels = sorted(layer.level_values)
    if layer.cmap is None or layer.color_by is not None:  # with color_by, cmap colours the second image
        level_colors = [(*layer.color, 1.0)] * len(levels)
    else:
        low, high = layer.clim or (min(levels), max(levels))
        if low >= high:
            low, high = low - 0.5, high + 0.5
        level_colors = _through_table(np.array(levels, float), _lut(layer.color_cmap), low, high)

    def paint(values):
        rgba = np.zeros((len(values), 4), np.float32)
        for level, color in zip(levels, level_colors):
            rgba[values >= level] = color
        return rgba

    return layer.image.data, layer.image.affine, paint


def paint_atlas(layer):
    """An atlas: each shown region in its colour, sampled on :meth:`~brainview.layers.Atlas.label_volume`.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview.layers import Atlas
    >>> data = np.zeros((4, 4, 4), np.uint8); data[1:3, 1:3, 1:3] = 7
    >>> _, _, paint = paint_atlas(Atlas((data, np.eye(4)), labels={7: "cube"}, smooth=0))
    >>> paint(np.array([7.0, 3.0, np.nan]))[:, 3].tolist()
    [1.0, 0.0, 0.0]
    """
    # The atlas's own colour table: one RGBA row per region, in label order
    # (read from the layer: the 2-D view must show the colours the 3-D one does).
    labels, table = layer.label_values, layer.region_colors.astype(np.float32) / 255.0
    shown = np.zeros(len(labels), bool)
    shown[np.searchsorted(labels, layer.shown_labels)] = True
    data = layer.label_volume()

    def paint(values):
        rgba = np.zeros((len(values), 4), np.float32)
        finite = np.isfinite(values)
        position = np.clip(np.searchsorted(labels, np.nan_to_num(values)), 0, len(labels) - 1)
        hit = finite & (labels[position] == values) & shown[position]
        rgba[hit] = table[position[hit]]
        return rgba

    return data, layer.image.affine, paint
