"""Isosurfaces of a 3-D image, in world mm.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Contour
>>> ijk = np.indices((20, 20, 20)) - 10
>>> c = Contour((((ijk ** 2).sum(0) < 36).astype(float), np.eye(4)), level=0.5)
>>> c.level = 0.9
>>> c.mesh.n_points > 0
True
>>> c.levels = 3  # mlab's contours=3: three levels from the minimum to the maximum
>>> c.level_values
[0.0, 0.5, 1.0]
"""

from __future__ import annotations

import warnings

import numpy as np
from traits.api import Any, observe

from .. import colors
from .._locks import RENDER_LOCK
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..geometry.sampling import sample_linear
from ..geometry.volume import MAX_SMOOTH, isosurface
from ..io import finite_data, load_image
from ._live import ImageInputs, Loaded, constructing, set_resolved, unset_params
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_bool, check_opacity


def _check_levels(value, name="level"):
    values = np.atleast_1d(np.asarray(value, dtype=object))
    try:
        levels = [float(v) for v in values]
    except (TypeError, ValueError):
        raise BrainviewTypeError(
            f"{name}: expected a number or a sequence of numbers, got {describe(value)}."
        ) from None
    if not levels or not all(np.isfinite(levels)):
        raise BrainviewValueError(f"{name}: expected finite numbers, got {describe(value)}.")
    return levels[0] if np.ndim(value) == 0 else levels


