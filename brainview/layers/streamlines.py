"""Streamlines (tractography) in world mm: direction colours, bundles, slabs near slices.

Every streamline drawn is part of ONE polydata: one float32 point array
shared by every drawn selection, one colour array (direction RGB or bundle
RGB, uint8) or one float32 value array, and one ``vtkCellArray`` of the
drawn cells (a seeded subset, the parts inside a slab). See
:mod:`brainview.geometry.polylines`; :mod:`brainview.render.streamlines`
draws it (lines, or tubes with ``radius``; a lighter subset while the camera
moves).

A streamline of 0 or 1 point is kept (indices stay those of the input, for
values per streamline and for picking) and draws nothing.

Examples
--------
>>> import numpy as np
>>> from brainview.layers import Streamlines
>>> x = np.linspace(-40, 40, 30)
>>> tracts = [np.column_stack([x, np.full(30, y), np.zeros(30)]) for y in (-5, 0, 5)]
>>> layer = Streamlines(tracts)
>>> layer.n_streamlines, layer.n_drawn
(3, 3)
>>> layer.point_colors[0].tolist()
[255, 0, 0]
>>> layer.slab, layer.near = 2.0, {"x": 0}
>>> layer.n_drawn
3
"""

from __future__ import annotations

import numpy as np
from traits.api import Any, observe

from .. import colors
from .._locks import RENDER_LOCK
from ..errors import BrainviewTypeError, BrainviewValueError, describe
from ..geometry import polylines
from ..limits import check_polylines_memory
from ._live import Reloads, set_quietly, take_derived
from ._tracts_input import read_tracts
from .base import Checked, Kind, Layer, check_bool, check_opacity, check_positive
from .lines import PerLayer, check_point_values, check_sides, optional_radius

__all__ = ["Streamlines", "INTERACTIVE_POINTS"]

#: Points drawn while the camera moves (every k-th drawn streamline at every 4th point); still
#: frames draw all. Software OpenGL draws about half a million line points a second on a loaded
#: machine, besides a frame's own 0.05-0.2 s (as the connectome's 20,000 edges).
INTERACTIVE_POINTS = 50_000

#: Grid step (mm) of the 2-D painter's raster of drawn points, and most voxels it may use.
RASTER_MM, RASTER_MAX_VOXELS = 1.0, 8_000_000

_AXES = {"x": 0, "y": 1, "z": 2}


