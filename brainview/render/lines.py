"""The 3-D drawer of :class:`~brainview.layers.Lines`: every line in one mapper, lines or tubes.

:class:`PolylineDrawer` draws a layer's one polydata (``layer.mesh``) as flat,
unlit lines, or, with a tube radius, through a ``vtkTubeFilter`` as shaded,
capped (closed) tubes; colours come from a per-point value array through the
layer's colour map, a per-point RGB array, or one colour.
:class:`~brainview.render.streamlines.StreamlinesDrawer` extends it.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Lines
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Lines([[0, 0, 0], [10, 0, 0]], tube_radius=1.0))
>>> fig.drawer(layer).actor.GetMapper().GetInputAlgorithm().GetClassName()
'vtkTubeFilter'
>>> fig.close()
"""

from __future__ import annotations

from vtkmodules.vtkFiltersCore import vtkTubeFilter

from .. import _vtk, colors
from .drawer import Drawer

__all__ = ["PolylineDrawer", "LinesDrawer", "flat", "lit"]


def flat(properties):
    """Flat, unlit colours (as the colour bar shows them): lines have no normals to shade."""
    properties.LightingOff()
    properties.SetAmbient(1.0)
    properties.SetDiffuse(0.0)
    properties.SetSpecular(0.0)


def lit(properties):
    """VTK's default shading (tubes have normals)."""
    properties.LightingOn()
    properties.SetAmbient(0.0)
    properties.SetDiffuse(1.0)
    properties.SetSpecular(0.0)


class PolylineDrawer(Drawer):
    """Draws ``layer.mesh`` (lines) as lines or tubes; subclasses say how it is coloured.

    Subclasses implement :meth:`coloring` and :meth:`tube` (radius or None, sides).
    """

    def coloring(self):
        """``("values", array name)``, ``("rgb", array name)`` or ``("solid", (r, g, b))``."""
        raise NotImplementedError

    def tube(self):
        """``(radius in mm or None, sides)``."""
        raise NotImplementedError

    def line_width(self):
        return 2.0

    def cmap_clim(self):
        return self.layer.cmap, self.layer.clim

    def build(self):
        self._lut = _vtk.vtkLookupTable()
        self._tube = vtkTubeFilter()
        self._tube.CappingOn()  # closed tubes
        self._tube.SetInputData(self.layer.mesh)
        self._mapper = _vtk.vtkPolyDataMapper()
        self._mapper.SetLookupTable(self._lut)
        self._mapper.SetUseLookupTableScalarRange(True)
        actor = _vtk.vtkActor()
        actor.SetMapper(self._mapper)
        return [actor]

    def style(self, actor, mapper, tubes):
        """Colour, opacity, width and shading of one line actor (the main one, or a lighter one)."""
        layer = self.layer
        mode, what = self.coloring()
        if mode == "solid":
            mapper.ScalarVisibilityOff()
            actor.GetProperty().SetColor(*what)
        else:
            mapper.ScalarVisibilityOn()
            mapper.SetScalarModeToUsePointFieldData()
            mapper.SelectColorArray(what)
            if mode == "rgb":
                mapper.SetScalarModeToUsePointData()  # the active scalars (vtk.js reads them so)
                mapper.SetColorModeToDirectScalars()
            else:
                mapper.SetColorModeToMapScalars()
                mapper.SetLookupTable(self._lut)
                mapper.SetUseLookupTableScalarRange(True)
        properties = actor.GetProperty()
        properties.SetOpacity(layer.opacity)
        properties.SetLineWidth(self.line_width())
        (lit if tubes else flat)(properties)

    def sync(self, name):
        layer = self.layer
        radius, sides = self.tube()
        if radius is None:
            self._mapper.SetInputData(layer.mesh)
        else:
            self._tube.SetInputData(layer.mesh)
            self._tube.SetRadius(radius)
            self._tube.SetNumberOfSides(sides)
            self._mapper.SetInputConnection(self._tube.GetOutputPort())
        if self.coloring()[0] == "values":
            colors.lookup_table(*self.cmap_clim(), table=self._lut)
        self.style(self.actor, self._mapper, radius is not None)
        self._mapper.Modified()

    def draws_tubes(self):
        return self.tube()[0] is not None


class LinesDrawer(PolylineDrawer):
    """Draws a :class:`~brainview.layers.Lines`."""

    observes = ("color", "cmap", "clim", "opacity", "tube_radius", "tube_sides", "line_width")

    def coloring(self):
        layer = self.layer
        if layer.point_values is not None:
            return "values", "scalars"
        return "solid", layer.shown_color

    def tube(self):
        return self.layer.tube_radius, self.layer.tube_sides

    def line_width(self):
        return self.layer.line_width

    def item_at(self, prop, cell_id, point_id, xyz):
        """``{"line": i, "point": j}`` of the picked line and its nearest point."""
        if prop is not self.actor:
            return None
        line, point = self.layer.line_at(xyz)
        if not self.draws_tubes() and cell_id is not None and cell_id >= 0:
            line = self.layer.line_of_cell(cell_id)
        return {"line": line, "point": point}
