"""Ray-cast volume rendering of a 3-D image, placed by its affine.

The image is handed to VTK in voxel index space (no copy of native data) and
the volume prop carries the affine as its matrix, so flipped and oblique
images render where they are without resampling.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Volume
>>> v = Volume((np.random.default_rng(0).random((8, 8, 8)), np.eye(4)), clim=(0.2, 0.9))
>>> v.blending = "mip"
>>> v.clim
(0.2, 0.9)
"""

from __future__ import annotations

import warnings

import numpy as np
from traits.api import Property, observe

from .. import _vtk, colors
from ..geometry.volume import index_image, index_to_world
from ..errors import BrainviewWarning
from ..io import finite_data, load_image
from ._live import ImageInputs, Loaded, set_resolved, unset_params
from .base import Checked, Layer, check_bool, check_choice, check_opacity

BLENDINGS = ("composite", "mip")
RAMPS = ("linear", "flat")
_N_COLOR_NODES = 64


class Volume(ImageInputs, Layer):
    """Volume rendering with a colormap and an opacity ramp over ``clim``.

    Parameters
    ----------
    img : path, nibabel image or (array, affine)
    cmap : str or Colormap
        Colour along ``clim``.
    clim : (float, float), optional
        Values below ``clim[0]`` are transparent; the colormap spans the
        range. Default: the 2nd–98th percentiles of the non-zero data.
    opacity : float
        Opacity per unit length reached at ``clim[1]`` (``ramp="linear"``)
        or everywhere above ``clim[0]`` (``ramp="flat"``).
    ramp : {"linear", "flat"}
    blending : {"composite", "mip"}
        Front-to-back compositing, or maximum intensity projection.
    shade : bool
        Gradient shading (slower; useful for anatomy).
    volume : int, optional
        Volume index for a 4-D image.
    name : str, optional

    Examples
    --------
    >>> import numpy as np
    >>> Volume((np.ones((4, 4, 4)), np.eye(4)), cmap="hot").kind
    'volume'
    """

    kind = "volume"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("img",)

    #: The image, as given (setting it loads the new image and redraws).
    img = Loaded()
    #: Volume index of a 4-D image, or None.
    volume = Loaded()
    #: The vtkVolume drawing the image (made when first drawn or read).
    actor = Property(transient=True)
    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: colors.check_clim(value, name=name), panel="range", range="data")
    ramp = Checked(lambda value, name: check_choice(value, RAMPS, name), "linear", choices=RAMPS)
    blending = Checked(lambda value, name: check_choice(value, BLENDINGS, name), "composite", choices=BLENDINGS)
    shade = Checked(check_bool, False)

    def __init__(self, img, *, cmap="gray", clim=None, opacity=0.8, ramp="linear",
                 blending="composite", shade=False, volume=None, name=None):
        self._staged = {}
        self._set_image(load_image(img, volume=volume, kind=self.kind))
        if clim is None:
            clim = colors.robust_range(self._data)
        super().__init__(
            img=img, volume=volume, name=name or self._image.name, cmap=cmap, clim=clim,
            opacity=check_opacity(opacity), ramp=ramp, blending=blending, shade=shade,
        )
        self._actor = self._lut = None
        self._warn_if_invisible()

    @property
    def image(self):
        return self._image

    def props(self):
        return [self._draw()]

    def _get_actor(self):
        return self._draw()

    def _draw(self):
        """The volume prop, made on first use: a model alone holds no VTK rendering object."""
        if self._actor is None:
            self._actor, self._mapper, self._color, self._opacity = volume_prop(self._image, self._data)
            self._actor.SetVisibility(self.visible)
            self._update_transfer(None)
        return self._actor

    def value_at(self, xyz):
        return float(self._image.value_at(xyz)[0])

    def colorbar_table(self):
        if self._lut is None:
            self._lut = colors.lookup_table(self.cmap, self.clim)
        return self._lut, self.name

    def _set_image(self, image):
        self._image = image
        self._data = finite_data(image)
        self._peak = float(self._data.max())

    @observe("img, volume", post_init=True)
    def _update_image(self, event):
        self._set_image(self._staged.pop("img"))
        derived = {}
        if unset_params(self, "clim"):
            derived["clim"] = colors.robust_range(self._data)
        if unset_params(self, "name"):
            derived["name"] = self._image.name
        set_resolved(self, **derived)
        if self._actor is not None:
            set_volume_data(self._actor, self._mapper, self._image, self._data)
        self._update_transfer(event)
        self._warn_if_invisible()

    @observe("clim", post_init=True)
    def _clim_changed(self, event):
        self._warn_if_invisible()

    def _warn_if_invisible(self):
        """Warn when no voxel reaches ``clim[0]``: the volume is then entirely transparent."""
        if self._peak <= self.clim[0]:
            warnings.warn(
                f"clim: no value of {self.name!r} is above clim[0] = {self.clim[0]:g} "
                f"(its maximum is {self._peak:g}): the volume is invisible. "
                "Lower clim, or leave it out for the data's range.",
                BrainviewWarning, stacklevel=4,
            )

    @observe("cmap, clim, opacity, ramp, blending, shade", post_init=True)
    def _update_transfer(self, event):
        if self._lut is not None:
            colors.lookup_table(self.cmap, self.clim, table=self._lut)
        if self._actor is None:
            self._changed()  # a colour bar may show the table
            return
        low, high = self.clim
        self._color.RemoveAllPoints()
        for value, rgba in zip(np.linspace(low, high, _N_COLOR_NODES), colors.cmap_table(self.cmap, _N_COLOR_NODES)):
            self._color.AddRGBPoint(float(value), *rgba[:3])
        self._opacity.RemoveAllPoints()
        below = low - 1e-6 * max(1.0, abs(low))
        self._opacity.AddPoint(below, 0.0)
        if self.ramp == "linear":
            self._opacity.AddPoint(low, 0.0)
            self._opacity.AddPoint(high, self.opacity)
        else:
            self._opacity.AddPoint(low, self.opacity)
            self._opacity.AddPoint(high, self.opacity)
        if self.blending == "mip":
            self._mapper.SetBlendModeToMaximumIntensity()
        else:
            self._mapper.SetBlendModeToComposite()
        self._actor.GetProperty().SetShade(self.shade)
        self._changed()


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
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
