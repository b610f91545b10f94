"""Surfaces from 2-D grids of points: mlab's ``mesh`` (and the base of ``surf``).

``x``, ``y`` and ``z`` are 2-D arrays of one shape ``(n, m)``: grid point
``(i, j)`` is vertex ``i * m + j`` at ``(x[i, j], y[i, j], z[i, j])``, joined to
its neighbours in the arrays by two triangles per grid cell, as mlab does
(``(i, j), (i+1, j), (i+1, j+1)`` and ``(i+1, j+1), (i, j+1), (i, j)``). The
grid is never closed automatically: a sphere or a torus closes when its last
row repeats its first, as in mlab. Colours follow ``scalars`` (by default
``z``, as in mlab) through ``cmap`` over ``clim``, or one ``color``.

NaN (mlab's masked points): a grid point whose coordinates or scalar are NaN
is left out with every triangle that uses it (one warning with the count);
vertex numbers stay grid numbers. Infinite values are refused, as in mlab.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Mesh
>>> x, y = np.mgrid[0:3, 0:4].astype(float)
>>> layer = Mesh(x, y, x * y)
>>> layer.grid_shape, layer.n_vertices, layer.n_triangles
((3, 4), 12, 12)
"""

from __future__ import annotations

import warnings

import numpy as np
from traits.api import Any, observe

from .. import colors
from .._locks import RENDER_LOCK
from ..errors import BrainviewTypeError, BrainviewValueError, BrainviewWarning, describe
from ..limits import check_grid_memory
from ._live import Reloads, set_quietly, take_derived
from .base import Checked, Kind, Layer, check_choice, check_opacity

#: Triangles above which a grid is drawn coarser while the camera moves (:meth:`GridLayer.coarse_mesh`).
INTERACTIVE_TRIANGLES = 200_000

#: How the triangles are drawn (VTK's representations, mlab's names).
REPRESENTATIONS = ("surface", "wireframe", "points")


def grid_array(value, name, *, shape=None):
    """A finite-or-NaN float 2-D array of ``value`` (of ``shape`` when given), else a named error.

    Examples
    --------
    >>> grid_array([[0, 1], [2, 3]], "z").dtype
    dtype('float64')
    """
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise BrainviewTypeError(f"{name}: expected a 2-D array of numbers, got {describe(value)}.") from None
    if array.ndim != 2:
        raise BrainviewValueError(
            f"{name}: expected a 2-D array (a grid of points, as from np.mgrid), got shape {array.shape}.")
    if shape is not None and array.shape != tuple(shape):
        raise BrainviewValueError(
            f"{name}: expected the grid's shape {tuple(shape)}, got {array.shape}; x, y, z and scalars "
            "must have one shape.")
    if min(array.shape) < 2:
        raise BrainviewValueError(
            f"{name}: a {array.shape[0]}x{array.shape[1]} grid has no cells to make triangles from; a "
            "grid needs at least 2 rows and 2 columns (for one row of points, draw a line).")
    if np.isinf(array).any():
        raise BrainviewValueError(
            f"{name}: {int(np.isinf(array).sum())} values are infinite; replace them with NaN to leave "
            "those points out (a[np.isinf(a)] = np.nan).")
    return array


def grid_triangles(shape):
    """mlab's triangles of an ``(n, m)`` grid: two per cell, vertex ``i * m + j``.

    Examples
    --------
    >>> grid_triangles((2, 2)).tolist()
    [[0, 2, 3], [3, 1, 0]]
    """
    rows, cols = shape
    dtype = np.int32 if rows * cols < 2**31 - 1 else np.int64
    corner = (np.arange(rows - 1, dtype=dtype)[:, None] * cols + np.arange(cols - 1, dtype=dtype)).ravel()
    triangles = np.empty((2, corner.size, 3), dtype)
    triangles[0, :, 0] = corner
    triangles[0, :, 1] = corner + cols
    triangles[0, :, 2] = corner + cols + 1
    triangles[1, :, 0] = triangles[0, :, 2]
    triangles[1, :, 1] = corner + 1
    triangles[1, :, 2] = corner
    return triangles.reshape(-1, 3)


