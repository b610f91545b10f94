"""The 3-D drawer of :class:`~brainview.layers.Points`: every marker in one glyph mapper.

Examples
--------
>>> from brainview.scene import Figure
>>> from brainview.layers import Points
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Points([[0, 0, 0], [10, 0, 0]], size=5))
>>> fig.drawer(layer).actor.GetMapper().GetClassName()
'vtkOpenGLGlyph3DMapper'
>>> fig.close()
"""

from __future__ import annotations

from vtkmodules.vtkFiltersSources import vtkSphereSource

from .. import _vtk
from .drawer import Drawer


class PointsDrawer(Drawer):
    """Spheres scaled by the mesh's ``size`` array and coloured by its ``rgb`` array."""

    observes = ("opacity", "mesh")

    def build(self):
        self._sphere = vtkSphereSource()
        self._sphere.SetRadius(0.5)
        mapper = _vtk.vtkGlyph3DMapper()
        mapper.SetSourceConnection(self._sphere.GetOutputPort())
        mapper.SetScaleArray("size")
        mapper.SetScaleModeToScaleByMagnitude()
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SelectColorArray("rgb")
        mapper.SetColorModeToDirectScalars()
        self._mapper = mapper
        actor = _vtk.vtkActor()
        actor.SetMapper(mapper)
        return [actor]

    def sync(self, name):
        layer = self.layer
        resolution = layer.sphere_resolution
        self._sphere.SetThetaResolution(resolution)
        self._sphere.SetPhiResolution(max(4, resolution // 2 + 2))
        self.actor.GetProperty().SetOpacity(layer.opacity)
        self._mapper.SetInputData(layer.mesh)
        self._mapper.Modified()
