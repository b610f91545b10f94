"""The 3-D drawers of :class:`~brainview.layers.Quiver` and :class:`~brainview.layers.VectorField`.

A vector layer's glyphs are one mesh of exact geometry (arrows, cones or
line segments: :mod:`brainview.geometry.vectors`) drawn by one polydata
mapper, so VTK's cell picker sees every glyph and :meth:`VectorsDrawer.item_at`
names the vector of the cell hit. Colours: through the layer's colour map
(:func:`brainview.colors.lookup_table`) over ``clim``, direction-encoded RGB
as it is, or one colour.

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

__all__ = ["QuiverDrawer", "VectorFieldDrawer", "VectorsDrawer"]


class VectorsDrawer(Drawer):
    """Draws a vector layer's ``mesh``: coloured by its ``"magnitude"`` scalars, its ``"rgb"`` or one colour."""

    observes = ("cmap", "clim", "opacity", "line_width")

    def build(self):
        self._lut = _vtk.vtkLookupTable()
        mapper = _vtk.vtkPolyDataMapper()
        mapper.SetInputData(self.layer.mesh)
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SetLookupTable(self._lut)
        mapper.SetUseLookupTableScalarRange(True)
        self._mapper = mapper
        actor = _vtk.vtkActor()
        actor.SetMapper(mapper)
        return [actor]

    def sync(self, name):
        layer = self.layer
        mapper, prop = self._mapper, self.actor.GetProperty()
        rgb = layer.solid_color
        if rgb is not None:
            mapper.ScalarVisibilityOff()
            prop.SetColor(*rgb)
        elif layer.mesh.GetPointData().HasArray("rgb"):
            mapper.ScalarVisibilityOn()
            mapper.SelectColorArray("rgb")
            mapper.SetColorModeToDirectScalars()
        else:
            mapper.ScalarVisibilityOn()
            mapper.SelectColorArray("magnitude")
            mapper.SetColorModeToMapScalars()
            colors.lookup_table(layer.cmap, layer.clim, table=self._lut)
        lines = layer.mesh.GetNumberOfLines() > 0
        # Lines are unlit (a lit 1-pixel line goes dark edge-on); glyphs are shaded.
        prop.SetLighting(not lines)
        prop.SetLineWidth(layer.line_width)
        prop.SetOpacity(layer.opacity)
        mapper.Modified()

    def item_at(self, prop, cell_id, point_id, xyz):
        """``{"vector": index}`` of the glyph owning the picked cell (more keys for a field), or None."""
        if prop is not self.actor or cell_id is None or cell_id < 0:
            return None
        return self.layer.item_of_cell(cell_id)


class QuiverDrawer(VectorsDrawer):
    """Draws a :class:`~brainview.layers.Quiver`."""


class VectorFieldDrawer(VectorsDrawer):
    """Draws a :class:`~brainview.layers.VectorField`."""
