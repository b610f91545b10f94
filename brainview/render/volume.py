"""The 3-D drawer of :class:`~brainview.layers.Volume`: one ray-cast ``vtkVolume``.

The voxels go to VTK in voxel index space (no copy of native data) and the
prop's matrix carries the affine, so flipped and oblique images render where
they are without resampling. A colour or opacity change refills the transfer
functions (64 nodes); only a new image hands VTK new voxels.

Examples
--------
>>> import numpy as np
>>> from brainview.scene import Figure
>>> from brainview.layers import Volume
>>> fig = Figure(size=(40, 30))
>>> layer = fig.add(Volume((np.random.default_rng(0).random((8, 8, 8)), np.eye(4)), clim=(0.2, 0.9)))
>>> drawer = fig.drawer(layer)
>>> drawer.actor.GetClassName()
'vtkVolume'
>>> layer.blending = "mip"
>>> drawer.actor.GetMapper().GetBlendMode() == drawer.actor.GetMapper().MAXIMUM_INTENSITY_BLEND
True
>>> fig.close()
"""

from __future__ import annotations

import os

import numpy as np

from .. import _vtk, colors
from ..geometry.extent import index_box, world_box
from ..geometry.volume import index_image, index_to_world
from .drawer import Drawer

__all__ = ["VolumeDrawer", "volume_prop", "set_volume_data", "visible_bounds"]

_N_COLOR_NODES = 64
_TRANSFER = ("cmap", "clim", "opacity", "ramp", "blending", "shade", "gamma", "invert", "clip")


class VolumeDrawer(Drawer):
    """A ``vtkVolume`` of the model's :attr:`~brainview.layers.Volume.data`, coloured over ``clim``."""

    observes = _TRANSFER

    def build(self):
        layer = self.layer
        volume, self._mapper, self._color, self._opacity = volume_prop(layer.image, layer.data)
        self._shown = layer.image  # the image whose voxels VTK has
        return [volume]

    def sync(self, name):
        layer = self.layer
        if layer.image is not self._shown:  # a new image (``img`` or ``volume`` set): new voxels
            set_volume_data(self.actor, self._mapper, layer.image, layer.data)
            self._shown = layer.image
        fill_transfer(self._color, self._opacity, cmap=colors.shown_cmap(layer), clim=layer.clim,
                      opacity=layer.opacity, ramp=layer.ramp)
        colors.clip_opacity(self._opacity, layer.clip)
        if layer.blending == "mip":
            self._mapper.SetBlendModeToMaximumIntensity()
        else:
            self._mapper.SetBlendModeToComposite()
        self.actor.GetProperty().SetShade(layer.shade)

    def bounds(self):
        """World box of the voxels drawn with an opacity above 0 (not the image's box), or None."""
        if not self.actor.GetVisibility():
            return None
        return visible_bounds(self._opacity, self.layer.data, self.layer.image.affine)


def visible_bounds(opacity_function, data, affine):
    """World box of the voxels of ``data`` (placed by ``affine``) that ``opacity_function`` shows.

    Read from per-array profiles computed once (:mod:`brainview.geometry.extent`):
    a new opacity function costs no scan of the volume.

    Examples
    --------
    >>> import numpy as np
    >>> from brainview import _vtk
    >>> data = np.zeros((30, 30, 30), np.float32); data[10:12, 10:12, 10:12] = 5.0
    >>> ramp = _vtk.vtkPiecewiseFunction(); _ = ramp.AddPoint(1.0, 0.0); _ = ramp.AddPoint(5.0, 0.8)
    >>> visible_bounds(ramp, data, np.eye(4))
    (10.0, 11.0, 10.0, 11.0, 10.0, 11.0)
    """
    node = [0.0] * 4
    nodes = []
    for index in range(opacity_function.GetSize()):
        opacity_function.GetNodeValue(index, node)
        nodes.append((node[0], node[1]))
    box = index_box(data, nodes)
    return None if box is None else world_box(affine, *box)


def fill_transfer(color, opacity_function, *, cmap, clim, opacity, ramp):
    """Fill a colour and an opacity transfer function: ``cmap`` over ``clim``, transparent below.

    A colormap with alpha multiplies the opacity ramp by its alpha (at the
    colour nodes): an alpha-0 map draws nothing.
    """
    low, high = clim
    values, table = np.linspace(low, high, _N_COLOR_NODES), colors.cmap_table(cmap, _N_COLOR_NODES)
    color.RemoveAllPoints()
    for value, rgba in zip(values, table):
        color.AddRGBPoint(float(value), *rgba[:3])
    opacity_function.RemoveAllPoints()
    below = low - 1e-6 * max(1.0, abs(low))
    opacity_function.AddPoint(below, 0.0)
    if table[:, 3].min() < 1:
        ramp_values = np.linspace(0.0, opacity, _N_COLOR_NODES) if ramp == "linear" else np.full(_N_COLOR_NODES, opacity)
        for value, level in zip(values, ramp_values * table[:, 3]):
            opacity_function.AddPoint(float(value), float(level))
    elif ramp == "linear":
        opacity_function.AddPoint(low, 0.0)
        opacity_function.AddPoint(high, opacity)
    else:
        opacity_function.AddPoint(low, opacity)
        opacity_function.AddPoint(high, opacity)


def volume_prop(image, data):
    """A ``vtkVolume`` of ``data`` placed by ``image``'s affine, with empty transfer functions.

    The data goes to VTK in voxel index space through
    :func:`brainview.geometry.volume.index_image` (no copy of native data);
    the volume's matrix carries the affine (flips and obliques included).

    Returns
    -------
    volume, mapper, color_function, opacity_function
    """
    mapper = _make_mapper()
    color = _vtk.vtkColorTransferFunction()
    opacity = _vtk.vtkPiecewiseFunction()
    prop = _vtk.vtkVolumeProperty()
    prop.SetColor(color)
    prop.SetScalarOpacity(opacity)
    prop.SetInterpolationTypeToLinear()
    volume = _vtk.vtkVolume()
    volume.SetMapper(mapper)
    volume.SetProperty(prop)
    set_volume_data(volume, mapper, image, data)
    return volume, mapper, color, opacity


def set_volume_data(volume, mapper, image, data):
    """Give a volume prop new voxels (``data``) placed by ``image``'s affine."""
    vtk_image, axes = index_image(data)
    mapper.SetInputData(vtk_image)
    volume.SetUserMatrix(_vtk.matrix_from_numpy(index_to_world(image.affine, axes)))


def _make_mapper():
    if _vtk.is_software_rendering():
        mapper = _vtk.vtkFixedPointVolumeRayCastMapper()
        mapper.SetNumberOfThreads(max(1, _cpu_count()))
    else:
        mapper = _vtk.vtkGPUVolumeRayCastMapper()
    return mapper


def _cpu_count():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
