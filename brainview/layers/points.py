"""Markers (spheres) at world mm coordinates: foci, electrodes, ROI centres.

All markers are one glyph set drawn by one ``vtkGlyph3DMapper``, so thousands
of points cost one actor.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Points
>>> p = Points([[-40, -20, 50], [40, -20, 50]], size=[6, 10], color=["red", "blue"])
>>> p.centers().tolist()
[[-40.0, -20.0, 50.0], [40.0, -20.0, 50.0]]
"""

from __future__ import annotations

import warnings

import numpy as np
from traits.api import Any, observe

from .. import colors
from .._locks import RENDER_LOCK
from ..limits import check_points_memory
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..geometry.graph import check_world_extent
from ._live import Reloads, set_quietly, take_derived
from . import _examples as _ex
from .base import Checked, Kind, Layer, check_opacity

# pyvista is imported where the mesh is made: ``import brainview.layers`` must not pay for it
# (issue 19).


def check_coords(coords, name="coords"):
    """``(n, 3)`` float mm coordinates, else an error that says what was wrong.

    Examples
    --------
    >>> check_coords([1, 2, 3]).shape
    (1, 3)
    """
    try:
        array = np.asarray(coords, dtype=float)
    except (TypeError, ValueError):
        raise BrainviewTypeError(
            f"{name}: expected an (n, 3) array of mm coordinates, got {describe(coords)}."
        ) from None
    if array.ndim == 1 and array.shape == (3,):
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != 3:
        hint = " Transpose it: coordinates go one row per point." if array.ndim == 2 and array.shape[0] == 3 else ""
        raise BrainviewValueError(
            f"{name}: expected shape (n, 3) with one (x, y, z) row per point, got {array.shape}.{hint}"
        )
    if not len(array):
        raise BrainviewValueError(f"{name}: no points (0 coordinates); pass at least one (x, y, z) row.")
    if not np.all(np.isfinite(array)):
        bad = np.flatnonzero(~np.isfinite(array).all(axis=1))
        raise BrainviewValueError(
            f"{name}: {len(bad)} of {len(array)} rows hold NaN or infinite coordinates (rows "
            f"{', '.join(map(str, bad[:5]))}{', ...' if len(bad) > 5 else ''}); drop them, with "
            "their sizes, colours and values.")
    return check_world_extent(array, name)


def _check_sizes(value, name, n_points):
    sizes = np.broadcast_to(np.asarray(value, dtype=float), (n_points,)) if np.ndim(value) == 0 else np.asarray(value, dtype=float)
    if sizes.shape != (n_points,):
        raise BrainviewValueError(
            f"{name}: expected one size or {n_points} sizes (one per point), got shape {sizes.shape}."
        )
    if not np.all(np.isfinite(sizes)) or np.any(sizes < 0):
        raise BrainviewValueError(f"{name}: sizes must be finite and >= 0 (mm diameters).")
    return np.array(sizes, dtype=float)


