"""The 3-D drawer and the 2-D painter of :class:`~brainview.layers.Streamlines`.

All drawn streamlines are one polydata drawn by one mapper (flat lines, or
shaded closed tubes with ``radius``). While the camera moves
(:meth:`StreamlinesDrawer.set_interacting`) a set of more than
``INTERACTIVE_POINTS`` drawn points shows every k-th streamline instead, as
lines sharing the full mesh's points and colours; the still frame shows all.
Bundles coloured by bundle get a legend. The 2-D painter is in
:mod:`brainview.render.streamline_dots` (painters load no VTK).

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Streamlines
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Streamlines({"a": [np.eye(3) * 10], "b": [np.eye(3) * -10]}))
>>> [prop.GetClassName() for prop in fig.drawer(layer).props()]
['vtkOpenGLActor', 'vtkOpenGLActor', 'vtkLegendBoxActor']
>>> fig.close()
"""

from __future__ import annotations

from vtkmodules.vtkCommonDataModel import vtkPolyData

from .. import _vtk
from ..geometry import polylines
from ..geometry.camera import union_bounds
from ..layers.streamlines import INTERACTIVE_POINTS
from .legend import dot_legend
from .lines import PolylineDrawer

__all__ = ["StreamlinesDrawer"]


class StreamlinesDrawer(PolylineDrawer):
    """Draws a streamlines layer's ``mesh``, a lighter subset while interacting, and the bundle legend."""

    observes = ("cmap", "clim", "opacity", "radius", "tube_sides", "line_width", "legend", "color")

    def coloring(self):
        layer = self.layer
        mode = layer.color_mode
        if mode == "values":
            return "values", "values"
        if mode == "solid":
            return "solid", layer.shown_color
        return "rgb", "rgb"

    def tube(self):
        return self.layer.radius, self.layer.tube_sides

    def line_width(self):
        return self.layer.line_width

    def build(self):
        props = super().build()
        self._lod_mesh = vtkPolyData()
        self._lod_of = None
        self._lod_mapper = _vtk.vtkPolyDataMapper()
        self._lod_mapper.SetInputData(self._lod_mesh)
        self._lod_mapper.SetLookupTable(self._lut)
        self._lod_actor = _vtk.vtkActor()
        self._lod_actor.SetMapper(self._lod_mapper)
        self._entries = self.layer.legend_entries()
        self._legend_actor = dot_legend(self._entries) if self._entries else None
        if self._legend_actor is not None:
            self.before_each_render(self._color_text)  # the names follow the background
        return props + [self._lod_actor] + ([self._legend_actor] if self._legend_actor else [])

    def sync(self, name):
        if self._entries != self.layer.legend_entries():
            self.replace_props(self.build())
        super().sync(name)
        self._update_lod()
        self.style(self._lod_actor, self._lod_mapper, False)
        self._color_text()

    def _update_lod(self):
        """Every k-th drawn streamline, about ``INTERACTIVE_POINTS`` points, when the mesh changed."""
        layer, mesh = self.layer, self.layer.mesh
        if self._lod_of == (mesh.GetMTime(), mesh.GetPointData().GetMTime()):
            return
        lighter = polylines.level_of_detail(layer.selection, INTERACTIVE_POINTS)
        self._lod_selection = lighter
        self._lod_mesh.GetPointData().Initialize()
        arrays = [mesh.GetPointData().GetArray(i) for i in range(mesh.GetPointData().GetNumberOfArrays())]
        polylines.polydata(mesh.GetPoints(), lighter, arrays=arrays, mesh=self._lod_mesh)
        if mesh.GetPointData().GetScalars() is not None:
            self._lod_mesh.GetPointData().SetScalars(mesh.GetPointData().GetScalars())
        self._lod_of = (mesh.GetMTime(), mesh.GetPointData().GetMTime())

    def _heavy(self):
        return len(self.layer.selection.connectivity) > INTERACTIVE_POINTS

    def set_interacting(self, interacting):
        """While the camera moves, many streamlines show a lighter subset (as lines)."""
        super().set_interacting(interacting)
        self._show_visibility()

    def visible_prop(self, prop):
        layer = self.layer
        if prop is self._legend_actor:
            return layer.visible
        light = self.interacting and self._heavy()
        return layer.visible and light == (prop is self._lod_actor)

    def bounds(self):
        """The box of the drawn streamlines (the legend is 2-D)."""
        return union_bounds([actor.GetBounds() for actor in (self.actor, self._lod_actor)
                             if actor.GetVisibility()])

    def item_at(self, prop, cell_id, point_id, xyz):
        """``{"streamline": i, "bundle": name}`` of the picked streamline."""
        layer = self.layer
        if prop is self._lod_actor and cell_id is not None and 0 <= cell_id < self._lod_selection.n_cells:
            return layer.item(int(self._lod_selection.lines[cell_id]))
        if prop is not self.actor:
            return None
        if not self.draws_tubes() and cell_id is not None and 0 <= cell_id < layer.selection.n_cells:
            return layer.item(int(layer.selection.lines[cell_id]))
        streamline = layer.streamline_at(xyz)
        return None if streamline is None else layer.item(streamline)

    # ------------------------------------------------------------ legend text follows the background

    def _color_text(self, *_):
        figure = self.figure
        if self._legend_actor is not None and figure is not None:
            self._legend_actor.GetEntryTextProperty().SetColor(*figure._foreground())