def _check_levels_param(value, name="levels"):
    """None, a number of levels (an int >= 1), or a non-empty sequence of finite numbers."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise BrainviewTypeError(f"{name}: expected a number of levels or a list of levels, got {value!r}.")
    if isinstance(value, (int, np.integer)):
        if value < 1:
            raise BrainviewValueError(f"{name}: expected at least 1 level, got {value!r}.")
        return int(value)
    if np.ndim(value) != 1:
        raise BrainviewTypeError(
            f"{name}: expected a number of levels (levels=4) or a list of levels (levels=[1, 2.5]), "
            f"got {describe(value)}."
        )
    return _check_levels(list(value), name)


def auto_levels(count, low, high):
    """``count`` levels evenly spaced from ``low`` to ``high``, both included: mlab's ``contours=count``.

    Mayavi's contour component calls ``vtkContourFilter.GenerateValues(count,
    data_min, data_max)``: one level at the minimum when ``count`` is 1, else
    ``numpy.linspace(low, high, count)``. The end levels touch the extremes
    of the data, where the surface is empty or a point.

    Examples
    --------
    >>> auto_levels(3, 0.0, 1.0), auto_levels(1, 2.0, 4.0)
    ([0.0, 0.5, 1.0], [2.0])
    """
    if count == 1:
        return [float(low)]
    return [float(v) for v in np.linspace(low, high, count)]


def _check_optional_color(value, name="color"):
    return None if value is None else colors.to_rgb(value, name=name)


def _check_optional_cmap(value, name="cmap"):
    return None if value is None else colors.get_cmap(value, name=name)


def _check_optional_clim(value, name="clim"):
    return None if value is None else colors.check_clim(value, name=name)


class Contour(ImageInputs, Layer):
    """Isosurfaces of an image at one or several levels.

    Parameters
    ----------
    img : path, nibabel image or (array, affine)
        The image; see :func:`brainview.io.load_image`.
    level : float or sequence of float, optional
        Isovalue(s). Default: for a mask (two-valued data, e.g. 0 and 1), the
        midpoint of its two values; else halfway through the robust range of
        the non-zero data.
    levels : int or sequence of float, optional
        Mayavi's ``contours=``: an int ``N`` gives ``N`` levels evenly spaced
        from the data's finite minimum to its maximum, both included (as
        ``mlab.contour3d(contours=N)``: the end levels touch the extremes,
        where the surface is empty or a point; ask for ``N + 2`` to see ``N``
        shells); a list gives those levels. Not together with ``level``.
    color : colour, optional
        One colour for every surface (and, with ``color_by``, for the parts of
        the surface outside the second image). Default: light grey.
    cmap : str, Colormap or (n, 4) RGBA table, optional
        Colour each surface by its level through this colormap over ``clim``
        (with ``color_by``: colour by the second image's values; default
        ``"viridis"`` then). A map with alpha draws translucent.
    clim : (float, float), optional
        Range of the colormap; defaults to the range of the levels (with
        ``color_by``: the range of the finite samples on the surface).
    gamma : float
        FSLeyes' gamma of the colour ramp (colour ``cmap(t ** gamma)`` at position
        ``t`` of ``clim``; 1: as it is). Only with ``cmap``.
    invert : bool
        Reverse the colour map. Only with ``cmap``.
    color_by : path, nibabel image or (array, affine), optional
        A second image sampled on the surface at each vertex's world position
        (trilinear, through that image's own affine) and shown through
        ``cmap`` with its own colour bar. Vertices outside its field of view
        (beyond its outer voxel centres) sample NaN and keep ``color``.
    opacity : float
        0 to 1.
    smooth : int
        Iterations of windowed-sinc smoothing (0: the raw surface), at most 1000.
    volume : int, optional
        Volume index for a 4-D image.
        Assigning another ``img`` adapts it: None for a 3-D image, 0 for a 4-D image
        while it is None (see :class:`~brainview.layers._live.ImageInputs`).
    name : str, optional

    Examples
    --------
    >>> import numpy as np
    >>> data = np.zeros((9, 9, 9)); data[3:6, 3:6, 3:6] = 1
    >>> [round(c, 6) for c in Contour((data, np.eye(4)), level=0.5).mesh.center]
    [4.0, 4.0, 4.0]
    """

    kind = "contour"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("img", "color_by")

    #: The image, as given (setting it loads the new image and redraws).
    img = Loaded()

    #: Volume index of a 4-D image, or None.
    volume = Loaded()

    #: The isosurface mesh in world mm (pyvista.PolyData).
    mesh = Any(transient=True)

    #: Isovalue, or list of isovalues (used when ``levels`` is None).
    level = Checked(_check_levels, 0.5, panel="slider", range="data")

    #: Number of evenly spaced levels (mlab's ``contours=N``) or a list of levels, or None.
    levels = Checked(_check_levels_param, None, optional=True)

    #: Second image colouring the surface, as given, or None.
    color_by = Loaded()

    #: Single colour (r, g, b); used when ``cmap`` is None.
    color = Checked(_check_optional_color, (0.85, 0.85, 0.85), panel="color")

    #: Colormap colouring surfaces by level (by ``color_by`` when given), or None.
    cmap = Checked(_check_optional_cmap, panel="cmap", optional=True)

    #: Colormap range, or None for the range of the levels (of the ``color_by`` samples).
    clim = Checked(_check_optional_clim, panel="range", range="data", optional=True)

    gamma = Checked(lambda value, name: colors.check_gamma(value, name), 1.0, panel="slider", low=0.1, high=4.0)
    invert = Checked(check_bool, False)

    #: Windowed-sinc smoothing iterations.
    smooth = Checked(lambda value, name: _check_smooth(value, name), 0, panel="slider", low=0, high=50, integer=True)

    def __init__(self, img, *, level=None, levels=None, color=None, cmap=None, clim=None,
                 color_by=None, opacity=1.0, smooth=0, volume=None, name=None, gamma=1.0, invert=False):
        if level is not None and levels is not None:
            raise BrainviewValueError(
                f"level, levels: got both (level={describe(level)}, levels={describe(levels)}); "
                "pass level= for given isovalues or levels= for a number (or list) of levels, not both."
            )
        self._staged = {}
        self._set_image(self._load_input(img, volume))
        self._color_image = None if color_by is None else load_image(color_by, name="color_by")
        if level is None:
            level = self._per_volume("default_level", lambda: default_level(self._data))
        if color is None:
            color = (0.85, 0.85, 0.85)
        super().__init__(
            img=img, volume=volume, name=name or self._image.name, level=level, levels=levels, color=color,
            cmap=cmap, clim=clim, color_by=color_by, opacity=check_opacity(opacity), smooth=smooth,
            gamma=gamma, invert=invert,
        )
        self.mesh = None
        self._extract()

    @property
    def image(self):
        """The :class:`brainview.io.Image` this layer shows."""
        return self._image

    @property
    def level_values(self):
        """The isovalues drawn, as a list: from ``levels`` when given, else ``level``."""
        if isinstance(self.levels, int):
            return auto_levels(self.levels, *self._finite_range)
        if self.levels is not None:
            return list(self.levels)
        return list(np.atleast_1d(self.level))

    @property
    def color_image(self):
        """The :class:`brainview.io.Image` of ``color_by``, or None."""
        return self._color_image

    @property
    def color_cmap(self):
        """The colormap drawn (``gamma`` and ``invert`` applied): ``cmap``, ``"viridis"`` for
        ``color_by`` without one, else None."""
        cmap = colors.get_cmap("viridis") if self.cmap is None and self._color_image is not None else self.cmap
        return None if cmap is None else colors.display_cmap(cmap, gamma=self.gamma, invert=self.invert)

    @property
    def color_range(self):
        """``(low, high)`` of the colormap: ``clim``, else the range of the ``color_by`` samples or of the levels."""
        if self.clim is not None:
            return tuple(self.clim)
        if self._color_image is not None:
            return colors.auto_clim(self.mesh.point_data["color_by"])
        return _levels_clim(self.level_values)

    def value_at(self, xyz):
        return float(self._image.value_at(xyz)[0])

    def colorbar_table(self):
        if self.color_cmap is None:
            return None
        title = self.name if self._color_image is None else self._color_image.name
        return colors.lookup_table(self.color_cmap, self.color_range), title

    def _check_color_by(self, value):
        if not constructing(self):
            self._staged["color_by"] = None if value is None else load_image(value, name="color_by")
        return value

    def _set_image(self, image):
        self._image = image
        self._data = finite_data(image)
        # finite_data leaves only finite values: the range is plain min/max.
        self._range = self._per_volume("range", lambda: (float(self._data.min()), float(self._data.max())))
        # The finite values' own range (finite_data puts non-finite voxels under the minimum).
        self._finite_range = self._range if self._data is image.data else colors.auto_clim(image.data)

    @observe("img, volume", post_init=True)
    def _update_image(self, event):
        self._set_image(self._staged.pop("img"))
        derived = {}
        if unset_params(self, "level"):
            derived["level"] = self._per_volume("default_level", lambda: default_level(self._data))
        if unset_params(self, "name"):
            derived["name"] = self._image.name
        set_resolved(self, **derived)
        self._update_geometry(event)

    @observe("level, levels", post_init=True)
    def _update_levels(self, event):
        # The last one set wins: ``level`` and ``levels`` are never both parameters
        # (observers run before the assignment is recorded as a parameter).
        given = self.get_params()
        if event.name == "level" and given["levels"] is not None:
            self._params["levels"] = None
            set_resolved(self, levels=None)
        elif event.name == "levels" and event.new is not None and given["level"] is not None:
            self._params["level"] = None
        elif event.name == "levels" and event.new is None and given["level"] is None:
            set_resolved(self, level=default_level(self._data))  # back to the default level
        self._extract()

    @observe("smooth", post_init=True)
    def _update_geometry(self, event):
        self._extract()

    @observe("color_by", post_init=True)
    def _update_color_image(self, event):
        self._color_image = self._staged.pop("color_by")
        self._sample_colors()
        self._changed()

    def _sample_colors(self):
        """The ``color_by`` image at every vertex, in the mesh's ``"color_by"`` array (NaN outside it)."""
        if self._color_image is not None:
            values = sample_linear(self._color_image, np.asarray(self.mesh.points))
            with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
                self.mesh.point_data["color_by"] = values

    def _extract(self):
        levels = self.level_values
        low, high = self._range
        given = [] if isinstance(self.levels, int) else levels  # mlab's N levels touch the extremes on purpose
        outside = [lv for lv in given if not low < lv < high]
        if outside:
            warnings.warn(
                f"level: [{', '.join(f'{lv:g}' for lv in outside)}] outside the data range ({low:g}, {high:g}) of {self.name!r}: "
                "no surface there. Pick a level between the minimum and the maximum.",
                BrainviewWarning,
                stacklevel=4,
            )
        self.mesh = isosurface(self._image, levels, data=self._data, smooth=self.smooth)
        self._sample_colors()
        if self.mesh.n_points == 0 and not outside:
            warnings.warn(
                f"level: no surface of {self.name!r} at {', '.join(f'{lv:g}' for lv in levels)}: "
                "nothing is drawn. Pick a level the data crosses.", BrainviewWarning, stacklevel=4,
            )


def _check_smooth(value, name="smooth"):
    """A number of smoothing iterations, 0 to :data:`~brainview.geometry.volume.MAX_SMOOTH`.

    ``True`` is refused (not read as 1 iteration); a huge count would hang.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 0:
        raise BrainviewValueError(
            f"{name}: expected a number of smoothing iterations >= 0, got {value!r}."
        )
    if value > MAX_SMOOTH:
        raise BrainviewValueError(
            f"{name}: at most {MAX_SMOOTH} smoothing iterations, got {value!r}; "
            "a few tens already give a smooth surface."
        )
    return int(value)


def _levels_clim(levels):
    low, high = min(levels), max(levels)
    return (low, high) if low < high else (low - 0.5, high + 0.5)


def default_level(data):
    """The default isovalue: the midpoint of two-valued data (a mask), else the middle of its range.

    Two-valued data (a binary mask of any dtype, bool included, or any image
    holding only two values) gets the midpoint of the two: its surface is the
    boundary between them. Other data gets the middle of the 2nd-98th
    percentile range of its non-zero finite values.

    Examples
    --------
    >>> import numpy as np
    >>> default_level(np.array([0, 0, 1, 1, 1], dtype=np.uint8))
    0.5
    >>> default_level(np.array([0, 0, 1, 2, 3.0]))
    2.0
    """
    pair = _two_values(data)
    if pair is not None:
        return float((pair[0] + pair[1]) / 2)
    low, high = colors.robust_range(data)
    return float((low + high) / 2)


def _two_values(data, *, n_samples=100_000):
    """``(low, high)`` when the data holds exactly two distinct values, else None.

    A sparse sample settles most continuous images without a full pass.
    """
    values = np.asarray(data).ravel(order="K")  # memory order: no copy
    sample = values[:: max(1, values.size // n_samples)]
    low, high = sample.min(), sample.max()
    if low < high and np.any((sample != low) & (sample != high)):
        return None  # a third value already in the sample
    low, high = values.min(), values.max()
    if low == high or np.any((values != low) & (values != high)):
        return None
    return float(low), float(high)


def _example():
    """Small in-memory inputs of a Contour (``Kind.example``)."""
    return (((_ex.blob(), _ex.AFFINE),), dict(level=2.0))


KIND = Kind(Contour, drawer="brainview.render.contour:ContourDrawer", example=_example, roles=("mask",),
            painter="brainview.render.painters:paint_contour")
