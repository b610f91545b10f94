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

import contextlib
import inspect
import threading

from .cache import set_cache
from .errors import BrainviewTypeError, BrainviewValueError, describe
from .scene import Figure
from .layers import StatMap, StatMapGroup
from .layers.registry import KINDS
from .layers.stat_map import load_stat_maps
from .montage import surface_montage
from .multiples import grid as _grid

__all__ = [
    "figure", "gcf", "get_fignums", "clf", "close", "savefig", "screenshot", "movie",
    "view", "title", "text", "colorbar", "save_scene", "load_scene", "export_script", "export_html",
    "surface_montage", "grid", "set_cache", *sorted(KINDS),
]


class _ThreadState(threading.local):
    """The state machine's memory, one per thread.

    Each thread has its own figures and current figure: two threads scripting
    with the verbs never draw into each other's figure. Rendering itself is
    serialised by :data:`brainview._vtk.RENDER_LOCK`, and a figure is drawn
    in the thread that first drew it: OpenGL ties its window to that thread.
    """

    def __init__(self):
        self.figures = {}
        self.current = None


_state = _ThreadState()


# ---------------------------------------------------------------- figures


def figure(num=None, *, size=(800, 600), bgcolor="black", antialias=True, views=None, titles=None,
           cut_coords=None, radiological=False):
    """Make a new current figure, or make figure ``num`` current.

    Figures belong to the thread that made them: each thread has its own
    current figure and numbering. ``num`` may be a :class:`Figure` made
    elsewhere (the desktop app's): it becomes this thread's current figure,
    so the verbs draw into it. ``views``, ``titles``, ``cut_coords`` and
    ``radiological`` make a figure of several panels (:class:`~brainview.scene.Figure`).

    Examples
    --------
    >>> import brainview as bv
    >>> fig = bv.figure(size=(320, 240))
    >>> bv.gcf() is fig
    True
    >>> bv.close(fig)
    """
    figures = _state.figures
    if isinstance(num, Figure):
        if num.closed:
            raise BrainviewValueError("num: this figure is closed; make a new one with bv.figure().")
        if num not in figures.values():
            figures[max(figures, default=0) + 1] = num
        _state.current = num
        return num
    if num is not None and num in figures:
        _state.current = figures[num]
        return _state.current
    if num is None:
        num = max(figures, default=0) + 1
    fig = Figure(size=size, bgcolor=bgcolor, antialias=antialias, views=views, titles=titles,
                 cut_coords=cut_coords, radiological=radiological)
    figures[num] = fig
    _state.current = fig
    return fig


def gcf():
    """The current figure of this thread, created if there is none."""
    return _state.current if _state.current is not None else figure()


def get_fignums():
    """Numbers of this thread's open figures."""
    return sorted(_state.figures)


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
    figures = _state.figures
    if isinstance(fig, str) and fig == "all":
        targets = list(figures)
    elif fig is None:
        targets = [n for n, f in figures.items() if f is _state.current]
    elif isinstance(fig, Figure):
        targets = [n for n, f in figures.items() if f is fig] or fig.close() or []
    elif isinstance(fig, int) and not isinstance(fig, bool):
        if fig not in figures:
            raise BrainviewValueError(f"fig: no open figure number {fig}; open ones: {get_fignums()}.")
        targets = [fig]
    else:
        raise BrainviewTypeError(
            f"fig: expected a Figure, a figure number or 'all', got {describe(fig)}."
        )
    for num in targets:
        closing = figures.pop(num)
        closing.close()
        if closing is _state.current:
            _state.current = None
    if _state.current is None and figures:
        _state.current = figures[max(figures)]


def get_figures():
    """This thread's open figures, ``{number: Figure}`` (a copy).

    Examples
    --------
    >>> import brainview as bv
    >>> from brainview import pylab
    >>> fig = bv.figure(size=(20, 20))
    >>> list(pylab.get_figures().values()) == [fig]
    True
    >>> bv.close("all")
    """
    return dict(_state.figures)


