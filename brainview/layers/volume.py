"""Ray-cast volume rendering of a 3-D image, placed by its affine: the model.

The model loads the image and keeps the colour and opacity settings; its
drawer (:class:`brainview.render.volume.VolumeDrawer`) hands the voxels to VTK
in voxel index space with the affine as the prop's matrix, so flipped and
oblique images render where they are without resampling.

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
from traits.api import observe

from .. import colors
from ..errors import BrainviewWarning
from ..io import finite_data
from ._live import ImageInputs, Loaded, set_resolved, unset_params
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_bool, check_choice, check_opacity

BLENDINGS = ("composite", "mip")
RAMPS = ("linear", "flat")


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
    gamma : float
        FSLeyes' gamma of the colour ramp: colour ``cmap(t ** gamma)`` at
        position ``t`` of ``clim`` (1: as it is). The opacity ramp is unchanged.
    invert : bool
        Reverse the colour map.
    clip : (float, float), optional
        Clipping range: values outside it are transparent, whatever ``clim``.
    volume : int, optional
        Volume index for a 4-D image.
        Assigning another ``img`` adapts it: None for a 3-D image, 0 for a 4-D image
        while it is None (see :class:`~brainview.layers._live.ImageInputs`).
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
    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: colors.check_clim(value, name=name), panel="range", range="data")
    ramp = Checked(lambda value, name: check_choice(value, RAMPS, name), "linear", choices=RAMPS)
    blending = Checked(lambda value, name: check_choice(value, BLENDINGS, name), "composite", choices=BLENDINGS)
    shade = Checked(check_bool, False)
    gamma = Checked(lambda value, name: colors.check_gamma(value, name), 1.0, panel="slider", low=0.1, high=4.0)
    invert = Checked(check_bool, False)
    clip = Checked(lambda value, name: colors.check_clip(value, name), None, panel="range", range="data",
                   optional=True)

    def __init__(self, img, *, cmap="gray", clim=None, opacity=0.8, ramp="linear",
                 blending="composite", shade=False, volume=None, name=None, gamma=1.0, invert=False,
                 clip=None):
        self._staged = {}
        self._set_image(self._load_input(img, volume))
        if clim is None:
            clim = self._per_volume("robust_range", lambda: colors.robust_range(self._data))
        super().__init__(
            img=img, volume=volume, name=name or self._image.name, cmap=cmap, clim=clim,
            opacity=check_opacity(opacity), ramp=ramp, blending=blending, shade=shade,
            gamma=gamma, invert=invert, clip=clip,
        )
        self._warn_if_invisible()

    @property
    def image(self):
        """The loaded image (:class:`brainview.io.Image`): voxels as read and the affine."""
        return self._image

    @property
    def data(self):
        """The voxels as drawn (read-only): the image's data with NaN and inf below every value.

        The same array for as long as the image is the same (no copy of finite data).
        """
        view = self._data.view()
        view.flags.writeable = False
        return view

    def value_at(self, xyz):
        return float(self._image.value_at(xyz)[0])

    def colorbar_table(self):
        return colors.lookup_table(colors.shown_cmap(self), self.clim, clip=self.clip), self.name

    def _set_image(self, image):
        self._image = image
        self._data = finite_data(image)
        self._peak = self._per_volume("max", lambda: float(self._data.max()))

    @observe("img, volume", post_init=True)
    def _update_image(self, event):
        self._set_image(self._staged.pop("img"))
        derived = {}
        if unset_params(self, "clim"):
            derived["clim"] = self._per_volume("robust_range", lambda: colors.robust_range(self._data))
        if unset_params(self, "name"):
            derived["name"] = self._image.name
        set_resolved(self, **derived)
        self._warn_if_invisible()
        self._changed()  # new voxels (and maybe a derived clim): the drawers re-sync

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


def _example():
    """Small in-memory inputs of a Volume (``Kind.example``)."""
    return (((_ex.blob(), _ex.AFFINE),), dict(cmap="hot", clim=(1, 5)))


KIND = Kind(Volume, drawer="brainview.render.volume:VolumeDrawer", example=_example, roles=(),
            painter="brainview.render.painters:paint_volume")
