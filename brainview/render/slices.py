"""The 3-D drawer of :class:`~brainview.layers.Slices`: one ``vtkImageActor`` per plane.

The model cuts the planes (:meth:`~brainview.layers.Slices.plane`, once per
position); the drawer hands each new cut to VTK and colours every plane with
one lookup table. Moving one plane re-shows that plane only; a colour change
refills the table without cutting anything.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Slices
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Slices((np.ones((10, 10, 10)), np.eye(4)), coords=(5, 5, 5), axes="z"))
>>> drawer = fig.drawer(layer)
>>> sorted(drawer.actors), drawer.actors["z"].GetVisibility(), drawer.actors["x"].GetVisibility()
(['x', 'y', 'z'], 1, 0)
>>> layer.z = 2.0
>>> drawer.actors["z"].GetInput().GetOrigin()[2]
2.0
>>> fig.close()
"""

from __future__ import annotations

import numpy as np
from vtkmodules.util.numpy_support import numpy_to_vtk

from .. import _vtk, colors
from ..layers.slices import AXES
from .drawer import Drawer

__all__ = ["SlicesDrawer", "plane_image"]


class SlicesDrawer(Drawer):
    """Three image actors (x, y, z), shown for the axes in the model's ``axes``.

    :attr:`actors` maps ``"x"``, ``"y"``, ``"z"`` to the plane's ``vtkImageActor``.
    """

    observes = ("x", "y", "z", "axes", "cmap", "clim", "transparent_below", "interpolation", "opacity",
                "gamma", "invert", "clip")

    def build(self):
        self._lut = None
        self._shown = dict.fromkeys(AXES)  # axis -> the model's plane the actor shows
        self.actors = {}
        for axis in AXES:
            actor = _vtk.vtkImageActor()
            actor.GetProperty().UseLookupTableScalarRangeOn()
            self.actors[axis] = actor
        self._axis_of = {actor: axis for axis, actor in self.actors.items()}
        return list(self.actors.values())

    def sync(self, name):
        layer = self.layer
        if name in (None, "cmap", "clim", "transparent_below", "gamma", "invert"):
            self._lut = colors.lookup_table(colors.shown_cmap(layer), layer.clim, table=self._lut,
                                            transparent_below=layer.transparent_below, transparent_nan=True)
        axes = AXES if name in (None, "interpolation", "clip") else (name,) if name in AXES else ()
        for axis in axes:
            plane = layer.plane(axis)
            if plane is not self._shown[axis]:
                show_plane(self.actors[axis], plane_image(*plane, axis=AXES.index(axis)))
                self._shown[axis] = plane
        for actor in self.actors.values():
            prop = actor.GetProperty()
            prop.SetLookupTable(self._lut)
            prop.SetOpacity(layer.opacity)
            if layer.interpolation == "linear":
                prop.SetInterpolationTypeToLinear()
            else:
                prop.SetInterpolationTypeToNearest()

    def visible_prop(self, prop):
        return bool(self.layer.visible) and self._axis_of[prop] in self.layer.axes


def plane_image(values, origin, step, *, axis):
    """A one-voxel-thick ``vtkImageData`` normal to world ``axis``.

    ``values`` is a plane's ``(nu, nv)`` values (as float32) or ``(nu, nv, 4)``
    RGBA pixels (kept in their dtype: a stat map's blended colours).
    """
    index = AXES.index(axis) if isinstance(axis, str) else axis
    dims = [1, 1, 1]
    in_plane = [a for a in range(3) if a != index]
    dims[in_plane[0]], dims[in_plane[1]] = values.shape[:2]
    plane = _vtk.vtkImageData()
    plane.SetDimensions(*dims)
    plane.SetOrigin(*origin)
    plane.SetSpacing(step, step, step)
    if values.ndim == 3:
        flat = np.ascontiguousarray(values.transpose(1, 0, 2)).reshape(-1, values.shape[2])
    else:
        flat = np.ascontiguousarray(values.T, dtype=np.float32).ravel()
    plane.GetPointData().SetScalars(numpy_to_vtk(flat, deep=True))
    return plane


def show_plane(actor, plane):
    """Draw a one-voxel-thick ``vtkImageData`` plane with a ``vtkImageActor``.

    Setting the display extent makes VTK orient the slice from the plane's
    flat axis and report its true bounds (without it, ``GetBounds`` of a
    sagittal or coronal plane collapses z to the plane: off-centre framing
    and wrong clipping ranges).
    """
    actor.GetMapper().SetInputData(plane)
    actor.SetDisplayExtent(plane.GetExtent())
    actor.Update()
