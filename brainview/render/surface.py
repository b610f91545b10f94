"""The 3-D drawer of :class:`~brainview.layers.Surface`: the mesh in its per-vertex colours.

The model computes the colours (its mesh's ``"rgb"`` array, recoloured in
place when a colour setting changes); the drawer shows that array as it is and
sets the opacity, which needs no recolouring.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Surface
>>> vertices = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0.0]])
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Surface((vertices, np.array([[0, 1, 2]])), overlay=[0.0, 1.0, 2.0]))
>>> fig.drawer(layer).actor.GetMapper().GetArrayName()
'rgb'
>>> fig.close()
"""

from __future__ import annotations

from .. import _vtk
from .drawer import Drawer

__all__ = ["SurfaceDrawer", "surface_actor", "show_surface"]


class SurfaceDrawer(Drawer):
    """A vtkActor of the model's ``mesh`` coloured by its ``"rgb"`` point array."""

    observes = ("mesh", "opacity")

    def build(self):
        return [surface_actor()]

    def sync(self, name):
        show_surface(self.actor, self.layer)

    def item_at(self, prop, cell_id, point_id, xyz):
        """``{"vertex": i}``: the model's mesh vertex nearest the hit."""
        return {"vertex": int(point_id)} if point_id >= 0 else None


def surface_actor():
    """An empty actor whose mapper draws a mesh's ``"rgb"`` point array as colours."""
    mapper = _vtk.vtkPolyDataMapper()
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUsePointFieldData()
    mapper.SelectColorArray("rgb")
    mapper.ScalarVisibilityOn()
    actor = _vtk.vtkActor()
    actor.SetMapper(mapper)
    actor.GetProperty().SetSpecular(0.1)
    return actor


def show_surface(actor, layer):
    """Show a :class:`~brainview.layers.Surface` model's mesh and opacity with ``actor``."""
    mapper = actor.GetMapper()
    mapper.SetInputData(layer.mesh)
    mapper.SelectColorArray("rgb")
    actor.GetProperty().SetOpacity(layer.opacity)
