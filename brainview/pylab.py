"""The scripting state machine: a current figure, and one function per verb.

Like ``matplotlib.pyplot``: every function works on the current figure
(creating one when needed) and is a thin call of the object API — a layer
class added with :meth:`Figure.add`, or a :class:`Figure` method.

Examples
--------
>>> import numpy as np
>>> import brainview as bv
>>> fig = bv.figure(size=(100, 80))
>>> p = bv.points([[0, 0, 0]], size=10, color="red")
>>> bv.screenshot().shape
(80, 100, 3)
>>> bv.close("all")
"""

from __future__ import annotations

from .errors import BrainviewTypeError, BrainviewValueError, describe
from .scene import Figure
from .layers import Atlas, Connectome, Contour, Points, Slices, Surface, Volume
from .layers import GlassBrain, StatMap, StatMapGroup
from .layers.stat_map import load_stat_maps
from .montage import surface_montage

__all__ = [
    "figure", "gcf", "get_fignums", "clf", "close", "show", "savefig", "screenshot", "movie",
    "view", "title", "text", "colorbar",
    "contour", "volume", "slices", "surface", "points",
    "stat_map", "glass_brain", "surface_montage",
    "atlas",
    "connectome",
]

_figures = {}
_current = None


# ---------------------------------------------------------------- figures


def figure(num=None, *, size=(800, 600), bgcolor="black", antialias=True):
    """Make a new current figure, or make figure ``num`` current.

    Examples
    --------
    >>> import brainview as bv
    >>> fig = bv.figure(size=(320, 240))
    >>> bv.gcf() is fig
    True
    >>> bv.close(fig)
    """
    global _current
    if num is not None and num in _figures:
        _current = _figures[num]
        return _current
    if num is None:
        num = max(_figures, default=0) + 1
    fig = Figure(size=size, bgcolor=bgcolor, antialias=antialias)
    _figures[num] = fig
    _current = fig
    return fig


def gcf():
    """The current figure, created if there is none."""
    return _current if _current is not None else figure()


def get_fignums():
    """Numbers of the open figures."""
    return sorted(_figures)


def clf():
    """Remove every layer from the current figure."""
    gcf().clear()


def close(fig=None):
    """Close the current figure, a figure (object or number), or ``"all"``.

    Examples
    --------
    >>> import brainview as bv
    >>> _ = bv.figure(); _ = bv.figure()
    >>> bv.close("all"); bv.get_fignums()
    []
    """
    global _current
    if fig == "all":
        targets = list(_figures)
    elif fig is None:
        targets = [n for n, f in _figures.items() if f is _current]
    elif isinstance(fig, Figure):
        targets = [n for n, f in _figures.items() if f is fig] or fig.close() or []
    elif isinstance(fig, int) and not isinstance(fig, bool):
        if fig not in _figures:
            raise BrainviewValueError(f"fig: no open figure number {fig}; open ones: {get_fignums()}.")
        targets = [fig]
    else:
        raise BrainviewTypeError(
            f"fig: expected a Figure, a figure number or 'all', got {describe(fig)}."
        )
    for num in targets:
        closing = _figures.pop(num)
        closing.close()
        if closing is _current:
            _current = None
    if _current is None and _figures:
        _current = _figures[max(_figures)]


def show(*, block=None):
    """Open the current figure in the desktop window.

    Blocks until the window is closed in a script; returns at once when an
    event loop already runs (IPython with ``%gui qt``). Needs a display.
    """
    from .gui.app import show_figure

    return show_figure(gcf(), block=block)


def savefig(path, *, size=None, scale=1, transparent=False):
    """Save the current figure as PNG, JPEG, TIFF (or PDF/SVG/EPS); see :meth:`Figure.savefig`.

    ``scale=3`` gives 3x the pixels with the same framing; ``transparent=True``
    an alpha channel with the background clear (PNG, TIFF).
    """
    gcf().savefig(path, size=size, scale=scale, transparent=transparent)


def screenshot(*, size=None, scale=1, transparent=False):
    """The current figure as an ``(height, width, 3)`` uint8 array (4 channels if transparent)."""
    return gcf().screenshot(size=size, scale=scale, transparent=transparent)


def movie(path, *, orbit=None, keyframes=None, n_frames=96, fps=None, callback=None,
          progress=None):
    """Render a movie (MP4 or GIF) of the current figure; see :func:`brainview.export.movie.write_movie`.

    Examples
    --------
    >>> import os, tempfile
    >>> import brainview as bv
    >>> _ = bv.figure(size=(64, 48))
    >>> _ = bv.points([[0, 0, 0], [30, 0, 0]], size=10)
    >>> bv.movie(os.path.join(tempfile.mkdtemp(), "spin.gif"), orbit=360, n_frames=4,
    ...          fps=20, progress=False)
    >>> bv.close("all")
    """
    from .export.movie import write_movie

    write_movie(gcf(), path, orbit=orbit, keyframes=keyframes, n_frames=n_frames, fps=fps,
                callback=callback, progress=progress)


def view(name=None, *, azimuth=None, elevation=None, distance=None, focalpoint=None):
    """Point the camera of the current figure; see :meth:`Figure.view`."""
    gcf().view(name, azimuth=azimuth, elevation=elevation, distance=distance,
               focalpoint=focalpoint)


def title(text, *, size=24, color=None):
    """Title at the top of the current figure."""
    return gcf().title(text, size=size, color=color)


def text(text, *, position=(0.02, 0.02), size=16, color=None):
    """Text in the current figure, at normalised image coordinates."""
    return gcf().text(text, position=position, size=size, color=color)