def grid_polydata(x, y, z, scalars):
    """A ``pyvista.PolyData`` of the grid's triangles with ``"scalars"`` and ``"Normals"`` point arrays.

    Grid points with a NaN coordinate or scalar are left out with their triangles (they stay in
    the points, unused, so vertex numbers stay grid numbers). Returns the mesh, the mask of the
    grid points kept and the mask of those drawn (in a triangle), flat, in vertex order.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([[0.0, 1, 2], [3, 4, np.nan]])
    >>> mesh, valid, drawn = grid_polydata(*np.mgrid[0:2, 0:3].astype(float), z, z)
    >>> mesh.n_points, mesh.n_cells, int(valid.sum()), int(drawn.sum())
    (6, 2, 5, 4)
    """
    import pyvista as pv
    from vtkmodules.vtkFiltersCore import vtkTriangleMeshPointNormals

    from ..geometry.labels import triangle_mesh

    points = np.empty((x.size, 3), np.float32)
    for axis, values in enumerate((x, y, z)):
        points[:, axis] = values.ravel()
    triangles = grid_triangles(x.shape)
    valid = np.isfinite(points).all(axis=1) & np.isfinite(scalars.ravel())
    drawn = valid
    if not valid.all():
        triangles = triangles[valid[triangles].all(axis=1)]
        drawn = np.zeros_like(valid)
        drawn[triangles.ravel()] = True
        points[~valid] = points[np.argmax(valid)] if valid.any() else 0.0  # unused: kept finite for bounds
    mesh = triangle_mesh(points, triangles)
    mesh.point_data["scalars"] = scalars.ravel().astype(np.float32)
    normals = vtkTriangleMeshPointNormals()
    normals.SetInputData(mesh)
    normals.Update()
    mesh.GetPointData().SetNormals(normals.GetOutput().GetPointData().GetNormals())
    return pv.wrap(mesh), valid, drawn


def _check_some_triangle(grid, kind):
    """Refuse a grid whose every triangle has a NaN point (before a live value is taken)."""
    valid = np.ones(grid["x"].shape, bool)
    for name in ("x", "y", "z", "scalars"):
        valid &= np.isfinite(grid[name])
    corner, below, right, diagonal = valid[:-1, :-1], valid[1:, :-1], valid[:-1, 1:], valid[1:, 1:]
    if not ((corner & below & diagonal) | (diagonal & right & corner)).any():
        raise BrainviewValueError(f"{kind}: every triangle has a NaN point (in x, y, z or scalars); nothing "
                                  "to draw.")


def check_color(value, name):
    """None (colour by scalars) or one colour as ``(r, g, b)``.

    Examples
    --------
    >>> check_color("red", "color"), check_color(None, "color")
    ((1.0, 0.0, 0.0), None)
    """
    return None if value is None else colors.to_rgb(value, name=name)


