"""The scene: the Figure class — layers, camera, annotations, rendering to images.

(The module is not called ``figure``: that name is the pylab verb ``bv.figure()``,
which a submodule of the same name would shadow once imported.)

A figure renders off-screen by default (EGL/OSMesa, no display needed). The
desktop app shows the same figure by hosting its renderer in a Qt widget;
nothing in here imports Qt. The figure is a model with traits (``size``,
``bgcolor``, ``antialias``, ``layers``, ``annotations``, ``colorbars``) and
events (``changed``, ``camera_changed``); the work of drawing lives in
:mod:`brainview.render`: the camera (:mod:`~brainview.render.camera`), the
window pool and hosting (:mod:`~brainview.render.windows`), image writers
(:mod:`~brainview.render.writers`), titles and colour bars
(:mod:`~brainview.render.annotations`), the layers' drawers; Jupyter's display
is :mod:`brainview.render.inline` and :mod:`brainview.integrations.jupyter`.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Points
>>> fig = Figure(size=(120, 100))
>>> _ = fig.add(Points([[0, 0, 0]], size=10))
>>> fig.screenshot().shape
(100, 120, 3)
>>> fig.close()
"""

from __future__ import annotations

import functools

import numpy as np
from traits.api import Instance, List, observe

from . import _vtk, colors
from .errors import BrainviewTypeError, BrainviewValueError, describe
from .geometry.camera import union_bounds
from .layers.base import Checked, Layer, check_bool
from .render.annotations import (Annotation, AnnotationView, ColorBar, ColorBarView,
                                 check_text)
from .render.events import FigureEvents
from .render.figure_layout import FigureLayout
from .render.legend import Legend, LegendView, legend_entries
from .render.view import FigureView, on_render_thread
from .render.windows import (LIVE_WINDOWS, MAX_PIXELS, MAX_SIDE, FigureWindow, check_size,
                             release_spare_window, windows_made)
from .render.writers import TRANSLUCENCY_MODES, drawing_translucency

__all__ = ["LIVE_WINDOWS", "MAX_PIXELS", "MAX_SIDE", "TRANSLUCENCY_MODES", "Annotation", "ColorBar", "Figure",
           "check_size", "drawing_translucency", "release_spare_window", "windows_made"]

def _check_bgcolor(value, name="bgcolor"):
    return tuple(float(v) for v in colors.to_rgb(value, name=name))


