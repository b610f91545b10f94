"""The 3-D drawer of :class:`~brainview.layers.Mesh` and :class:`~brainview.layers.Surf`.

The model's mesh (triangles, normals and a ``"scalars"`` point array) is drawn as it is:
the scalars go through a lookup table filled by :func:`brainview.colors.lookup_table`,
so a colour map or range change touches a 256-entry table, never the vertices.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Mesh
>>> x, y = np.mgrid[0:3, 0:3].astype(float)
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Mesh(x, y, x + y))
>>> fig.drawer(layer).actor.GetMapper().GetArrayName()
'scalars'
>>> fig.close()
"""

from __future__ import annotations

import numpy as np

from .. import _vtk, colors
from .drawer import Drawer

__all__ = ["MeshDrawer"]

_REPRESENTATIONS = {"points": 0, "wireframe": 1, "surface": 2}


class MeshDrawer(Drawer):
    """The grid's triangles coloured by their scalars (or one colour); a coarser grid while the
    camera moves (:meth:`~brainview.layers.mesh.GridLayer.coarse_mesh`), sharing the look."""

    observes = ("mesh", "opacity", "cmap", "clim", "color", "representation")

    def build(self):
        self._table = _vtk.vtkLookupTable()
        actor, coarse = _vtk.vtkActor(), _vtk.vtkActor()
        for each in (actor, coarse):
            each.SetMapper(self._mapper())
        actor.GetProperty().SetSpecular(0.1)
        coarse.SetProperty(actor.GetProperty())
        coarse.PickableOff()
        self._coarse = coarse
        return [actor, coarse]

    def _mapper(self):
        mapper = _vtk.vtkPolyDataMapper()
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SelectColorArray("scalars")
        mapper.SetColorModeToMapScalars()
        mapper.SetLookupTable(self._table)
        mapper.UseLookupTableScalarRangeOn()
        mapper.InterpolateScalarsBeforeMappingOn()  # the colour of the value at each pixel
        return mapper

    def sync(self, name):
        layer, prop = self.layer, self.actor.GetProperty()
        if name in (None, "mesh"):
            self.actor.GetMapper().SetInputData(layer.mesh)
            self._coarse.GetMapper().RemoveAllInputs()  # made again when the camera next moves
        if name in (None, "cmap", "clim"):
            colors.lookup_table(layer.cmap, layer.clim, table=self._table)
        for actor in (self.actor, self._coarse):
            actor.GetMapper().SetScalarVisibility(layer.color is None)
            actor.GetMapper().Modified()
        if layer.color is not None:
            prop.SetColor(*layer.color)
        prop.SetRepresentation(_REPRESENTATIONS[layer.representation])
        prop.SetOpacity(layer.opacity)

    def set_interacting(self, interacting):
        """While the camera moves, a grid of many triangles shows every k-th row and column."""
        super().set_interacting(interacting)
        coarse = self.layer.coarse_mesh() if interacting else None
        if coarse is not None and self._coarse.GetMapper().GetInput() is not coarse:
            self._coarse.GetMapper().SetInputData(coarse)
        self._show_visibility()

    def visible_prop(self, prop):
        light = self.interacting and self._coarse.GetMapper().GetInput() is not None
        return bool(self.layer.visible) and light == (prop is self._coarse)

    def item_at(self, prop, cell_id, point_id, xyz):
        """``{"vertex": i, "row": r, "column": c}``: the grid point of the picked triangle nearest ``xyz``."""
        mesh = self.layer.mesh
        if cell_id is None or not 0 <= cell_id < mesh.GetNumberOfCells():
            return None
        ids = mesh.GetCell(cell_id).GetPointIds()
        corners = [ids.GetId(k) for k in range(ids.GetNumberOfIds())]
        points = np.array([mesh.GetPoint(k) for k in corners])
        vertex = int(corners[int(np.argmin(((points - np.asarray(xyz, float)) ** 2).sum(axis=1)))])
        row, column = divmod(vertex, self.layer.grid_shape[1])
        return {"vertex": vertex, "row": row, "column": column}
