"""Painters of the stat-map modes: VTK props drawing one mode's geometry (:mod:`brainview.layers._stat_modes`).

Private helpers of :class:`brainview.render.stat_map.StatMapDrawer`. Each
painter draws one geometry object of the model and has ``props()``,
``sync(layer)`` (redo only what the geometry's ``version`` or the layer's
opacity changed), ``set_interacting(flag)`` and ``dispose()``. Nothing here
computes geometry or colours: the model does, once, for every figure.
"""

from __future__ import annotations

from .. import _vtk
from .drawer import drawer_for
from .slices import plane_image, show_plane
from .volume import volume_prop


class _Painter:
    def __init__(self, geometry):
        self.geometry = geometry
        self._seen = None

    def _stale(self, layer, *extra):
        """True (once) when the geometry or ``extra`` changed since the last sync."""
        key = (self.geometry.version, *extra)
        if key == self._seen:
            return False
        self._seen = key
        return True

    def set_interacting(self, interacting):
        """Nothing lighter to show while the camera moves."""

    def dispose(self):
        """Nothing to release."""


class ContourPainter(_Painter):
    """One actor showing the isosurface mesh with its per-vertex ``"rgb"`` colours."""

    def __init__(self, geometry, figure):
        super().__init__(geometry)
        self._mapper = _vtk.vtkPolyDataMapper()
        self._mapper.SetColorModeToDirectScalars()
        self._mapper.SetScalarModeToUsePointFieldData()
        self._mapper.SelectColorArray("rgb")
        self.actor = _vtk.vtkActor()
        self.actor.SetMapper(self._mapper)
        prop = self.actor.GetProperty()
        prop.SetSpecular(0.25)
        prop.SetSpecularPower(25)
        self._mesh = None

    def props(self):
        return [self.actor]

    def sync(self, layer):
        mesh = self.geometry.mesh
        if mesh is not self._mesh:  # a new threshold: a new mesh (recolouring modifies it in place)
            self._mapper.SetInputData(mesh)
            self._mesh = mesh
        self.actor.GetProperty().SetOpacity(layer.opacity)


class VolumePainter(_Painter):
    """A ray-cast ``vtkVolume`` of the map; its transfer functions come from the geometry."""

    def __init__(self, geometry, figure):
        super().__init__(geometry)
        self.actor, self._mapper, self._color, self._opacity = volume_prop(geometry.image, geometry.data)

    def props(self):
        return [self.actor]

    def sync(self, layer):
        if not self._stale(layer, layer.opacity):
            return
        self._color.RemoveAllPoints()
        for value, red, green, blue in self.geometry.color_nodes:
            self._color.AddRGBPoint(float(value), red, green, blue)
        self._opacity.RemoveAllPoints()
        for value, alpha in self.geometry.opacity_nodes:
            self._opacity.AddPoint(float(value), float(alpha * layer.opacity))


class PlanePainter(_Painter):
    """Three ``vtkImageActor`` planes showing the geometry's blended RGBA images."""

    def __init__(self, geometry, figure):
        super().__init__(geometry)
        self.actors = {}
        for axis in range(3):
            actor = _vtk.vtkImageActor()
            actor.GetProperty().SetInterpolationTypeToNearest()
            self.actors[axis] = actor

    def props(self):
        return list(self.actors.values())

    def sync(self, layer):
        if self._stale(layer):
            for axis in range(3):
                show_plane(self.actors[axis], plane_image(*self.geometry.plane(axis), axis=axis))
        for actor in self.actors.values():
            actor.GetProperty().SetOpacity(layer.opacity)


class SurfacePainter(_Painter):
    """The geometry's fsaverage5 :class:`~brainview.layers.Surface`, drawn by that kind's own drawer.

    The model recolours the Surface model (its traits); the Surface drawer follows it.
    """

    def __init__(self, geometry, figure):
        super().__init__(geometry)
        self._drawer = drawer_for(geometry.surface, figure)

    def props(self):
        return self._drawer.props()

    def sync(self, layer):
        """The Surface drawer follows its model's traits: nothing to do here."""

    def set_interacting(self, interacting):
        self._drawer.set_interacting(interacting)

    def dispose(self):
        self._drawer.dispose()


PAINTERS = {"contour": ContourPainter, "volume": VolumePainter, "slices": PlanePainter,
            "surface": SurfacePainter}
