"""Small multiples: one panel per map (the volumes of a 4-D image, components, subjects), one colour bar.

:func:`grid` makes a figure of panels (:mod:`brainview.render.layout`) and a
stat map per panel, shown in its own panel only
(:meth:`Figure.show_in_panel <brainview.scene.Figure.show_in_panel>`). The
maps share their colours: one threshold, one colormap, one range (the
largest ``|value|`` of all maps unless ``vmax`` is given) and one symmetry,
so the single colour bar at the right reads for every panel.

Examples
--------
>>> import numpy as np
>>> import brainview as bv
>>> data = np.zeros((8, 8, 8, 3)); data[3:5, 3:5, 3:5] = [1.0, 2.0, -3.0]
>>> fig = bv.grid((data, np.eye(4) * [8, 8, 8, 1]), size=(300, 100), threshold=0.5, bg=None)
>>> len(fig.layers), fig.views
(3, [['superior', 'superior', 'superior']])
>>> [round(layer.color_range.vmax, 1) for layer in fig.layers]
[3.0, 3.0, 3.0]
>>> bv.close(fig)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import BrainviewTypeError, BrainviewValueError, describe

__all__ = ["grid"]


def grid(images, *, view="superior", ncols=None, titles=None, size=None, threshold=None, vmax=None,
         cmap=None, symmetric="auto", mode="contour", bg="mni152", bgcolor="black", colorbar=True):
    """Small multiples: one panel per map, each a stat map, with one shared colour bar.

    Parameters
    ----------
    images : 4-D image, or list of images
        A 4-D image (path, nibabel image or ``(data, affine)``): one panel
        per volume; a list: one panel per image (components, subjects).
    view : str or (float, float)
        The 3-D view of every panel (what ``views=`` entries take).
    ncols : int, optional
        Panels per row; default: up to 5.
    titles : list of str, optional
        One per map; default: ``"volume <i>"`` of a 4-D image, the map names of a list.
    size : (int, int), optional
        The image's size; default: 240 x 220 pixels per panel plus room for the colour bar.
    threshold, vmax, cmap, symmetric, mode, bg
        As :class:`~brainview.layers.StatMap`, the same for every map. A
        ``threshold`` given as a percentile is resolved on the first map.
        ``vmax`` default: the largest ``|value|`` of all maps.
    bgcolor : colour
    colorbar : bool
        One colour bar for all panels (they share their colours).

    Returns
    -------
    Figure
        A new figure (``bv.grid`` makes it the current one).
    """
    from .layers import StatMap
    from .scene import Figure

    sources = _maps(images)
    ncols = min(len(sources), 5) if ncols is None else _check_ncols(ncols)
    layers = [StatMap(img, volume=volume, threshold=threshold, vmax=vmax, cmap=cmap, symmetric=symmetric,
                      mode=mode, bg=bg) for img, volume in sources]
    _share_colours(layers, vmax=vmax, symmetric=symmetric)
    if titles is None:
        titles = [f"volume {volume}" if volume is not None else layer.name
                  for (_, volume), layer in zip(sources, layers)]
    elif isinstance(titles, str) or len(titles) != len(layers):
        raise BrainviewValueError(f"titles: expected one title per map, {len(layers)} in all, got {titles!r}.")
    nrows = -(-len(layers) // ncols)
    views = [[view if r * ncols + c < len(layers) else None for c in range(ncols)] for r in range(nrows)]
    titles = list(titles) + [None] * (nrows * ncols - len(layers))
    if size is None:
        size = (240 * ncols + (90 if colorbar else 0), 220 * nrows)
    fig = Figure(size=size, bgcolor=bgcolor, views=views, titles=titles)
    for index, layer in enumerate(layers):
        fig.add(layer)
        fig.show_in_panel(layer, index)
    if colorbar:
        fig.colorbar(layers[0], title="")
    return fig


def _maps(images):
    """``[(img, volume index or None)]`` of a 4-D image or a list of images."""
    if isinstance(images, list):
        if not images:
            raise BrainviewValueError("images: expected at least one image.")
        return [(img, None) for img in images]
    count = _volume_count(images)
    if count is None:
        raise BrainviewTypeError(f"images: expected a 4-D image or a list of images, got {describe(images)}; "
                                 "give a list for several 3-D maps.")
    return [(images, index) for index in range(count)]


def _volume_count(img):
    if isinstance(img, (str, Path)):
        import nibabel

        shape = nibabel.load(str(img)).shape
    elif isinstance(img, tuple) and len(img) == 2:
        shape = np.shape(img[0])
    else:
        shape = getattr(img, "shape", ())
    return shape[3] if len(shape) == 4 else None


def _check_ncols(ncols):
    if not isinstance(ncols, (int, np.integer)) or isinstance(ncols, bool) or ncols < 1:
        raise BrainviewValueError(f"ncols: expected a positive number of panels per row, got {ncols!r}.")
    return int(ncols)


def _share_colours(layers, *, vmax, symmetric):
    """One threshold, range and symmetry for all maps (set on each layer's live traits)."""
    first = layers[0].threshold_value
    values = [(float(np.nanmin(layer.image.data)), float(np.nanmax(layer.image.data))) for layer in layers]
    low, high = min(v[0] for v in values), max(v[1] for v in values)
    for layer in layers:
        layer.threshold = first
        if vmax is None:
            layer.vmax = max(abs(low), abs(high)) or 1.0
        if symmetric == "auto":
            layer.symmetric = bool(low < 0 < high)