class GridLayer(Layer):
    """What :class:`Mesh` and :class:`~brainview.layers.Surf` share: the grid's triangles and colours.

    Subclasses implement ``_grid(params) -> dict(x=, y=, z=, scalars=)`` (checked arrays, the
    vertices' coordinates and the values the colours follow, and what else they derive).
    """

    #: The grid's triangles (pyvista.PolyData) with ``"scalars"`` and ``"Normals"`` point arrays.
    mesh = Any(transient=True)

    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: None if value is None else colors.check_clim(value, name=name), (0.0, 1.0),
                   panel="range", range="data")
    color = Checked(check_color, None, panel="color")
    representation = Checked(lambda value, name: check_choice(value, REPRESENTATIONS, name), "surface",
                             choices=REPRESENTATIONS)

    #: The grid's arrays (live: assigning one rebuilds the triangles).
    scalars = Reloads(panel="hidden")

    def _start(self, derived):
        import pyvista as pv

        self.mesh = pv.PolyData()
        self._apply(derived)

    def _derive(self, params):
        """Checked arrays of the data parameters (raises the constructor's errors)."""
        derived = self._grid(params)
        _check_some_triangle(derived, self.kind)
        auto_clim = colors.auto_clim(derived["scalars"])
        clim = auto_clim if params.get("clim") is None else colors.check_clim(params["clim"])
        return dict(derived, auto_clim=auto_clim, clim=clim)

    def _apply(self, derived):
        mesh, valid, drawn = grid_polydata(derived["x"], derived["y"], derived["z"], derived["scalars"])
        n_left_out = int(valid.size - valid.sum())
        if n_left_out:
            warnings.warn(f"{self.kind}: {n_left_out} of {mesh.n_points} grid points have NaN coordinates or "
                          "scalars; they are left out with their triangles.", BrainviewWarning, stacklevel=5)
        self._shape, self._values, self._warp = derived["x"].shape, derived["scalars"], derived.get("warp")
        self._auto_clim, self._drawn, self._valid, self._coarse = derived["auto_clim"], drawn, valid, None
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self.mesh.ShallowCopy(mesh)
        if self.get_params()["clim"] is None and tuple(self.clim) != tuple(derived["auto_clim"]):
            set_quietly(self, clim=derived["auto_clim"])  # follows the new values, as at construction
        with RENDER_LOCK:
            self.mesh.Modified()
        self._changed()

    @property
    def grid_shape(self):
        """``(n, m)``: the grid's rows and columns."""
        return self._shape

    @property
    def n_vertices(self):
        """Grid points (``n * m``), left-out ones included: vertex ``i * m + j`` is point ``(i, j)``."""
        return int(self.mesh.n_points)

    @property
    def n_triangles(self):
        """Triangles drawn (two per grid cell, less those touching a left-out point)."""
        return int(self.mesh.n_cells)

    def coarse_mesh(self, max_triangles=None):
        """The grid with every k-th row and column (its last ones kept), at most ``max_triangles``
        triangles (default :data:`INTERACTIVE_TRIANGLES`), for drawing while the camera moves;
        None for a grid that small already.

        Examples
        --------
        >>> import numpy as np
        >>> layer = Mesh(*np.mgrid[0:101, 0:101].astype(float), np.zeros((101, 101)))
        >>> layer.coarse_mesh(max_triangles=5000).n_cells, layer.coarse_mesh(max_triangles=10**6) is None
        (5000, True)
        """
        max_triangles = INTERACTIVE_TRIANGLES if max_triangles is None else max_triangles
        if self.n_triangles <= max_triangles:
            return None
        if self._coarse is None or self._coarse[0] != max_triangles:
            rows, cols = self._shape
            step = int(np.ceil(np.sqrt(2 * (rows - 1) * (cols - 1) / max_triangles)))
            keep_rows = np.unique(np.r_[np.arange(0, rows, step), rows - 1])
            keep_cols = np.unique(np.r_[np.arange(0, cols, step), cols - 1])
            points = np.where(self._valid[:, None], np.asarray(self.mesh.points), np.nan)
            grid = points.reshape(rows, cols, 3)[np.ix_(keep_rows, keep_cols)]
            scalars = self._values[np.ix_(keep_rows, keep_cols)]
            self._coarse = (max_triangles, grid_polydata(grid[..., 0], grid[..., 1], grid[..., 2], scalars)[0])
        return self._coarse[1]

    def vertices(self):
        """``(n * m, 3)`` float mm positions of the grid points as drawn (vertex order)."""
        return np.asarray(self.mesh.points, dtype=float)

    def scalar_values(self):
        """``(n, m)`` values the colours follow (``scalars``, or the default)."""
        return self._values.copy()

    def vertex_colors(self):
        """``(n * m, 3)`` float RGB of each vertex as drawn (NaN scalars: grey, not drawn)."""
        if self.color is not None:
            return np.tile(self.color, (self.n_vertices, 1))
        table = colors.cmap_table(self.cmap)
        low, high = self.clim
        values = self._values.ravel()
        index = np.clip((values - low) / (high - low) * len(table), 0, len(table) - 1)
        rgb = table[np.nan_to_num(index).astype(int), :3]
        rgb[~np.isfinite(values)] = 0.5
        return rgb

    def value_at(self, xyz):
        """The scalar of the drawn grid point nearest ``xyz``, if ``xyz`` is on the surface near it.

        "Near": no farther than that point's farthest grid neighbour (a point on a triangle
        is within one edge of its nearest corner); None elsewhere and when colours are one
        ``color``.

        Examples
        --------
        >>> import numpy as np
        >>> layer = Mesh(*np.mgrid[0:3, 0:3].astype(float), np.zeros((3, 3)), scalars=np.arange(9.0).reshape(3, 3))
        >>> layer.value_at((1.1, 1.9, 0)), layer.value_at((1, 1, 5))
        (5.0, None)
        """
        if self.color is not None:
            return None
        points = np.asarray(self.mesh.points)
        distances = ((points - np.asarray(xyz, dtype=np.float32)) ** 2).sum(axis=1)
        distances[~self._drawn] = np.inf
        nearest = int(np.argmin(distances))
        row, column = divmod(nearest, self._shape[1])
        neighbours = [(row + dr) * self._shape[1] + column + dc for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1))
                      if 0 <= row + dr < self._shape[0] and 0 <= column + dc < self._shape[1]]
        reach = ((points[neighbours] - points[nearest]) ** 2).sum(axis=1).max()
        return float(self._values.flat[nearest]) if distances[nearest] <= reach * 1.0001 else None

    def colorbar_table(self):
        if self.color is not None:
            return None
        return colors.lookup_table(self.cmap, self.clim), self.name

    @observe("clim", post_init=True)
    def _follow_data(self, event):
        if self.clim is None:  # the range of the scalars, derived (the parameter stays None)
            set_quietly(self, clim=self._auto_clim)


