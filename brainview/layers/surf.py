"""Height fields: a 2-D array of elevations drawn as a surface (mlab's ``surf``).

``z[i, j]`` is the elevation at ``(x[i], y[j])``: the first axis runs along x,
the second along y (mlab's convention; ``np.meshgrid`` output needs a
transpose, or ``indexing="ij"``). The vertex of grid point ``(i, j)`` is at
``(x[i], y[j], warp_scale * z[i, j])``.

``warp_scale="auto"`` is mlab's: the surface's z extent becomes 0.3 times
the sum of its x and y extents (a pleasant aspect whatever the data's
units), i.e. ``warp_scale = 0.3 * (x extent + y extent) / z extent`` (1 for
a flat field). mlab then also shifts the auto-scaled surface along z (its
``extent`` places it); brainview does not: a vertex's z is always
``warp_scale * z``.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Surf
>>> x, y = np.mgrid[-2:2:5j, -2:2:5j]
>>> layer = Surf(x * y, warp_scale=2)
>>> float(layer.vertices()[:, 2].max()), layer.resolved_warp_scale
(8.0, 2.0)
"""

from __future__ import annotations

import numpy as np
from traits.api import observe

from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..limits import check_grid_memory
from ._live import Reloads, take_derived
from .base import Kind, check_opacity
from .mesh import GridLayer, grid_array

#: mlab's auto warp: the z extent is this times the sum of the x and y extents.
AUTO_WARP = 0.3


def _axis(value, name, shape, axis):
    """``value`` as an ``(n, m)`` grid: a 1-D axis (one value per row or column), a 2-D grid
    broadcast to the field's ``shape`` (None: the indices), else a named error."""
    if value is None:
        return np.broadcast_to(np.arange(shape[axis], dtype=float).reshape((-1, 1) if axis == 0 else (1, -1)), shape)
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise BrainviewTypeError(f"{name}: expected a 1-D or 2-D array of numbers, got {describe(value)}.") from None
    if array.ndim == 1 and array.shape[0] == shape[axis]:
        array = array.reshape((-1, 1) if axis == 0 else (1, -1))
    try:
        array = np.broadcast_to(array, shape) if array.ndim == 2 else None
    except ValueError:
        array = None
    if array is None:
        raise BrainviewValueError(
            f"{name}: expected {shape[axis]} values (one per {'row' if axis == 0 else 'column'} of z, shape "
            f"{shape}) or a grid broadcastable to z (np.mgrid or np.ogrid), got shape {np.shape(value)}.")
    return grid_array(array, name, shape=shape)


def check_warp_scale(value, name="warp_scale"):
    """``"auto"`` or a finite number, else a named error.

    Examples
    --------
    >>> check_warp_scale(2), check_warp_scale("auto")
    (2.0, 'auto')
    """
    if isinstance(value, str) and value == "auto":
        return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise BrainviewTypeError(f"{name}: expected 'auto' or a number, got {describe(value)}.")
    if not np.isfinite(value):
        raise BrainviewValueError(f"{name}: expected a finite number or 'auto', got {value!r}.")
    return float(value)


def auto_warp_scale(x, y, z):
    """mlab's ``warp_scale="auto"``: z extent = 0.3 * (x extent + y extent); 1 for a flat field.

    Examples
    --------
    >>> import numpy as np
    >>> x, y = np.mgrid[0:10:11j, 0:10:11j]
    >>> auto_warp_scale(x, y, x / 10)
    6.0
    """
    def extent(values):
        finite = values[np.isfinite(values)]
        return float(finite.max() - finite.min()) if finite.size else 0.0

    z_extent = extent(z)
    if z_extent == 0:
        return 1.0
    return AUTO_WARP * (extent(x) + extent(y)) / z_extent


class Surf(GridLayer):
    """A height field: ``z`` over an x, y grid, raised by ``warp_scale`` (mlab's ``surf``).

    Parameters
    ----------
    z : (n, m) array
        Elevations; ``z[i, j]`` is at ``(x[i], y[j])``. NaN points are left out with their
        triangles (mlab's ``mask``).
    x, y : 1-D or 2-D arrays, optional
        The grid: ``n`` x values and ``m`` y values, or 2-D grids (``np.mgrid``, ``np.ogrid``);
        default the indices (``np.arange``).
    warp_scale : "auto" or float
        Vertex z is ``warp_scale * z``; ``"auto"`` (mlab's): the z extent becomes 0.3 times
        the sum of the x and y extents (see :attr:`resolved_warp_scale`).
    scalars : (n, m) array, optional
        Values the colours follow; default ``z`` (the elevations, not warped).
    color : colour, optional
        One colour instead of ``scalars`` through ``cmap``.
    cmap : str or Colormap
    clim : (float, float), optional
    representation : {"surface", "wireframe", "points"}
    opacity : float
    name : str

    Examples
    --------
    >>> import numpy as np
    >>> x, y = np.mgrid[-3:3:31j, -3:3:31j]
    >>> layer = Surf(np.sin(x * y), x=x, y=y)
    >>> round(layer.resolved_warp_scale, 2)
    1.8
    """

    kind = "surf"

    #: Parameters that are data.
    data_params = ("z", "x", "y", "scalars")

    z = Reloads(panel="hidden")
    x = Reloads(panel="hidden")
    y = Reloads(panel="hidden")
    warp_scale = Reloads("auto", panel="literal")

    def __init__(self, z, *, x=None, y=None, warp_scale="auto", scalars=None, color=None, cmap="viridis",
                 clim=None, representation="surface", opacity=1.0, name="surf"):
        derived = self._derive(dict(z=z, x=x, y=y, warp_scale=warp_scale, scalars=scalars, clim=clim))
        super().__init__(name=name, z=z, x=x, y=y, warp_scale=warp_scale, scalars=scalars, color=color,
                         cmap=cmap, clim=derived["clim"], representation=representation,
                         opacity=check_opacity(opacity))
        self._start(derived)

    def _grid(self, params):
        if np.ndim(params["z"]) == 2:
            check_grid_memory(*np.shape(params["z"]), what="z")
        heights = grid_array(params["z"], "z")
        warp = check_warp_scale(params["warp_scale"])
        x, y = _axis(params["x"], "x", heights.shape, 0), _axis(params["y"], "y", heights.shape, 1)
        warp = auto_warp_scale(x, y, heights) if warp == "auto" else warp
        scalars = heights if params["scalars"] is None else grid_array(params["scalars"], "scalars",
                                                                      shape=heights.shape)
        return dict(x=x, y=y, z=heights * warp, scalars=scalars, warp=warp)

    @property
    def resolved_warp_scale(self):
        """The scale vertex z is multiplied by (``warp_scale``, or mlab's auto scale computed)."""
        return self._warp

    @observe("z, x, y, warp_scale, scalars", post_init=True)
    def _reload(self, event):
        self._apply(take_derived(self))


def _example():
    """Small in-memory inputs of a Surf (``Kind.example``): a 20 x 20 mm saddle."""
    x, y = np.mgrid[-10:10:16j, -10:10:16j]
    return ((x * y / 10,), dict(x=x[:, 0], y=y[0], warp_scale=1.0))


KIND = Kind(Surf, drawer="brainview.render.mesh:MeshDrawer", example=_example, roles=())
