"""The layout part of the Figure: ``views=`` and its panels, as the figure's own methods.

:class:`FigureLayout` is a base of :class:`~brainview.scene.Figure` (as
:class:`~brainview.render.view.FigureView` is): it makes the
:class:`~brainview.render.layout.Layout` of a figure made with ``views=``,
sends the layers' props to the panels, draws the panels before each render,
scales their text for print and picks in the panel under a pixel.

Examples
--------
>>> from brainview.scene import Figure
>>> fig = Figure(size=(200, 100), views="lr")
>>> fig.views
[['left', 'right']]
>>> fig.close()
"""

from __future__ import annotations

import contextlib

import numpy as np

from .. import _vtk
from ..errors import BrainviewValueError
from .layout import Layout, parse_views

__all__ = ["FigureLayout"]


class FigureLayout:
    """The layout part of :class:`~brainview.scene.Figure` (a base class; no traits of its own).

    Subclasses call :meth:`_make_layout` in ``__init__`` and show layer props
    through :meth:`_show_props` / :meth:`_hide_props`.
    """

    _layout = None

    def _make_layout(self, views, *, titles, cut_coords, radiological):
        if views is None:
            for name, value in (("titles", titles), ("cut_coords", cut_coords)):
                if value is not None:
                    raise BrainviewValueError(f"{name}: only a figure with views= has panels; "
                                              f"give views=[...] or leave {name} out.")
            self._layout_spec = None
            return
        rows = parse_views(views)
        self._layout = Layout(self, rows, titles=titles, cut_coords=cut_coords, radiological=radiological)
        self._layout_spec = {"views": [list(row) for row in rows], "titles": self._layout.titles,
                             "cut_coords": self._layout.cut_coords, "radiological": bool(radiological)}

    @property
    def views(self):
        """The panels, rows of entries (None for a single-view figure)."""
        return None if self._layout is None else [list(row) for row in self._layout.rows]

    @property
    def layout_spec(self):
        """``{"views", "titles", "cut_coords", "radiological"}`` as given (None without a layout)."""
        return None if self._layout_spec is None else dict(self._layout_spec)

    def panel_rects(self, size=None):
        """Pixel boxes ``(x, y, width, height)`` (top-left origin) of the panels in an image of ``size``.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(200, 100), views=["left", "right"])
        >>> fig.panel_rects()
        [(0, 0, 100, 100), (100, 0, 100, 100)]
        >>> fig.close()
        """
        if self._layout is None:
            return [(0, 0, *(self.size if size is None else size))]
        size = self.size if size is None else size
        return self._layout.panel_rects(size, self._layout._left(size))

    @_vtk.serialised
    def pixel_of(self, xyz, *, panel=None):
        """The pixel ``(x, y)`` (top-left origin, as :meth:`pick` takes) where world point ``xyz`` is drawn.

        Parameters
        ----------
        xyz : (float, float, float)
            World mm.
        panel : int, optional
            A layout's panel (an index, row by row; needed with ``views=``):
            a 3-D panel gives the pixel through that panel's own camera; a cut
            panel gives a list of pixels, the point projected onto each of its
            planes (as its markers are drawn), left to right.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> fig = Figure(size=(128, 64), views=["superior", "cuts:z"], cut_coords=[0.0])
        >>> fig.camera = {"position": (0, 0, 300), "focal_point": (0, 0, 0),
        ...               "view_up": (0, 1, 0), "view_angle": 30.0}
        >>> x, y = fig.pixel_of((0, 0, 0), panel=0)
        >>> bool(0 <= x < 64)
        True
        >>> fig.close()
        """
        if self._layout is None:
            if panel is not None:
                raise BrainviewValueError(f"panel: this figure has no panels (got panel={panel!r}); leave it "
                                          "out or make the figure with views=[...].")
            return super().pixel_of(xyz)
        point = np.asarray(xyz, dtype=float)
        if point.shape != (3,) or not np.isfinite(point).all():
            raise BrainviewValueError(f"xyz: expected one finite (x, y, z) world point in mm, got {xyz!r}.")
        count = len(self._layout.panels)
        if isinstance(panel, bool) or not isinstance(panel, (int, np.integer)) or not 0 <= panel < count:
            raise BrainviewValueError(f"panel: a figure with views= needs the panel to project into, an index "
                                      f"in 0..{count - 1} (row by row), got {panel!r}.")
        self.render()
        size = tuple(self.window.GetSize())
        shown = self._layout.panels[panel]
        x0, y0, _, _ = self._layout.panel_rects(size, self._layout._left(size))[panel]
        if shown.entry is None:
            raise BrainviewValueError(f"panel: panel {panel} is an empty cell of the grid; it draws nothing.")
        if shown.is_cut:
            return [(x0 + x, y0 + y) for x, y in shown.cuts.pixels_of(point)]
        shown.renderer.SetWorldPoint(*point, 1.0)
        shown.renderer.WorldToDisplay()
        x, y, _ = shown.renderer.GetDisplayPoint()
        return float(x), float(size[1] - 1 - y)

    def panel_views(self):
        """The panels and their pixel boxes ``[(panel, (x, y, width, height)), ...]`` (empty without a layout).

        Each panel (:class:`brainview.render.layout.Panel`) has its ``entry``,
        ``renderer``, ``title``, ``is_cut`` and, once drawn, its ``cuts``
        (:class:`~brainview.render.cut_panels.CutPanel`): what an exporter
        (the HTML page) copies.
        """
        if self._layout is None:
            return []
        return list(zip(self._layout.panels, self.panel_rects()))

    def show_in_panel(self, layer, panel):
        """Show ``layer`` in panel ``panel`` (an index, row by row) only; None: in every 3-D panel again.

        :func:`brainview.grid` makes small multiples so.

        Examples
        --------
        >>> from brainview.scene import Figure
        >>> from brainview.layers import Points
        >>> fig = Figure(size=(200, 100), views=["left", "right"])
        >>> layer = fig.add(Points([[0, 0, 0]]))
        >>> fig.show_in_panel(layer, 1)
        >>> fig.layer_panels()
        [1]
        >>> fig.close()
        """
        if self._layout is None:
            raise BrainviewValueError("show_in_panel: this figure has no panels; make it with views=[...].")
        count = len(self._layout.panels)
        if panel is not None and not (isinstance(panel, (int, np.integer)) and 0 <= panel < count):
            raise BrainviewValueError(f"panel: expected a panel index in 0..{count - 1} or None, got {panel!r}.")
        props = self.drawer(layer).props()
        self._layout.hide_props(props)
        if panel is None:
            self._layout.panel_of.pop(layer, None)
        else:
            self._layout.panel_of[layer] = int(panel)
        self._layout.show_props(props, layer)
        self.changed = True

    def layer_panels(self):
        """The panel each layer shows in (None: every 3-D panel), in layer order."""
        panel_of = {} if self._layout is None else self._layout.panel_of
        return [panel_of.get(layer) for layer in self.layers]

    def _show_props(self, props, layer=None):
        if self._layout is not None:
            self._layout.show_props(props, layer)
        else:
            for prop in props:
                self.renderer.AddViewProp(prop)

    def _hide_props(self, props):
        if self._layout is not None:
            self._layout.hide_props(props)
            for layer in [lay for lay in self._layout.panel_of if lay not in self.layers]:
                del self._layout.panel_of[layer]
        for prop in props:
            self.renderer.RemoveViewProp(prop)

    def render(self):
        """Draw the scene now (every panel of a layout)."""
        if self._layout is not None:
            window = self.window
            if not self.camera_is_set:  # framed again (view(), reset_camera()): the panels too
                self._apply_camera()
                self._layout.frame = None
            left = self._layout_colorbars()
            self._layout.prepare(window, bar_left=left, transparent=self._layout.transparent)
        super().render()

    @contextlib.contextmanager
    def _print_settings(self, *, scale, transparent):
        with super()._print_settings(scale=scale, transparent=transparent):
            if self._layout is None:
                yield
                return
            with self._layout.print_settings(scale=scale, transparent=transparent):
                yield

    def _layout_settings_changed(self):
        if self._layout is not None:
            foreground = (0.0, 0.0, 0.0) if np.mean(self.bgcolor) > 0.5 else (1.0, 1.0, 1.0)
            self._layout.set_background(self.bgcolor, foreground)
            self._layout.set_antialias(self.antialias)

    def _pick_in_panel(self, pick, xy, y):
        """Pick in the panel under the pixel: its renderer stands in for the figure's meanwhile."""
        from ..picking import PickResult, check_pixel, layer_values

        x, y = check_pixel(xy, y)
        self.render()
        size = tuple(self.window.GetSize())
        panel = self._layout.panel_at(x, y, size)
        if panel is None:
            return PickResult()
        if panel.is_cut:  # the world point of the plane pixel, and what the layers hold there
            x0, y0, _, _ = self._layout.panel_rects(size, self._layout._left(size))[self._layout.panels.index(panel)]
            xyz = panel.cuts.world_at(x - x0, y - y0)
            return PickResult() if xyz is None else PickResult(xyz, *layer_values(self, xyz))
        x0, y0, _, _ = self.panel_rects(tuple(self.window.GetSize()))[self._layout.panels.index(panel)]
        overlay = self.renderer
        self._camera_quiet += 1
        self.renderer = panel.renderer
        try:
            return pick(self, (x, y))
        finally:
            self.renderer = overlay
            self._camera_quiet -= 1

    def _close_layout(self, window):
        if self._layout is not None:
            self._layout.dispose(window)