class Mesh(GridLayer):
    """A surface through a 2-D grid of points (mlab's ``mesh``), coloured by scalars or one colour.

    Parameters
    ----------
    x, y, z : (n, m) arrays
        Coordinates of the grid points (world units, mm). Grid point ``(i, j)`` is joined
        to ``(i+1, j)``, ``(i, j+1)`` and ``(i+1, j+1)`` by two triangles; a grid needs at
        least 2 rows and 2 columns. NaN points are left out with their triangles.
    scalars : (n, m) array, optional
        Values the colours follow; default ``z`` (mlab's default). NaN ones are left out.
    color : colour, optional
        One colour for the whole surface instead of ``scalars`` through ``cmap``.
    cmap : str or Colormap
    clim : (float, float), optional
        Colour range; default the finite scalars' range.
    representation : {"surface", "wireframe", "points"}
    opacity : float
    name : str

    Examples
    --------
    >>> import numpy as np
    >>> u, v = np.mgrid[0:np.pi:20j, 0:2 * np.pi:40j]
    >>> sphere = Mesh(np.sin(u) * np.cos(v), np.sin(u) * np.sin(v), np.cos(u))
    >>> sphere.n_vertices, sphere.clim
    (800, (-1.0, 1.0))
    """

    kind = "mesh"

    #: Parameters that are data.
    data_params = ("x", "y", "z", "scalars")

    x = Reloads(panel="hidden")
    y = Reloads(panel="hidden")
    z = Reloads(panel="hidden")

    def __init__(self, x, y, z, *, scalars=None, color=None, cmap="viridis", clim=None,
                 representation="surface", opacity=1.0, name="mesh"):
        derived = self._derive(dict(x=x, y=y, z=z, scalars=scalars, clim=clim))
        super().__init__(name=name, x=x, y=y, z=z, scalars=scalars, color=color, cmap=cmap,
                         clim=derived["clim"], representation=representation, opacity=check_opacity(opacity))
        self._start(derived)

    @staticmethod
    def _grid(params):
        if np.ndim(params["x"]) == 2:
            check_grid_memory(*np.shape(params["x"]), what="x")
        x = grid_array(params["x"], "x")
        y, z = (grid_array(params[name], name, shape=x.shape) for name in ("y", "z"))
        scalars = z if params["scalars"] is None else grid_array(params["scalars"], "scalars", shape=z.shape)
        return dict(x=x, y=y, z=z, scalars=scalars)

    @observe("x, y, z, scalars", post_init=True)
    def _reload(self, event):
        self._apply(take_derived(self))


def _example():
    """Small in-memory inputs of a Mesh (``Kind.example``): a 20 mm sphere as a 12 x 24 grid."""
    u, v = np.mgrid[0:np.pi:12j, 0:2 * np.pi:24j]
    return ((20 * np.sin(u) * np.cos(v), 20 * np.sin(u) * np.sin(v), 20 * np.cos(u)), dict(cmap="viridis"))


KIND = Kind(Mesh, drawer="brainview.render.mesh:MeshDrawer", example=_example, roles=())
