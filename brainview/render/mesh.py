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
    """One actor: the grid's triangles coloured by their scalars (or one colour)."""

    observes = ("mesh", "opacity", "cmap", "clim", "color", "representation")

    def build(self):
        self._table = _vtk.vtkLookupTable()
        mapper = _vtk.vtkPolyDataMapper()
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SelectColorArray("scalars")
        mapper.SetColorModeToMapScalars()
        mapper.SetLookupTable(self._table)
        mapper.UseLookupTableScalarRangeOn()
        mapper.InterpolateScalarsBeforeMappingOn()  # the colour of the value at each pixel
        actor = _vtk.vtkActor()
        actor.SetMapper(mapper)
        actor.GetProperty().SetSpecular(0.1)
        return [actor]

    def sync(self, name):
        layer, mapper = self.layer, self.actor.GetMapper()
        prop = self.actor.GetProperty()
        if name in (None, "mesh"):
            mapper.SetInputData(layer.mesh)
        if name in (None, "cmap", "clim"):
            colors.lookup_table(layer.cmap, layer.clim, table=self._table)
        mapper.SetScalarVisibility(layer.color is None)
        if layer.color is not None:
            prop.SetColor(*layer.color)
        prop.SetRepresentation(_REPRESENTATIONS[layer.representation])
        prop.SetOpacity(layer.opacity)
        mapper.Modified()

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