@contextlib.contextmanager
def restoring_figures():
    """Close the figures opened inside the block; the figure current before is current again.

    A batch item or a gallery example draws in figures of its own and leaves
    the caller's figures as they were.

    Examples
    --------
    >>> import brainview as bv
    >>> from brainview import pylab
    >>> mine = bv.figure(size=(20, 20))
    >>> with pylab.restoring_figures():
    ...     _ = bv.figure(size=(20, 20))
    >>> bv.gcf() is mine, len(bv.get_fignums())
    (True, 1)
    >>> bv.close("all")
    """
    before, current = dict(_state.figures), _state.current
    try:
        yield
    finally:
        for figure in [f for n, f in _state.figures.items() if before.get(n) is not f]:
            close(figure)
        if current is not None and not current.closed:
            _state.current = current


def _make_current(fig):
    num = max(_state.figures, default=0) + 1
    _state.figures[num] = fig
    _state.current = fig
    return fig


def grid(images, *, view="superior", ncols=None, titles=None, size=None, threshold=None, vmax=None,
         cmap=None, symmetric="auto", mode="contour", bg="mni152", bgcolor="black", colorbar=True):
    """Small multiples of maps, one panel each, one colour bar, as the new current figure.

    See :func:`brainview.multiples.grid` for the parameters.

    Examples
    --------
    >>> import numpy as np
    >>> import brainview as bv
    >>> data = np.zeros((8, 8, 8, 2)); data[3:5, 3:5, 3:5] = [1.0, 2.0]
    >>> fig = bv.grid((data, np.eye(4) * [8, 8, 8, 1]), size=(200, 100), threshold=0.5, bg=None)
    >>> bv.gcf() is fig
    True
    >>> bv.close(fig)
    """
    return _make_current(_grid(images, view=view, ncols=ncols, titles=titles, size=size, threshold=threshold,
                               vmax=vmax, cmap=cmap, symmetric=symmetric, mode=mode, bg=bg, bgcolor=bgcolor,
                               colorbar=colorbar))


def save_scene(path, *, single_file=None):
    """Save the current figure as a scene file (versioned JSON + data references, never pickle).

    See :func:`brainview.export.scene_file.save_scene`.
    """
    from .export.scene_file import save_scene as _save

    _save(gcf(), path, single_file=single_file)


def load_scene(path, *, allow_outside=False):
    """Open a scene file as a new current figure and return it.

    ``allow_outside=True`` lets a scene you saved read data files outside its
    folder (``../data/zmap.nii.gz``); a scene from someone else should not.
    See :func:`brainview.export.scene_file.load_scene`.
    """
    from .export.scene_file import load_scene as _load

    return _make_current(_load(path, allow_outside=allow_outside))


def export_script(path):
    """Write the current figure as a runnable brainview script.

    See :func:`brainview.export.script.export_script`.
    """
    from .export.script import export_script as _export

    _export(gcf(), path)


def savefig(path, *, size=None, scale=None, dpi=None, transparent=False, embed_scene=True):
    """Save the current figure as PNG, JPEG, TIFF (or PDF/SVG/EPS); see :meth:`Figure.savefig`.

    ``scale=3`` (or ``dpi=300``) gives 3x the pixels with the same framing;
    ``transparent=True`` an alpha channel with the background clear (PNG,
    TIFF). PNG and TIFF files carry the scene (``bv.load_scene("fig.png")``)
    unless ``embed_scene=False``.
    """
    gcf().savefig(path, size=size, scale=scale, dpi=dpi, transparent=transparent, embed_scene=embed_scene)


def screenshot(*, size=None, scale=1, transparent=False):
    """The current figure as an ``(height, width, 3)`` uint8 array (4 channels if transparent)."""
    return gcf().screenshot(size=size, scale=scale, transparent=transparent)


def movie(path, *, orbit=None, keyframes=None, n_frames=96, fps=None, callback=None,
          progress=None, translucency="blended"):
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
                callback=callback, progress=progress, translucency=translucency)


def export_html(path):
    """Write the current figure to one self-contained, interactive HTML file.

    It rotates and zooms in any browser, offline; see :func:`brainview.export.html.export_html`.
    """
    from .export.html import export_html as _export

    return _export(gcf(), path)


def view(name=None, *, azimuth=None, elevation=None, distance=None, focalpoint=None, hemi=None):
    """Point the camera of the current figure; see :meth:`Figure.view` (no argument: the current view)."""
    return gcf().view(name, azimuth=azimuth, elevation=elevation, distance=distance,
                      focalpoint=focalpoint, hemi=hemi)


