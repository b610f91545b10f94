"""The 3-D drawers of :class:`~brainview.layers.Quiver` and :class:`~brainview.layers.VectorField`.

A vector layer's glyphs are one mesh of exact geometry (arrows, cones or
line segments: :mod:`brainview.geometry.vectors`) drawn by one polydata
mapper, so VTK's cell picker sees every glyph and :meth:`VectorsDrawer.item_at`
names the vector of the cell hit. Colours: through the layer's colour map
(:func:`brainview.colors.lookup_table`) over ``clim``, direction-encoded RGB
as it is, or one colour. While the camera moves
(:meth:`VectorsDrawer.set_interacting`), more than ``INTERACTIVE_POINTS``
glyph points show as the layer's ``light_mesh``: one line segment per arrow.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Quiver
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Quiver([[0, 0, 0]], [[1, 0, 0]]))
>>> fig.drawer(layer).actor.GetMapper().GetInput().GetNumberOfPolys() > 0
True
>>> fig.drawer(layer).item_at(fig.drawer(layer).actor, 0, 0, (0, 0, 0))
{'vector': 0}
>>> fig.close()
"""

from __future__ import annotations

from .. import _vtk, colors
from .drawer import Drawer

__all__ = ["INTERACTIVE_POINTS", "QuiverDrawer", "VectorFieldDrawer", "VectorsDrawer"]

#: Glyph points above which a moving camera shows line segments instead of arrows.
INTERACTIVE_POINTS = 2_000_000


class VectorsDrawer(Drawer):
    """Draws a vector layer's ``mesh``: coloured by its ``"magnitude"`` scalars, its ``"rgb"`` or one colour."""

    observes = ("cmap", "clim", "opacity", "line_width")

    def build(self):
        self._lut = _vtk.vtkLookupTable()
        self._mapper = self._colored_mapper(self.layer.mesh)
        self._light_mapper = self._colored_mapper(self.layer.light_mesh)
        actor, light = _vtk.vtkActor(), _vtk.vtkActor()
        actor.SetMapper(self._mapper)
        light.SetMapper(self._light_mapper)
        light.PickableOff()
        self._light_actor = light
        return [actor, light]

    def _colored_mapper(self, mesh):
        mapper = _vtk.vtkPolyDataMapper()
        if mesh is not None:
            mapper.SetInputData(mesh)
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SetLookupTable(self._lut)
        mapper.SetUseLookupTableScalarRange(True)
        return mapper

    def sync(self, name):
        layer = self.layer
        if layer.light_mesh is not None and self._light_mapper.GetInput() is not layer.light_mesh:
            self._light_mapper.SetInputData(layer.light_mesh)  # a new mode or new vectors
        colors.lookup_table(layer.cmap, layer.clim, table=self._lut)
        for actor, mapper in ((self.actor, self._mapper), (self._light_actor, self._light_mapper)):
            self._color(actor.GetProperty(), mapper)
            lines = mapper is self._light_mapper or layer.mesh.GetNumberOfLines() > 0
            # Lines are unlit (a lit 1-pixel line goes dark edge-on); glyphs are shaded.
            actor.GetProperty().SetLighting(not lines)
            actor.GetProperty().SetLineWidth(layer.line_width)
            actor.GetProperty().SetOpacity(layer.opacity)
            mapper.Modified()

    def _color(self, prop, mapper):
        layer = self.layer
        rgb = layer.solid_color
        if rgb is not None:
            mapper.ScalarVisibilityOff()
            prop.SetColor(*rgb)
        elif not layer.colored_by_value:
            mapper.ScalarVisibilityOn()
            mapper.SelectColorArray("rgb")
            mapper.SetColorModeToDirectScalars()
        else:
            mapper.ScalarVisibilityOn()
            mapper.SelectColorArray("magnitude")
            mapper.SetColorModeToMapScalars()

    def set_interacting(self, interacting):
        """While the camera moves, many arrows show as line segments."""
        super().set_interacting(interacting)
        self._show_visibility()

    def visible_prop(self, prop):
        layer = self.layer
        light = (self.interacting and layer.light_mesh is not None
                 and layer.mesh.GetNumberOfPoints() > INTERACTIVE_POINTS)
        return bool(layer.visible) and light == (prop is self._light_actor)

    def item_at(self, prop, cell_id, point_id, xyz):
        """``{"vector": index}`` of the glyph owning the picked cell (more keys for a field), or None."""
        if prop is not self.actor or cell_id is None or cell_id < 0:
            return None
        return self.layer.item_of_cell(cell_id)


class QuiverDrawer(VectorsDrawer):
    """Draws a :class:`~brainview.layers.Quiver`."""


class VectorFieldDrawer(VectorsDrawer):
    """Draws a :class:`~brainview.layers.VectorField`."""