class Figure(FigureLayout, FigureView, FigureEvents):
    """A 3-D scene of layers, rendered off-screen or in the desktop app.

    Parameters
    ----------
    size : (int, int)
        Width and height of images in pixels.
    bgcolor : colour
    antialias : bool
        FXAA (cheap, post-process). Multisampling is never used: in software
        OpenGL it multiplies the cost of every frame.
    views : list or str, optional
        Several panels in one image, the same layers in each: 3-D view names,
        ``(elev, azim)`` pairs, ``"cuts:ortho"``/``"cuts:x"``/``"cuts:y"``/``"cuts:z"``
        2-D cuts; a list of rows for a grid; or nilearn's ``display_mode``
        (``"ortho"``, ``"lyrz"``, ``"mosaic"``...): :mod:`brainview.render.layout`.
    titles : list of str, optional
        One title per panel (None: no title).
    cut_coords : int or sequence of float, optional
        Cut panels: nilearn's meaning (an ``(x, y, z)`` point for ortho, a
        number of cuts or their mm positions for x, y, z).
    radiological : bool
        Cut panels show the patient's left on the right.

    Examples
    --------
    >>> fig = Figure(size=(200, 100), bgcolor="white")
    >>> fig.size
    (200, 100)
    >>> fig.size = (64, 48)  # the traits are live: the window follows
    >>> fig.screenshot().shape
    (48, 64, 3)
    >>> fig.bgcolor = "black"
    >>> fig.bgcolor, tuple(int(v) for v in fig.screenshot()[0, 0])
    ((0.0, 0.0, 0.0), (0, 0, 0))
    >>> fig.close()
    """

    #: The layers, in drawing order. Observe it to follow additions/removals.
    layers = List(Instance(Layer))

    #: The colour bars (:class:`ColorBar`), right to left from the last.
    colorbars = List()

    #: The title and texts (:class:`Annotation`), in the order they were added.
    annotations = List()

    #: ``(width, height)`` in pixels of rendered images (the camera pose is kept when it changes).
    size = Checked(check_size, (800, 600))

    #: Background colour as an ``(r, g, b)`` tuple of 0..1 floats (settable: any colour). Titles,
    #: texts and colour-bar labels without a colour of their own follow: white on a dark
    #: background, black on a light one.
    bgcolor = Checked(_check_bgcolor, (0.0, 0.0, 0.0))

    #: Whether FXAA antialiasing is on.
    antialias = Checked(check_bool, True)

    def __init__(self, *, size=(800, 600), bgcolor="black", antialias=True, views=None, titles=None,
                 cut_coords=None, radiological=False):
        super().__init__(size=size, bgcolor=bgcolor, antialias=bool(antialias))
        self.renderer = _vtk.vtkRenderer()
        self.renderer.SetBackground(*self.bgcolor)
        self.renderer.SetUseDepthPeeling(True)
        # 4 layers of translucency: the showcase, the baselines and the glass-brain scenes are
        # pixel-identical to 8, at about half the cost of a frame in software OpenGL.
        self.renderer.SetMaximumNumberOfPeels(4)
        self.renderer.SetOcclusionRatio(0.0)
        self.renderer.SetUseFXAA(self.antialias)
        self.renderer.TwoSidedLightingOn()
        self.renderer.AutomaticLightCreationOff()
        _vtk.vtkLightKit().AddLightsToRenderer(self.renderer)
        self._windows = FigureWindow()
        self._pending_view = {}
        self._camera_set = False
        self._closed = False
        self._layout_observer = self.renderer.AddObserver("StartEvent", self._layout_colorbars)
        self._interacting = False
        self._drawers = {}
        self._views = {}  # annotation or colour bar -> its AnnotationView / ColorBarView
        self._watch_camera()
        self._make_layout(views, titles=titles, cut_coords=cut_coords, radiological=radiological)

    # ------------------------------------------------------------ layers

    def add(self, layer):
        """Add a layer to the scene and return it.

        Examples
        --------
        >>> from brainview.layers import Points
        >>> fig = Figure()
        >>> fig.add(Points([[0, 0, 0]])).kind
        'points'
        >>> fig.close()
        """
        self._check_open()
        if not isinstance(layer, Layer):
            raise BrainviewTypeError(f"layer: expected a brainview layer, got {describe(layer)}.")
        if layer in self._drawers or layer in self.layers:
            raise BrainviewValueError(f"layer: {layer!r} is already in this figure.")
        if self._defers():  # shown in the app: its render thread builds the drawing (meshes...)
            self.layers.append(layer)
            self._later(functools.partial(self._draw_layer, layer))
        else:
            self._later(functools.partial(self._draw_layer, layer))  # a broken layer is never listed
            self.layers.append(layer)
        self.changed = True
        return layer

    def drawer(self, layer):
        """The drawer showing ``layer`` in this figure (its VTK props: ``drawer.props()``).

        Examples
        --------
        >>> from brainview.layers import Points
        >>> fig = Figure()
        >>> layer = fig.add(Points([[0, 0, 0]]))
        >>> fig.drawer(layer).actor.IsA("vtkActor")
        1
        >>> fig.close()
        """
        if layer in self.layers and layer not in self._drawers:
            self._flush()  # drawn by the app's render thread: wait for it
        if layer not in self._drawers:
            raise BrainviewValueError(f"layer: {layer!r} is not in this figure.")
        return self._drawers[layer]

    def layer_of(self, prop):
        """The layer one of whose props is ``prop``, or None."""
        return next((layer for layer, drawer in self._drawers.items() if prop in drawer.props()), None)

    def remove(self, layer):
        """Remove a layer from the scene."""
        if layer not in self.layers:
            raise BrainviewValueError(f"layer: {layer!r} is not in this figure.")
        for bar in [b for b in self.colorbars if b.layer is layer]:
            self._remove_colorbar(bar)
        self._later(functools.partial(self._undraw_layer, layer))
        self.layers.remove(layer)
        self.changed = True

    def move(self, layer, index):
        """Move a layer to position ``index`` of the drawing order (and of ``layers``).

        Examples
        --------
        >>> from brainview.layers import Points
        >>> fig = Figure()
        >>> a, b = fig.add(Points([[0, 0, 0]], name="a")), fig.add(Points([[1, 1, 1]], name="b"))
        >>> fig.move(b, 0)
        >>> [layer.name for layer in fig.layers]
        ['b', 'a']
        >>> fig.close()
        """
        if layer not in self.layers:
            raise BrainviewValueError(f"layer: {layer!r} is not in this figure.")
        order = [lay for lay in self.layers if lay is not layer]
        if not (isinstance(index, int) and 0 <= index <= len(order)):
            raise BrainviewValueError(f"index: expected 0..{len(order)}, got {index!r}.")
        order.insert(index, layer)
        self.layers = order
        self._later(self._restack, key="restack")
        self.changed = True

    def clear(self):
        """Remove every layer and annotation; keep the window and camera settings."""
        for layer in list(self.layers):
            self.remove(layer)
        self._remove_annotations()
        self._camera_set = False
        self.changed = True

    @property
    def interacting(self):
        """True while the camera is being moved (set by the desktop app's mouse drags).

        Heavy layers draw a lighter version meanwhile (a connectome: its
        strongest edges only); setting it back to False restores full detail.

        Examples
        --------
        >>> fig = Figure()
        >>> fig.interacting = True
        >>> fig.interacting
        True
        >>> fig.close()
        """
        return self._interacting

    @interacting.setter
    def interacting(self, value):
        self._interacting = bool(value)
        self._later(self._drawers_interacting, key="interacting")

    def _layer_changed(self, layer):
        self.changed = True

    def _drawer_props_changed(self, drawer, old_props):
        """A drawer replaced its VTK props: swap them in the renderer."""
        self._hide_props(old_props)
        self._show_props(drawer.props(), drawer.layer)
        self._changed_here()

    def bounds(self):
        """World mm bounds of what the visible layers draw (not transparent parts), or None when nothing.

        Layers the app's render thread has not drawn yet are waited for (a
        script asking, not the render thread, which draws them first).
        """
        if self._defers() and any(layer not in self._drawers for layer in self.layers):
            self._flush()
        drawers = [self._drawers.get(layer) for layer in list(self.layers)
                   if layer.visible and getattr(layer, "opacity", 1.0) > 0]
        return union_bounds([drawer.bounds() for drawer in drawers if drawer is not None])


    # ------------------------------------------------------------ annotations

    def title(self, text, *, size=24, color=None):
        """The title, centred at the top of the image (replaces an earlier title).

        Returns
        -------
        Annotation
            A live model: ``t.text = "..."`` changes the title.
        """
        previous = next((a for a in self.annotations if a.kind == "title"), None)
        if previous is not None:
            previous.trait_set(text=check_text(text), size=size, color=color)
            return previous
        return self._add_annotation("title", text, size=size, color=color, position=(0.5, 0.97))

    def text(self, text, *, position=(0.02, 0.02), size=16, color=None):
        """Text at a position in normalised image coordinates (0..1, origin bottom left).

        Returns
        -------
        Annotation
            A live model: set its ``text``, ``position``, ``size`` or ``color``.
        """
        return self._add_annotation("text", text, size=size, color=color, position=position)

    def _add_annotation(self, kind, text, *, size, color, position):
        self._check_open()
        annotation = Annotation(kind, text, size=size, color=color, position=position)
        self._later(functools.partial(self._show_view, annotation, AnnotationView, self._foreground()))
        annotation.observe(self._annotation_changed, "updated")
        self.annotations.append(annotation)
        self.changed = True
        return annotation

    def _annotation_changed(self, event):
        self.changed = True

    def annotation_specs(self):
        """The title and texts as given: a list of ``{"kind", "text", "size", "color"[, "position"]}``."""
        return [annotation.spec() for annotation in self.annotations]

    def set_annotations(self, specs):
        """Add the title and texts that :meth:`annotation_specs` returned (scene files use it)."""
        for spec in specs:
            options = {"size": spec.get("size", 24), "color": spec.get("color")}
            if spec.get("kind") == "title":
                self.title(spec["text"], **options)
            elif spec.get("kind") == "text":
                self.text(spec["text"], position=tuple(spec.get("position", (0.02, 0.02))), **options)
            else:
                raise BrainviewValueError(f"annotations: unknown kind {spec.get('kind')!r}; "
                                          "expected 'title' or 'text'.")

    def _remove_annotations(self):
        for annotation in self.annotations:
            self._later(functools.partial(self._hide_view, annotation))
            annotation.observe(self._annotation_changed, "updated", remove=True)
        self.annotations = []

    def colorbar(self, layer=None, *, title=None, n_labels=None, format=None):
        """A vertical colour bar for a layer's colormap and range, on the right; an atlas's legend.

        The bar is a live view of the layer (a :class:`ColorBar` kept in
        :attr:`colorbars`): changing the layer's threshold, range, colormap or
        symmetry redraws it. A layer of named regions without a colour scale
        (an atlas) gets a :class:`~brainview.render.legend.Legend` instead:
        its shown regions' names, each with its colour.

        Parameters
        ----------
        layer : Layer, optional
            Default: the most recent layer that has a colormap.
        title : str, optional
            Default: the layer's name.
        n_labels : int, optional
            Number of evenly spaced labels of layers without their own tick
            rule (stat maps use nilearn's ticks); default 5. A legend: most
            regions listed, default 20.
        format : str or callable, optional
            Tick label format (nilearn's ``cbar_tick_format``): ``"%.1f"``,
            ``"%i"`` or a callable ``value -> str`` (see :class:`ColorBar`).

        Returns
        -------
        ColorBar or Legend

        Examples
        --------
        >>> import numpy as np
        >>> from brainview.layers import Slices
        >>> fig = Figure()
        >>> layer = fig.add(Slices((np.arange(8.0).reshape(2, 2, 2), np.eye(4)), clim=(0, 7)))
        >>> bar = fig.colorbar(layer)
        >>> layer.clim = (0, 10)
        >>> bar.range
        (0.0, 10.0)
        >>> fig.close()
        """
        self._check_open()
        if layer is not None and layer.colorbar_table() is None and legend_entries(layer) is not None:
            return self._add_bar(Legend(layer, title=title, n_labels=20 if n_labels is None else n_labels,
                                        color=self._foreground()), LegendView)
        if layer is None:
            candidates = [lay for lay in self.layers if lay.colorbar_table() is not None]
            if not candidates:
                raise BrainviewValueError(
                    "colorbar: no layer in this figure has a colormap; add a volume, "
                    "slices or an overlay first, or pass layer=."
                )
            layer = candidates[-1]
        bar = ColorBar(layer, title=title, n_labels=5 if n_labels is None else n_labels,
                       color=self._foreground(), format=format)
        return self._add_bar(bar, ColorBarView)

    def _add_bar(self, bar, view_class):
        self._later(functools.partial(self._show_view, bar, view_class))
        bar.observe(self._colorbar_changed, "updated")
        self.colorbars.append(bar)
        self.changed = True
        return bar

    def colorbar_specs(self):
        """The colour bars as asked for: a list of ``{"layer", "title", "n_labels"[, "format"]}``
        (a callable format is not kept).

        The bar the desktop app shows for its selected layer is part of the
        picture (savefig draws it), so scene files and scripts keep it too.
        """
        return [dict({"layer": bar.layer, "title": bar.title, "n_labels": bar.n_labels},
                     **({"format": bar.format} if isinstance(getattr(bar, "format", None), str) else {}))
                for bar in self.colorbars]

    def _colorbar_changed(self, event):
        self.changed = True

    def _remove_colorbar(self, bar):
        self._later(functools.partial(self._hide_view, bar))
        bar.observe(self._colorbar_changed, "updated", remove=True)
        bar.detach()
        self.colorbars.remove(bar)

    def _layout_colorbars(self, caller=None, event=None):
        """Place the colour bars right to left, each as wide as its labels (in pixels
        of the image being rendered, so no label is cut at the edge); return their left edge."""
        width, height = self.renderer.GetSize()
        if width < 1 or height < 1:
            return None
        right = width
        for bar in reversed(list(self.colorbars)):
            view = self._views.get(bar)  # a bar added while the render thread drew has none yet
            if view is not None:
                right = view.place(right, width, height)
        return right

    def _foreground(self):
        return (0.0, 0.0, 0.0) if np.mean(self.bgcolor) > 0.5 else (1.0, 1.0, 1.0)

    @property
    def _bgcolor(self):
        """:attr:`bgcolor` (the name export/movie.py reads)."""
        return self.bgcolor

    # ------------------------------------------------------------ the figure's traits

    @observe("bgcolor", post_init=True)
    def _on_bgcolor(self, event):
        foreground = self._foreground()
        for bar in self.colorbars:
            bar.color = foreground
        self._later(self._draw_bgcolor, key="bgcolor")
        self.changed = True

    def _draw_bgcolor(self):
        self.renderer.SetBackground(*self.bgcolor)
        foreground = self._foreground()
        for annotation in list(self.annotations):
            view = self._views.get(annotation)
            if view is not None:
                view.set_foreground(foreground)
        self._layout_settings_changed()

    @observe("antialias", post_init=True)
    def _on_antialias(self, event):
        self._later(self._draw_antialias, key="antialias")
        self.changed = True

    def _draw_antialias(self):
        self.renderer.SetUseFXAA(self.antialias and self._layout is None)
        self._layout_settings_changed()

    @observe("size", post_init=True)
    @_vtk.serialised
    def _on_size(self, event):
        self._windows.resize(self.size)
        self.changed = True

    @on_render_thread
    def pick(self, xy, y=None):
        """What is under pixel ``xy`` = ``(x, y)`` (origin top left): see :func:`brainview.picking.pick`.

        ``fig.pick(x, y)`` works too. Clicks call :meth:`on_pick` callbacks;
        this only looks.
        """
        from .picking import pick

        return pick(self, xy, y) if self._layout is None else self._pick_in_panel(pick, xy, y)

    # ------------------------------------------------------------ Jupyter (render.inline, integrations.jupyter)

    @_vtk.serialised
    def _repr_png_(self):
        """The figure as PNG bytes, for Jupyter (rendered again only when the scene changed).

        Examples
        --------
        >>> fig = Figure(size=(40, 30))
        >>> fig._repr_png_()[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
        >>> fig.close()
        """
        from .render.inline import figure_png

        return figure_png(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter's rich display: the still image and the text repr.

        Examples
        --------
        >>> fig = Figure(size=(40, 30))
        >>> sorted(fig._repr_mimebundle_())
        ['image/png', 'text/plain']
        >>> fig.close()
        """
        from .render.inline import figure_mimebundle

        return figure_mimebundle(self)

    def interactive(self, *, height=None):
        """An interactive view of the scene for a Jupyter notebook, with no server.

        The page :func:`brainview.export_html` writes, in an ``<iframe srcdoc=...>``:
        make it a cell's last expression to rotate and zoom the scene there.

        Parameters
        ----------
        height : int, optional
            Height in pixels (default: the figure's height).

        Returns
        -------
        IPython.display.HTML

        Examples
        --------
        >>> fig = Figure(size=(80, 60))
        >>> "<iframe srcdoc=" in fig.interactive().data
        True
        >>> fig.close()
        """
        # Known offender of the layering test (scene reaches export through it) until the
        # vtk.js serialisation moves from export/html.py to render/.
        from .integrations.jupyter import interactive

        self._check_open()
        return interactive(self, height=height)

    def _embedded_scene(self, path):
        """The scene this figure's PNG or TIFF at ``path`` carries (see :mod:`brainview.export.recipe`)."""
        from .export.recipe import scene_payload

        return scene_payload(self, path)

    def widget(self):
        """A live notebook view (jupyter_rfb): drag to rotate, and clicks and keys call
        :meth:`on_pick` / :meth:`on_key` callbacks; see :mod:`brainview.render.notebook`."""
        from .render.notebook import figure_widget

        self._check_open()
        return figure_widget(self)

    # ------------------------------------------------------------ lifetime

    @property
    def closed(self):
        return self._closed

    def _check_open(self):
        if self._closed:
            raise BrainviewValueError("figure: this figure is closed; create a new one with bv.figure().")

    @on_render_thread
    def close(self):
        """Release the render window and every VTK object of the scene."""
        if self._closed:
            return
        if self._windows.orphan_if_foreign(self.renderer):
            self.renderer = _vtk.vtkRenderer()  # the scene stays with the window until its thread ends it
        for drawer in self._drawers.values():
            drawer.dispose()
        self._drawers = {}
        self.layers = []
        self._close_layout(self._windows.own or self._windows.host)
        self.renderer.RemoveAllViewProps()
        self._windows.unhost(self.renderer)
        self._windows.release(self.renderer)
        self._remove_annotations()
        for bar in list(self.colorbars):
            self._remove_colorbar(bar)
        self._closed = True

    def __repr__(self):
        state = "closed" if self._closed else f"{len(self.layers)} layers"
        return f"<Figure {self.size[0]}x{self.size[1]}, {state}>"
