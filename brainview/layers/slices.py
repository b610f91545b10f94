"""Orthogonal planes through an image at world mm coordinates, movable live.

Each plane is a world-axis-aligned cut (x, y or z = constant mm); its pixels
are looked up in the image through the inverse affine, so an oblique or
flipped image is cut where the coordinates say — the same planes nilearn's
``plot_anat(cut_coords=...)`` shows.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Slices
>>> s = Slices((np.ones((10, 10, 10)), np.eye(4)), coords=(5, 5, 5))
>>> s.x = 2.0
>>> s.plane_origin("x")[0]
2.0
"""

from __future__ import annotations

import warnings

import numpy as np
from traits.api import observe

from .. import colors
from ..errors import BrainviewValueError, BrainviewWarning, check_number, describe
from ..geometry.volume import world_plane
from ..io import Image, finite_data
from ._live import ImageInputs, Loaded, set_resolved, unset_params
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_bool, check_choice

AXES = "xyz"
INTERPOLATIONS = ("nearest", "linear")


def _check_axes(value, name):
    if not isinstance(value, str) or not value or any(a not in AXES for a in value):
        raise BrainviewValueError(
            f"{name}: expected a combination of 'x', 'y', 'z' such as 'xyz' or 'z', got {value!r}."
        )
    return value


