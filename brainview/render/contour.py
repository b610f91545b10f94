"""The 3-D drawer of :class:`~brainview.layers.Contour`: one actor for all its isosurfaces.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Contour
>>> data = np.zeros((9, 9, 9)); data[3:6, 3:6, 3:6] = 1
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Contour((data, np.eye(4)), color="red"))
>>> fig.drawer(layer).actor.GetProperty().GetColor()
(1.0, 0.0, 0.0)
>>> fig.close()
"""

from __future__ import annotations

from .. import _vtk, colors
from .drawer import Drawer


class ContourDrawer(Drawer):
    """A vtkActor whose mapper shows the model's ``mesh``: plain, coloured by level, or by ``color_by``."""

    observes = ("mesh", "color", "cmap", "clim", "opacity", "color_by", "gamma", "invert")

    def build(self):
        self._mapper = _vtk.vtkPolyDataMapper()
        self._lut = None
        actor = _vtk.vtkActor()
        actor.SetMapper(self._mapper)
        prop = actor.GetProperty()
        prop.SetSpecular(0.2)
        prop.SetSpecularPower(20)
        return [actor]

    def sync(self, name):
        layer, mapper = self.layer, self._mapper
        if name in (None, "mesh", "color_by", "updated"):
            mapper.SetInputData(layer.mesh)
            mapper.Modified()
        prop = self.actor.GetProperty()
        prop.SetOpacity(layer.opacity)
        prop.SetColor(*layer.color)
        cmap = layer.color_cmap
        if cmap is None:
            mapper.ScalarVisibilityOff()
            return
        clim = layer.color_range
        # NaN (outside the color_by image) keeps the surface's own colour.
        self._lut = colors.lookup_table(cmap, clim, table=self._lut, nan_color=layer.color)
        mapper.SetLookupTable(self._lut)
        mapper.SetScalarRange(*clim)
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SelectColorArray("level" if layer.color_image is None else "color_by")
        mapper.ScalarVisibilityOn()
