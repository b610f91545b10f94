"""Polylines in world mm (mlab's ``plot3d``): one line or many, as lines or tubes.

All lines are ONE polydata (one ``vtkCellArray`` built from offsets, see
:mod:`brainview.geometry.polylines`), coloured by per-point ``scalars``
through a colour map (with a colour bar) or with one colour;
:mod:`brainview.render.lines` draws it as lines or, with ``tube_radius``,
as closed tubes.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Lines
>>> t = np.linspace(0, 2 * np.pi, 50)
>>> helix = np.column_stack([10 * np.cos(t), 10 * np.sin(t), 5 * t])
>>> layer = Lines(helix, scalars=np.arange(50), tube_radius=0.5)
>>> layer.n_lines, layer.n_points, layer.clim
(1, 50, (0.0, 49.0))
"""

from __future__ import annotations

import numpy as np
from traits.api import Any, TraitType, observe

from .. import colors
from .._locks import RENDER_LOCK
from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..geometry import polylines
from ..limits import check_polylines_memory
from ._live import Reloads, set_quietly, take_derived
from .base import Checked, Kind, Layer, check_opacity, check_positive

__all__ = ["Lines", "PerLayer", "check_point_values", "optional_radius", "check_sides"]


class PerLayer(TraitType):
    """A trait checked by the layer's own ``_check_<name>(value)`` (the check needs its data)."""

    def validate(self, obj, name, value):
        return getattr(obj, f"_check_{name}")(value)


def optional_radius(value, name):
    """None (lines) or a tube radius in mm > 0."""
    return None if value is None else check_positive(value, name)