def colorbar(layer=None, *, title=None, n_labels=5):
    """Colour bar for a layer (default: the latest with a colormap)."""
    return gcf().colorbar(layer, title=title, n_labels=n_labels)


# ---------------------------------------------------------------- verbs


def contour(img, *, level=None, color=None, cmap=None, clim=None, opacity=1.0,
            smooth=0, volume=None, name=None):
    """Isosurface(s) of an image; see :class:`brainview.layers.Contour`."""
    return gcf().add(Contour(img, level=level, color=color, cmap=cmap, clim=clim,
                             opacity=opacity, smooth=smooth, volume=volume, name=name))


def volume(img, *, cmap="gray", clim=None, opacity=0.8, ramp="linear",
           blending="composite", shade=False, volume=None, name=None):
    """Volume rendering of an image; see :class:`brainview.layers.Volume`."""
    return gcf().add(Volume(img, cmap=cmap, clim=clim, opacity=opacity, ramp=ramp,
                            blending=blending, shade=shade, volume=volume, name=name))


def slices(img, *, coords=None, axes="xyz", cmap="gray", clim=None,
           transparent_below=False, interpolation="nearest", opacity=1.0,
           volume=None, name=None):
    """Orthogonal planes at mm coordinates; see :class:`brainview.layers.Slices`."""
    return gcf().add(Slices(img, coords=coords, axes=axes, cmap=cmap, clim=clim,
                            transparent_below=transparent_below,
                            interpolation=interpolation, opacity=opacity,
                            volume=volume, name=name))


def surface(surf, overlay=None, *, cmap="hot", clim=None, threshold=None,
            color=(0.9, 0.9, 0.9), bg_map=None, hemi="left", inflated=False,
            opacity=1.0, name=None):
    """A mesh with an optional per-vertex overlay; see :class:`brainview.layers.Surface`."""
    return gcf().add(Surface(surf, overlay, cmap=cmap, clim=clim, threshold=threshold,
                             color=color, bg_map=bg_map, hemi=hemi, inflated=inflated,
                             opacity=opacity, name=name))


def points(coords, *, size=4.0, color="yellow", values=None, cmap="viridis", clim=None,
           opacity=1.0, resolution=16, name="points"):
    """Spheres at mm coordinates; see :class:`brainview.layers.Points`."""
    return gcf().add(Points(coords, size=size, color=color, values=values, cmap=cmap,
                            clim=clim, opacity=opacity, resolution=resolution, name=name))


def connectome(adjacency_matrix, node_coords=None, *, atlas=None, node_color="auto",
               node_size=6.0, edge_cmap="RdBu_r", edge_vmin=None, edge_vmax=None,
               edge_threshold=None, edge_width=2.0, tubes=False, width_by_weight=False,
               node_labels=None, directed=None, symmetrize=False, legend=True,
               opacity=1.0, name="connectome"):
    """Nodes and weighted edges in mm; see :class:`brainview.layers.Connectome`."""
    return gcf().add(Connectome(
        adjacency_matrix, node_coords, atlas=atlas, node_color=node_color,
        node_size=node_size, edge_cmap=edge_cmap, edge_vmin=edge_vmin, edge_vmax=edge_vmax,
        edge_threshold=edge_threshold, edge_width=edge_width, tubes=tubes,
        width_by_weight=width_by_weight, node_labels=node_labels, directed=directed,
        symmetrize=symmetrize, legend=legend, opacity=opacity, name=name))


def atlas(atlas, *, labels=None, lut=None, kind=None, regions=None, colors=None, opacity=1.0,
          smooth=16, threshold=None, prob_display="isosurface", name=None):
    """Coloured, named regions of an atlas; see :class:`brainview.layers.Atlas`."""
    return gcf().add(Atlas(atlas, labels=labels, lut=lut, kind=kind, regions=regions,
                           colors=colors, opacity=opacity, smooth=smooth, threshold=threshold,
                           prob_display=prob_display, name=name))


def stat_map(img, *, threshold=None, vmax=None, cmap="cold_hot", symmetric=True,
             mode="contour", opacity=1.0, outline=None, bg="mni152", inflated=True,
             masker=None, selected=None, volume=None, name=None):
    """A statistical or decoder weight map; see :class:`brainview.layers.StatMap`.

    ``img`` may be a dict of maps (``Decoder.coef_img_``): one layer per class
    is added and a :class:`~brainview.layers.StatMapGroup` returned, showing
    the ``selected`` class. With ``masker=``, ``img`` is a ``coef_`` array.
    ``outline=None`` draws a glass brain unless the figure already has one.
    """
    fig = gcf()
    if outline is None:
        outline = not any(isinstance(layer, GlassBrain) for layer in fig.layers)
    maps = load_stat_maps(img, masker=masker)
    options = dict(threshold=threshold, vmax=vmax, cmap=cmap, symmetric=symmetric, mode=mode,
                   opacity=opacity, outline=outline, bg=bg, inflated=inflated)
    if isinstance(maps, dict):
        group = StatMapGroup(maps, selected=selected, **options)
        for layer in group.layers:
            fig.add(layer)
        return group
    return fig.add(StatMap(maps, volume=volume, name=name, **options))


def glass_brain(mask=None, *, color=(0.7, 0.7, 0.75), opacity=0.15, name="glass brain"):
    """A translucent brain outline; see :class:`brainview.layers.GlassBrain`."""
    return gcf().add(GlassBrain(mask, color=color, opacity=opacity, name=name))