def title(text, *, size=24, color=None):
    """Title at the top of the current figure."""
    return gcf().title(text, size=size, color=color)


def text(text, *, position=(0.02, 0.02), size=16, color=None):
    """Text in the current figure, at normalised image coordinates."""
    return gcf().text(text, position=position, size=size, color=color)


def colorbar(layer=None, *, title=None, n_labels=None, format=None):
    """A live colour bar of a layer (default: the latest with a colormap): a ``ColorBar``;
    an atlas's legend (its regions' names and colours): a ``Legend``.

    ``format`` is the tick label format, nilearn's ``cbar_tick_format``
    (``"%.1f"``, ``"%i"``) or a callable ``value -> str``. See
    :meth:`brainview.scene.Figure.colorbar`.

    Examples
    --------
    >>> import numpy as np
    >>> import brainview as bv
    >>> fig = bv.figure(size=(200, 150))
    >>> layer = bv.slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(0, 7))
    >>> bv.colorbar(layer, format="%.1f").labels[:2]
    ['0.0', '1.8']
    >>> bv.close(fig)
    """
    return gcf().colorbar(layer, title=title, n_labels=n_labels, format=format)


# ---------------------------------------------------------------- verbs


def _layer_verb(cls):
    """The pylab verb of a layer class: its signature and docstring, adding to the current figure.

    Generated from the class (the one registry of kinds), so a verb can never
    drift from its class: no hand-copied defaults. Arguments are bound to the
    class's signature first, so a wrong one raises the usual TypeError here.
    """
    init = inspect.signature(cls.__init__)
    signature = init.replace(parameters=list(init.parameters.values())[1:])

    def verb(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        return gcf().add(cls(*bound.args, **bound.kwargs))

    verb.__name__ = verb.__qualname__ = cls.kind
    verb.__module__ = __name__
    verb.__signature__ = signature
    verb.__doc__ = (f"Add a :class:`brainview.layers.{cls.__name__}` to the current figure and return it.\n"
                    f"{inspect.cleandoc(cls.__doc__ or '')}")
    return verb


def stat_map(img, *, threshold=None, vmax=None, cmap=None, symmetric="auto",
             mode="contour", opacity=1.0, outline=None, bg="mni152", inflated=True,
             cut_coords=None, masker=None, selected=None, volume=None, name=None, vmin=None,
             plot_abs=False, symmetric_cbar=None, gamma=1.0, invert=False, clip=None):
    """A statistical or decoder weight map; see :class:`brainview.layers.StatMap`.

    ``img`` may be a dict of maps (``Decoder.coef_img_``): one layer per class
    is added and a :class:`~brainview.layers.StatMapGroup` returned, showing
    the ``selected`` class. With ``masker=``, ``img`` is a ``coef_`` array.
    """
    fig = gcf()
    maps = load_stat_maps(img, masker=masker)
    options = dict(threshold=threshold, vmax=vmax, cmap=cmap, symmetric=symmetric, mode=mode,
                   opacity=opacity, outline=outline, bg=bg, inflated=inflated, cut_coords=cut_coords,
                   vmin=vmin, plot_abs=plot_abs, symmetric_cbar=symmetric_cbar, gamma=gamma, invert=invert,
                   clip=clip)
    if isinstance(maps, dict):
        group = StatMapGroup(maps, selected=selected, **options)
        for layer in group.layers:
            fig.add(layer)
        return group
    return fig.add(StatMap(maps, volume=volume, name=name, **options))


stat_map.__doc__ += (
    "\n    Parameters of :class:`brainview.layers.StatMap`:\n\n"
    "    masker : nilearn masker, optional\n        ``img`` is then a ``coef_`` array.\n"
    "    selected : str, optional\n        The class shown first from a dict of maps.\n\n"
    + inspect.cleandoc(StatMap.__doc__ or "")
)

# One verb per registered kind, generated from its class; ``stat_map`` has its own
# above (a dict of maps makes a group), so it is not replaced.
# The classes stay importable from here too (the verbs' docstrings, taken from them, use them).
globals().update({name: _layer_verb(kind.model) for name, kind in KINDS.items() if name not in globals()})
globals().update({kind.model.__name__: kind.model for kind in KINDS.values()})