class Slices(ImageInputs, Layer):
    """Up to three orthogonal planes (sagittal x, coronal y, axial z).

    Parameters
    ----------
    img : path, nibabel image or (array, affine)
    coords : (float, float, float), optional
        World mm coordinates of the sagittal, coronal and axial planes.
        Default: the centre of the image.
    axes : str
        Which planes to show: any of ``"x"``, ``"y"``, ``"z"`` (``"xyz"``).
    cmap : str or Colormap
    clim : (float, float), optional
        Default: the 2nd–98th percentiles of the non-zero data.
    transparent_below : bool
        Values under ``clim[0]`` are transparent (FSLeyes' default); False
        draws them in the colormap's first colour (a matplotlib image). Zeros
        and NaN are always transparent in 3-D, values above ``clim[1]`` take
        the last colour (unless ``clip`` says otherwise).
    gamma : float
        FSLeyes' gamma of the colour ramp: the colour at position ``t`` of
        ``clim`` is ``cmap(t ** gamma)`` (1: as it is; < 1 brightens low values).
    invert : bool
        Reverse the colour map.
    clip : (float, float), optional
        Clipping range: values outside it are transparent, whatever ``clim``.
    interpolation : {"nearest", "linear"}
    opacity : float
    volume : int, optional
        Volume index of a 4-D image.
        Assigning another ``img`` adapts it: None for a 3-D image, 0 for a 4-D image
        while it is None (see :class:`~brainview.layers._live.ImageInputs`).
    name : str, optional

    Examples
    --------
    >>> import numpy as np
    >>> Slices((np.ones((4, 4, 4)), np.eye(4)), axes="z").axes
    'z'
    """

    kind = "slices"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("img",)

    #: The image, as given (setting it loads the new image and redraws).
    img = Loaded()
    #: Volume index of a 4-D image, or None.
    volume = Loaded()
    #: ``(x, y, z)`` mm of the three planes (setting it moves them; so do ``x``, ``y``, ``z``).
    coords = Checked(lambda value, name: _check_coords(value, name), (0.0, 0.0, 0.0), panel="hidden")
    x = Checked(check_number, 0.0, panel="slider", range="x")
    y = Checked(check_number, 0.0, panel="slider", range="y")
    z = Checked(check_number, 0.0, panel="slider", range="z")
    axes = Checked(_check_axes, "xyz", choices=("xyz", "x", "y", "z", "xy", "xz", "yz"))
    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: colors.check_clim(value, name=name), panel="range", range="data")
    transparent_below = Checked(check_bool, True)
    gamma = Checked(lambda value, name: colors.check_gamma(value, name), 1.0, panel="slider", low=0.1, high=4.0)
    invert = Checked(check_bool, False)
    clip = Checked(lambda value, name: colors.check_clip(value, name), None, panel="range", range="data",
                   optional=True)
    interpolation = Checked(lambda value, name: check_choice(value, INTERPOLATIONS, name), "nearest",
                            choices=INTERPOLATIONS)

    def __init__(self, img, *, coords=None, axes="xyz", cmap="gray", clim=None,
                 transparent_below=True, interpolation="nearest", opacity=1.0,
                 volume=None, name=None, gamma=1.0, invert=False, clip=None):
        self._staged = {}
        self._moving = False
        self._outside = set()
        self._set_image(self._load_input(img, volume))
        coords = self._centre() if coords is None else _check_coords(coords)
        if clim is None:
            clim = self._per_volume("robust_range", lambda: colors.robust_range(self._sampled.data))
        super().__init__(
            img=img, volume=volume, name=name or self._image.name, coords=coords,
            x=coords[0], y=coords[1], z=coords[2], axes=axes, cmap=cmap, clim=clim,
            transparent_below=transparent_below, interpolation=interpolation, opacity=opacity,
            gamma=gamma, invert=invert, clip=clip,
        )
        self._warn_outside()

    @property
    def image(self):
        """The loaded image (:class:`brainview.io.Image`): voxels as read and the affine."""
        return self._image

    def plane(self, axis):
        """One plane as drawn: ``(values, origin, step)``, cut once per position and sampling.

        ``values`` (read-only float32, shape ``(nu, nv)`` over the two in-plane
        world axes in increasing order; NaN outside the image and outside
        ``clip``) are sampled
        through the inverse affine at ``step`` mm from ``origin``, the world
        position of ``values[0, 0]``. Moving one plane cuts that plane only.

        Examples
        --------
        >>> import numpy as np
        >>> layer = Slices((np.ones((4, 6, 8)), np.eye(4)), coords=(1, 2, 3))
        >>> values, origin, step = layer.plane("z")
        >>> values.shape, origin, step
        ((4, 6), (0.0, 0.0, 3.0), 1.0)
        """
        index = AXES.index(axis)
        key = (getattr(self, axis), self.interpolation)
        cached = self._planes.get(axis)
        if cached is None or cached[0] != key:
            values, origin, step = world_plane(self._sampled, index, key[0], interpolation=key[1])
            values = values.astype(np.float32)
            values.flags.writeable = False
            cached = self._planes[axis] = (key, (values, tuple(float(v) for v in origin), float(step)))
        shown = self._clipped.get(axis)
        if shown is None or shown[0] is not cached or shown[1] != self.clip:  # a new cut, or a new clip
            values, origin, step = cached[1]
            plane = cached[1] if self.clip is None else (colors.clipped(values, self.clip), origin, step)
            shown = self._clipped[axis] = (cached, self.clip, plane)
        return shown[2]

    def plane_origin(self, axis):
        """World position of the first pixel of a plane (``"x"``, ``"y"`` or ``"z"``)."""
        return self.plane(axis)[1]

    def plane_values(self, axis):
        """The sampled values of one plane, shape ``(nu, nv)`` over the in-plane axes."""
        return self.plane(axis)[0]

    def value_at(self, xyz):
        return float(self._image.value_at(xyz)[0])

    def colorbar_table(self):
        return colors.lookup_table(colors.shown_cmap(self), self.clim, transparent_below=self.transparent_below,
                                   transparent_nan=True, clip=self.clip), self.name

    def _set_image(self, image):
        self._image = image
        # NaN and inf are sampled as NaN, which the lookup table draws transparent.
        filled = finite_data(image, fill=np.nan)
        self._sampled = image if filled is image.data else Image(filled, image.affine, image.name)
        self._planes = {}  # axis -> ((position, interpolation), plane): cut again when either changes
        self._clipped = {}  # axis -> (the cut, clip, plane as drawn): masked again when either changes

    def _centre(self):
        return tuple(float(c) for c in np.array(self._image.world_bounds()).reshape(3, 2).mean(axis=1))

    @observe("img, volume", post_init=True)
    def _update_image(self, event):
        self._set_image(self._staged.pop("img"))
        derived = {}
        if unset_params(self, "clim"):
            derived["clim"] = self._per_volume("robust_range", lambda: colors.robust_range(self._sampled.data))
        if unset_params(self, "name"):
            derived["name"] = self._image.name
        if unset_params(self, "coords"):
            centre = self._centre()
            derived.update(coords=centre, x=centre[0], y=centre[1], z=centre[2])
        set_resolved(self, **derived)
        self._warn_outside()
        self._changed()  # new planes (and maybe derived coords and clim): the drawers re-sync

    @observe("coords", post_init=True)
    def _move_planes(self, event):
        if self._moving:
            return  # the echo of a plane moved alone
        self._moving = True
        try:
            self.trait_set(x=self.coords[0], y=self.coords[1], z=self.coords[2])
        finally:
            self._moving = False
        self._warn_outside()

    @observe("x, y, z", post_init=True)
    def _update_position(self, event):
        if not self._moving:
            self._moving = True
            try:
                self.coords = (self.x, self.y, self.z)
            finally:
                self._moving = False
            self._warn_outside()

    def _warn_outside(self):
        """Warn once (naming the layer) when shown planes leave the image; again after they came back."""
        box = np.array(self._image.world_bounds()).reshape(3, 2)
        tolerance = 0.5 * float(self._image.voxel_sizes.min())
        outside = set()
        for index, axis in enumerate(AXES):
            value = getattr(self, axis)
            if not box[index, 0] - tolerance <= value <= box[index, 1] + tolerance:
                outside.add(axis)
        left = sorted(outside - self._outside)
        self._outside = outside
        shown = [axis for axis in left if axis in self.axes]
        if not shown:
            return
        positions = ", ".join(f"{getattr(self, axis):g}" for axis in shown)
        ranges = ", ".join(f"{axis} {box[AXES.index(axis), 0]:g} to {box[AXES.index(axis), 1]:g}"
                           for axis in shown)
        if len(shown) == 1:
            message = (f"{shown[0]}: the plane at {positions} mm is outside the image {self.name!r} "
                       f"({ranges} mm) and shows nothing; move it inside.")
        else:
            nothing = "nothing is drawn" if set(self.axes) <= outside else "they show nothing"
            centre = ", ".join(f"{c:g}" for c in self._centre())
            message = (f"{', '.join(shown)}: the planes at {positions} mm are outside the image "
                       f"{self.name!r} ({ranges} mm): {nothing}. Move them inside, e.g. coords=({centre}).")
        warnings.warn(message, BrainviewWarning, stacklevel=5)


def _check_coords(coords, name="coords"):
    try:
        values = [float(c) for c in coords]
    except (TypeError, ValueError):
        values = []
    if len(values) != 3 or not all(np.isfinite(values)):
        raise BrainviewValueError(
            f"{name}: expected three mm coordinates (x, y, z), got {describe(coords)}."
        )
    return tuple(values)


def _example():
    """Small in-memory inputs of a Slices (``Kind.example``)."""
    return (((_ex.blob(), _ex.AFFINE),), dict(coords=(0, 0, 0)))


KIND = Kind(Slices, drawer="brainview.render.slices:SlicesDrawer", example=_example, roles=("anatomy",),
            painter="brainview.render.painters:paint_slices")