def _check_resolution(value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 3 <= value <= 256:
        raise BrainviewValueError(f"resolution: expected an integer from 3 to 256 (sphere facets), got {value!r}.")
    return int(value)


def _check_colors(value, name, n_points):
    if isinstance(value, str) or (np.ndim(value) == 1 and len(value) in (3, 4) and not isinstance(value[0], str)):
        return np.tile(colors.to_rgb(value, name=name), (n_points, 1))
    items = list(value)
    if len(items) != n_points:
        raise BrainviewValueError(
            f"{name}: expected one colour or {n_points} colours (one per point), got {len(items)}."
        )
    return np.array([colors.to_rgb(item, name=name) for item in items])


def _check_values(values, n_points):
    """``(n,)`` float values or None; NaN ones are not drawn (one warning with the count)."""
    if values is None:
        return None
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise BrainviewTypeError(f"values: expected {n_points} numbers, got {describe(values)}.") from None
    if array.shape != (n_points,):
        raise BrainviewValueError(
            f"values: expected {n_points} values (one per point), got shape {array.shape}."
        )
    bad = int((~np.isfinite(array)).sum())
    if bad:
        warnings.warn(f"values: {bad} of {n_points} values are NaN or infinite; those points are not drawn.",
                      BrainviewWarning, stacklevel=4)
    return array


class Points(Layer):
    """Spheres at mm coordinates with sizes (diameters, mm) and colours.

    Parameters
    ----------
    coords : (n, 3) array
        World mm coordinates.
    size : float or (n,) array
        Sphere diameters in mm.
    color : colour or sequence of n colours
        Ignored when ``values`` is given.
    values : (n,) array, optional
        Colour points by value through ``cmap`` over ``clim``.
    cmap : str or Colormap
    clim : (float, float), optional
    opacity : float
    resolution : int
        Sphere tessellation (more is smoother and slower).
    name : str, optional

    Examples
    --------
    >>> Points([[0, 0, 0]], size=5).sizes.tolist()
    [5.0]
    """

    kind = "points"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("coords", "values")

    #: Marker centres (pyvista.PolyData) with "size" and "rgb" arrays.
    mesh = Any(transient=True)

    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: None if value is None else colors.check_clim(value, name=name), (0.0, 1.0),
                   panel="range", range="data")

    #: The constructor's data and drawing parameters, live (see :mod:`brainview.layers._live`).
    coords = Reloads()
    size = Reloads(4.0, panel="slider", low=0.5, high=40.0)
    color = Reloads("yellow", panel="color")
    values = Reloads()
    resolution = Reloads(16, panel="slider", low=3, high=64, integer=True)

    def __init__(self, coords, *, size=4.0, color="yellow", values=None, cmap="viridis",
                 clim=None, opacity=1.0, resolution=16, name="points"):
        import pyvista as pv

        derived = self._derive(dict(coords=coords, size=size, color=color, values=values,
                                    resolution=resolution, clim=clim))
        super().__init__(name=name, cmap=cmap, clim=derived["clim"], opacity=check_opacity(opacity),
                         coords=coords, size=size, color=color, values=values, resolution=resolution)
        self.mesh = pv.PolyData()
        self._apply(derived)

    @staticmethod
    def _derive(params):
        """Checked arrays of the data parameters (raises the constructor's errors)."""
        if np.ndim(params["coords"]) == 2:  # counted before any copy is made
            check_points_memory(np.shape(params["coords"])[0], what="coords")
        coords = check_coords(params["coords"])
        n_points = len(coords)
        values = _check_values(params["values"], n_points)
        auto_clim = colors.auto_clim(values) if values is not None else (0.0, 1.0)
        clim = auto_clim if params.get("clim") is None else params["clim"]
        return dict(coords=coords, sizes=_check_sizes(params["size"], "size", n_points),
                    colors=_check_colors(params["color"], "color", n_points), values=values,
                    resolution=_check_resolution(params["resolution"]), clim=clim, auto_clim=auto_clim)

    def _apply(self, derived):
        import pyvista as pv

        self._coords, self._sizes, self._colors = derived["coords"], derived["sizes"], derived["colors"]
        self._values = derived["values"]
        self._resolution = derived["resolution"]
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self.mesh.ShallowCopy(pv.PolyData(self._coords.copy()))
        self._auto_clim = derived["auto_clim"]
        if self.get_params()["clim"] is None and tuple(self.clim) != tuple(derived["clim"]):
            set_quietly(self, clim=derived["clim"])  # follows the new values, as at construction
        self._update(None)

    @observe("coords, size, color, values, resolution", post_init=True)
    def _reload(self, event):
        self._apply(take_derived(self))

    @property
    def sizes(self):
        """Marker diameters in mm (0 where ``values`` is NaN: those points are not drawn)."""
        if self._values is None:
            return self._sizes.copy()
        return np.where(np.isfinite(self._values), self._sizes, 0.0)

    def centers(self):
        """The ``(n, 3)`` mm coordinates of the markers."""
        return np.asarray(self.mesh.points, dtype=float)

    def point_colors(self):
        """``(n, 3)`` float RGB of each marker as drawn."""
        if self._values is None:
            return self._colors
        low, high = self.clim
        scaled = np.clip((np.nan_to_num(self._values) - low) / (high - low), 0, 1)
        return colors.get_cmap(self.cmap)(scaled)[:, :3]

    @property
    def sphere_resolution(self):
        """Facets around each sphere (the checked ``resolution``)."""
        return self._resolution

    def colorbar_table(self):
        if self._values is None:
            return None
        return colors.lookup_table(self.cmap, self.clim), self.name

    @observe("cmap, clim, opacity", post_init=True)
    def _update(self, event):
        if self.clim is None:  # the range of the values, derived (the parameter stays None)
            set_quietly(self, clim=self._auto_clim)  # notifies again, with the range
            return
        alpha = None if self._values is None else colors.mapped_alpha(
            self.cmap, np.clip((np.nan_to_num(self._values) - self.clim[0]) / (self.clim[1] - self.clim[0]), 0, 1))
        rgb = colors.color_bytes(self.point_colors(), alpha)
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self.mesh.point_data["size"] = self.sizes
            self.mesh.point_data["rgb"] = rgb
            self.mesh.Modified()
        self._changed()


def _example():
    """Small in-memory inputs of a Points (``Kind.example``)."""
    return ((np.array([[0.0, 0, 0], [20, 10, 5]]),), dict(size=8, color="red"))


KIND = Kind(Points, drawer="brainview.render.points:PointsDrawer", example=_example, roles=())
