"""Painters of the stat-map modes: VTK props drawing one mode's geometry (:mod:`brainview.layers._stat_modes`).

Private helpers of :class:`brainview.render.stat_map.StatMapDrawer`. Each
painter draws one geometry object of the model and has ``props()``,
``sync(layer)`` (redo only what the geometry's ``version`` or the layer's
opacity changed), ``set_interacting(flag)`` and ``dispose()``. Nothing here
computes geometry or colours: the model does, once, for every figure.
"""

from __future__ import annotations

from .. import _vtk
from ..geometry.camera import union_bounds
from ..geometry.extent import plane_box
from .drawer import drawer_for
from .slices import PlaneStack, indexed_colors, plane_image, show_plane
from .volume import visible_bounds, volume_prop


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

    def bounds(self):
        """World box of what the props draw (None: the props' own bounds)."""
        return None

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

    def bounds(self):
        """The box of the voxels drawn with an opacity above 0 (not the image's box)."""
        return visible_bounds(self._opacity, self.geometry.data, self.geometry.image.affine)


class PlanePainter(_Painter):
    """Three ``vtkImageActor`` planes showing the geometry's blended RGBA images (through tables of their colours)."""

    def __init__(self, geometry, figure):
        super().__init__(geometry)
        self.actors = {}
        for axis in range(3):
            actor = _vtk.vtkImageActor()
            actor.GetProperty().SetInterpolationTypeToNearest()
            actor.GetProperty().UseLookupTableScalarRangeOn()
            self.actors[axis] = actor
        self._boxes = None  # (geometry version, world box of the drawn pixels)
        self.stack = PlaneStack(figure, self.actors)  # over coplanar planes of earlier layers

    def props(self):
        return list(self.actors.values())

    def sync(self, layer):
        if self._stale(layer):
            for axis in range(3):
                rgba, origin, step = self.geometry.plane(axis)
                prop = self.actors[axis].GetProperty()
                indices, table = indexed_colors(rgba, prop.GetLookupTable())
                show_plane(self.actors[axis], plane_image(indices, origin, step, axis=axis))
                prop.SetLookupTable(table)
        for actor in self.actors.values():
            actor.GetProperty().SetOpacity(layer.opacity)

    def bounds(self):
        """The box of the planes' pixels with alpha above 0 (once per cut, not per render)."""
        version = self.geometry.version
        if self._boxes is None or self._boxes[0] != version:
            boxes = [plane_box(rgba[..., 3] > 0, origin, step, axis)
                     for axis, (rgba, origin, step) in ((a, self.geometry.plane(a)) for a in range(3))]
            self._boxes = (version, union_bounds(boxes))
        return self._boxes[1]

    def dispose(self):
        self.stack.detach()


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