def _check_max(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise BrainviewValueError(f"{name}: expected None (all) or a whole number >= 1, got {value!r}.")
    return int(value)


def _check_seed(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise BrainviewValueError(f"{name}: expected a whole number >= 0 (the subset's random seed), got {value!r}.")
    return int(value)


def _check_near(value, name):
    """None, a Slices layer (its shown planes, live), ``{axis: mm}`` or ``(x, y, z)`` (three planes)."""
    if value is None or (isinstance(value, Layer) and value.kind == "slices"):
        return value
    if isinstance(value, dict):
        bad = [key for key in value if key not in _AXES]
        if bad or not value:
            raise BrainviewValueError(f"{name}: expected axes 'x', 'y', 'z' as keys, e.g. {{'z': 10}}, got "
                                      f"{describe(value)}.")
        for key, position in value.items():
            _finite(position, f"{name}[{key!r}]")
        return value
    if isinstance(value, (tuple, list, np.ndarray)) and len(value) == 3:
        for position in value:
            _finite(position, name)
        return value
    raise BrainviewTypeError(f"{name}: expected a Slices layer, (x, y, z) mm or a dict such as {{'z': 10}}, "
                             f"got {describe(value)}.")


def _finite(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not np.isfinite(value):
        raise BrainviewValueError(f"{name}: expected a finite mm coordinate, got {value!r}.")


class Streamlines(Layer):
    """Streamlines in world mm, coloured by direction, by value, by bundle or with one colour.

    Parameters
    ----------
    tracts : path, nibabel Tractogram/TractogramFile, dipy StatefulTractogram, list of (n, 3) arrays, dict or list of these
        One tractogram in RAS+ mm, or bundles: ``{name: tractogram}`` (or a
        list) drawn with one colour each and a legend.
    color : "direction", "bundle", a colour, or a dict/list of colours per bundle, optional
        None: "direction" for one tractogram, "bundle" for bundles. "direction" is the
        standard RGB = (|dx|, |dy|, |dz|) orientation colouring. Ignored when ``values`` is given.
    values : (n_points,) or (n_streamlines,) array, or a list of per-streamline arrays, optional
        Colour by value through ``cmap`` over ``clim`` (with a colour bar).
    cmap : str or Colormap
    clim : (float, float), optional
    radius : float, optional
        Draw closed tubes of this radius (mm); None draws lines of ``line_width`` pixels.
    tube_sides : int
        Facets around each tube.
    line_width : float
    opacity : float
    max_streamlines : int, optional
        Draw a random subset of this many streamlines, the same for the same ``seed``.
    seed : int
    slab : float, optional
        Show only the parts within this many mm of the planes of ``near``.
    near : Slices layer, (x, y, z) or dict such as ``{"z": 10}``, optional
        The planes of ``slab``: a Slices layer's shown planes (following them as they move), the
        three planes through a point, or the given ones.
    legend : bool
        Show the bundle legend (bundles coloured by bundle).
    name : str

    Examples
    --------
    >>> import numpy as np
    >>> layer = Streamlines({"a": [np.zeros((2, 3)) + [0, 0, 1]], "b": [np.ones((2, 3))]})
    >>> layer.bundle_names, layer.legend_entries()[0][0]
    (['a', 'b'], 'a')
    """

    kind = "streamlines"

    #: Parameters that are data: a string given for one of them is a file path.
    data_params = ("tracts", "values")

    tracts = Reloads()
    color = PerLayer(panel="hidden")
    values = PerLayer(panel="hidden")
    cmap = Checked(lambda value, name: colors.get_cmap(value, name=name), panel="cmap")
    clim = Checked(lambda value, name: None if value is None else colors.check_clim(value, name=name), (0.0, 1.0),
                   panel="range")
    radius = PerLayer()
    tube_sides = Checked(check_sides, 8, panel="slider", low=3, high=32, integer=True)
    line_width = Checked(lambda value, name: check_positive(value, name), 1.0, panel="slider", low=0.5, high=10.0)
    max_streamlines = Checked(_check_max, None)
    seed = Checked(_check_seed, 0, panel="slider", low=0, high=100, integer=True)
    slab = Checked(optional_radius, None, panel="slider", low=0.5, high=20.0)
    near = Checked(_check_near, None, panel="hidden")
    legend = Checked(check_bool, True, panel="check")

    #: The drawn streamlines (vtkPolyData: "rgb" uint8 or "values" float32 per point). Updated in place.
    mesh = Any(transient=True)

    def __init__(self, tracts, *, color=None, values=None, cmap="viridis", clim=None, radius=None, tube_sides=8,
                 line_width=1.0, opacity=1.0, max_streamlines=None, seed=0, slab=None, near=None, legend=True,
                 name="streamlines"):
        from vtkmodules.vtkCommonDataModel import vtkPolyData

        self._apply_tracts(self._derive(dict(tracts=tracts)))
        self._watched = None
        self.mesh = vtkPolyData()
        super().__init__(name=name, tracts=tracts, color=color, values=values, cmap=cmap, clim=clim,
                         radius=radius, tube_sides=tube_sides, line_width=line_width, opacity=check_opacity(opacity),
                         max_streamlines=max_streamlines, seed=seed, slab=slab, near=near, legend=legend)
        self._recolor(None)

    @staticmethod
    def _derive(params):
        """Packed streamlines of ``tracts`` (raises the constructor's errors)."""
        packed, bundle_of, names = read_tracts(params["tracts"])
        check_polylines_memory(len(packed.points), packed.n_lines, what="tracts")
        if params.get("values") is not None:  # a new tractogram: the values must still fit it
            check_point_values(params["values"], packed, "values", per_line=True)
        if names is None and (params.get("color") == "bundle" or isinstance(params.get("color"), dict)):
            raise BrainviewValueError("tracts: one tractogram, but color= colours bundles; pass bundles "
                                      "(a dict of tractograms) or set color='direction' first.")
        return dict(packed=packed, bundle_of=bundle_of, names=names)

    def _apply_tracts(self, derived):
        self._packed, self._bundle_of, self._names = derived["packed"], derived["bundle_of"], derived["names"]
        self._vtk_points = polylines.vtk_points(self._packed.points)
        self._directions = None  # computed when first shown
        self._raster = None

    @observe("tracts", post_init=True)
    def _reload(self, event):
        self._apply_tracts(take_derived(self))
        self._recolor(None)

    # ------------------------------------------------------------ per-layer checks

    def _check_color(self, value):
        if value is None or (isinstance(value, str) and value in ("direction", "bundle")):
            if value == "bundle" and self._names is None:
                raise BrainviewValueError("color: 'bundle' colours bundles; these tracts are one tractogram. "
                                          "Pass a dict {name: tractogram} for bundles, or color='direction'.")
            return value
        if isinstance(value, dict) or (self._names is not None and isinstance(value, (list, tuple))
                                       and len(value) == len(self._names) and not np.ndim(value) == 1):
            if self._names is None:
                raise BrainviewValueError("color: colours per bundle need bundles (a dict of tractograms).")
            given = value if isinstance(value, dict) else dict(zip(self._names, value))
            missing = [n for n in self._names if n not in given]
            if missing:
                raise BrainviewValueError(f"color: no colour for bundles {missing}; give one per bundle.")
            for key in self._names:
                colors.to_rgb(given[key], name=f"color[{key!r}]")
            return value
        colors.to_rgb(value, name="color")
        return value

    def _check_radius(self, value):
        """None or a radius > 0, for tubes that fit in the memory budget (all drawn points, each side)."""
        radius = optional_radius(value, "radius")
        if radius is not None:
            check_polylines_memory(len(self._packed.points), self._packed.n_lines, what="radius: tubes",
                                   tube_sides=self.tube_sides)
        return value

    def _check_values(self, value):
        check_point_values(value, self._packed, "values", per_line=True)
        return value

    # ------------------------------------------------------------ colours and drawn cells

    def _point_rgb(self):
        """uint8 RGB per point for "direction" and bundle colours; None for one colour or values."""
        mode = self.color_mode
        if mode == "direction":
            if self._directions is None:
                self._directions = polylines.direction_colors(self._packed)
            return self._directions
        if mode == "bundle":
            table = (np.asarray(self.bundle_colors()) * 255).round().astype(np.uint8)
            return table[np.repeat(self._bundle_of, self._packed.lengths)]
        return None

    @property
    def color_mode(self):
        """"values", "direction", "bundle" or "solid": how the streamlines are coloured."""
        if self.values is not None:
            return "values"
        color = self.color
        if color is None:
            return "direction" if self._names is None else "bundle"
        if isinstance(color, str) and color in ("direction", "bundle"):
            return color
        if isinstance(color, dict) or (self._names is not None and isinstance(color, (list, tuple))
                                       and np.ndim(color) != 1):
            return "bundle"
        return "solid"

    def bundle_colors(self):
        """RGB (0..1) of each bundle, in :attr:`bundle_names` order (None without bundles)."""
        if self._names is None:
            return None
        color = self.color
        if isinstance(color, dict) or (isinstance(color, (list, tuple)) and np.ndim(color) != 1):
            given = color if isinstance(color, dict) else dict(zip(self._names, color))
            return [colors.to_rgb(given[key]) for key in self._names]
        return [tuple(float(c) for c in rgb) for rgb in polylines.bundle_palette(len(self._names))]

    @observe("color, values", post_init=True)
    def _recolor(self, event):
        with RENDER_LOCK:  # a render thread may be drawing this mesh (brainview._locks)
            self._recolor_mesh()

    def _recolor_mesh(self):
        from vtkmodules.util.numpy_support import numpy_to_vtk

        data = self.mesh.GetPointData()
        data.Initialize()
        mode = self.color_mode
        if mode == "values":
            values = check_point_values(self.values, self._packed, "values", per_line=True)
            self._auto_clim = colors.auto_clim(values)
            array = numpy_to_vtk(values, deep=False)
            array.SetName("values")
            data.AddArray(array)
            if self.get_params()["clim"] is None:
                set_quietly(self, clim=self._auto_clim)
        elif mode in ("direction", "bundle"):
            array = numpy_to_vtk(self._point_rgb(), deep=False)
            array.SetName("rgb")
            data.SetScalars(array)  # the active scalars: vtk.js (HTML export) colours by them directly
        self._reselect(None)

    @observe("max_streamlines, seed, slab, near", post_init=True)
    def _reselect(self, event):
        self._watch_near()
        chosen = polylines.subset(self._packed.n_lines, self.max_streamlines, self.seed)
        planes = self.slab_planes()
        if self.slab is None or not planes:
            self._selection = polylines.take_lines(self._packed, chosen)
        else:
            self._selection = polylines.slab_selection(self._packed, planes, self.slab, lines=chosen)
        with RENDER_LOCK:  # a render thread may be drawing this mesh (brainview._locks)
            polylines.polydata(self._vtk_points, self._selection, mesh=self.mesh)
        self._raster = None
        self._changed()

    def _watch_near(self):
        """Follow the planes of a Slices layer given as ``near`` (and stop following an old one)."""
        near = self.near if isinstance(self.near, Layer) else None
        if near is self._watched:
            return
        if self._watched is not None:
            self._watched.observe(self._planes_moved, "coords, axes", remove=True)
        if near is not None:
            near.observe(self._planes_moved, "coords, axes")
        self._watched = near

    def _planes_moved(self, event):
        if self.slab is not None:
            self._reselect(None)

    def slab_planes(self):
        """``[(axis, mm), ...]`` of the planes ``slab`` is measured from (empty without ``near``)."""
        near = self.near
        if near is None:
            return []
        if isinstance(near, Layer):
            return [(_AXES[axis], float(near.coords[_AXES[axis]])) for axis in near.axes]
        if isinstance(near, dict):
            return [(_AXES[axis], float(position)) for axis, position in near.items()]
        return [(axis, float(position)) for axis, position in enumerate(near)]

    # ------------------------------------------------------------ public

    @property
    def n_streamlines(self):
        """Streamlines given (empty ones included)."""
        return self._packed.n_lines

    @property
    def n_drawn(self):
        """Drawn cells (a streamline cut by a slab may give several)."""
        return self._selection.n_cells

    @property
    def bundle_names(self):
        return None if self._names is None else list(self._names)

    @property
    def streamline_points(self):
        """The float32 ``(n, 3)`` mm points of all streamlines, in order (read-only view)."""
        view = self._packed.points.view()
        view.flags.writeable = False
        return view

    @property
    def offsets(self):
        """Streamline ``i`` is ``streamline_points[offsets[i]:offsets[i + 1]]``."""
        return self._packed.offsets.copy()

    @property
    def point_colors(self):
        """uint8 RGB per point as drawn ("direction" or bundle colours), else None."""
        return self._point_rgb()

    @property
    def selection(self):
        """The drawn cells (:class:`brainview.geometry.polylines.Selection`)."""
        return self._selection

    @property
    def shown_color(self):
        color = self.color
        return colors.to_rgb(color) if self.color_mode == "solid" else (1.0, 1.0, 1.0)

    def legend_entries(self):
        """``[(bundle, (r, g, b)), ...]`` when bundles are coloured by bundle and ``legend`` is on, else None."""
        if self.color_mode != "bundle" or not self.legend:
            return None
        return list(zip(self._names, self.bundle_colors()))

    def item(self, streamline):
        """The pick record of streamline ``i``: ``{"streamline": i, "bundle": name or None}``."""
        bundle = None if self._bundle_of is None else self._names[int(self._bundle_of[streamline])]
        return {"streamline": int(streamline), "bundle": bundle}

    def streamline_at(self, xyz):
        """The drawn streamline nearest to ``xyz`` (mm), or None when nothing is drawn."""
        drawn = self._selection.connectivity
        if not len(drawn):
            return None
        point = np.asarray(xyz, np.float32)
        distance = ((self._packed.points[drawn] - point) ** 2).sum(axis=1)
        return int(polylines.line_of_point(self._packed, int(drawn[np.argmin(distance)])))

    def bundle_at(self, xyz):
        """The bundle name of the drawn streamline nearest to ``xyz`` (None without bundles)."""
        streamline = self.streamline_at(xyz)
        return None if streamline is None else self.item(streamline)["bundle"]

    @property
    def image(self):
        """The drawn streamlines on a 1 mm grid (a point's index in each voxel one passes, NaN elsewhere).

        2-D views show it as dots where streamlines cross a plane
        (:func:`~brainview.render.streamline_dots.paint_streamlines`); :meth:`value_at` reads it.
        """
        if self._raster is None:
            self._raster = polylines.rasterize(self._packed.points, self._selection,
                                               step=RASTER_MM, max_voxels=RASTER_MAX_VOXELS)
        return self._raster

    def value_at(self, xyz):
        """The index of a drawn streamline passing within half a 2-D view voxel of ``xyz``, else NaN."""
        point = self.image.value_at(np.asarray(xyz, float)[None, :])[0]
        if not np.isfinite(point):
            return float("nan")
        return int(polylines.line_of_point(self._packed, int(point)))

    def raster_colors(self):
        """``(n_points, 3)`` uint8 colour of each point in 2-D views: as drawn, direction for values."""
        rgb = self._point_rgb()
        if rgb is None and self.color_mode == "solid":
            return np.broadcast_to(np.rint(np.array(colors.to_rgb(self.color)) * 255).astype(np.uint8),
                                   (len(self._packed.points), 3))
        return rgb if rgb is not None else polylines.direction_colors(self._packed)

    def colorbar_table(self):
        if self.color_mode != "values":
            return None
        return colors.lookup_table(self.cmap, self.clim), self.name


def _example():
    """Small in-memory inputs of Streamlines (``Kind.example``): two crossing fans."""
    t = np.linspace(-1.0, 1.0, 41)[:, None]
    tracts = [np.hstack([60 * t, 20 * np.sin(np.pi * t) + dy, dy + 0 * t]) for dy in (-10.0, 0.0, 10.0)]
    tracts += [np.hstack([dx + 0 * t, 50 * t, 20 * t * t - 10]) for dx in (-8.0, 8.0)]
    return ((tracts,), dict(line_width=3.0))


KIND = Kind(Streamlines, drawer="brainview.render.streamlines:StreamlinesDrawer", example=_example,
            roles=("streamlines",), painter="brainview.render.streamline_dots:paint_streamlines")
