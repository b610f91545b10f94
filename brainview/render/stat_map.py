"""The 3-D drawer of :class:`~brainview.layers.StatMap`: the current mode, its glass brain, a notice.

The model computes what each mode shows (``layer.mode_props``: the
isosurface mesh and its colours, transfer functions, plane images, the
surface projection); this drawer only turns it into props, per figure:

- a threshold step: the model re-extracts the isosurface once (for every
  figure), the drawer hands the new mesh to its mapper; one render request;
- a colour change: the model recolours the mesh in place, nothing is re-extracted;
- a mode change: the drawer swaps its props (:meth:`Drawer.replace_props`),
  keeping the painters of modes already drawn;
- ``outline``: a :class:`~brainview.layers.GlassBrain` of its own, drawn by
  that kind's drawer, in the contour and volume modes.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import StatMap
>>> data = np.zeros((12, 12, 12)); data[3:8, 3:8, 3:8] = 5.0
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(StatMap((data, np.eye(4)), threshold=2.0, outline=False))
>>> drawer = fig.drawer(layer)
>>> drawer.actor.GetMapper().GetInput() is layer.mode_props.mesh
True
>>> layer.mode = "slices"
>>> len(drawer.props())  # three planes and the notice
4
>>> fig.close()
"""

from __future__ import annotations

from .. import _vtk
from ..geometry.camera import union_bounds
from ._stat_modes import PAINTERS
from .drawer import Drawer, drawer_for

#: Modes drawn inside the glass brain (``outline``).
OUTLINED_MODES = ("contour", "volume")


class StatMapDrawer(Drawer):
    """Draws a stat map's current mode, its glass brain and its empty-map notice in one figure."""

    observes = ("mode", "outline", "threshold", "vmax", "cmap", "symmetric", "opacity", "cut_coords",
                "name", "gamma", "invert")

    def build(self):
        self.notice = _vtk.vtkTextActor()
        self.notice.GetPositionCoordinate().SetCoordinateSystemToNormalizedViewport()
        self.notice.SetPosition(0.02, 0.94)
        self.notice.GetTextProperty().SetFontSize(16)
        self._painters = {}
        self._outline = None
        figure = self.figure
        self._outline_shown = self.layer.resolve_outline(figure.layers if figure is not None else [])
        return self._assemble()

    # ------------------------------------------------------------ public

    @property
    def outline(self):
        """The drawer of the glass brain around the map, or None when none is drawn."""
        shown = self._outline_shown and self.layer.mode in OUTLINED_MODES
        return self._outline if shown else None

    @property
    def mode_painter(self):
        """The painter of the current mode (its props: ``mode_painter.props()``)."""
        return self._painter()

    def sync(self, name):
        if name == "outline":
            figure = self.figure
            self._outline_shown = self.layer.resolve_outline(figure.layers if figure is not None else [])
        if name is None:
            self._drop_stale_painters()
        props = self._assemble()
        if props != self._props:
            self.replace_props(props)
        self._painter().sync(self.layer)
        self.notice.SetInput(self.layer.notice)

    def visible_prop(self, prop):
        if prop is self.notice:
            return bool(self.layer.visible and self.layer.empty)
        return bool(self.layer.visible)

    def bounds(self):
        """What the mode draws (voxels or pixels shown, where the painter knows) and its glass brain."""
        drawn = self._painter().bounds()
        if drawn is None or not self.layer.visible:
            return super().bounds()
        outline = self.outline
        return union_bounds([drawn, outline.bounds() if outline is not None else None])

    def set_interacting(self, interacting):
        super().set_interacting(interacting)
        for painter in self._painters.values():
            painter.set_interacting(self.interacting)
        if self._outline is not None:
            self._outline.set_interacting(self.interacting)

    def dispose(self):
        super().dispose()
        for painter in self._painters.values():
            painter.dispose()
        self._painters = {}
        if self._outline is not None:
            self._outline.dispose()
            self._outline = None

    # ------------------------------------------------------------ internals

    def _painter(self):
        """The painter of the current mode, made for the model's current geometry."""
        mode, geometry = self.layer.mode, self.layer.mode_props
        painter = self._painters.get(mode)
        if painter is None or painter.geometry is not geometry:
            if painter is not None:
                painter.dispose()
            painter = self._painters[mode] = PAINTERS[mode](geometry, self.figure)
            painter.set_interacting(self.interacting)
        return painter

    def _drop_stale_painters(self):
        """After a new image, background or surface: forget painters of other modes (rebuilt if shown)."""
        for mode in [m for m in self._painters if m != self.layer.mode]:
            self._painters.pop(mode).dispose()

    def _assemble(self):
        """The props of the current mode: [glass brain...,] the mode's props, the notice."""
        props = [*self._painter().props(), self.notice]
        if self._outline_shown and self.layer.mode in OUTLINED_MODES:
            if self._outline is None:
                from ..layers.glass_brain import GlassBrain

                self._outline = drawer_for(GlassBrain(), self.figure)
                self._outline.set_interacting(self.interacting)
            props = [*self._outline.props(), *props]
        return props