def check_sides(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 3 <= value <= 64:
        raise BrainviewValueError(f"{name}: expected an integer from 3 to 64 (facets around a tube), "
                                  f"got {value!r}.")
    return int(value)


def check_point_values(values, packed, name, *, per_line=False):
    """float32 values, one per point, from one per point (flat or per line) or, with ``per_line``, one per line.

    Examples
    --------
    >>> from brainview.geometry.polylines import pack
    >>> packed = pack([np.zeros((2, 3)), np.ones((3, 3))])
    >>> check_point_values([1.0, 2.0], packed, "values", per_line=True).tolist()
    [1.0, 1.0, 2.0, 2.0, 2.0]
    """
    if values is None:
        return None
    n_points, n_lines = len(packed.points), packed.n_lines
    ragged = not isinstance(values, np.ndarray) and len(values) == n_lines and n_lines != n_points and all(
        np.ndim(item) == 1 for item in values)
    try:
        if ragged:
            array = np.concatenate([np.asarray(item, dtype=np.float32) for item in values])
        else:
            array = np.asarray(values, dtype=np.float32)
    except (TypeError, ValueError):
        raise BrainviewTypeError(f"{name}: expected numbers, got {describe(values)}.") from None
    if array.ndim == 1 and len(array) == n_points:
        return np.ascontiguousarray(array)
    if per_line and array.ndim == 1 and len(array) == n_lines:
        return np.repeat(array, packed.lengths)
    what = f"{n_points} (one per point)" + (f" or {n_lines} (one per line)" if per_line else "")
    raise BrainviewValueError(f"{name}: expected {what} values, or one array per line; got shape "
                              f"{array.shape}.")


class Lines(Layer):
    """Polylines through mm points, coloured by per-point values or with one colour (mlab's ``plot3d``).

    Parameters
    ----------
    points : (n, 3) array, (n_lines, n, 3) array or list of (n_i, 3) arrays
        World mm coordinates: one line, or many (all drawn as one polydata).
    scalars : (n,) array or list of (n_i,) arrays, optional
        A value per point, coloured through ``cmap`` over ``clim`` (with a colour bar).
    color : colour, optional
        One colour for every line (when ``scalars`` is None); white by default.
    cmap : str or Colormap
    clim : (float, float), optional
        Range of ``cmap``; the range of ``scalars`` by default.
    tube_radius : float, optional
        Draw closed tubes of this radius (mm); None draws lines of ``line_width`` pixels.
    tube_sides : int
        Facets around each tube.
    line_width : float
        Width of lines in pixels (without tubes).
    opacity : float
    name : str

    Examples
    --------
    >>> Lines([[0, 0, 0], [10, 0, 0]], color="red").n_points
    2
    """

    kind = "lines"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("points", "scalars")

    points = Reloads()
    scalars = Reloads()
    color = Checked(lambda value, name: None if value is None else colors.to_rgb(value, name=name),
                    panel="color")
    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: None if value is None else colors.check_clim(value, name=name), (0.0, 1.0),
                   panel="range", range="data")
    tube_radius = PerLayer()
    tube_sides = Checked(check_sides, 8, panel="slider", low=3, high=32, integer=True)
    line_width = Checked(lambda value, name: check_positive(value, name), 2.0, panel="slider", low=0.5, high=10.0)

    #: The drawn lines (vtkPolyData; a "scalars" point array when coloured by values). Updated in place.
    mesh = Any(transient=True)

    def __init__(self, points, *, scalars=None, color=None, cmap="viridis", clim=None, tube_radius=None,
                 tube_sides=8, line_width=2.0, opacity=1.0, name="lines"):
        derived = self._derive(dict(points=points, scalars=scalars))
        self._packed = derived["packed"]
        super().__init__(name=name, points=points, scalars=scalars, color=color, cmap=cmap,
                         clim=derived["auto_clim"] if clim is None else clim, tube_radius=tube_radius,
                         tube_sides=tube_sides, line_width=line_width, opacity=check_opacity(opacity))
        from vtkmodules.vtkCommonDataModel import vtkPolyData

        self.mesh = vtkPolyData()
        self._apply(derived)

    @staticmethod
    def _derive(params):
        """Packed lines and values of the data parameters (raises the constructor's errors)."""
        points = params["points"]
        if isinstance(points, str):
            raise BrainviewTypeError(f"points: expected (n, 3) arrays of mm coordinates, got the string "
                                     f"{points!r}; load the file first (e.g. with numpy.loadtxt).")
        if isinstance(points, np.ndarray) and points.ndim in (2, 3):
            check_polylines_memory(points.size // 3, 1 if points.ndim == 2 else len(points), what="points")
        packed = polylines.pack(points, name="points")
        check_polylines_memory(len(packed.points), packed.n_lines, what="points")
        values = check_point_values(params["scalars"], packed, "scalars")
        if values is not None and not np.isfinite(values).any():
            raise BrainviewValueError("scalars: every value is NaN or infinite; pass finite values.")
        auto = colors.auto_clim(values) if values is not None else (0.0, 1.0)
        return dict(packed=packed, values=values, auto_clim=auto)

    def _check_tube_radius(self, value):
        """None or a radius > 0, for tubes that fit in the memory budget."""
        radius = optional_radius(value, "tube_radius")
        if radius is not None:
            check_polylines_memory(self.n_points, self.n_lines, what="tube_radius: tubes",
                                   tube_sides=self.tube_sides)
        return value

    def _apply(self, derived):
        from vtkmodules.util.numpy_support import numpy_to_vtk

        self._packed, self._values = derived["packed"], derived["values"]
        self._selection = polylines.all_lines(self._packed)
        arrays = []
        if self._values is not None:
            array = numpy_to_vtk(self._values, deep=False)
            array.SetName("scalars")
            arrays.append(array)
        with RENDER_LOCK:  # a render thread may be drawing it (brainview._locks)
            self.mesh.GetPointData().Initialize()
            polylines.polydata(polylines.vtk_points(self._packed.points), self._selection, arrays=arrays,
                               mesh=self.mesh)
        self._auto_clim = derived["auto_clim"]
        if self.get_params()["clim"] is None:
            set_quietly(self, clim=self._auto_clim)
        self._changed()

    @observe("points, scalars", post_init=True)
    def _reload(self, event):
        self._apply(take_derived(self))

    # ------------------------------------------------------------ public

    @property
    def n_lines(self):
        """Number of lines (lines of fewer than 2 points included: they draw nothing)."""
        return self._packed.n_lines

    @property
    def n_points(self):
        return len(self._packed.points)

    @property
    def line_points(self):
        """The float32 ``(n, 3)`` mm points of all lines, in order (read-only view)."""
        view = self._packed.points.view()
        view.flags.writeable = False
        return view

    @property
    def offsets(self):
        """Line ``i`` is ``line_points[offsets[i]:offsets[i + 1]]``."""
        return self._packed.offsets.copy()

    @property
    def point_values(self):
        """The float32 value of each point (None with one colour)."""
        return self._values

    @property
    def shown_color(self):
        """The RGB of the lines when they have one colour (white unless ``color`` is given)."""
        return (1.0, 1.0, 1.0) if self.color is None else tuple(self.color)

    def line_of_cell(self, cell_id):
        """The line drawn as cell ``cell_id`` of :attr:`mesh`."""
        return int(self._selection.lines[cell_id])

    def line_at(self, xyz):
        """``(line, point)`` of the point nearest to ``xyz`` (mm)."""
        point = int(np.argmin(((self._packed.points - np.asarray(xyz, np.float32)) ** 2).sum(axis=1)))
        return int(polylines.line_of_point(self._packed, point)), point - int(
            self._packed.offsets[polylines.line_of_point(self._packed, point)])

    def colorbar_table(self):
        if self._values is None:
            return None
        return colors.lookup_table(self.cmap, self.clim), self.name


def _example():
    """Small in-memory inputs of Lines (``Kind.example``): a helix coloured along its length."""
    t = np.linspace(0.0, 4 * np.pi, 80)
    helix = np.column_stack([30 * np.cos(t), 30 * np.sin(t), 4 * t - 25])
    return ((helix,), dict(scalars=t, tube_radius=1.5))


KIND = Kind(Lines, drawer="brainview.render.lines:LinesDrawer", example=_example, roles=())
