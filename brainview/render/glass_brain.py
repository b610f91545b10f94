"""The 3-D drawer of :class:`~brainview.layers.GlassBrain`: one translucent, unpickable actor.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import GlassBrain
>>> mask = np.zeros((12, 12, 12)); mask[3:9, 3:9, 3:9] = 1
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(GlassBrain((mask, np.eye(4)), color="red", opacity=0.3))
>>> fig.drawer(layer).actor.GetProperty().GetColor()
(1.0, 0.0, 0.0)
>>> fig.close()
"""

from __future__ import annotations

from .. import _vtk
from .drawer import Drawer


class GlassBrainDrawer(Drawer):
    """A vtkActor showing the model's outline ``mesh`` in its ``color`` and ``opacity``."""

    observes = ("mesh", "color", "opacity")
    is_context = True

    def build(self):
        return [glass_brain_actor()]

    def sync(self, name):
        show_glass_brain(self.actor, self.layer)

    def item_at(self, prop, cell_id, point_id, xyz):
        """``{"vertex": i}``: the model's mesh vertex nearest the hit."""
        return {"vertex": int(point_id)} if point_id >= 0 else None


def glass_brain_actor():
    """An empty actor lit as a glass brain."""
    mapper = _vtk.vtkPolyDataMapper()
    mapper.ScalarVisibilityOff()
    actor = _vtk.vtkActor()
    actor.SetMapper(mapper)
    # Context, not data: picks go through the glass to what is inside (GlassBrainDrawer.is_context).
    prop = actor.GetProperty()
    prop.SetAmbient(0.25)
    prop.SetDiffuse(0.6)
    prop.SetSpecular(0.15)
    prop.SetSpecularPower(15)
    return actor


def show_glass_brain(actor, layer):
    """Show a :class:`~brainview.layers.GlassBrain` model's mesh, colour and opacity with ``actor``."""
    actor.GetMapper().SetInputData(layer.mesh)
    prop = actor.GetProperty()
    prop.SetColor(*layer.color)
    prop.SetOpacity(layer.opacity)
